#include "apis/protobuf/message_decoder.h"

#include <cmath>
#include <cstring>

#include "apis/protobuf/formats.h"
#include "apis/protobuf/pointer_fields.h"
#include "apis/protobuf/special_values.h"
#include "apis/protobuf/utf8.h"
#include "skiff/apis/protobuf.h"
#include "skiff/common/base64.h"
#include "skiff/common/proto_wire.h"

namespace skiff::apis::protobuf {

namespace {

using nlohmann::json;
using protowire::Reader;
using protowire::Tag;
using protowire::WireType;
using protowire::WireTypeName;

std::string_view KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kString:
      return "string";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kInt32:
      return "int32";
    case ValueKind::kInt64:
      return "int64";
    case ValueKind::kFloat64:
      return "float64";
    case ValueKind::kBytes:
      return "bytes";
    case ValueKind::kQuantity:
      return "Quantity";
    case ValueKind::kIntOrString:
      return "IntOrString";
    case ValueKind::kTime:
      return "Time";
    case ValueKind::kMicroTime:
      return "MicroTime";
    case ValueKind::kDuration:
      return "Duration";
    case ValueKind::kRawJSON:
      return "RawExtension";
    case ValueKind::kObject:
      return "message";
  }
  return "unknown";
}

// The wire type a value of this kind is written with (unpacked).
WireType ExpectedWire(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool:
    case ValueKind::kInt32:
    case ValueKind::kInt64:
      return WireType::kVarint;
    case ValueKind::kFloat64:
      return WireType::kFixed64;
    default:
      return WireType::kLengthDelimited;
  }
}

bool IsPackable(ValueKind kind) { return ExpectedWire(kind) != WireType::kLengthDelimited; }

// Scalars whose zero value Go's omitempty leaves out.
bool IsOmittableScalar(ValueKind kind) {
  switch (kind) {
    case ValueKind::kString:
    case ValueKind::kBytes:
    case ValueKind::kBool:
    case ValueKind::kInt32:
    case ValueKind::kInt64:
    case ValueKind::kFloat64:
      return true;
    default:
      return false;
  }
}

bool IsZero(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().empty();
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() == 0;
  if (v.is_number_float()) return v.get<double>() == 0.0;
  return false;
}

// What a map entry without a value holds: Go's zero value of the kind.
json ZeroValue(ValueKind kind) {
  switch (kind) {
    case ValueKind::kString:
    case ValueKind::kBytes:
      return "";
    case ValueKind::kBool:
      return false;
    case ValueKind::kInt32:
    case ValueKind::kInt64:
      return 0;
    case ValueKind::kFloat64:
      return 0.0;
    case ValueKind::kObject:
      return json::object();
    default:
      return SpecialZeroValue(kind);
  }
}

std::string Child(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

}  // namespace

bool MessageDecoder::Fail(Code code, const std::string& path, const std::string& what) {
  if (status_.ok()) {
    status_ = Status(code, "protobuf body: " + (path.empty() ? what : path + ": " + what));
  }
  return false;
}

bool MessageDecoder::Decode(std::string_view message, const TypeDef& type, const std::string& path,
                            int depth, json* out) {
  Reader reader(message);
  std::string error;
  while (!reader.done()) {
    Tag tag;
    if (!reader.ReadTag(&tag, &error)) return Fail(Code::kInvalidArgument, path, error);
    const FieldDef* field = type.FieldByProto(tag.field);
    if (field == nullptr) {
      if (const TypeDef::Inline* embedded = type.InlineByProto(tag.field)) {
        // An embedded Go struct (`json:",inline"`): its own message, its fields in this object.
        if (!DecodeInline(*embedded, tag.wire, &reader, path, depth, out)) return false;
        continue;
      }
      // A field this schema does not know: skip it.
      if (!reader.Skip(tag.wire, &error)) {
        return Fail(Code::kInvalidArgument, path,
                    "unknown field " + std::to_string(tag.field) + ": " + error);
      }
      continue;
    }
    const std::string field_path = Child(path, field->name);
    bool ok = false;
    switch (field->container) {
      case Container::kNone:
        ok = DecodeSingular(type, *field, tag.wire, &reader, field_path, depth, out);
        break;
      case Container::kArray:
        ok = DecodeRepeated(*field, tag.wire, &reader, field_path, depth, out);
        break;
      case Container::kMap:
        ok = DecodeMapEntry(*field, tag.wire, &reader, field_path, depth, out);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

bool MessageDecoder::DecodeInline(const TypeDef::Inline& embedded, WireType wire, Reader* reader,
                                  const std::string& path, int depth, json* object) {
  const std::string& where = path;
  if (wire != WireType::kLengthDelimited) {
    return Fail(Code::kInvalidArgument, where,
                "embedded " + embedded.name + " has wire type " + std::string(WireTypeName(wire)) +
                    ", want length-delimited");
  }
  if (embedded.type == nullptr) {
    return Fail(Code::kInternal, where, "the schema gives embedded " + embedded.name + " no type");
  }
  std::string error;
  std::string_view bytes;
  if (!reader->ReadLengthDelimited(&bytes, &error)) {
    return Fail(Code::kInvalidArgument, where, embedded.name + ": " + error);
  }
  if (depth + 1 > kMaxProtobufDepth) {
    return Fail(Code::kInvalidArgument, where,
                "messages nested deeper than " + std::to_string(kMaxProtobufDepth));
  }
  return Decode(bytes, *embedded.type, path, depth + 1, object);
}

bool MessageDecoder::DecodeSingular(const TypeDef& type, const FieldDef& field, WireType wire,
                                    Reader* reader, const std::string& path, int depth,
                                    json* object) {
  if (field.kind == ValueKind::kObject) {
    // Present messages always appear (Go's omitempty never drops a struct), and a second
    // occurrence merges into the first.
    json& slot = (*object)[field.name];
    if (!slot.is_object()) slot = json::object();
    return DecodeValue(field, wire, reader, path, depth, &slot);
  }
  json value;
  if (!DecodeValue(field, wire, reader, path, depth, &value)) return false;
  if (IsOmittableScalar(field.kind) && IsZero(value) && !field.required &&
      !IsPointerScalarField(type.name, field.name)) {
    object->erase(field.name);  // omitempty; the last occurrence wins
  } else {
    (*object)[field.name] = std::move(value);
  }
  return true;
}

bool MessageDecoder::DecodeRepeated(const FieldDef& field, WireType wire, Reader* reader,
                                    const std::string& path, int depth, json* object) {
  json& list = (*object)[field.name];
  if (!list.is_array()) list = json::array();
  std::string error;
  if (IsPackable(field.kind) && wire == WireType::kLengthDelimited) {
    // Packed scalars: one length-delimited run of values.
    std::string_view packed;
    if (!reader->ReadLengthDelimited(&packed, &error)) {
      return Fail(Code::kInvalidArgument, path, error);
    }
    Reader values(packed);
    while (!values.done()) {
      json value;
      const std::string element_path = path + "[" + std::to_string(list.size()) + "]";
      if (!DecodeValue(field, ExpectedWire(field.kind), &values, element_path, depth, &value)) {
        return false;
      }
      list.push_back(std::move(value));
    }
  } else {
    json value = field.kind == ValueKind::kObject ? json::object() : json();
    const std::string element_path = path + "[" + std::to_string(list.size()) + "]";
    if (!DecodeValue(field, wire, reader, element_path, depth, &value)) return false;
    list.push_back(std::move(value));
  }
  if (list.empty()) object->erase(field.name);  // an empty packed run: nothing to show
  return true;
}

bool MessageDecoder::DecodeMapEntry(const FieldDef& field, WireType wire, Reader* reader,
                                    const std::string& path, int depth, json* object) {
  std::string error;
  if (wire != WireType::kLengthDelimited) {
    return Fail(
        Code::kInvalidArgument, path,
        "map entry has wire type " + std::string(WireTypeName(wire)) + ", want length-delimited");
  }
  std::string_view entry;
  if (!reader->ReadLengthDelimited(&entry, &error)) {
    return Fail(Code::kInvalidArgument, path, error);
  }
  // The entry message: 1 key (string), 2 value. Either may be missing (Go's zero value).
  Reader fields(entry);
  std::string key;
  std::string_view value_bytes;
  WireType value_wire = WireType::kVarint;
  size_t value_start = 0;
  bool has_value = false;
  while (!fields.done()) {
    Tag tag;
    if (!fields.ReadTag(&tag, &error)) {
      return Fail(Code::kInvalidArgument, path, "map entry: " + error);
    }
    if (tag.field == 1) {
      if (tag.wire != WireType::kLengthDelimited) {
        return Fail(Code::kInvalidArgument, path,
                    "map key has wire type " + std::string(WireTypeName(tag.wire)) +
                        ", want length-delimited");
      }
      std::string_view k;
      if (!fields.ReadLengthDelimited(&k, &error)) {
        return Fail(Code::kInvalidArgument, path, "map key: " + error);
      }
      key = ToValidUtf8(k);
    } else if (tag.field == 2) {
      // Remember where the value is; it is decoded once the key is known (for error paths).
      value_wire = tag.wire;
      value_start = fields.position();
      if (!fields.Skip(tag.wire, &error)) {
        return Fail(Code::kInvalidArgument, path, "map value: " + error);
      }
      value_bytes = entry.substr(value_start, fields.position() - value_start);
      has_value = true;
    } else if (!fields.Skip(tag.wire, &error)) {
      return Fail(Code::kInvalidArgument, path, "map entry: " + error);
    }
  }
  const std::string value_path = path + "[" + key + "]";
  json value = ZeroValue(field.kind);
  if (has_value) {
    Reader value_reader(value_bytes);
    if (!DecodeValue(field, value_wire, &value_reader, value_path, depth, &value)) return false;
  }
  json& map = (*object)[field.name];
  if (!map.is_object()) map = json::object();
  map[key] = std::move(value);
  return true;
}

bool MessageDecoder::DecodeValue(const FieldDef& field, WireType wire, Reader* reader,
                                 const std::string& path, int depth, json* value) {
  const WireType want = ExpectedWire(field.kind);
  if (wire != want) {
    return Fail(Code::kInvalidArgument, path,
                "wire type " + std::string(WireTypeName(wire)) + ", want " +
                    std::string(WireTypeName(want)) + " (" + std::string(KindName(field.kind)) +
                    " field)");
  }
  std::string error;
  uint64_t varint = 0;
  std::string_view bytes;
  switch (want) {
    case WireType::kVarint:
      if (!reader->ReadVarint(&varint, &error)) return Fail(Code::kInvalidArgument, path, error);
      break;
    case WireType::kFixed64:
      if (!reader->ReadFixed64(&varint, &error)) return Fail(Code::kInvalidArgument, path, error);
      break;
    default:
      if (!reader->ReadLengthDelimited(&bytes, &error)) {
        return Fail(Code::kInvalidArgument, path, error);
      }
      break;
  }
  switch (field.kind) {
    case ValueKind::kString:
      *value = ToValidUtf8(bytes);
      return true;
    case ValueKind::kBytes:
      *value = skiff::Base64Encode(bytes);  // Go marshals []byte as base64
      return true;
    case ValueKind::kBool:
      *value = varint != 0;
      return true;
    case ValueKind::kInt32:
      // Negative int32s are sign-extended 10-byte varints; protobuf keeps the low 32 bits.
      *value = static_cast<int32_t>(static_cast<uint32_t>(varint));
      return true;
    case ValueKind::kInt64:
      *value = static_cast<int64_t>(varint);
      return true;
    case ValueKind::kFloat64: {
      double d = 0;
      static_assert(sizeof d == sizeof varint);
      std::memcpy(&d, &varint, sizeof d);
      if (!std::isfinite(d)) return Fail(Code::kInvalidArgument, path, "not a finite number");
      *value = d;
      return true;
    }
    case ValueKind::kObject:
      if (field.type == nullptr) {
        return Fail(Code::kInternal, path, "the schema gives this message field no type");
      }
      if (depth + 1 > kMaxProtobufDepth) {
        return Fail(Code::kInvalidArgument, path,
                    "messages nested deeper than " + std::to_string(kMaxProtobufDepth));
      }
      if (!value->is_object()) *value = json::object();
      return Decode(bytes, *field.type, path, depth + 1, value);
    default:
      if (!DecodeSpecialValue(field.kind, bytes, value, &error)) {
        return Fail(Code::kInvalidArgument, path, error);
      }
      return true;
  }
}

}  // namespace skiff::apis::protobuf
