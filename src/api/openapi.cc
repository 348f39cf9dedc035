#include "openapi.h"

#include <malloc.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "openapi_builder.h"
#include "openapi_v2_proto.h"
#include "skiff/cli/version.h"
#include "skiff/common/log.h"

namespace skiff::api {
namespace {

using nlohmann::json;

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

// The JSON trees a build makes are many small allocations, freed at its end; hand the pages
// they leave empty back to the system (glibc keeps them otherwise), since the build runs once.
void ReturnFreedMemory() { malloc_trim(0); }

json Info() {
  return {{"title", "Kubernetes"}, {"version", "v" + std::string(cli::kKubernetesVersion)}};
}

// Adds every served resource of one group version that has a schema type.
void AddGroupVersion(const apis::Registry& registry, const apis::Schema& schema,
                     const std::string& group, const std::string& version,
                     openapi::DocumentBuilder* b) {
  for (const apis::ResourceType* rt : registry.InGroupVersion(group, version)) {
    if (const apis::TypeDef* kind = schema.KindType(rt->group, rt->version, rt->kind)) {
      b->AddResource(*rt, *kind);
    }
  }
}

}  // namespace

void OpenApi::BuildV3() {
  json index_paths = json::object();
  for (const apis::GroupVersions& g : registry_.groups()) {
    for (const std::string& version : g.versions) {
      const std::string gv_path =
          g.group.empty() ? "api/" + version : "apis/" + g.group + "/" + version;
      openapi::DocumentBuilder b(schema_, openapi::kV3);
      AddGroupVersion(registry_, schema_, g.group, version, &b);
      json doc = {{"openapi", "3.0.0"}, {"info", Info()}, {"paths", b.TakePaths()}};
      doc["components"] = {{"schemas", b.TakeDefinitions()}, {"parameters", b.TakeParameters()}};
      std::string text = doc.dump();
      index_paths[gv_path] = {
          {"serverRelativeURL", "/openapi/v3/" + gv_path + "?hash=" + Sha512Hex(text)}};
      docs_[gv_path] = std::move(text);
    }
  }
  index_ = json{{"paths", index_paths}}.dump();
  ReturnFreedMemory();
}

void OpenApi::BuildV2() {
  openapi::DocumentBuilder b(schema_, openapi::kV2);
  for (const apis::GroupVersions& g : registry_.groups()) {
    for (const std::string& version : g.versions) {
      AddGroupVersion(registry_, schema_, g.group, version, &b);
    }
  }
  json doc = {{"swagger", "2.0"}, {"info", Info()}, {"paths", b.TakePaths()}};
  doc["definitions"] = b.TakeDefinitions();
  doc["parameters"] = b.TakeParameters();
  v2_.json = doc.dump();
  v2_.etag = Sha512Hex(v2_.json);
  auto encoded = EncodeGnosticDocument(doc);
  if (encoded.ok()) {
    v2_.protobuf = std::move(encoded).value();
  } else {
    log::Error("openapi", "cannot encode the OpenAPI v2 protobuf",
               {{"error", encoded.status().message()}});
  }
  doc = json();
  ReturnFreedMemory();
}

const std::string& OpenApi::Index() {
  std::call_once(v3_once_, [this] { BuildV3(); });
  return index_;
}

const std::string* OpenApi::GroupVersion(const std::string& path) {
  std::call_once(v3_once_, [this] { BuildV3(); });
  auto it = docs_.find(path);
  return it == docs_.end() ? nullptr : &it->second;
}

const OpenApi::V2Document& OpenApi::V2() {
  std::call_once(v2_once_, [this] { BuildV2(); });
  return v2_;
}

}  // namespace skiff::api
