#include "attach_session.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "node/logs/attach_frames.h"
#include "skiff/common/log.h"

namespace skiff::node {

using logs::EncodeFrame;
using logs::FrameKind;

std::string AttachSocketPath(const std::string& dir, const std::string& container_id) {
  return dir + "/" + container_id + ".sock";
}

std::string AttachStdinPath(const std::string& dir, const std::string& container_id) {
  return dir + "/" + container_id + ".stdin";
}

Result<std::shared_ptr<AttachSession>> AttachSession::Start(const ExecTarget& target,
                                                            AttachOptions options,
                                                            std::shared_ptr<api::ExecOutput> output,
                                                            std::function<void()> on_end) {
  sockaddr_un addr{};
  if (target.attach_socket.empty() || target.attach_socket.size() >= sizeof addr.sun_path) {
    return UnimplementedError("container " + target.container_name +
                              " was started without attach support; restart it to attach");
  }
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return UnavailableError(std::string("socket: ") + std::strerror(errno));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, target.attach_socket.data(), target.attach_socket.size());
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ECONNREFUSED) {
      return UnimplementedError(
          "container " + target.container_name +
          " has no attach socket (it was started by a skiff without attach support, or its log "
          "driver is gone); restart the container to attach to it");
    }
    return UnavailableError("cannot connect to " + target.attach_socket + ": " +
                            std::strerror(err));
  }
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return InternalError(std::string("eventfd: ") + std::strerror(errno));
  const bool uses_stdin = options.stdin && options.container_stdin;
  const std::string hello =
      EncodeFrame(FrameKind::kHello, uses_stdin ? "\x01" : std::string(1, '\0'));
  if (::send(sock.get(), hello.data(), hello.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(hello.size())) {
    return UnavailableError("cannot talk to " + target.attach_socket + ": " + std::strerror(errno));
  }
  std::shared_ptr<AttachSession> session(new AttachSession(
      target, options, std::move(output), std::move(on_end), std::move(sock), std::move(wake)));
  std::thread([session] { session->Run(); }).detach();
  return session;
}

AttachSession::AttachSession(ExecTarget target, AttachOptions options,
                             std::shared_ptr<api::ExecOutput> output, std::function<void()> on_end,
                             UniqueFd sock, UniqueFd wake)
    : target_(std::move(target)),
      options_(options),
      output_(std::move(output)),
      on_end_(std::move(on_end)),
      sock_(std::move(sock)),
      wake_(std::move(wake)) {}

AttachSession::~AttachSession() = default;

void AttachSession::Wake() {
  const uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

void AttachSession::Run() {
  logs::FrameDecoder decoder;
  std::string buf(64 * 1024, '\0');
  bool client_gone = false;
  auto on_frame = [&](FrameKind kind, std::string_view payload) {
    if (client_gone) return;
    bool ok = true;
    if (kind == FrameKind::kStdout || (kind == FrameKind::kStderr && options_.container_tty)) {
      if (options_.stdout || options_.container_tty) ok = output_->Stdout(payload);
    } else if (kind == FrameKind::kStderr) {
      if (options_.stderr) ok = output_->Stderr(payload);
    }
    if (!ok) client_gone = true;
  };
  while (!client_gone && !cancelled_) {
    pollfd fds[2] = {{sock_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) break;
    if (fds[0].revents == 0) continue;
    const ssize_t n = ::recv(sock_.get(), buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the driver closed: the container's output ended
    if (!decoder.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), on_frame)) {
      log::Warning("attach", "bad frames from the log driver; detaching",
                   {{"container", target_.container_name}, {"error", decoder.error()}});
      break;
    }
  }
  ended_ = true;
  Wake();  // ends a blocked Stdin
  {
    std::lock_guard lock(send_mu_);
    if (!stdin_closed_ && options_.stdin && options_.container_stdin) {
      stdin_closed_ = true;
      CloseContainerStdin();
    }
  }
  ::shutdown(sock_.get(), SHUT_RDWR);
  output_->Finish(0, "");
  if (on_end_) on_end_();
}

bool AttachSession::Send(const std::string& frame) {
  std::string_view data = frame;
  while (!data.empty() && !ended_) {
    const ssize_t n = ::send(sock_.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd fds[2] = {{sock_.get(), POLLOUT, 0}, {wake_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) return false;
      if (fds[1].revents & POLLIN) return false;
      continue;
    }
    return false;
  }
  return data.empty();
}

void AttachSession::Stdin(std::string_view data) {
  if (!options_.stdin || !options_.container_stdin || data.empty()) return;
  std::lock_guard lock(send_mu_);
  if (stdin_closed_ || ended_) return;
  (void)Send(EncodeFrame(FrameKind::kStdin, data));
}

void AttachSession::StdinClosed() {
  if (!options_.stdin || !options_.container_stdin) return;
  {
    std::lock_guard lock(send_mu_);
    if (stdin_closed_ || ended_) return;
    stdin_closed_ = true;
    if (CloseOnStdinEnd()) {
      (void)Send(EncodeFrame(FrameKind::kStdinClosed, ""));
      CloseContainerStdin();
      return;
    }
  }
  // As containerd's CRI: otherwise the client's end of stdin ends the session's output too.
  Cancel();
}

bool AttachSession::CloseOnStdinEnd() const {
  return options_.container_stdin_once && !options_.container_tty;
}

void AttachSession::CloseContainerStdin() {
  if (!CloseOnStdinEnd()) return;
  // The shim holds a writer of the stdin FIFO too (for CloseIO); with the driver's closed the
  // container sees EOF once bytes already sent are read.
  if (Status s = target_.shim->CloseIO({target_.container_id, ""}); !s.ok()) {
    log::Debug("attach", "cannot close a container's stdin",
               {{"container", target_.container_name}, {"error", s.message()}});
  }
}

void AttachSession::Resize(int width, int height) {
  if (!options_.container_tty || ended_ || width <= 0 || height <= 0) return;
  if (Status s = target_.shim->ResizePty({target_.container_id, ""}, static_cast<uint32_t>(width),
                                         static_cast<uint32_t>(height));
      !s.ok()) {
    log::Debug("attach", "cannot resize a container's terminal",
               {{"container", target_.container_name}, {"error", s.message()}});
  }
}

void AttachSession::Cancel() {
  cancelled_ = true;
  Wake();
}

}  // namespace skiff::node
