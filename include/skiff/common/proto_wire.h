// The protobuf wire format: a bounds-checked Reader and a small Writer, shared by every skiff
// module that speaks protobuf (the Kubernetes protobuf bodies kubectl sends, ttrpc to shims).
//
// Reader: every read checks the remaining length first, so malformed input can only produce an
// error, never a read outside the range. The reader borrows its bytes: they must outlive it and
// any string_view it hands out. Not thread-safe (it has a cursor); cheap to copy.
//
// Writer: appends fields to an owned buffer following proto3's rules: scalar fields whose value
// is zero (0, false, empty string) are omitted; embedded messages are written whenever the
// caller writes them (presence), even when empty; repeated string elements are always written.
// Not thread-safe; movable.
//
// Neither throws (beyond std::bad_alloc from the standard library).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace skiff::protowire {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// The name used in error messages, e.g. "varint", "length-delimited".
std::string_view WireTypeName(WireType type);

struct Tag {
  int field = 0;
  WireType wire = WireType::kVarint;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : data_(bytes) {}

  bool done() const { return pos_ >= data_.size(); }
  size_t position() const { return pos_; }

  // Each returns false (leaving *error set to what went wrong) on malformed input.
  bool ReadTag(Tag* tag, std::string* error);
  bool ReadVarint(uint64_t* value, std::string* error);
  bool ReadFixed64(uint64_t* value, std::string* error);
  bool ReadFixed32(uint32_t* value, std::string* error);
  bool ReadLengthDelimited(std::string_view* value, std::string* error);
  // Skips the value of a field of the given wire type (groups are not supported: neither
  // Kubernetes nor containerd uses them).
  bool Skip(WireType wire, std::string* error);

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class Writer {
 public:
  Writer() = default;

  // Scalar fields; each is omitted when its value is zero (proto3).
  void Uint64(int field, uint64_t value);
  // int64/int32 as protobuf encodes them: negative values take ten bytes (two's complement).
  void Int64(int field, int64_t value);
  void Int32(int field, int32_t value) { Int64(field, value); }
  void Uint32(int field, uint32_t value) { Uint64(field, value); }
  void Bool(int field, bool value) { Uint64(field, value ? 1 : 0); }
  // string and bytes fields; omitted when empty.
  void String(int field, std::string_view value);
  void Bytes(int field, std::string_view value) { String(field, value); }
  // One element of a repeated string/bytes field: written even when empty.
  void RepeatedString(int field, std::string_view value) { LengthDelimited(field, value); }
  // An embedded message, already encoded: always written (an empty message still marks the
  // field as present).
  void Message(int field, std::string_view encoded) { LengthDelimited(field, encoded); }
  void Message(int field, const Writer& message) { LengthDelimited(field, message.bytes()); }

  // Low-level pieces, for what the helpers above do not cover (e.g. packed fields).
  void WriteTag(int field, WireType wire);
  void WriteVarint(uint64_t value);
  void LengthDelimited(int field, std::string_view value);

  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace skiff::protowire
