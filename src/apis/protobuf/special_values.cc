#include "apis/protobuf/special_values.h"

#include "apis/protobuf/formats.h"
#include "apis/protobuf/utf8.h"
#include "skiff/common/proto_wire.h"

namespace skiff::apis::protobuf {

namespace {

using nlohmann::json;
using protowire::Reader;
using protowire::Tag;
using protowire::WireType;
using protowire::WireTypeName;

// Reads the fields of a small message: each varint field number in `varints` and each
// length-delimited one in `strings` (index = field number); others are skipped. A known field
// with the wrong wire type is an error.
struct SmallMessage {
  uint64_t varint[4] = {0, 0, 0, 0};
  bool has_varint[4] = {false, false, false, false};
  std::string_view bytes[4];
  bool has_bytes[4] = {false, false, false, false};
};

bool ReadSmallMessage(std::string_view message, unsigned varint_fields, unsigned bytes_fields,
                      SmallMessage* m, std::string* error) {
  Reader reader(message);
  while (!reader.done()) {
    Tag tag;
    if (!reader.ReadTag(&tag, error)) return false;
    const bool small = tag.field < 4;
    const unsigned bit = small ? 1u << tag.field : 0u;
    if (small && (varint_fields & bit) != 0) {
      if (tag.wire != WireType::kVarint) {
        *error = "field " + std::to_string(tag.field) + " has wire type " +
                 std::string(WireTypeName(tag.wire)) + ", want varint";
        return false;
      }
      if (!reader.ReadVarint(&m->varint[tag.field], error)) return false;
      m->has_varint[tag.field] = true;
    } else if (small && (bytes_fields & bit) != 0) {
      if (tag.wire != WireType::kLengthDelimited) {
        *error = "field " + std::to_string(tag.field) + " has wire type " +
                 std::string(WireTypeName(tag.wire)) + ", want length-delimited";
        return false;
      }
      if (!reader.ReadLengthDelimited(&m->bytes[tag.field], error)) return false;
      m->has_bytes[tag.field] = true;
    } else if (!reader.Skip(tag.wire, error)) {
      return false;
    }
  }
  return true;
}

constexpr unsigned Bit(int field) { return 1u << field; }

bool DecodeQuantity(std::string_view message, json* out, std::string* error) {
  SmallMessage m;
  if (!ReadSmallMessage(message, 0, Bit(1), &m, error)) {
    *error = "bad Quantity: " + *error;
    return false;
  }
  // Go's zero Quantity marshals as "0".
  *out = m.bytes[1].empty() ? std::string("0") : ToValidUtf8(m.bytes[1]);
  return true;
}

bool DecodeIntOrString(std::string_view message, json* out, std::string* error) {
  SmallMessage m;
  if (!ReadSmallMessage(message, Bit(1) | Bit(2), Bit(3), &m, error)) {
    *error = "bad IntOrString: " + *error;
    return false;
  }
  switch (m.varint[1]) {
    case 0:
      *out = static_cast<int32_t>(static_cast<uint32_t>(m.varint[2]));
      return true;
    case 1:
      *out = ToValidUtf8(m.bytes[3]);
      return true;
    default:
      *error = "bad IntOrString: type " + std::to_string(m.varint[1]) +
               " is neither 0 (int) nor 1 (string)";
      return false;
  }
}

bool DecodeTime(std::string_view message, bool micro, json* out, std::string* error) {
  // metav1.Time and MicroTime marshal Go's zero time as an empty message, which JSON shows as
  // null ("creationTimestamp": null).
  if (message.empty()) {
    *out = nullptr;
    return true;
  }
  SmallMessage m;
  if (!ReadSmallMessage(message, Bit(1) | Bit(2), 0, &m, error)) {
    *error = std::string(micro ? "bad MicroTime: " : "bad Time: ") + *error;
    return false;
  }
  const auto seconds = static_cast<int64_t>(m.varint[1]);
  const auto nanos = static_cast<int32_t>(static_cast<uint32_t>(m.varint[2]));
  // Time keeps whole seconds only (its protobuf decoding drops the nanoseconds, as its JSON
  // form has none); MicroTime keeps microseconds.
  auto text = micro ? FormatRfc3339(seconds, nanos, 6) : FormatRfc3339(seconds, 0, 0);
  if (!text) {
    *error = "time " + std::to_string(seconds) + "s is outside the years 0000-9999";
    return false;
  }
  *out = std::move(*text);
  return true;
}

bool DecodeDuration(std::string_view message, json* out, std::string* error) {
  SmallMessage m;
  if (!ReadSmallMessage(message, Bit(1), 0, &m, error)) {
    *error = "bad Duration: " + *error;
    return false;
  }
  *out = FormatGoDuration(static_cast<int64_t>(m.varint[1]));
  return true;
}

bool DecodeRawJson(std::string_view message, json* out, std::string* error) {
  SmallMessage m;
  if (!ReadSmallMessage(message, 0, Bit(1), &m, error)) {
    *error = "bad RawExtension: " + *error;
    return false;
  }
  if (m.bytes[1].empty()) {
    *out = nullptr;  // RawExtension with no bytes marshals as null
    return true;
  }
  json parsed = json::parse(m.bytes[1].begin(), m.bytes[1].end(), nullptr,
                            /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    *error = "RawExtension holds " + std::to_string(m.bytes[1].size()) + " bytes that are not JSON";
    return false;
  }
  *out = std::move(parsed);
  return true;
}

}  // namespace

bool IsSpecialKind(ValueKind kind) {
  switch (kind) {
    case ValueKind::kQuantity:
    case ValueKind::kIntOrString:
    case ValueKind::kTime:
    case ValueKind::kMicroTime:
    case ValueKind::kDuration:
    case ValueKind::kRawJSON:
      return true;
    default:
      return false;
  }
}

bool DecodeSpecialValue(ValueKind kind, std::string_view message, json* out, std::string* error) {
  switch (kind) {
    case ValueKind::kQuantity:
      return DecodeQuantity(message, out, error);
    case ValueKind::kIntOrString:
      return DecodeIntOrString(message, out, error);
    case ValueKind::kTime:
      return DecodeTime(message, /*micro=*/false, out, error);
    case ValueKind::kMicroTime:
      return DecodeTime(message, /*micro=*/true, out, error);
    case ValueKind::kDuration:
      return DecodeDuration(message, out, error);
    case ValueKind::kRawJSON:
      return DecodeRawJson(message, out, error);
    default:
      *error = "not a special kind";
      return false;
  }
}

json SpecialZeroValue(ValueKind kind) {
  switch (kind) {
    case ValueKind::kQuantity:
      return "0";
    case ValueKind::kIntOrString:
      return 0;
    case ValueKind::kDuration:
      return "0s";
    default:
      return nullptr;  // zero Time/MicroTime and empty RawExtension
  }
}

}  // namespace skiff::apis::protobuf
