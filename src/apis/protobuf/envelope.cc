// The public entry points: the "k8s\0" + runtime.Unknown envelope around an object message.
#include <cctype>
#include <exception>

#include "apis/protobuf/message_decoder.h"
#include "apis/protobuf/utf8.h"
#include "skiff/apis/protobuf.h"
#include "skiff/common/proto_wire.h"
#include "skiff/common/string_util.h"

namespace skiff::apis {

namespace {

using nlohmann::json;
using protowire::Tag;
using protowire::WireType;

constexpr std::string_view kMagic("k8s\0", 4);

Status Invalid(const std::string& what) { return InvalidArgumentError("protobuf body: " + what); }

struct Envelope {
  std::string api_version;
  std::string kind;
  std::string_view raw;
  std::string content_encoding;
  std::string content_type;
};

// Reads the length-delimited fields 1..4 of a message into `out` (others skipped).
Status ReadStrings(std::string_view message, const char* what, std::string_view (&out)[5]) {
  protowire::Reader reader(message);
  std::string error;
  while (!reader.done()) {
    Tag tag;
    if (!reader.ReadTag(&tag, &error)) return Invalid(std::string(what) + ": " + error);
    if (tag.field >= 1 && tag.field <= 4) {
      if (tag.wire != WireType::kLengthDelimited) {
        return Invalid(std::string(what) + ": field " + std::to_string(tag.field) +
                       " has wire type " + std::string(protowire::WireTypeName(tag.wire)) +
                       ", want length-delimited");
      }
      if (!reader.ReadLengthDelimited(&out[tag.field], &error)) {
        return Invalid(std::string(what) + ": " + error);
      }
    } else if (!reader.Skip(tag.wire, &error)) {
      return Invalid(std::string(what) + ": " + error);
    }
  }
  return Status::Ok();
}

Result<Envelope> ReadEnvelope(std::string_view body) {
  if (body.size() < kMagic.size() || body.substr(0, kMagic.size()) != kMagic) {
    return Invalid("does not start with the magic \"k8s\\0\"");
  }
  std::string_view unknown[5];
  if (Status s = ReadStrings(body.substr(kMagic.size()), "runtime.Unknown", unknown); !s.ok()) {
    return s;
  }
  std::string_view type_meta[5];
  if (Status s = ReadStrings(unknown[1], "typeMeta", type_meta); !s.ok()) return s;
  Envelope e;
  e.api_version = protobuf::ToValidUtf8(type_meta[1]);
  e.kind = protobuf::ToValidUtf8(type_meta[2]);
  e.raw = unknown[2];
  e.content_encoding = protobuf::ToValidUtf8(unknown[3]);
  e.content_type = protobuf::ToValidUtf8(unknown[4]);
  return e;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Result<json> DecodeObject(std::string_view message, const TypeDef& type) {
  protobuf::MessageDecoder decoder;
  json out = json::object();
  if (!decoder.Decode(message, type, "", 0, &out)) return decoder.status();
  return out;
}

}  // namespace

bool IsKubernetesProtobuf(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  return EqualsIgnoreCase(TrimAsciiSpace(content_type.substr(0, semicolon)),
                          kKubernetesProtobufMediaType);
}

Result<json> DecodeProtobufMessage(std::string_view message, const TypeDef& type) {
  try {
    return DecodeObject(message, type);
  } catch (const std::exception& e) {  // nothing above should throw; never let it escape
    return InternalError(std::string("protobuf body: ") + e.what());
  }
}

Result<json> DecodeKubernetesProtobuf(std::string_view body, const Schema& schema) {
  try {
    Result<Envelope> envelope = ReadEnvelope(body);
    if (!envelope.ok()) return envelope.status();
    const Envelope& e = *envelope;
    if (!e.content_encoding.empty()) {
      return Invalid("unsupported contentEncoding \"" + e.content_encoding + "\"");
    }
    if (!e.content_type.empty() && !IsKubernetesProtobuf(e.content_type)) {
      return Invalid("unsupported contentType \"" + e.content_type + "\"");
    }
    if (e.api_version.empty() || e.kind.empty()) {
      return Invalid("the envelope names no apiVersion and kind");
    }
    const size_t slash = e.api_version.find('/');
    const std::string group = slash == std::string::npos ? "" : e.api_version.substr(0, slash);
    const std::string version =
        slash == std::string::npos ? e.api_version : e.api_version.substr(slash + 1);
    const TypeDef* type = schema.KindType(group, version, e.kind);
    if (type == nullptr) {
      return Invalid("no kind \"" + e.kind + "\" is known in \"" + e.api_version + "\"");
    }
    Result<json> object = DecodeObject(e.raw, *type);
    if (!object.ok()) return object;
    (*object)["apiVersion"] = e.api_version;
    (*object)["kind"] = e.kind;
    return object;
  } catch (const std::exception& e) {
    return InternalError(std::string("protobuf body: ") + e.what());
  }
}

}  // namespace skiff::apis
