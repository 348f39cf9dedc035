#include "runtime/shim/ttrpc_client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "runtime/shim/unix_socket.h"

namespace skiff::runtime::shim {

namespace {
// Stream ids stay odd and below 2^31, as ttrpc clients use them.
constexpr uint32_t kMaxStreamId = 0x7fffffff;
constexpr std::chrono::milliseconds kSendTimeout{10000};
// Longer timeouts are clamped so deadline arithmetic cannot overflow.
constexpr std::chrono::milliseconds kLongestTimeout = std::chrono::hours(24 * 365);
}  // namespace

Result<std::unique_ptr<TtrpcClient>> TtrpcClient::Connect(const std::string& path,
                                                          std::chrono::milliseconds timeout,
                                                          std::function<void()> on_peer_closed) {
  Result<UniqueFd> fd = ConnectUnixSocket(path, timeout);
  if (!fd.ok()) return fd.status();
  return std::make_unique<TtrpcClient>(std::move(fd).value(), path, std::move(on_peer_closed));
}

TtrpcClient::TtrpcClient(UniqueFd fd, std::string name, std::function<void()> on_peer_closed)
    : name_(std::move(name)), on_peer_closed_(std::move(on_peer_closed)), fd_(std::move(fd)) {
  SetSendTimeout(fd_.get(), kSendTimeout);
  reader_ = std::thread([this] { ReadLoop(); });
}

TtrpcClient::~TtrpcClient() { Close(); }

bool TtrpcClient::peer_closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peer_closed_;
}

void TtrpcClient::FailAll(const Status& status) {
  for (auto& [id, pending] : pending_) {
    if (!pending->result) pending->result = Result<RpcResponse>(status);
  }
  pending_.clear();
  cv_.notify_all();
}

void TtrpcClient::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      closed_ = true;
      close_reason_ = UnavailableError("connection to " + name_ + " closed by the client");
      FailAll(close_reason_);
    }
  }
  // Wakes the reader thread out of read(); the descriptor stays open until the destructor so
  // no concurrent writer can hit a reused fd number.
  ::shutdown(fd_.get(), SHUT_RDWR);
  std::call_once(join_once_, [this] {
    if (reader_.joinable()) {
      if (reader_.get_id() == std::this_thread::get_id()) {
        reader_.detach();
      } else {
        reader_.join();
      }
    }
  });
}

void TtrpcClient::Deliver(uint32_t stream_id, Result<RpcResponse> result) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(stream_id);
  if (it == pending_.end()) return;  // the call timed out meanwhile
  it->second->result = std::move(result);
  pending_.erase(it);
  cv_.notify_all();
}

void TtrpcClient::ReadLoop() {
  FrameParser parser;
  std::string chunk(65536, '\0');
  std::string reason;
  for (;;) {
    const ssize_t n = ::read(fd_.get(), chunk.data(), chunk.size());
    if (n == 0) {
      reason = "connection to " + name_ + " closed by the shim";
      break;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      reason = "reading from " + name_ + ": " + strerror(errno);
      break;
    }
    parser.Append(std::string_view(chunk.data(), static_cast<size_t>(n)));
    FrameParser::Frame frame;
    while (parser.Next(&frame)) {
      if (frame.header.type != static_cast<uint8_t>(FrameType::kResponse)) continue;
      if (frame.oversize) {
        Deliver(frame.header.stream_id,
                ResourceExhaustedError("reply from " + name_ + " is " +
                                       std::to_string(frame.header.length) +
                                       " bytes, over the 4 MiB ttrpc limit"));
        continue;
      }
      Result<RpcResponse> response = DecodeResponse(frame.payload);
      if (!response.ok()) {
        response = InternalError("reply from " + name_ + ": " + response.status().message());
      }
      Deliver(frame.header.stream_id, std::move(response));
    }
  }
  bool by_peer = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_) {
      closed_ = true;
      peer_closed_ = by_peer = true;
      close_reason_ = UnavailableError(reason);
    }
    FailAll(close_reason_);
  }
  if (by_peer && on_peer_closed_) on_peer_closed_();
}

Result<RpcResponse> TtrpcClient::Call(std::string_view service, std::string_view method,
                                      std::string payload, std::chrono::milliseconds timeout) {
  timeout = std::clamp(timeout, std::chrono::milliseconds(0), kLongestTimeout);
  auto pending = std::make_shared<Pending>();
  uint32_t stream_id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return close_reason_;
    stream_id = next_stream_id_;
    next_stream_id_ = next_stream_id_ >= kMaxStreamId - 2 ? 1 : next_stream_id_ + 2;
    pending_[stream_id] = pending;
  }

  RpcRequest request;
  request.service = std::string(service);
  request.method = std::string(method);
  request.payload = std::move(payload);
  request.timeout_nano = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  const std::string frame = EncodeFrame(stream_id, FrameType::kRequest, EncodeRequest(request));
  if (frame.size() - kFrameHeaderSize > kMaxFramePayload) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(stream_id);
    return ResourceExhaustedError("request " + std::string(method) + " to " + name_ +
                                  " is over the 4 MiB ttrpc limit");
  }
  Status written;
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    written = WriteAll(fd_.get(), frame, name_);
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (!written.ok()) {
    pending_.erase(stream_id);
    if (pending->result) return std::move(*pending->result);
    // A frame may have been cut short: nothing more can be framed on this stream. Fail
    // every call and let the reader thread end.
    if (!closed_) {
      closed_ = true;
      close_reason_ = written;
      FailAll(close_reason_);
      ::shutdown(fd_.get(), SHUT_RDWR);
    }
    return written;
  }
  const bool done = cv_.wait_for(lock, timeout, [&] { return pending->result.has_value(); });
  if (!done) {
    pending_.erase(stream_id);
    return UnavailableError(std::string(method) + " to " + name_ + ": no reply within " +
                            std::to_string(timeout.count()) + " ms");
  }
  return std::move(*pending->result);
}

}  // namespace skiff::runtime::shim
