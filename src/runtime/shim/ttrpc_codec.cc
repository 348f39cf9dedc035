#include "runtime/shim/ttrpc_codec.h"

#include <array>

#include "runtime/shim/proto_fields.h"
#include "skiff/common/proto_wire.h"

namespace skiff::runtime::shim {

namespace {

void PutU32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>((v >> 24) & 0xff));
  out->push_back(static_cast<char>((v >> 16) & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
  out->push_back(static_cast<char>(v & 0xff));
}

uint32_t GetU32(std::string_view b, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}

}  // namespace

std::string EncodeFrameHeader(const FrameHeader& header) {
  std::string out;
  out.reserve(kFrameHeaderSize);
  PutU32(&out, header.length);
  PutU32(&out, header.stream_id);
  out.push_back(static_cast<char>(header.type));
  out.push_back(static_cast<char>(header.flags));
  return out;
}

FrameHeader DecodeFrameHeader(std::string_view bytes) {
  FrameHeader h;
  h.length = GetU32(bytes, 0);
  h.stream_id = GetU32(bytes, 4);
  h.type = static_cast<uint8_t>(bytes[8]);
  h.flags = static_cast<uint8_t>(bytes[9]);
  return h;
}

std::string EncodeFrame(uint32_t stream_id, FrameType type, std::string_view payload) {
  std::string out = EncodeFrameHeader(
      FrameHeader{static_cast<uint32_t>(payload.size()), stream_id, static_cast<uint8_t>(type), 0});
  out.append(payload);
  return out;
}

std::string EncodeRequest(const RpcRequest& request) {
  protowire::Writer w;
  w.String(1, request.service);
  w.String(2, request.method);
  w.Bytes(3, request.payload);
  w.Int64(4, request.timeout_nano);
  for (const auto& [key, value] : request.metadata) {
    protowire::Writer kv;
    kv.String(1, key);
    kv.String(2, value);
    w.Message(5, kv);
  }
  return w.Take();
}

Result<RpcRequest> DecodeRequest(std::string_view message) {
  RpcRequest request;
  std::vector<std::string_view> metadata;
  Status s = ForEachField(message, "ttrpc request", [&](const Field& f) {
    switch (f.number) {
      case 1:
        request.service = f.str();
        break;
      case 2:
        request.method = f.str();
        break;
      case 3:
        request.payload = f.str();
        break;
      case 4:
        request.timeout_nano = f.i64();
        break;
      case 5:
        if (f.is_bytes()) metadata.push_back(f.bytes);
        break;
      default:
        break;
    }
  });
  if (!s.ok()) return s;
  for (std::string_view kv : metadata) {
    std::pair<std::string, std::string> entry;
    s = ForEachField(kv, "ttrpc request metadata", [&](const Field& f) {
      if (f.number == 1) entry.first = f.str();
      if (f.number == 2) entry.second = f.str();
    });
    if (!s.ok()) return s;
    request.metadata.push_back(std::move(entry));
  }
  return request;
}

std::string EncodeResponse(const RpcResponse& response) {
  protowire::Writer w;
  if (response.status.code != 0) {
    protowire::Writer status;
    status.Int32(1, response.status.code);
    status.String(2, response.status.message);
    w.Message(1, status);
  }
  w.Bytes(2, response.payload);
  return w.Take();
}

Result<RpcResponse> DecodeResponse(std::string_view message) {
  RpcResponse response;
  std::string_view status;
  Status s = ForEachField(message, "ttrpc response", [&](const Field& f) {
    if (f.number == 1 && f.is_bytes()) status = f.bytes;
    if (f.number == 2) response.payload = f.str();
  });
  if (!s.ok()) return s;
  s = ForEachField(status, "google.rpc.Status of a ttrpc response", [&](const Field& f) {
    if (f.number == 1) response.status.code = static_cast<int32_t>(f.varint);
    if (f.number == 2) response.status.message = f.str();
  });
  if (!s.ok()) return s;
  return response;
}

std::string RpcCodeName(int32_t code) {
  static constexpr std::array<const char*, 17> kNames = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  if (code >= 0 && code < static_cast<int32_t>(kNames.size())) return kNames[code];
  return "code " + std::to_string(code);
}

Status StatusFromRpc(const RpcStatus& status, std::string_view context) {
  Code code = Code::kInternal;
  switch (status.code) {
    case 0:
      return Status::Ok();
    case 1:   // Canceled
    case 4:   // DeadlineExceeded
    case 14:  // Unavailable
      code = Code::kUnavailable;
      break;
    case 3:
      code = Code::kInvalidArgument;
      break;
    case 5:
      code = Code::kNotFound;
      break;
    case 6:
      code = Code::kAlreadyExists;
      break;
    case 8:
      code = Code::kResourceExhausted;
      break;
    case 12:
      code = Code::kUnimplemented;
      break;
    default:
      break;
  }
  const std::string message = status.message.empty() ? "(no message)" : status.message;
  return Status(code,
                std::string(context) + ": " + message + " (rpc " + RpcCodeName(status.code) + ")");
}

void FrameParser::Append(std::string_view bytes) {
  if (skip_ > 0) {
    const size_t dropped = static_cast<size_t>(std::min<uint64_t>(skip_, bytes.size()));
    skip_ -= dropped;
    bytes.remove_prefix(dropped);
  }
  if (pos_ > 0 && pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  buffer_.append(bytes);
}

bool FrameParser::Next(Frame* frame) {
  if (skip_ > 0 || buffer_.size() - pos_ < kFrameHeaderSize) return false;
  const std::string_view rest = std::string_view(buffer_).substr(pos_);
  const FrameHeader header = DecodeFrameHeader(rest);
  if (header.length > kMaxFramePayload) {
    pos_ += kFrameHeaderSize;
    const size_t available = buffer_.size() - pos_;
    const size_t dropped = static_cast<size_t>(std::min<uint64_t>(header.length, available));
    pos_ += dropped;
    skip_ = header.length - dropped;
    frame->header = header;
    frame->payload.clear();
    frame->oversize = true;
  } else {
    if (rest.size() - kFrameHeaderSize < header.length) return false;
    frame->header = header;
    frame->payload.assign(rest.substr(kFrameHeaderSize, header.length));
    frame->oversize = false;
    pos_ += kFrameHeaderSize + header.length;
  }
  // Compact once the consumed prefix dominates, so the buffer does not grow without bound.
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > 65536 && pos_ * 2 > buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  return true;
}

}  // namespace skiff::runtime::shim
