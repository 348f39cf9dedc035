// /openapi/v2: the Swagger 2.0 document built from the schema, its gnostic protobuf form (read
// back here with a small test-side protobuf reader, the way kubectl 1.27/1.28 read it), and the
// HTTP negotiation (Accept, ETag, If-None-Match).
#include <openssl/sha.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/openapi.h"
#include "api/openapi_v2_proto.h"
#include "skiff/apis/registry.h"
#include "skiff/apis/schema.h"

namespace skiff::api {
namespace {

using nlohmann::json;

// ---- a protobuf reader: a message is its fields, by number, in order ---------------------

struct Msg {
  std::multimap<int, std::string> bytes;  // wire type 2
  std::multimap<int, uint64_t> varints;   // wire type 0

  std::vector<std::string> All(int field) const {
    std::vector<std::string> out;
    auto [b, e] = bytes.equal_range(field);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
    return out;
  }
  std::string One(int field) const {
    auto all = All(field);
    REQUIRE(all.size() == 1);
    return all[0];
  }
  bool Has(int field) const { return bytes.count(field) > 0 || varints.count(field) > 0; }
};

uint64_t ReadVarint(const std::string& data, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    REQUIRE(*pos < data.size());
    auto b = static_cast<unsigned char>(data[(*pos)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  FAIL("varint too long");
  return 0;
}

Msg Parse(const std::string& data) {
  Msg m;
  size_t pos = 0;
  while (pos < data.size()) {
    uint64_t tag = ReadVarint(data, &pos);
    int field = static_cast<int>(tag >> 3);
    switch (tag & 7) {
      case 0:
        m.varints.emplace(field, ReadVarint(data, &pos));
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        uint64_t n = ReadVarint(data, &pos);
        REQUIRE(pos + n <= data.size());
        m.bytes.emplace(field, data.substr(pos, n));
        pos += n;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        FAIL("bad wire type " << (tag & 7));
    }
  }
  REQUIRE(pos == data.size());
  return m;
}

// The values of a `repeated Named<T> { string name = 1; T value = 2; }` field, by name.
std::map<std::string, Msg> Named(const Msg& m, int field) {
  std::map<std::string, Msg> out;
  for (const std::string& entry : m.All(field)) {
    Msg named = Parse(entry);
    out.emplace(named.One(1), Parse(named.One(2)));
  }
  return out;
}

// A message's vendor extensions (field `field`): name -> Any.yaml.
std::map<std::string, std::string> Extensions(const Msg& m, int field) {
  std::map<std::string, std::string> out;
  for (auto& [name, any] : Named(m, field)) out[name] = any.One(2);
  return out;
}

// ---- gnostic field numbers (openapiv2/OpenAPIv2.proto) -----------------------------------
constexpr int kDocPaths = 8, kDocDefinitions = 9, kDocParameters = 10;
constexpr int kSchemaRef = 1, kSchemaRequired = 19, kSchemaType = 22, kSchemaItems = 23,
              kSchemaProperties = 25, kSchemaExtensions = 31;
constexpr int kPathItemPatch = 8, kPathItemParameters = 9;
constexpr int kOpId = 5, kOpParameters = 8, kOpExtensions = 13;

const std::string kProtobufAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
const std::string kProtobufType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

OpenApi& Builtin() {
  static OpenApi* openapi = new OpenApi(apis::Registry::Builtin());
  return *openapi;
}

json V2Json() { return json::parse(Builtin().V2().json); }

Msg V2Proto() {
  const std::string& pb = Builtin().V2().protobuf;
  REQUIRE_FALSE(pb.empty());
  return Parse(pb);
}

// Every "$ref" in `j` (with the JSON path where it sits).
void Refs(const json& j, const std::string& at,
          std::vector<std::pair<std::string, std::string>>* out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "$ref" && it->is_string()) out->push_back({it->get<std::string>(), at});
      Refs(*it, at + "/" + it.key(), out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) Refs(j[i], at + "/" + std::to_string(i), out);
  }
}

// What a $ref points at in a document, or nullptr: "#/a/b" -> doc["a"]["b"].
const json* Resolve(const json& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const json* cur = &doc;
  std::string rest = ref.substr(2);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string key = rest.substr(0, slash);
    rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
  }
  return cur;
}

std::string Sha512Upper(const std::string& data) {
  unsigned char d[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  std::string out;
  for (unsigned char c : d) {
    out += "0123456789ABCDEF"[c >> 4];
    out += "0123456789ABCDEF"[c & 15];
  }
  return out;
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

HttpResponse Get(std::map<std::string, std::string> headers) {
  HttpRequest r;
  r.method = "GET";
  r.path = r.target = "/openapi/v2";
  r.headers = std::move(headers);
  return ServeOpenApiV2(Builtin(), r);
}

// ---- the JSON document ---------------------------------------------------------------------

TEST_CASE("openapi v2: definitions are named as Kubernetes names them") {
  json doc = V2Json();
  CHECK(doc["swagger"] == "2.0");
  CHECK(doc["info"]["title"] == "Kubernetes");
  const json& defs = doc["definitions"];
  for (const char* name :
       {"io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.DeploymentList",
        "io.k8s.api.core.v1.PodSpec", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "io.k8s.api.autoscaling.v1.Scale"}) {
    INFO(name);
    CHECK(defs.contains(name));
  }
  CHECK(defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] ==
        json{{"description", "IntOrString is a type that can hold an int32 or a string."},
             {"format", "int-or-string"},
             {"type", "string"}});
  const json& deploy = defs["io.k8s.api.apps.v1.Deployment"];
  CHECK(deploy["type"] == "object");
  CHECK(deploy["x-kubernetes-group-version-kind"] ==
        json::parse(R"([{"group":"apps","kind":"Deployment","version":"v1"}])"));
  CHECK(deploy["properties"]["metadata"] ==
        json{{"$ref", "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}});
  const json& list = defs["io.k8s.api.apps.v1.DeploymentList"];
  CHECK(list["required"] == json::array({"items"}));
  CHECK(list["properties"]["items"] ==
        json::parse(
            R"({"type":"array","items":{"$ref":"#/definitions/io.k8s.api.apps.v1.Deployment"}})"));
  CHECK(list["x-kubernetes-group-version-kind"][0]["kind"] == "DeploymentList");
  // Special values are references to their definitions, as in kube-apiserver's v2.
  const json& rolling = defs["io.k8s.api.apps.v1.RollingUpdateDeployment"]["properties"];
  CHECK(rolling["maxSurge"] ==
        json{{"$ref", "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}});
  CHECK(
      defs["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["creationTimestamp"] ==
      json{{"$ref", "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}});
}

TEST_CASE("openapi v2: every $ref resolves, into definitions or parameters") {
  json doc = V2Json();
  std::vector<std::pair<std::string, std::string>> refs;
  Refs(doc, "", &refs);
  REQUIRE(refs.size() > 1000);
  for (auto& [ref, at] : refs) {
    INFO(ref << " at " << at);
    CHECK((ref.rfind("#/definitions/", 0) == 0 || ref.rfind("#/parameters/", 0) == 0));
    CHECK(Resolve(doc, ref) != nullptr);
  }
  // What kubectl's parser refuses (k8s.io/kube-openapi pkg/util/proto): a reference with a
  // type or properties beside it, an array without exactly one item schema.
  for (auto& [name, schema] : doc["definitions"].items()) {
    std::function<void(const json&, const std::string&)> check = [&](const json& s,
                                                                     const std::string& at) {
      INFO(at);
      if (s.contains("$ref")) {
        CHECK_FALSE(s.contains("type"));
        CHECK_FALSE(s.contains("properties"));
      }
      if (s.value("type", "") == "array") CHECK(s["items"].is_object());
      if (s.contains("properties")) {
        for (auto& [f, fs] : s["properties"].items()) check(fs, at + "." + f);
      }
      if (s.contains("items")) check(s["items"], at + "[]");
      if (s.contains("additionalProperties")) check(s["additionalProperties"], at + "{}");
    };
    check(schema, name);
  }
}

TEST_CASE("openapi v2: the deployment paths carry operations, parameters and extensions") {
  json doc = V2Json();
  const json& item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
  REQUIRE(item.is_object());
  CHECK(item["parameters"] ==
        json::parse(R"([{"name":"name","in":"path","description":"name of the Deployment",
                         "required":true,"type":"string","uniqueItems":true},
                        {"$ref":"#/parameters/namespace"},{"$ref":"#/parameters/pretty"}])"));
  const json& patch = item["patch"];
  CHECK(patch["operationId"] == "patchAppsV1NamespacedDeployment");
  CHECK(patch["x-kubernetes-action"] == "patch");
  CHECK(patch["x-kubernetes-group-version-kind"] ==
        json{{"group", "apps"}, {"kind", "Deployment"}, {"version", "v1"}});
  CHECK(patch["consumes"] == json{"application/json-patch+json", "application/merge-patch+json",
                                  "application/strategic-merge-patch+json",
                                  "application/apply-patch+yaml"});
  std::vector<std::string> names;
  for (const json& p : patch["parameters"]) {
    names.push_back(p.contains("$ref") ? p["$ref"].get<std::string>()
                                       : p["name"].get<std::string>());
  }
  CHECK(names == std::vector<std::string>{"#/parameters/body-patch", "dryRun",
                                          "#/parameters/fieldManager", "fieldValidation",
                                          "#/parameters/force"});
  CHECK(patch["responses"]["200"]["schema"]["$ref"] ==
        "#/definitions/io.k8s.api.apps.v1.Deployment");
  CHECK(item["put"]["operationId"] == "replaceAppsV1NamespacedDeployment");
  CHECK(item["get"]["operationId"] == "readAppsV1NamespacedDeployment");
  CHECK(item["delete"]["x-kubernetes-action"] == "delete");

  const json& collection = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"];
  CHECK(collection["post"]["operationId"] == "createAppsV1NamespacedDeployment");
  CHECK(collection["post"]["parameters"][0] ==
        json::parse(R"({"in":"body","name":"body","required":true,
                        "schema":{"$ref":"#/definitions/io.k8s.api.apps.v1.Deployment"}})"));
  CHECK(collection["get"]["x-kubernetes-action"] == "list");
  CHECK(collection["get"]["responses"]["200"]["schema"]["$ref"] ==
        "#/definitions/io.k8s.api.apps.v1.DeploymentList");
  CHECK(collection["delete"]["operationId"] == "deleteAppsV1CollectionNamespacedDeployment");
  CHECK(doc["paths"]["/apis/apps/v1/deployments"]["get"]["operationId"] ==
        "listAppsV1DeploymentForAllNamespaces");
  CHECK(doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"]["patch"]
           ["operationId"] == "patchAppsV1NamespacedDeploymentStatus");
  const json& scale =
      doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"];
  CHECK(scale["x-kubernetes-group-version-kind"] ==
        json{{"group", "autoscaling"}, {"kind", "Scale"}, {"version", "v1"}});
  // Cluster-scoped kinds: no namespace in the path or the operation id.
  CHECK(doc["paths"]["/api/v1/nodes/{name}"]["patch"]["operationId"] == "patchCoreV1Node");
  CHECK(doc["paths"]["/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}"]["get"]
           ["operationId"] == "readRbacAuthorizationV1ClusterRole");
  CHECK(doc["parameters"]["fieldManager"] ==
        json::parse(R"({"name":"fieldManager","in":"query","type":"string","uniqueItems":true,
          "description":"fieldManager is a name associated with the actor or entity that is making these changes."})"));
}

// ---- the protobuf --------------------------------------------------------------------------

TEST_CASE("openapi v2 protobuf: the Deployment definition with its gvk extension and a $ref") {
  Msg doc = V2Proto();
  auto defs = Named(Parse(doc.One(kDocDefinitions)), 1);
  CHECK(defs.size() == V2Json()["definitions"].size());
  REQUIRE(defs.count("io.k8s.api.apps.v1.Deployment"));
  const Msg& deploy = defs["io.k8s.api.apps.v1.Deployment"];
  CHECK(Parse(deploy.One(kSchemaType)).All(1) == std::vector<std::string>{"object"});
  auto ext = Extensions(deploy, kSchemaExtensions);
  CHECK(ext["x-kubernetes-group-version-kind"] ==
        R"([{"group": "apps", "kind": "Deployment", "version": "v1"}])");
  auto props = Named(Parse(deploy.One(kSchemaProperties)), 1);
  CHECK(props.size() == 5);
  CHECK(props["metadata"].One(kSchemaRef) ==
        "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  CHECK_FALSE(props["metadata"].Has(kSchemaType));
  CHECK(Parse(props["apiVersion"].One(kSchemaType)).All(1) == std::vector<std::string>{"string"});

  const Msg& spec = defs["io.k8s.api.apps.v1.DeploymentSpec"];
  CHECK(spec.All(kSchemaRequired) == std::vector<std::string>{"selector", "template"});
}

TEST_CASE("openapi v2 protobuf: the patch metadata of PodSpec.containers") {
  auto defs = Named(Parse(V2Proto().One(kDocDefinitions)), 1);
  auto props = Named(Parse(defs["io.k8s.api.core.v1.PodSpec"].One(kSchemaProperties)), 1);
  const Msg& containers = props["containers"];
  CHECK(Parse(containers.One(kSchemaType)).All(1) == std::vector<std::string>{"array"});
  Msg items = Parse(containers.One(kSchemaItems));
  CHECK(Parse(items.One(1)).One(kSchemaRef) == "#/definitions/io.k8s.api.core.v1.Container");
  auto ext = Extensions(containers, kSchemaExtensions);
  CHECK(ext == std::map<std::string, std::string>{{"x-kubernetes-list-map-keys", R"(["name"])"},
                                                  {"x-kubernetes-list-type", R"("map")"},
                                                  {"x-kubernetes-patch-merge-key", R"("name")"},
                                                  {"x-kubernetes-patch-strategy", R"("merge")"}});
}

// client-go's query-param verifier (cli-runtime resource/query_param_verifier.go): the first
// path whose PATCH carries the kind's gvk decides; its parameters, inline or through
// #/parameters/..., must include a query parameter named fieldValidation.
bool SupportsFieldValidation(const Msg& doc, const std::string& gvk_yaml) {
  std::map<std::string, std::string> global;  // "#/parameters/x" -> name of the query parameter
  for (auto& [name, param] : Named(Parse(doc.One(kDocParameters)), 1)) {
    if (!param.Has(2)) continue;  // a body parameter
    Msg non_body = Parse(param.One(2));
    if (non_body.Has(3)) global["#/parameters/" + name] = Parse(non_body.One(3)).One(4);
  }
  Msg paths = Parse(doc.One(kDocPaths));
  for (const std::string& entry : paths.All(2)) {
    Msg named = Parse(entry);
    Msg item = Parse(named.One(2));
    if (!item.Has(kPathItemPatch)) continue;
    Msg patch = Parse(item.One(kPathItemPatch));
    if (Extensions(patch, kOpExtensions)["x-kubernetes-group-version-kind"] != gvk_yaml) continue;
    for (const std::string& p : patch.All(kOpParameters)) {
      Msg param_item = Parse(p);
      if (param_item.Has(2)) {  // JsonReference
        if (global[Parse(param_item.One(2)).One(1)] == "fieldValidation") return true;
        continue;
      }
      Msg param = Parse(param_item.One(1));
      if (!param.Has(2)) continue;
      Msg non_body = Parse(param.One(2));
      if (non_body.Has(3) && Parse(non_body.One(3)).One(4) == "fieldValidation") return true;
    }
    return false;
  }
  return false;
}

TEST_CASE("openapi v2 protobuf: PATCH of a deployment takes fieldValidation, as kubectl checks") {
  Msg doc = V2Proto();
  auto paths = Named(Parse(doc.One(kDocPaths)), 2);
  CHECK(paths.size() == V2Json()["paths"].size());
  const std::string path = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}";
  REQUIRE(paths.count(path));
  Msg patch = Parse(paths[path].One(kPathItemPatch));
  CHECK(patch.One(kOpId) == "patchAppsV1NamespacedDeployment");
  auto ext = Extensions(patch, kOpExtensions);
  CHECK(ext["x-kubernetes-action"] == R"("patch")");
  CHECK(ext["x-kubernetes-group-version-kind"] ==
        R"({"group": "apps", "kind": "Deployment", "version": "v1"})");
  // Parameter 4 is fieldValidation, inline: ParametersItem.parameter (1) ->
  // Parameter.non_body_parameter (2) -> NonBodyParameter.query_parameter_sub_schema (3).
  std::vector<std::string> params = patch.All(kOpParameters);
  REQUIRE(params.size() == 5);
  Msg query = Parse(Parse(Parse(Parse(params[3]).One(1)).One(2)).One(3));
  CHECK(query.One(4) == "fieldValidation");
  CHECK(query.One(2) == "query");
  CHECK(query.One(6) == "string");
  // The body (1) is a reference to the shared PATCH body parameter.
  CHECK(Parse(Parse(params[0]).One(2)).One(1) == "#/parameters/body-patch");
  // The path-level parameters: name inline (path sub-schema, 4), namespace by reference.
  std::vector<std::string> path_params = paths[path].All(kPathItemParameters);
  REQUIRE(path_params.size() == 3);
  Msg name = Parse(Parse(Parse(Parse(path_params[0]).One(1)).One(2)).One(4));
  CHECK(name.One(4) == "name");
  CHECK(name.varints.find(1)->second == 1);  // required

  CHECK(
      SupportsFieldValidation(doc, R"({"group": "apps", "kind": "Deployment", "version": "v1"})"));
  // Every kind skiff lets clients patch is "supported", so kubectl leaves validation to the
  // server, as with kube-apiserver.
  const apis::Schema& schema = apis::BuiltinSchema();
  int kinds = 0;
  for (const apis::ResourceType& rt : apis::Registry::Builtin().all()) {
    if (!rt.HasVerb("patch") || !schema.KindType(rt.group, rt.version, rt.kind)) continue;
    ++kinds;
    INFO(rt.api_version() << " " << rt.kind);
    CHECK(SupportsFieldValidation(doc, "{\"group\": \"" + rt.group + "\", \"kind\": \"" + rt.kind +
                                           "\", \"version\": \"" + rt.version + "\"}"));
  }
  CHECK(kinds > 20);
  CHECK_FALSE(SupportsFieldValidation(doc, R"({"group": "x", "kind": "Nope", "version": "v1"})"));
}

// ---- the encoder on its own ----------------------------------------------------------------

TEST_CASE("gnostic encoder: exact bytes of a small document") {
  json doc = json::parse(R"({"swagger":"2.0","definitions":{"a":{"type":"string","x-k":true}}})");
  auto pb = EncodeGnosticDocument(doc);
  REQUIRE(pb.ok());
  // Document.swagger (1) "2.0"; Document.definitions (9) { NamedSchema (1) { name (1) "a",
  // value (2) Schema { type (22) TypeItem { value (1) "string" }, vendor_extension (31)
  // NamedAny { name (1) "x-k", value (2) Any { yaml (2) "true" } } } } }.
  const std::string expected = std::string(
                                   "\x0a\x03"
                                   "2.0",
                                   5) +
                               std::string(
                                   "\x4a\x22"
                                   "\x0a\x20"
                                   "\x0a\x01"
                                   "a"
                                   "\x12\x1b",
                                   9) +
                               std::string(
                                   "\xb2\x01\x08"
                                   "\x0a\x06"
                                   "string",
                                   11) +
                               std::string(
                                   "\xfa\x01\x0d"
                                   "\x0a\x03"
                                   "x-k"
                                   "\x12\x06"
                                   "\x12\x04"
                                   "true",
                                   16);
  CHECK(*pb == expected);
}

TEST_CASE("gnostic encoder: what has no gnostic field here is refused, with its place") {
  auto pb = EncodeGnosticDocument(json::parse(R"({"definitions":{"a/b":{"xml":{}}}})"));
  REQUIRE_FALSE(pb.ok());
  CHECK(pb.status().message() == "unsupported key \"xml\" at /definitions/a~1b");
  auto bad_type = EncodeGnosticDocument(json::parse(R"({"swagger":2})"));
  REQUIRE_FALSE(bad_type.ok());
  CHECK(bad_type.status().message() == "expected a string at /swagger");
  auto bad_in =
      EncodeGnosticDocument(json::parse(R"({"parameters":{"p":{"in":"cookie","name":"c"}}})"));
  REQUIRE_FALSE(bad_in.ok());
  CHECK(bad_in.status().message() == "unknown parameter location \"cookie\" at /parameters/p");
}

TEST_CASE("gnostic encoder: additionalProperties false is written (a oneof bool)") {
  auto pb = EncodeGnosticDocument(
      json::parse(R"({"definitions":{"a":{"type":"object","additionalProperties":false}}})"));
  REQUIRE(pb.ok());
  Msg defs = Parse(Parse(*pb).One(9));
  Msg schema = Parse(Parse(defs.One(1)).One(2));
  Msg additional = Parse(schema.One(21));
  REQUIRE(additional.varints.count(2) == 1);
  CHECK(additional.varints.find(2)->second == 0);
}

TEST_CASE("flow YAML of vendor extension values") {
  CHECK(FlowYaml(json::parse(R"({"b":[1,"x",true,null],"a":{}})")) ==
        R"({"a": {}, "b": [1, "x", true, null]})");
  CHECK(FlowYaml("quote \" and \n") == R"("quote \" and \n")");
  CHECK(FlowYaml(json::array()) == "[]");
}

// ---- HTTP ----------------------------------------------------------------------------------

TEST_CASE("GET /openapi/v2 negotiates JSON or protobuf and carries the ETag") {
  const OpenApi::V2Document& doc = Builtin().V2();
  const std::string etag = "\"" + Sha512Upper(doc.json) + "\"";
  CHECK(doc.etag == Sha512Upper(doc.json));

  HttpResponse pb = Get({{"accept", kProtobufAccept}});
  CHECK(pb.status == 200);
  CHECK(pb.content_type == kProtobufType);
  CHECK(pb.body == doc.protobuf);
  CHECK(Header(pb, "ETag") == etag);
  CHECK(Header(pb, "Vary") == "Accept");
  CHECK(Get({{"accept", kProtobufType}}).body == doc.protobuf);

  for (const char* accept : {"", "application/json", "*/*", "application/*",
                             "application/json, "
                             "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}) {
    INFO(accept);
    HttpResponse r = Get({{"accept", accept}});
    CHECK(r.status == 200);
    CHECK(r.content_type == "application/json");
    CHECK(r.body == doc.json);
    CHECK(Header(r, "ETag") == etag);
  }
  // q values order the choices.
  HttpResponse q = Get({{"accept", "application/json;q=0.5, " + kProtobufType}});
  CHECK(q.content_type == kProtobufType);
  HttpResponse none = Get({{"accept", "text/html, application/json;q=0"}});
  CHECK(none.status == 406);
}

TEST_CASE("GET /openapi/v2 answers 304 to a matching If-None-Match") {
  const std::string etag = "\"" + Builtin().V2().etag + "\"";
  for (const std::string& tag : {etag, "W/" + etag, "\"x\", " + etag, std::string("*")}) {
    INFO(tag);
    HttpResponse r = Get({{"accept", kProtobufAccept}, {"if-none-match", tag}});
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(Header(r, "ETag") == etag);
  }
  HttpResponse changed = Get({{"accept", kProtobufAccept}, {"if-none-match", "\"other\""}});
  CHECK(changed.status == 200);
  CHECK(changed.body == Builtin().V2().protobuf);
}

TEST_CASE("openapi v2 is built once, whichever thread asks first") {
  OpenApi openapi(apis::Registry::Builtin());
  std::vector<const OpenApi::V2Document*> seen(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&openapi, &seen, i] { seen[i] = &openapi.V2(); });
  }
  for (std::thread& t : threads) t.join();
  for (const OpenApi::V2Document* d : seen) CHECK(d == seen[0]);
  CHECK(seen[0]->json == Builtin().V2().json);
  CHECK(seen[0]->protobuf == Builtin().V2().protobuf);
}

TEST_CASE("openapi v2 of a hand-made schema: only kinds with a type, no dangling $ref") {
  apis::Schema schema;
  apis::TypeDef cm;
  cm.name = "core.v1.ConfigMap";
  cm.group = "";
  cm.version = "v1";
  cm.kind = "ConfigMap";
  apis::FieldDef data;
  data.name = "data";
  data.container = apis::Container::kMap;
  cm.fields.push_back(data);
  schema.AddType(cm);
  OpenApi openapi(apis::Registry::Builtin(), schema);
  json doc = json::parse(openapi.V2().json);
  std::set<std::string> defs;
  for (auto& [name, d] : doc["definitions"].items()) defs.insert(name);
  CHECK(defs == std::set<std::string>{"io.k8s.api.core.v1.ConfigMap",
                                      "io.k8s.api.core.v1.ConfigMapList",
                                      "io.k8s.apimachinery.pkg.api.resource.Quantity",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                                      "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
                                      "io.k8s.apimachinery.pkg.util.intstr.IntOrString"});
  std::set<std::string> paths;
  for (auto& [p, item] : doc["paths"].items()) paths.insert(p);
  CHECK(paths == std::set<std::string>{"/api/v1/configmaps",
                                       "/api/v1/namespaces/{namespace}/configmaps",
                                       "/api/v1/namespaces/{namespace}/configmaps/{name}"});
  std::vector<std::pair<std::string, std::string>> refs;
  Refs(doc, "", &refs);
  for (auto& [ref, at] : refs) {
    INFO(ref << " at " << at);
    CHECK(Resolve(doc, ref) != nullptr);
  }
  CHECK_FALSE(openapi.V2().protobuf.empty());
}

// ---- v3 comes from the same walk -----------------------------------------------------------

TEST_CASE("openapi v3 documents: same walk, v3 spelling, every $ref resolves") {
  OpenApi& openapi = Builtin();
  json index = json::parse(openapi.Index());
  REQUIRE(index["paths"].contains("apis/apps/v1"));
  const std::string* apps = openapi.GroupVersion("apis/apps/v1");
  REQUIRE(apps != nullptr);
  json doc = json::parse(*apps);
  const json& patch =
      doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
  CHECK(patch["x-kubernetes-group-version-kind"] ==
        json{{"group", "apps"}, {"kind", "Deployment"}, {"version", "v1"}});
  bool field_validation = false;
  for (const json& p : patch["parameters"]) {
    field_validation = field_validation || p.value("name", "") == "fieldValidation";
  }
  CHECK(field_validation);
  CHECK(doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]["properties"]["spec"] ==
        json::parse(
            R"({"allOf":[{"$ref":"#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}]})"));
  for (auto& [gv, entry] : index["paths"].items()) {
    const std::string* text = openapi.GroupVersion(gv);
    REQUIRE(text != nullptr);
    json d = json::parse(*text);
    std::vector<std::pair<std::string, std::string>> refs;
    Refs(d, "", &refs);
    for (auto& [ref, at] : refs) {
      INFO(gv << ": " << ref << " at " << at);
      CHECK(Resolve(d, ref) != nullptr);
    }
  }
  CHECK(openapi.GroupVersion("apis/nope/v1") == nullptr);
}

}  // namespace
}  // namespace skiff::api
