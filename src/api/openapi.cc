#include "openapi.h"

#include <openssl/sha.h>

#include <nlohmann/json.hpp>
#include <set>

#include "skiff/apis/schema.h"
#include "skiff/cli/version.h"

namespace skiff::api {
namespace {

using nlohmann::json;

// "apps.v1.Deployment" -> "io.k8s.api.apps.v1.Deployment", as Kubernetes names its schemas.
std::string SchemaName(const std::string& qualified) {
  if (qualified.rfind("meta.v1.", 0) == 0) {
    return "io.k8s.apimachinery.pkg.apis.meta.v1." + qualified.substr(8);
  }
  return "io.k8s.api." + qualified;
}

json Ref(const std::string& qualified) {
  return {{"allOf", {{{"$ref", "#/components/schemas/" + SchemaName(qualified)}}}}};
}

json ValueSchema(const apis::FieldDef& f) {
  using K = apis::ValueKind;
  switch (f.kind) {
    case K::kString: return {{"type", "string"}};
    case K::kBool: return {{"type", "boolean"}};
    case K::kInt32: return {{"type", "integer"}, {"format", "int32"}};
    case K::kInt64: return {{"type", "integer"}, {"format", "int64"}};
    case K::kFloat64: return {{"type", "number"}, {"format", "double"}};
    case K::kBytes: return {{"type", "string"}, {"format", "byte"}};
    case K::kQuantity:
      return {{"$ref", "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}};
    case K::kIntOrString:
      return {{"x-kubernetes-int-or-string", true}, {"format", "int-or-string"}};
    case K::kTime:
    case K::kMicroTime: return {{"type", "string"}, {"format", "date-time"}};
    case K::kDuration: return {{"type", "string"}};
    case K::kRawJSON: return {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
    case K::kObject: return f.type ? Ref(f.type->name) : json{{"type", "object"}};
  }
  return json::object();
}

json FieldSchema(const apis::FieldDef& f) {
  json s;
  if (f.container == apis::Container::kArray) {
    s = {{"type", "array"}, {"items", ValueSchema(f)}};
    if (!f.list_type.empty()) s["x-kubernetes-list-type"] = f.list_type;
    if (!f.list_map_keys.empty()) s["x-kubernetes-list-map-keys"] = f.list_map_keys;
  } else if (f.container == apis::Container::kMap) {
    s = {{"type", "object"}, {"additionalProperties", ValueSchema(f)}};
  } else {
    s = ValueSchema(f);
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

json TypeSchema(const apis::TypeDef& t) {
  json props = json::object();
  json required = json::array();
  for (const apis::FieldDef& f : t.fields) {
    props[f.name] = FieldSchema(f);
    if (f.required) required.push_back(f.name);
  }
  json s = {{"type", "object"}, {"properties", props}};
  if (!required.empty()) s["required"] = required;
  if (!t.description.empty()) s["description"] = t.description;
  if (t.IsKind()) {
    s["x-kubernetes-group-version-kind"] = {
        {{"group", t.group}, {"version", t.version}, {"kind", t.kind}}};
  }
  return s;
}

void Collect(const apis::TypeDef* t, std::set<const apis::TypeDef*>* seen) {
  if (!t || !seen->insert(t).second) return;
  for (const apis::FieldDef& f : t->fields) Collect(f.type, seen);
}

std::string Sha512Hex(const std::string& data) {
  unsigned char digest[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

json Parameter(const char* name, const char* description) {
  return {{"name", name},
          {"in", "query"},
          {"description", description},
          {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

}  // namespace

void OpenApi::Build() {
  const apis::Schema& schema = apis::BuiltinSchema();
  json index_paths = json::object();
  for (const apis::GroupVersions& g : registry_.groups()) {
    for (const std::string& version : g.versions) {
      const std::string gv_path =
          g.group.empty() ? "api/" + version : "apis/" + g.group + "/" + version;
      json paths = json::object();
      std::set<const apis::TypeDef*> types;
      for (const apis::ResourceType* rt : registry_.InGroupVersion(g.group, version)) {
        const apis::TypeDef* kind = schema.KindType(rt->group, rt->version, rt->kind);
        if (!kind) continue;
        Collect(kind, &types);
        json gvk = {{"group", rt->group}, {"version", rt->version}, {"kind", rt->kind}};
        json ok = {{"200",
                    {{"description", "OK"},
                     {"content",
                      {{"application/json", {{"schema", Ref(kind->name)["allOf"][0]}}}}}}}};
        const std::string base = "/" + gv_path + (rt->namespaced ? "/namespaces/{namespace}/" : "/") +
                                 rt->resource;
        json item_ops = {
            {"get", {{"operationId", "read" + rt->kind}, {"x-kubernetes-action", "get"},
                     {"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}},
            {"put", {{"operationId", "replace" + rt->kind}, {"x-kubernetes-action", "put"},
                     {"x-kubernetes-group-version-kind", gvk}, {"responses", ok},
                     {"parameters", {Parameter("fieldValidation", "server-side field validation"),
                                     Parameter("fieldManager", "the manager of the fields")}}}},
            {"patch", {{"operationId", "patch" + rt->kind}, {"x-kubernetes-action", "patch"},
                       {"x-kubernetes-group-version-kind", gvk}, {"responses", ok},
                       {"parameters", {Parameter("fieldValidation", "server-side field validation"),
                                       Parameter("fieldManager", "the manager of the fields"),
                                       Parameter("force", "force apply conflicts")}}}},
            {"delete", {{"operationId", "delete" + rt->kind}, {"x-kubernetes-action", "delete"},
                        {"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}}};
        json list_ops = {
            {"post", {{"operationId", "create" + rt->kind}, {"x-kubernetes-action", "post"},
                      {"x-kubernetes-group-version-kind", gvk}, {"responses", ok},
                      {"parameters", {Parameter("fieldValidation", "server-side field validation"),
                                      Parameter("fieldManager", "the manager of the fields")}}}},
            {"get", {{"operationId", "list" + rt->kind}, {"x-kubernetes-action", "list"},
                     {"x-kubernetes-group-version-kind", gvk}, {"responses", ok}}}};
        paths[base] = list_ops;
        paths[base + "/{name}"] = item_ops;
      }
      json schemas = json::object();
      for (const apis::TypeDef* t : types) schemas[SchemaName(t->name)] = TypeSchema(*t);
      schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {
          {"x-kubernetes-int-or-string", true}, {"format", "quantity"}};
      json doc = {{"openapi", "3.0.0"},
                  {"info", {{"title", "Kubernetes"}, {"version", "v" + std::string(cli::kKubernetesVersion)}}},
                  {"paths", paths},
                  {"components", {{"schemas", schemas}}}};
      std::string text = doc.dump();
      index_paths[gv_path] = {{"serverRelativeURL", "/openapi/v3/" + gv_path + "?hash=" + Sha512Hex(text)}};
      docs_[gv_path] = std::move(text);
    }
  }
  index_ = json{{"paths", index_paths}}.dump();
}

const std::string& OpenApi::Index() {
  std::call_once(once_, [this] { Build(); });
  return index_;
}

const std::string* OpenApi::GroupVersion(const std::string& path) {
  std::call_once(once_, [this] { Build(); });
  auto it = docs_.find(path);
  return it == docs_.end() ? nullptr : &it->second;
}

}  // namespace skiff::api
