#include "openapi_schemas.h"

namespace skiff::api::openapi {
namespace {

using nlohmann::json;

constexpr char kQuantity[] = "io.k8s.apimachinery.pkg.api.resource.Quantity";
constexpr char kIntOrString[] = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
constexpr char kTime[] = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
constexpr char kMicroTime[] = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";

// A reference to a type from a field: v3 wraps it in allOf so siblings (description,
// extensions) stay meaningful; v2 puts them beside the $ref, as kube-apiserver does.
json TypeRef(const std::string& qualified, const Dialect& d) {
  json ref = RefTo(SchemaName(qualified), d);
  return d.v2 ? ref : json{{"allOf", {ref}}};
}

json ValueSchema(const apis::FieldDef& f, const Dialect& d) {
  using K = apis::ValueKind;
  switch (f.kind) {
    case K::kString:
      return {{"type", "string"}};
    case K::kBool:
      return {{"type", "boolean"}};
    case K::kInt32:
      return {{"type", "integer"}, {"format", "int32"}};
    case K::kInt64:
      return {{"type", "integer"}, {"format", "int64"}};
    case K::kFloat64:
      return {{"type", "number"}, {"format", "double"}};
    case K::kBytes:
      return {{"type", "string"}, {"format", "byte"}};
    case K::kQuantity:
      return RefTo(kQuantity, d);
    case K::kIntOrString:
      if (d.v2) return RefTo(kIntOrString, d);
      return {{"x-kubernetes-int-or-string", true}, {"format", "int-or-string"}};
    case K::kTime:
    case K::kMicroTime:
      if (d.v2) return RefTo(f.kind == K::kTime ? kTime : kMicroTime, d);
      return {{"type", "string"}, {"format", "date-time"}};
    case K::kDuration:
      return {{"type", "string"}};
    case K::kRawJSON:
      return {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
    case K::kObject:
      return f.type ? TypeRef(f.type->name, d) : json{{"type", "object"}};
  }
  return json::object();
}

json FieldSchema(const apis::FieldDef& f, const Dialect& d) {
  json s;
  if (f.container == apis::Container::kArray) {
    s = {{"type", "array"}, {"items", ValueSchema(f, d)}};
    if (!f.list_type.empty()) s["x-kubernetes-list-type"] = f.list_type;
    if (!f.list_map_keys.empty()) s["x-kubernetes-list-map-keys"] = f.list_map_keys;
  } else if (f.container == apis::Container::kMap) {
    s = {{"type", "object"}, {"additionalProperties", ValueSchema(f, d)}};
  } else {
    s = ValueSchema(f, d);
  }
  if (!f.merge_key.empty()) s["x-kubernetes-patch-merge-key"] = f.merge_key;
  std::string strategy;
  if (f.strategy_merge) strategy = "merge";
  if (f.strategy_retain_keys) strategy += strategy.empty() ? "retainKeys" : ",retainKeys";
  if (f.strategy_replace) strategy = "replace";
  if (!strategy.empty()) s["x-kubernetes-patch-strategy"] = strategy;
  if (!f.description.empty()) s["description"] = f.description;
  return s;
}

json StringDefinition(const char* description, const char* format) {
  json s = {{"description", description}, {"type", "string"}};
  if (format) s["format"] = format;
  return s;
}

}  // namespace

std::string SchemaName(const std::string& qualified) {
  if (qualified.rfind("meta.v1.", 0) == 0) {
    return "io.k8s.apimachinery.pkg.apis.meta.v1." + qualified.substr(8);
  }
  return "io.k8s.api." + qualified;
}

json RefTo(const std::string& definition, const Dialect& d) {
  return {{"$ref", d.schema_prefix + definition}};
}

json Gvk(const std::string& group, const std::string& version, const std::string& kind) {
  return {{"group", group}, {"kind", kind}, {"version", version}};
}

json TypeSchema(const apis::TypeDef& t, const Dialect& d) {
  json props = json::object();
  json required = json::array();
  for (const apis::FieldDef& f : t.fields) {
    props[f.name] = FieldSchema(f, d);
    if (f.required) required.push_back(f.name);
  }
  json s = {{"type", "object"}, {"properties", std::move(props)}};
  if (!required.empty()) s["required"] = std::move(required);
  if (!t.description.empty()) s["description"] = t.description;
  if (t.IsKind()) s["x-kubernetes-group-version-kind"] = {Gvk(t.group, t.version, t.kind)};
  return s;
}

json SpecialDefinitions(const Dialect& d) {
  const json patch = {{"description",
                       "Patch is provided to give a concrete name and type to the "
                       "Kubernetes PATCH request body."},
                      {"type", "object"}};
  if (!d.v2) {
    return {{kQuantity, {{"x-kubernetes-int-or-string", true}, {"format", "quantity"}}},
            {kPatchDefinition, patch}};
  }
  return {
      {kQuantity, StringDefinition("Quantity is a fixed-point representation of a number, e.g. "
                                   "\"500m\" or \"1Gi\".",
                                   nullptr)},
      {kIntOrString, StringDefinition("IntOrString is a type that can hold an int32 or a string.",
                                      "int-or-string")},
      {kTime,
       StringDefinition("Time is a timestamp in RFC 3339 form, to the second.", "date-time")},
      {kMicroTime,
       StringDefinition("MicroTime is a timestamp in RFC 3339 form, to the microsecond.",
                        "date-time")},
      {kPatchDefinition, patch}};
}

apis::TypeDef ListType(const apis::TypeDef& kind, const apis::TypeDef* list_meta) {
  apis::TypeDef list;
  list.name = kind.name + "List";
  list.description = kind.kind + "List is a list of " + kind.kind + " objects.";
  list.group = kind.group;
  list.version = kind.version;
  list.kind = kind.kind + "List";
  auto field = [](const char* name, apis::ValueKind k, const apis::TypeDef* type) {
    apis::FieldDef f;
    f.name = name;
    f.kind = k;
    f.type = type;
    return f;
  };
  list.fields.push_back(field("apiVersion", apis::ValueKind::kString, nullptr));
  list.fields.push_back(field("items", apis::ValueKind::kObject, &kind));
  list.fields.back().container = apis::Container::kArray;
  list.fields.back().required = true;
  list.fields.push_back(field("kind", apis::ValueKind::kString, nullptr));
  list.fields.push_back(field("metadata", apis::ValueKind::kObject, list_meta));
  return list;
}

}  // namespace skiff::api::openapi
