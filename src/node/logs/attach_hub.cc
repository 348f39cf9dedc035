#include "attach_hub.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::node::logs {
namespace {

constexpr size_t kClientReadChunk = 64 * 1024;

std::string Errno() { return std::strerror(errno); }

}  // namespace

Result<std::unique_ptr<AttachHub>> AttachHub::Open(const AttachHubOptions& options) {
  sockaddr_un addr{};
  if (options.socket_path.empty() || options.socket_path.size() >= sizeof addr.sun_path) {
    return InvalidArgumentError("attach socket path \"" + options.socket_path +
                                "\" is empty or longer than " +
                                std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::unique_ptr<AttachHub> hub(new AttachHub(options));
  if (!options.stdin_path.empty()) {
    // O_RDWR: we are a writer for the container's whole life (the shim's reader never sees
    // EOF until we close), and the open never blocks.
    hub->stdin_.reset(::open(options.stdin_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!hub->stdin_.valid()) {
      return InternalError("cannot open the stdin FIFO " + options.stdin_path + ": " + Errno());
    }
  }
  const std::string dir = options.socket_path.substr(0, options.socket_path.rfind('/'));
  if (!dir.empty()) {
    if (Status s = MakeDirs(dir, 0700); !s.ok()) return s;
  }
  hub->listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!hub->listen_.valid()) return InternalError("attach socket: " + Errno());
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, options.socket_path.data(), options.socket_path.size());
  ::unlink(options.socket_path.c_str());
  if (::bind(hub->listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string err = Errno();
    hub->listen_.reset();
    return InternalError("cannot bind the attach socket " + options.socket_path + ": " + err);
  }
  if (::chmod(options.socket_path.c_str(), 0600) != 0 || ::listen(hub->listen_.get(), 16) != 0) {
    return InternalError("cannot listen on the attach socket " + options.socket_path + ": " +
                         Errno());
  }
  return hub;
}

AttachHub::~AttachHub() {
  clients_.clear();
  if (listen_.valid()) {
    listen_.reset();
    ::unlink(options_.socket_path.c_str());
  }
}

void AttachHub::Broadcast(FrameKind kind, std::string_view data) {
  for (auto& c : clients_) {
    if (c->dead) continue;
    if (c->out_off > 0 && c->out_off == c->out.size()) {
      c->out.clear();
      c->out_off = 0;
    }
    AppendFrame(&c->out, kind, data);
    SendQueued(*c);
    if (!c->dead && c->out.size() - c->out_off > options_.max_queue) {
      Drop(*c, "attach client is not reading; disconnecting it");
    }
  }
  // Dead clients are reaped at the end of HandlePoll, never here: the poll round in progress
  // still holds pointers to them.
}

void AttachHub::SendQueued(Client& c) {
  while (!c.dead && c.out_off < c.out.size()) {
    const ssize_t n = ::send(c.fd.get(), c.out.data() + c.out_off, c.out.size() - c.out_off,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out_off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    c.dead = true;  // the client went away
  }
  if (c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
  } else if (c.out_off > (64 << 10)) {
    c.out.erase(0, c.out_off);
    c.out_off = 0;
  }
}

void AttachHub::Drop(Client& c, const char* why) {
  if (c.dead) return;
  log::Warning(
      "log-driver", why,
      {{"socket", options_.socket_path}, {"queued", std::to_string(c.out.size() - c.out_off)}});
  c.dead = true;
}

void AttachHub::Reap() {
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (!(*it)->dead) {
      ++it;
      continue;
    }
    const bool used_stdin = (*it)->uses_stdin;
    it = clients_.erase(it);
    if (used_stdin) StdinSessionEnded();
  }
}

void AttachHub::StdinSessionEnded() {
  if (!options_.stdin_once || !stdin_.valid()) return;
  close_stdin_ = true;
  FlushStdin();
}

void AttachHub::FlushStdin() {
  while (stdin_.valid() && !stdin_pending_.empty()) {
    const ssize_t n = ::write(stdin_.get(), stdin_pending_.data(), stdin_pending_.size());
    if (n > 0) {
      stdin_pending_.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    log::Warning("log-driver", "cannot write to the container's stdin; closing it",
                 {{"fifo", options_.stdin_path}, {"error", Errno()}});
    stdin_pending_.clear();
    close_stdin_ = true;
  }
  if (close_stdin_ && stdin_.valid()) stdin_.reset();  // the container sees EOF
}

void AttachHub::Accept() {
  for (;;) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or out of descriptors: try again on the next event
    }
    auto c = std::make_unique<Client>();
    c->fd.reset(fd);
    clients_.push_back(std::move(c));
  }
}

void AttachHub::ReadClient(Client& c) {
  read_buf_.resize(kClientReadChunk);
  const ssize_t n = ::recv(c.fd.get(), read_buf_.data(), read_buf_.size(), MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    c.dead = true;
    return;
  }
  auto on_frame = [this, &c](FrameKind kind, std::string_view payload) {
    OnFrame(c, kind, payload);
  };
  if (!c.decoder.Feed(std::string_view(read_buf_.data(), static_cast<size_t>(n)), on_frame)) {
    log::Warning("log-driver", "attach client broke the protocol; disconnecting it",
                 {{"socket", options_.socket_path}, {"error", c.decoder.error()}});
    c.dead = true;
  }
  FlushStdin();
}

void AttachHub::OnFrame(Client& c, FrameKind kind, std::string_view payload) {
  if (c.dead) return;
  switch (kind) {
    case FrameKind::kHello:
      c.hello = true;
      c.uses_stdin = payload == std::string_view("\x01", 1) && stdin_.valid() && !close_stdin_;
      return;
    case FrameKind::kStdin:
      if (c.uses_stdin && stdin_.valid() && !close_stdin_) stdin_pending_.append(payload);
      return;
    case FrameKind::kStdinClosed:
      if (c.uses_stdin && options_.stdin_once) StdinSessionEnded();
      return;
    default:
      log::Warning("log-driver", "attach client sent an output frame; disconnecting it",
                   {{"socket", options_.socket_path}});
      c.dead = true;
      return;
  }
}

void AttachHub::AddPollFds(std::vector<pollfd>* fds) {
  first_ = fds->size();
  polled_.clear();
  polled_listen_ = listen_.valid();
  if (polled_listen_) fds->push_back({listen_.get(), POLLIN, 0});
  polled_stdin_ = stdin_.valid() && !stdin_pending_.empty();
  if (polled_stdin_) fds->push_back({stdin_.get(), POLLOUT, 0});
  for (auto& c : clients_) {
    short events = 0;
    if (stdin_pending_.empty()) events |= POLLIN;  // flow control: hold clients meanwhile
    if (c->out_off < c->out.size()) events |= POLLOUT;
    fds->push_back({c->fd.get(), events, 0});
    polled_.push_back(c.get());
  }
}

void AttachHub::HandlePoll(const std::vector<pollfd>& fds) {
  size_t i = first_;
  bool accept = false;
  if (polled_listen_) accept = (fds[i++].revents & POLLIN) != 0;
  if (polled_stdin_) {
    if (fds[i++].revents != 0) FlushStdin();
  }
  for (Client* c : polled_) {
    const short revents = fds[i++].revents;
    if (revents == 0 || c->dead) continue;
    if (revents & POLLOUT) SendQueued(*c);
    if (revents & (POLLIN | POLLHUP | POLLERR)) ReadClient(*c);
  }
  polled_.clear();
  Reap();
  if (accept) Accept();
}

void AttachHub::Finish(std::chrono::milliseconds flush) {
  if (listen_.valid()) {
    listen_.reset();
    ::unlink(options_.socket_path.c_str());
  }
  const auto deadline = std::chrono::steady_clock::now() + flush;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Client*> owners;
    for (auto& c : clients_) {
      if (c->dead) continue;
      SendQueued(*c);
      if (!c->dead && c->out_off < c->out.size()) {
        fds.push_back({c->fd.get(), POLLOUT, 0});
        owners.push_back(c.get());
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (fds.empty() || left.count() <= 0) break;
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) {
      break;
    }
  }
  clients_.clear();
  FlushStdin();
}

}  // namespace skiff::node::logs
