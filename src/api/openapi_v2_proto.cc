#include "openapi_v2_proto.h"

#include <string_view>
#include <vector>

#include "proto_writer.h"

namespace skiff::api {
namespace {

using nlohmann::json;

// Encodes one JSON value as the bytes of a message; false (with *err set) when it does not fit.
using Encoder = bool (*)(const json& j, const std::string& ptr, std::string* out, std::string* err);

enum class Kind { kString, kBool, kInt64, kDouble, kStrings, kAny, kAnys, kMessage, kMessages };

// One JSON key of an object and its field in the message.
struct Field {
  const char* key;
  int number;
  Kind kind;
  Encoder sub = nullptr;  // for kMessage / kMessages
};

// A message layout: its fields in field-number order, and the field number of its
// `repeated NamedAny vendor_extension` (0: the message has none), which sits at its place in
// that order.
struct Layout {
  std::vector<Field> fields;
  int extensions = 0;
};

bool Fail(std::string* err, const std::string& message, const std::string& ptr) {
  *err = message + " at " + (ptr.empty() ? "/" : ptr);
  return false;
}

std::string Pointer(const std::string& ptr, const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return ptr + "/" + escaped;
}

bool IsExtension(const std::string& key) { return key.rfind("x-", 0) == 0; }

// Any { google.protobuf.Any value = 1; string yaml = 2; }
std::string AnyBytes(const json& v) {
  ProtoWriter w;
  w.Bytes(2, FlowYaml(v));
  return w.Take();
}

// NamedAny { string name = 1; Any value = 2; }
std::string NamedAnyBytes(const std::string& name, const json& v) {
  ProtoWriter w;
  w.String(1, name);
  w.Message(2, AnyBytes(v));
  return w.Take();
}

bool EncodeValue(const Field& f, const json& v, const std::string& ptr, ProtoWriter* w,
                 std::string* err) {
  switch (f.kind) {
    case Kind::kString:
      if (!v.is_string()) return Fail(err, "expected a string", ptr);
      w->String(f.number, v.get_ref<const std::string&>());
      return true;
    case Kind::kBool:
      if (!v.is_boolean()) return Fail(err, "expected a boolean", ptr);
      w->Bool(f.number, v.get<bool>());
      return true;
    case Kind::kInt64:
      if (!v.is_number_integer()) return Fail(err, "expected an integer", ptr);
      w->Int64(f.number, v.get<int64_t>());
      return true;
    case Kind::kDouble:
      if (!v.is_number()) return Fail(err, "expected a number", ptr);
      w->Double(f.number, v.get<double>());
      return true;
    case Kind::kStrings:
      if (!v.is_array()) return Fail(err, "expected an array", ptr);
      for (const json& e : v) {
        if (!e.is_string()) return Fail(err, "expected strings", ptr);
        w->Bytes(f.number, e.get_ref<const std::string&>());
      }
      return true;
    case Kind::kAny:
      w->Message(f.number, AnyBytes(v));
      return true;
    case Kind::kAnys:
      if (!v.is_array()) return Fail(err, "expected an array", ptr);
      for (const json& e : v) w->Message(f.number, AnyBytes(e));
      return true;
    case Kind::kMessage: {
      std::string sub;
      if (!f.sub(v, ptr, &sub, err)) return false;
      w->Message(f.number, sub);
      return true;
    }
    case Kind::kMessages: {
      if (!v.is_array()) return Fail(err, "expected an array", ptr);
      for (size_t i = 0; i < v.size(); ++i) {
        std::string sub;
        if (!f.sub(v[i], ptr + "/" + std::to_string(i), &sub, err)) return false;
        w->Message(f.number, sub);
      }
      return true;
    }
  }
  return Fail(err, "unknown field kind", ptr);
}

bool EncodeObject(const json& j, const std::string& ptr, const Layout& layout, std::string* out,
                  std::string* err) {
  if (!j.is_object()) return Fail(err, "expected an object", ptr);
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = layout.extensions != 0 && IsExtension(it.key());
    for (const Field& f : layout.fields) known = known || it.key() == f.key;
    if (!known) return Fail(err, "unsupported key \"" + it.key() + "\"", ptr);
  }
  ProtoWriter w;
  bool extensions_done = layout.extensions == 0;
  auto write_extensions = [&] {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (IsExtension(it.key())) w.Message(layout.extensions, NamedAnyBytes(it.key(), *it));
    }
    extensions_done = true;
  };
  for (const Field& f : layout.fields) {
    if (!extensions_done && layout.extensions < f.number) write_extensions();
    auto it = j.find(f.key);
    if (it == j.end()) continue;
    if (!EncodeValue(f, *it, Pointer(ptr, f.key), &w, err)) return false;
  }
  if (!extensions_done) write_extensions();
  *out = w.Take();
  return true;
}

// A JSON object of named values as `repeated Named<T> { string name = 1; T value = 2; }` in
// field `number`; keys that `skip` accepts are left out.
bool EncodeNamed(const json& j, const std::string& ptr, int number, Encoder value,
                 bool (*skip)(const std::string&), ProtoWriter* w, std::string* err) {
  if (!j.is_object()) return Fail(err, "expected an object", ptr);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (skip && skip(it.key())) continue;
    std::string v;
    if (!value(*it, Pointer(ptr, it.key()), &v, err)) return false;
    ProtoWriter named;
    named.String(1, it.key());
    named.Message(2, v);
    w->Message(number, named.data());
  }
  return true;
}

void EncodeExtensions(const json& j, int number, ProtoWriter* w) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (IsExtension(it.key())) w->Message(number, NamedAnyBytes(it.key(), *it));
  }
}

bool Schema(const json& j, const std::string& ptr, std::string* out, std::string* err);

// Definitions / Properties { repeated NamedSchema additional_properties = 1; }
bool NamedSchemas(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  ProtoWriter w;
  if (!EncodeNamed(j, ptr, 1, Schema, nullptr, &w, err)) return false;
  *out = w.Take();
  return true;
}

// AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } }
bool AdditionalProperties(const json& j, const std::string& ptr, std::string* out,
                          std::string* err) {
  ProtoWriter w;
  if (j.is_boolean()) {
    w.Varint(2, j.get<bool>() ? 1 : 0);
  } else {
    std::string s;
    if (!Schema(j, ptr, &s, err)) return false;
    w.Message(1, s);
  }
  *out = w.Take();
  return true;
}

// TypeItem { repeated string value = 1; }
bool TypeItem(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  ProtoWriter w;
  for (const json& t : j.is_array() ? j : json::array({j})) {
    if (!t.is_string()) return Fail(err, "expected a type name", ptr);
    w.Bytes(1, t.get_ref<const std::string&>());
  }
  *out = w.Take();
  return true;
}

// ItemsItem { repeated Schema schema = 1; }
bool ItemsItem(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  ProtoWriter w;
  const json items = j.is_array() ? j : json::array({j});
  for (size_t i = 0; i < items.size(); ++i) {
    std::string s;
    if (!Schema(items[i], j.is_array() ? ptr + "/" + std::to_string(i) : ptr, &s, err)) {
      return false;
    }
    w.Message(1, s);
  }
  *out = w.Take();
  return true;
}

bool Schema(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  static const Layout kLayout{{{"$ref", 1, Kind::kString},
                               {"format", 2, Kind::kString},
                               {"title", 3, Kind::kString},
                               {"description", 4, Kind::kString},
                               {"default", 5, Kind::kAny},
                               {"multipleOf", 6, Kind::kDouble},
                               {"maximum", 7, Kind::kDouble},
                               {"exclusiveMaximum", 8, Kind::kBool},
                               {"minimum", 9, Kind::kDouble},
                               {"exclusiveMinimum", 10, Kind::kBool},
                               {"maxLength", 11, Kind::kInt64},
                               {"minLength", 12, Kind::kInt64},
                               {"pattern", 13, Kind::kString},
                               {"maxItems", 14, Kind::kInt64},
                               {"minItems", 15, Kind::kInt64},
                               {"uniqueItems", 16, Kind::kBool},
                               {"maxProperties", 17, Kind::kInt64},
                               {"minProperties", 18, Kind::kInt64},
                               {"required", 19, Kind::kStrings},
                               {"enum", 20, Kind::kAnys},
                               {"additionalProperties", 21, Kind::kMessage, AdditionalProperties},
                               {"type", 22, Kind::kMessage, TypeItem},
                               {"items", 23, Kind::kMessage, ItemsItem},
                               {"allOf", 24, Kind::kMessages, Schema},
                               {"properties", 25, Kind::kMessage, NamedSchemas},
                               {"discriminator", 26, Kind::kString},
                               {"readOnly", 27, Kind::kBool},
                               {"example", 30, Kind::kAny}},
                              31};
  return EncodeObject(j, ptr, kLayout, out, err);
}

// JsonReference { string _ref = 1; string description = 2; }
bool JsonReference(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  static const Layout kLayout{{{"$ref", 1, Kind::kString}, {"description", 2, Kind::kString}}};
  return EncodeObject(j, ptr, kLayout, out, err);
}

// The sub-schemas of non-body parameters. Query and formData share one numbering, path and
// header another (header/path have no allowEmptyValue).
const Layout& QueryLayout() {
  static const Layout kLayout{
      {{"required", 1, Kind::kBool},          {"in", 2, Kind::kString},
       {"description", 3, Kind::kString},     {"name", 4, Kind::kString},
       {"allowEmptyValue", 5, Kind::kBool},   {"type", 6, Kind::kString},
       {"format", 7, Kind::kString},          {"collectionFormat", 9, Kind::kString},
       {"default", 10, Kind::kAny},           {"maximum", 11, Kind::kDouble},
       {"exclusiveMaximum", 12, Kind::kBool}, {"minimum", 13, Kind::kDouble},
       {"exclusiveMinimum", 14, Kind::kBool}, {"maxLength", 15, Kind::kInt64},
       {"minLength", 16, Kind::kInt64},       {"pattern", 17, Kind::kString},
       {"maxItems", 18, Kind::kInt64},        {"minItems", 19, Kind::kInt64},
       {"uniqueItems", 20, Kind::kBool},      {"enum", 21, Kind::kAnys},
       {"multipleOf", 22, Kind::kDouble}},
      23};
  return kLayout;
}

const Layout& PathLayout() {
  static const Layout kLayout{{{"required", 1, Kind::kBool},
                               {"in", 2, Kind::kString},
                               {"description", 3, Kind::kString},
                               {"name", 4, Kind::kString},
                               {"type", 5, Kind::kString},
                               {"format", 6, Kind::kString},
                               {"collectionFormat", 8, Kind::kString},
                               {"default", 9, Kind::kAny},
                               {"maximum", 10, Kind::kDouble},
                               {"exclusiveMaximum", 11, Kind::kBool},
                               {"minimum", 12, Kind::kDouble},
                               {"exclusiveMinimum", 13, Kind::kBool},
                               {"maxLength", 14, Kind::kInt64},
                               {"minLength", 15, Kind::kInt64},
                               {"pattern", 16, Kind::kString},
                               {"maxItems", 17, Kind::kInt64},
                               {"minItems", 18, Kind::kInt64},
                               {"uniqueItems", 19, Kind::kBool},
                               {"enum", 20, Kind::kAnys},
                               {"multipleOf", 21, Kind::kDouble}},
                              22};
  return kLayout;
}

// Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter =
// 2; } }, NonBodyParameter { oneof { header = 1; formData = 2; query = 3; path = 4; } }.
bool Parameter(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  if (!j.is_object()) return Fail(err, "expected an object", ptr);
  const std::string in = j.value("in", "");
  ProtoWriter w;
  std::string sub;
  if (in == "body") {
    static const Layout kBody{{{"description", 1, Kind::kString},
                               {"name", 2, Kind::kString},
                               {"in", 3, Kind::kString},
                               {"required", 4, Kind::kBool},
                               {"schema", 5, Kind::kMessage, Schema}},
                              6};
    if (!EncodeObject(j, ptr, kBody, &sub, err)) return false;
    w.Message(1, sub);
  } else {
    int oneof = in == "header"     ? 1
                : in == "formData" ? 2
                : in == "query"    ? 3
                : in == "path"     ? 4
                                   : 0;
    if (oneof == 0) return Fail(err, "unknown parameter location \"" + in + "\"", ptr);
    const Layout& layout = (oneof == 2 || oneof == 3) ? QueryLayout() : PathLayout();
    if (!EncodeObject(j, ptr, layout, &sub, err)) return false;
    ProtoWriter non_body;
    non_body.Message(oneof, sub);
    w.Message(2, non_body.data());
  }
  *out = w.Take();
  return true;
}

// ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2; } }
bool ParametersItem(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  ProtoWriter w;
  std::string sub;
  bool is_ref = j.is_object() && j.contains("$ref");
  if (!(is_ref ? JsonReference(j, ptr, &sub, err) : Parameter(j, ptr, &sub, err))) return false;
  w.Message(is_ref ? 2 : 1, sub);
  *out = w.Take();
  return true;
}

// SchemaItem { oneof { Schema schema = 1; FileSchema file_schema = 2; } }
bool SchemaItem(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  std::string sub;
  if (!Schema(j, ptr, &sub, err)) return false;
  ProtoWriter w;
  w.Message(1, sub);
  *out = w.Take();
  return true;
}

// ResponseValue { oneof { Response response = 1; JsonReference json_reference = 2; } }
bool ResponseValue(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  static const Layout kResponse{
      {{"description", 1, Kind::kString}, {"schema", 2, Kind::kMessage, SchemaItem}}, 5};
  ProtoWriter w;
  std::string sub;
  bool is_ref = j.is_object() && j.contains("$ref");
  if (!(is_ref ? JsonReference(j, ptr, &sub, err) : EncodeObject(j, ptr, kResponse, &sub, err))) {
    return false;
  }
  w.Message(is_ref ? 2 : 1, sub);
  *out = w.Take();
  return true;
}

// Responses { repeated NamedResponseValue response_code = 1; repeated NamedAny
// vendor_extension = 2; }
bool Responses(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  ProtoWriter w;
  if (!EncodeNamed(j, ptr, 1, ResponseValue, IsExtension, &w, err)) return false;
  EncodeExtensions(j, 2, &w);
  *out = w.Take();
  return true;
}

bool Operation(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  static const Layout kLayout{{{"tags", 1, Kind::kStrings},
                               {"summary", 2, Kind::kString},
                               {"description", 3, Kind::kString},
                               {"operationId", 5, Kind::kString},
                               {"produces", 6, Kind::kStrings},
                               {"consumes", 7, Kind::kStrings},
                               {"parameters", 8, Kind::kMessages, ParametersItem},
                               {"responses", 9, Kind::kMessage, Responses},
                               {"schemes", 10, Kind::kStrings},
                               {"deprecated", 11, Kind::kBool}},
                              13};
  return EncodeObject(j, ptr, kLayout, out, err);
}

bool PathItem(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  static const Layout kLayout{{{"$ref", 1, Kind::kString},
                               {"get", 2, Kind::kMessage, Operation},
                               {"put", 3, Kind::kMessage, Operation},
                               {"post", 4, Kind::kMessage, Operation},
                               {"delete", 5, Kind::kMessage, Operation},
                               {"options", 6, Kind::kMessage, Operation},
                               {"head", 7, Kind::kMessage, Operation},
                               {"patch", 8, Kind::kMessage, Operation},
                               {"parameters", 9, Kind::kMessages, ParametersItem}},
                              10};
  return EncodeObject(j, ptr, kLayout, out, err);
}

// Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
bool Paths(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  if (!j.is_object()) return Fail(err, "expected an object", ptr);
  ProtoWriter w;
  EncodeExtensions(j, 1, &w);
  if (!EncodeNamed(j, ptr, 2, PathItem, IsExtension, &w, err)) return false;
  *out = w.Take();
  return true;
}

// ParameterDefinitions { repeated NamedParameter additional_properties = 1; }
bool ParameterDefinitions(const json& j, const std::string& ptr, std::string* out,
                          std::string* err) {
  ProtoWriter w;
  if (!EncodeNamed(j, ptr, 1, Parameter, nullptr, &w, err)) return false;
  *out = w.Take();
  return true;
}

bool Info(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  static const Layout kLayout{{{"title", 1, Kind::kString},
                               {"version", 2, Kind::kString},
                               {"description", 3, Kind::kString},
                               {"termsOfService", 4, Kind::kString}},
                              7};
  return EncodeObject(j, ptr, kLayout, out, err);
}

bool Document(const json& j, const std::string& ptr, std::string* out, std::string* err) {
  static const Layout kLayout{{{"swagger", 1, Kind::kString},
                               {"info", 2, Kind::kMessage, Info},
                               {"host", 3, Kind::kString},
                               {"basePath", 4, Kind::kString},
                               {"schemes", 5, Kind::kStrings},
                               {"consumes", 6, Kind::kStrings},
                               {"produces", 7, Kind::kStrings},
                               {"paths", 8, Kind::kMessage, Paths},
                               {"definitions", 9, Kind::kMessage, NamedSchemas},
                               {"parameters", 10, Kind::kMessage, ParameterDefinitions}},
                              16};
  return EncodeObject(j, ptr, kLayout, out, err);
}

}  // namespace

std::string FlowYaml(const json& value) {
  if (value.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + FlowYaml(value[i]);
    return out + "]";
  }
  if (value.is_object()) {
    std::string out = "{";
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it != value.begin()) out += ", ";
      out += FlowYaml(json(it.key())) + ": " + FlowYaml(*it);
    }
    return out + "}";
  }
  // Scalars: JSON's double-quoted strings, numbers, true/false/null are YAML as they are.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::string> EncodeGnosticDocument(const json& swagger) {
  try {
    std::string out, err;
    if (!Document(swagger, "", &out, &err)) return InvalidArgumentError(err);
    return out;
  } catch (const std::exception& e) {
    return InternalError(std::string("encoding the OpenAPI v2 protobuf: ") + e.what());
  }
}

}  // namespace skiff::api
