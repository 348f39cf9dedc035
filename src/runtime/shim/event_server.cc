#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/shim/event_codec.h"
#include "runtime/shim/ttrpc_codec.h"
#include "skiff/common/unique_fd.h"
#include "runtime/shim/unix_socket.h"
#include "skiff/common/log.h"
#include "skiff/runtime/shim_events.h"

namespace skiff::runtime {

namespace {
constexpr std::string_view kLogComponent = "shim-events";
constexpr std::chrono::milliseconds kReplyTimeout{5000};
}  // namespace

class ShimEventServer::Impl {
 public:
  Impl(UniqueFd listener, UniqueFd wake, std::string path, Callback callback)
      : listener_(std::move(listener)),
        wake_(std::move(wake)),
        path_(std::move(path)),
        callback_(std::move(callback)) {
    thread_ = std::thread([this] { Run(); });
  }

  ~Impl() { Stop(); }

  void Stop() {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (!thread_.joinable()) return;
    const uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof(one)) < 0) {
      log::Warning(kLogComponent, "waking the event server failed", {{"error", strerror(errno)}});
    }
    thread_.join();
    connections_.clear();
    listener_.reset();
    ::unlink(path_.c_str());
  }

 private:
  struct Connection {
    UniqueFd fd;
    shim::FrameParser parser;
  };

  void Run() {
    for (;;) {
      std::vector<pollfd> fds;
      fds.push_back({wake_.get(), POLLIN, 0});
      fds.push_back({listener_.get(), POLLIN, 0});
      for (const auto& c : connections_) fds.push_back({c->fd.get(), POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        log::Error(kLogComponent, "poll failed; events are no longer received",
                   {{"socket", path_}, {"error", strerror(errno)}});
        return;
      }
      if (fds[0].revents != 0) return;
      if (fds[1].revents != 0) Accept();
      // Serve connections from the back so erasing one does not shift those not yet seen.
      for (size_t i = fds.size(); i-- > 2;) {
        if (fds[i].revents == 0) continue;
        if (!Serve(*connections_[i - 2]))
          connections_.erase(connections_.begin() + static_cast<long>(i - 2));
      }
    }
  }

  void Accept() {
    for (;;) {
      const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          log::Warning(kLogComponent, "accept failed",
                       {{"socket", path_}, {"error", strerror(errno)}});
        }
        return;
      }
      auto c = std::make_unique<Connection>();
      c->fd.reset(fd);
      shim::SetSendTimeout(fd, kReplyTimeout);
      connections_.push_back(std::move(c));
    }
  }

  // Reads what the connection has, handles every complete request; false when it is closed.
  bool Serve(Connection& c) {
    char buf[16384];
    for (;;) {
      const ssize_t n = ::recv(c.fd.get(), buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0) return false;
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return false;
      }
      c.parser.Append(std::string_view(buf, static_cast<size_t>(n)));
    }
    shim::FrameParser::Frame frame;
    while (c.parser.Next(&frame)) {
      if (frame.header.type != static_cast<uint8_t>(shim::FrameType::kRequest)) continue;
      shim::RpcResponse response = Handle(frame);
      const std::string reply = shim::EncodeFrame(
          frame.header.stream_id, shim::FrameType::kResponse, shim::EncodeResponse(response));
      if (!shim::WriteAll(c.fd.get(), reply, "event publisher on " + path_).ok()) return false;
    }
    return true;
  }

  shim::RpcResponse Handle(const shim::FrameParser::Frame& frame) {
    shim::RpcResponse response;
    if (frame.oversize) {
      response.status = {8, "request over the 4 MiB ttrpc limit"};
      return response;
    }
    Result<shim::RpcRequest> request = shim::DecodeRequest(frame.payload);
    if (!request.ok()) {
      response.status = {3, request.status().message()};
      return response;
    }
    if (request->service != shim::kEventsService || request->method != shim::kForwardMethod) {
      response.status = {12, request->service + "/" + request->method + " is not served here"};
      return response;
    }
    Result<ShimEvent> event = shim::DecodeForwardRequest(request->payload);
    if (!event.ok()) {
      log::Warning(kLogComponent, "undecodable event", {{"error", event.status().message()}});
      response.status = {3, event.status().message()};
      return response;
    }
    try {
      callback_(*event);
    } catch (const std::exception& e) {
      log::Error(kLogComponent, "event callback threw",
                 {{"topic", event->topic}, {"error", e.what()}});
    }
    return response;
  }

  UniqueFd listener_;
  UniqueFd wake_;
  const std::string path_;
  const Callback callback_;
  std::vector<std::unique_ptr<Connection>> connections_;  // owned by the serving thread
  std::mutex stop_mu_;                                    // serializes Stop()
  std::thread thread_;
};

Result<std::unique_ptr<ShimEventServer>> ShimEventServer::Start(const std::string& socket_path,
                                                                Callback callback) {
  if (!callback) return InvalidArgumentError("event server on " + socket_path + ": no callback");
  Result<UniqueFd> listener = shim::ListenUnixSocket(socket_path);
  if (!listener.ok()) return listener.status();
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) {
    ::unlink(socket_path.c_str());
    return InternalError("event server on " + socket_path + ": eventfd: " + strerror(errno));
  }
  auto impl = std::make_unique<Impl>(std::move(listener).value(), std::move(wake), socket_path,
                                     std::move(callback));
  return std::unique_ptr<ShimEventServer>(new ShimEventServer(socket_path, std::move(impl)));
}

ShimEventServer::ShimEventServer(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

ShimEventServer::~ShimEventServer() { Stop(); }

void ShimEventServer::Stop() { impl_->Stop(); }

}  // namespace skiff::runtime
