// A ttrpc client connection: many calls in flight on one unix socket, replies matched to calls
// by stream id (odd ids from 1) by a reader thread.
//
// Thread-safe. Call blocks its caller until the reply, the timeout, the connection's loss or
// Close(), whichever comes first; the last three give kUnavailable. Close() wakes every call.
// A reply that arrives after its call timed out is dropped.
#pragma once

#include <chrono>
#include <functional>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "runtime/shim/ttrpc_codec.h"
#include "skiff/common/unique_fd.h"
#include "skiff/common/status.h"

namespace skiff::runtime::shim {

class TtrpcClient {
 public:
  // Connects to the unix socket at `path` (see ConnectUnixSocket for the errors).
  // `on_peer_closed` (optional) runs once on the reader thread when the peer closes the
  // connection (never after Close()); it must not destroy or Close this client.
  static Result<std::unique_ptr<TtrpcClient>> Connect(const std::string& path,
                                                      std::chrono::milliseconds timeout,
                                                      std::function<void()> on_peer_closed = {});
  // Takes an already connected, blocking stream socket (tests use a socketpair). `name` is
  // what error messages call the peer.
  TtrpcClient(UniqueFd fd, std::string name, std::function<void()> on_peer_closed = {});
  ~TtrpcClient();
  TtrpcClient(const TtrpcClient&) = delete;
  TtrpcClient& operator=(const TtrpcClient&) = delete;

  // Sends service/method with `payload` and waits up to `timeout` for the response. Returns the
  // whole response (its status may be an error; StatusFromRpc maps it). kUnavailable on
  // timeout, lost connection or Close(); kResourceExhausted for a reply over 4 MiB.
  Result<RpcResponse> Call(std::string_view service, std::string_view method, std::string payload,
                           std::chrono::milliseconds timeout);

  // True once the peer closed the connection (EOF or a read error), as opposed to Close().
  bool peer_closed() const;

  // Fails every pending and later call with kUnavailable and ends the reader thread.
  // Idempotent.
  void Close();

 private:
  struct Pending {
    std::optional<Result<RpcResponse>> result;
  };

  void ReadLoop();
  void Deliver(uint32_t stream_id, Result<RpcResponse> result);
  void FailAll(const Status& status);

  const std::string name_;
  const std::function<void()> on_peer_closed_;
  UniqueFd fd_;  // closed only by the destructor, after the reader thread ended

  mutable std::mutex mu_;  // guards everything below up to write_mu_
  std::condition_variable cv_;
  std::map<uint32_t, std::shared_ptr<Pending>> pending_;
  uint32_t next_stream_id_ = 1;
  bool closed_ = false;
  bool peer_closed_ = false;
  Status close_reason_;

  std::mutex write_mu_;  // one frame at a time on the socket

  std::once_flag join_once_;
  std::thread reader_;
};

}  // namespace skiff::runtime::shim
