#include "attach_frames.h"

namespace skiff::node::logs {
namespace {

bool KnownKind(uint8_t k) {
  switch (static_cast<FrameKind>(k)) {
    case FrameKind::kStdout:
    case FrameKind::kStderr:
    case FrameKind::kHello:
    case FrameKind::kStdin:
    case FrameKind::kStdinClosed:
      return true;
  }
  return false;
}

void AppendOne(std::string* out, FrameKind kind, std::string_view payload) {
  const uint32_t n = static_cast<uint32_t>(payload.size());
  const char header[kFrameHeaderSize] = {static_cast<char>(kind), static_cast<char>(n >> 24),
                                         static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                                         static_cast<char>(n)};
  out->append(header, kFrameHeaderSize);
  out->append(payload);
}

}  // namespace

void AppendFrame(std::string* out, FrameKind kind, std::string_view payload) {
  do {
    const std::string_view piece = payload.substr(0, kMaxFramePayload);
    AppendOne(out, kind, piece);
    payload.remove_prefix(piece.size());
  } while (!payload.empty());
}

std::string EncodeFrame(FrameKind kind, std::string_view payload) {
  std::string out;
  AppendFrame(&out, kind, payload);
  return out;
}

bool FrameDecoder::Feed(std::string_view data, const FrameFn& on_frame) {
  if (!error_.empty()) return false;
  buf_.append(data);
  size_t pos = 0;
  while (buf_.size() - pos >= kFrameHeaderSize) {
    const auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + pos);
    if (!KnownKind(h[0])) {
      error_ = "attach protocol: unknown frame kind " + std::to_string(h[0]);
      break;
    }
    const size_t n = static_cast<size_t>(h[1]) << 24 | static_cast<size_t>(h[2]) << 16 |
                     static_cast<size_t>(h[3]) << 8 | static_cast<size_t>(h[4]);
    if (n > kMaxFramePayload) {
      error_ = "attach protocol: frame of " + std::to_string(n) + " bytes exceeds the limit of " +
               std::to_string(kMaxFramePayload);
      break;
    }
    if (buf_.size() - pos - kFrameHeaderSize < n) break;
    on_frame(static_cast<FrameKind>(h[0]),
             std::string_view(buf_.data() + pos + kFrameHeaderSize, n));
    pos += kFrameHeaderSize + n;
  }
  if (!error_.empty()) {
    buf_.clear();
    return false;
  }
  buf_.erase(0, pos);
  return true;
}

}  // namespace skiff::node::logs
