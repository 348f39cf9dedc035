// Helpers over skiff/common/proto_wire.h for the shim's messages: a field-by-field scan of a
// message, google.protobuf.Timestamp and google.protobuf.Any. Thread-safe free functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "skiff/common/proto_wire.h"
#include "skiff/common/status.h"
#include "skiff/runtime/shim_types.h"

namespace skiff::runtime::shim {

// One field of a message. `varint` holds varint, fixed32 and fixed64 values; `bytes` (borrowed
// from the message) a length-delimited one.
struct Field {
  int number = 0;
  protowire::WireType wire = protowire::WireType::kVarint;
  uint64_t varint = 0;
  std::string_view bytes;

  bool is_bytes() const { return wire == protowire::WireType::kLengthDelimited; }
  bool is_number() const { return !is_bytes(); }
  std::string str() const { return is_bytes() ? std::string(bytes) : std::string(); }
  uint32_t u32() const { return is_number() ? static_cast<uint32_t>(varint) : 0; }
  int64_t i64() const { return is_number() ? static_cast<int64_t>(varint) : 0; }
  bool boolean() const { return is_number() && varint != 0; }
};

// Calls `fn` for every field of `message` in order. Returns kInvalidArgument naming `what` on a
// malformed message (fields before the damage have been passed to `fn`).
Status ForEachField(std::string_view message, std::string_view what,
                    const std::function<void(const Field&)>& fn);

// google.protobuf.Timestamp {1 seconds, 2 nanos}. Go's zero time (seconds -62135596800, how the
// shim says "never") decodes to nullopt.
Result<ShimTime> DecodeTimestamp(std::string_view message);
std::string EncodeTimestamp(std::chrono::system_clock::time_point time);

// google.protobuf.Any {1 type_url, 2 value}.
struct Any {
  std::string type_url;
  std::string value;
};
Result<Any> DecodeAny(std::string_view message);
std::string EncodeAny(std::string_view type_url, std::string_view value);

}  // namespace skiff::runtime::shim
