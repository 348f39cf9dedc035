// Schema-driven decoding of one protobuf message into JSON: the engine behind
// skiff/apis/protobuf.h (the envelope is read in envelope.cc). The JSON rules are the ones
// that header states. Not thread-safe per instance (it keeps the first error); use one per
// decode.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "skiff/apis/schema.h"
#include "skiff/common/proto_wire.h"
#include "skiff/common/status.h"

namespace skiff::apis::protobuf {

class MessageDecoder {
 public:
  // Decodes `message` as `type` into *out, which must be an object; fields already in it are
  // merged into (as protobuf merges a repeated occurrence of a message field). `path` is the
  // JSON path of the message, for error messages ("" at the top); `depth` its nesting level.
  // Returns false on failure, and status() says why.
  bool Decode(std::string_view message, const TypeDef& type, const std::string& path, int depth,
              nlohmann::json* out);

  // The failure: kInvalidArgument for bad input, kInternal for a schema without the type of
  // an object field. The message starts "protobuf body: ".
  const Status& status() const { return status_; }

 private:
  // An embedded struct (TypeDef::inlined): decoded as its own type into the same object.
  bool DecodeInline(const TypeDef::Inline& embedded, protowire::WireType wire,
                    protowire::Reader* reader, const std::string& path, int depth,
                    nlohmann::json* object);
  bool DecodeSingular(const TypeDef& type, const FieldDef& field, protowire::WireType wire,
                      protowire::Reader* reader, const std::string& path, int depth,
                      nlohmann::json* object);
  bool DecodeRepeated(const FieldDef& field, protowire::WireType wire, protowire::Reader* reader,
                      const std::string& path, int depth, nlohmann::json* object);
  bool DecodeMapEntry(const FieldDef& field, protowire::WireType wire, protowire::Reader* reader,
                      const std::string& path, int depth, nlohmann::json* object);
  // One value of the field's kind (of an element, for lists and maps) with the given wire
  // type. For objects *value is merged into.
  bool DecodeValue(const FieldDef& field, protowire::WireType wire, protowire::Reader* reader,
                   const std::string& path, int depth, nlohmann::json* value);
  bool Fail(Code code, const std::string& path, const std::string& what);

  Status status_;
};

}  // namespace skiff::apis::protobuf
