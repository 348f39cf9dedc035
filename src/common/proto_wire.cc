#include "skiff/common/proto_wire.h"

namespace skiff::protowire {

namespace {
constexpr int kMaxFieldNumber = (1 << 29) - 1;
constexpr int kMaxVarintBytes = 10;
}  // namespace

std::string_view WireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "64-bit";
    case WireType::kLengthDelimited:
      return "length-delimited";
    case WireType::kStartGroup:
      return "start-group";
    case WireType::kEndGroup:
      return "end-group";
    case WireType::kFixed32:
      return "32-bit";
  }
  return "unknown";
}

bool Reader::ReadVarint(uint64_t* value, std::string* error) {
  uint64_t result = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    if (pos_ >= data_.size()) {
      *error = "truncated varint";
      return false;
    }
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (i == kMaxVarintBytes - 1 && byte > 1) {
      *error = "varint overflows 64 bits";
      return false;
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  *error = "varint longer than 10 bytes";
  return false;
}

bool Reader::ReadTag(Tag* tag, std::string* error) {
  uint64_t key = 0;
  if (!ReadVarint(&key, error)) {
    *error = "bad field key: " + *error;
    return false;
  }
  const uint64_t number = key >> 3;
  const auto wire = static_cast<uint8_t>(key & 7);
  if (number == 0 || number > static_cast<uint64_t>(kMaxFieldNumber)) {
    *error = "invalid field number " + std::to_string(number);
    return false;
  }
  if (wire > 5) {
    *error = "invalid wire type " + std::to_string(wire) + " for field " + std::to_string(number);
    return false;
  }
  tag->field = static_cast<int>(number);
  tag->wire = static_cast<WireType>(wire);
  return true;
}

bool Reader::ReadFixed64(uint64_t* value, std::string* error) {
  if (data_.size() - pos_ < 8) {
    *error = "truncated 64-bit value";
    return false;
  }
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 8;
  *value = v;
  return true;
}

bool Reader::ReadFixed32(uint32_t* value, std::string* error) {
  if (data_.size() - pos_ < 4) {
    *error = "truncated 32-bit value";
    return false;
  }
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 4;
  *value = v;
  return true;
}

bool Reader::ReadLengthDelimited(std::string_view* value, std::string* error) {
  uint64_t length = 0;
  if (!ReadVarint(&length, error)) {
    *error = "bad length: " + *error;
    return false;
  }
  if (length > data_.size() - pos_) {
    *error = "length " + std::to_string(length) + " runs past the end (" +
             std::to_string(data_.size() - pos_) + " bytes left)";
    return false;
  }
  *value = data_.substr(pos_, static_cast<size_t>(length));
  pos_ += static_cast<size_t>(length);
  return true;
}

bool Reader::Skip(WireType wire, std::string* error) {
  switch (wire) {
    case WireType::kVarint: {
      uint64_t ignored = 0;
      return ReadVarint(&ignored, error);
    }
    case WireType::kFixed64: {
      uint64_t ignored = 0;
      return ReadFixed64(&ignored, error);
    }
    case WireType::kFixed32: {
      uint32_t ignored = 0;
      return ReadFixed32(&ignored, error);
    }
    case WireType::kLengthDelimited: {
      std::string_view ignored;
      return ReadLengthDelimited(&ignored, error);
    }
    case WireType::kStartGroup:
    case WireType::kEndGroup:
      break;
  }
  *error = "unsupported wire type " + std::string(WireTypeName(wire)) + " (groups are not used)";
  return false;
}

void Writer::WriteTag(int field, WireType wire) {
  WriteVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire));
}

void Writer::WriteVarint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void Writer::LengthDelimited(int field, std::string_view value) {
  WriteTag(field, WireType::kLengthDelimited);
  WriteVarint(value.size());
  out_.append(value);
}

void Writer::Uint64(int field, uint64_t value) {
  if (value == 0) return;
  WriteTag(field, WireType::kVarint);
  WriteVarint(value);
}

void Writer::Int64(int field, int64_t value) { Uint64(field, static_cast<uint64_t>(value)); }

void Writer::String(int field, std::string_view value) {
  if (value.empty()) return;
  LengthDelimited(field, value);
}

}  // namespace skiff::protowire
