// The ttrpc wire protocol (github.com/containerd/ttrpc 1.1) as containerd shims speak it:
// frames, the Request/Response messages, google.rpc.Status, and an incremental frame parser.
//
// A frame is a 10-byte big-endian header (u32 payload length, u32 stream id, u8 type, u8
// flags) followed by the payload (at most 4 MiB). Clients use odd stream ids; a response
// carries its request's id. Thread-safe free functions; FrameParser is not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::runtime::shim {

inline constexpr size_t kFrameHeaderSize = 10;
inline constexpr uint32_t kMaxFramePayload = 4u << 20;

enum class FrameType : uint8_t { kRequest = 1, kResponse = 2 };

struct FrameHeader {
  uint32_t length = 0;
  uint32_t stream_id = 0;
  uint8_t type = 0;
  uint8_t flags = 0;
};

std::string EncodeFrameHeader(const FrameHeader& header);
// `bytes` must hold at least kFrameHeaderSize bytes.
FrameHeader DecodeFrameHeader(std::string_view bytes);
// Header plus payload.
std::string EncodeFrame(uint32_t stream_id, FrameType type, std::string_view payload);

// ttrpc.Request {1 service, 2 method, 3 payload, 4 timeout_nano, 5 metadata {1 key, 2 value}}.
struct RpcRequest {
  std::string service;
  std::string method;
  std::string payload;
  int64_t timeout_nano = 0;
  std::vector<std::pair<std::string, std::string>> metadata;
};
std::string EncodeRequest(const RpcRequest& request);
Result<RpcRequest> DecodeRequest(std::string_view message);

// google.rpc.Status {1 code, 2 message, 3 details}; code 0 = OK.
struct RpcStatus {
  int32_t code = 0;
  std::string message;
};

// ttrpc.Response {1 status (absent on success), 2 payload}.
struct RpcResponse {
  RpcStatus status;
  std::string payload;
};
std::string EncodeResponse(const RpcResponse& response);
Result<RpcResponse> DecodeResponse(std::string_view message);

// "NotFound", "Unknown" ... for google.rpc codes 0-16; "code N" otherwise.
std::string RpcCodeName(int32_t code);
// The skiff Status for a non-OK google.rpc status (see shim_client.h for the mapping):
// "<context>: <shim message> (rpc NotFound)".
Status StatusFromRpc(const RpcStatus& status, std::string_view context);

// Splits a byte stream into frames. Append what the socket gave, then take frames while Next
// returns true. A frame whose declared length exceeds kMaxFramePayload is handed out with
// `oversize` set and an empty payload, and its bytes are skipped as they arrive.
class FrameParser {
 public:
  struct Frame {
    FrameHeader header;
    std::string payload;
    bool oversize = false;
  };

  void Append(std::string_view bytes);
  bool Next(Frame* frame);
  // Bytes buffered but not yet part of a complete frame.
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  std::string buffer_;
  size_t pos_ = 0;
  uint64_t skip_ = 0;  // bytes of an oversize payload still to drop
};

}  // namespace skiff::runtime::shim
