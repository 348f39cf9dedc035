// Test helpers that write protobuf wire bytes by hand, e.g.
//   Msg(2, {Str(1, "web"), Varint(3, 80)})
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>

namespace pb {

inline std::string RawVarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

inline std::string Key(int field, int wire) {
  return RawVarint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire));
}

inline std::string Varint(int field, uint64_t v) { return Key(field, 0) + RawVarint(v); }
// Negative values as protobuf writes int32/int64: the 64-bit two's complement.
inline std::string Int(int field, int64_t v) { return Varint(field, static_cast<uint64_t>(v)); }

inline std::string Str(int field, const std::string& s) {
  return Key(field, 2) + RawVarint(s.size()) + s;
}

inline std::string Cat(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

inline std::string Msg(int field, std::initializer_list<std::string> parts) {
  return Str(field, Cat(parts));
}

inline std::string Fixed64(int field, uint64_t v) {
  std::string out = Key(field, 1);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i) & 0xff));
  return out;
}

inline std::string Double(int field, double d) {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  return Fixed64(field, bits);
}

inline std::string Fixed32(int field, uint32_t v) {
  std::string out = Key(field, 5);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i) & 0xff));
  return out;
}

// A whole body: "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, "", ""}.
inline std::string Envelope(const std::string& api_version, const std::string& kind,
                            const std::string& raw) {
  return std::string("k8s\0", 4) +
         Cat({Msg(1, {Str(1, api_version), Str(2, kind)}), Str(2, raw), Str(3, ""), Str(4, "")});
}

}  // namespace pb
