// A bounds-checked reader of the protobuf wire format over a borrowed byte range.
//
// Every read checks the remaining length first, so malformed input can only produce an
// error, never a read outside the range. The reader borrows its bytes: they must outlive it
// and any string_view it hands out. Not thread-safe (it has a cursor); cheap to copy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::apis::protobuf {

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

class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : data_(bytes) {}

  bool done() const { return pos_ >= data_.size(); }
  size_t position() const { return pos_; }

  // Each returns false (leaving *error set to what went wrong) on malformed input.
  bool ReadTag(Tag* tag, std::string* error);
  bool ReadVarint(uint64_t* value, std::string* error);
  bool ReadFixed64(uint64_t* value, std::string* error);
  bool ReadFixed32(uint32_t* value, std::string* error);
  bool ReadLengthDelimited(std::string_view* value, std::string* error);
  // Skips the value of a field of the given wire type (groups are not supported: Kubernetes
  // never uses them).
  bool Skip(WireType wire, std::string* error);

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace skiff::apis::protobuf
