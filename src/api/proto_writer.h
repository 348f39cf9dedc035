// A writer of the protobuf wire format, for encoding messages field by field without
// libprotobuf: varints (wire type 0), 64-bit doubles (wire type 1) and length-delimited
// strings, bytes and sub-messages (wire type 2). A sub-message is encoded with its own writer
// and added with Message().
//
// Scalars follow proto3: a singular field equal to its default ("", false, 0) is not written.
// Repeated elements and sub-messages are always written (an empty sub-message still marks the
// field as present). Not thread-safe; one writer per message being built.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace skiff::api {

class ProtoWriter {
 public:
  // Singular string (skipped when empty).
  void String(int field, std::string_view s) {
    if (!s.empty()) Bytes(field, s);
  }
  // One element of a repeated string or bytes field (written even when empty).
  void Bytes(int field, std::string_view s) {
    Tag(field, 2);
    RawVarint(s.size());
    out_.append(s);
  }
  // A sub-message (its encoded bytes), always written.
  void Message(int field, std::string_view encoded) { Bytes(field, encoded); }
  void Bool(int field, bool v) {
    if (v) Varint(field, 1);
  }
  void Int64(int field, int64_t v) {
    if (v != 0) Varint(field, static_cast<uint64_t>(v));  // negatives take ten bytes
  }
  // A varint field, always written (a bool of a oneof is present even when false).
  void Varint(int field, uint64_t v) {
    Tag(field, 0);
    RawVarint(v);
  }
  void Double(int field, double v) {
    if (v == 0) return;
    Tag(field, 1);
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }

  const std::string& data() const { return out_; }
  std::string Take() { return std::exchange(out_, {}); }

 private:
  void Tag(int field, int wire_type) {
    RawVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
  }
  void RawVarint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  std::string out_;
};

}  // namespace skiff::api
