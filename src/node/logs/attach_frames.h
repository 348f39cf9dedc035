// The attach protocol between a container's log driver and its attach clients (the node
// agent's attach sessions), over the driver's unix stream socket.
//
// Every message is a frame: [1 byte kind][4 byte big-endian payload length][payload].
//   driver -> client: kStdout, kStderr (the container's output, as read: no line buffering;
//                     a tty container's console is all kStdout).
//   client -> driver: kHello (first frame; payload one byte, 1 when the session uses stdin,
//                     else 0), kStdin (bytes for the container's stdin), kStdinClosed (empty:
//                     the session closed its stdin).
// A payload is at most kMaxFramePayload bytes; a longer length or an unknown kind is a
// protocol error (the peer then closes the connection). EOF from the driver means the
// container's output ended (the container exited).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace skiff::node::logs {

enum class FrameKind : uint8_t {
  kStdout = 1,
  kStderr = 2,
  kHello = 16,
  kStdin = 17,
  kStdinClosed = 18,
};

inline constexpr size_t kFrameHeaderSize = 5;
inline constexpr size_t kMaxFramePayload = 64 * 1024;

// Appends one frame to `out`. A payload longer than kMaxFramePayload is split into several
// frames of the same kind. Pure; thread-safe.
void AppendFrame(std::string* out, FrameKind kind, std::string_view payload);
std::string EncodeFrame(FrameKind kind, std::string_view payload);

// Reassembles frames from a byte stream cut anywhere. Not thread-safe (one per connection).
class FrameDecoder {
 public:
  using FrameFn = std::function<void(FrameKind kind, std::string_view payload)>;
  // Feeds bytes; calls `on_frame` for every frame completed by them, in order. Returns false
  // (and from then on always false, without calling on_frame) on a protocol error; error()
  // then says what was wrong.
  bool Feed(std::string_view data, const FrameFn& on_frame);
  // Bytes of an incomplete frame held.
  size_t buffered() const { return buf_.size(); }
  const std::string& error() const { return error_; }

 private:
  std::string buf_;
  std::string error_;
};

}  // namespace skiff::node::logs
