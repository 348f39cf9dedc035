#include "runtime/shim/proto_fields.h"

namespace skiff::runtime::shim {

namespace {
// 0001-01-01T00:00:00Z, Go's zero time.Time, in Unix seconds.
constexpr int64_t kGoZeroTimeSeconds = -62135596800;
}  // namespace

Status ForEachField(std::string_view message, std::string_view what,
                    const std::function<void(const Field&)>& fn) {
  protowire::Reader reader(message);
  std::string error;
  while (!reader.done()) {
    const size_t start = reader.position();
    Field field;
    protowire::Tag tag;
    bool ok = reader.ReadTag(&tag, &error);
    if (ok) {
      field.number = tag.field;
      field.wire = tag.wire;
      switch (tag.wire) {
        case protowire::WireType::kVarint:
          ok = reader.ReadVarint(&field.varint, &error);
          break;
        case protowire::WireType::kFixed64:
          ok = reader.ReadFixed64(&field.varint, &error);
          break;
        case protowire::WireType::kFixed32: {
          uint32_t v = 0;
          ok = reader.ReadFixed32(&v, &error);
          field.varint = v;
          break;
        }
        case protowire::WireType::kLengthDelimited:
          ok = reader.ReadLengthDelimited(&field.bytes, &error);
          break;
        default:
          ok = reader.Skip(tag.wire, &error);
          break;
      }
    }
    if (!ok) {
      return InvalidArgumentError("malformed " + std::string(what) + " (field at byte " +
                                  std::to_string(start) + "): " + error);
    }
    fn(field);
  }
  return Status::Ok();
}

Result<ShimTime> DecodeTimestamp(std::string_view message) {
  int64_t seconds = 0;
  int64_t nanos = 0;
  Status s = ForEachField(message, "google.protobuf.Timestamp", [&](const Field& f) {
    if (f.number == 1) seconds = f.i64();
    if (f.number == 2) nanos = static_cast<int32_t>(f.varint);
  });
  if (!s.ok()) return s;
  if (seconds <= kGoZeroTimeSeconds) return ShimTime();
  const auto since_epoch = std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos);
  return ShimTime(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch)));
}

std::string EncodeTimestamp(std::chrono::system_clock::time_point time) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  int64_t seconds = ns / 1000000000;
  int64_t nanos = ns % 1000000000;
  if (nanos < 0) {  // Timestamp nanos are never negative
    nanos += 1000000000;
    seconds -= 1;
  }
  protowire::Writer w;
  w.Int64(1, seconds);
  w.Int32(2, static_cast<int32_t>(nanos));
  return w.Take();
}

Result<Any> DecodeAny(std::string_view message) {
  Any any;
  Status s = ForEachField(message, "google.protobuf.Any", [&](const Field& f) {
    if (f.number == 1) any.type_url = f.str();
    if (f.number == 2) any.value = f.str();
  });
  if (!s.ok()) return s;
  return any;
}

std::string EncodeAny(std::string_view type_url, std::string_view value) {
  protowire::Writer w;
  w.String(1, type_url);
  w.Bytes(2, value);
  return w.Take();
}

}  // namespace skiff::runtime::shim
