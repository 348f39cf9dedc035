// The OpenAPI documents kube-apiserver serves, generated from the built-in schema:
//  - v3: /openapi/v3 (the index) and /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>.
//    kubectl 1.29+ reads them for apply (it looks for a patch operation with a fieldValidation
//    parameter, then lets the server validate; the strategic-merge patch metadata) and explain.
//  - v2: /openapi/v2, one Swagger 2.0 document for every served kind, as JSON and as gnostic
//    protobuf. kubectl 1.27/1.28 read the protobuf for create -f, apply and diff (the same
//    fieldValidation check, the patch metadata) and explain.
// Both versions come from one walk over the served kinds: definitions named as Kubernetes names
// them (io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...),
// and paths for each resource (collection, item, status, scale, all namespaces) with the
// operations its verbs allow, their parameters and the x-kubernetes-action /
// x-kubernetes-group-version-kind extensions.
//
// Each document is built once, on first use (v3 and v2 separately), thread-safely; afterwards
// the object hands out references to immutable strings and keeps nothing else (the
// intermediate JSON is freed).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "http_types.h"
#include "skiff/apis/registry.h"
#include "skiff/apis/schema.h"

namespace skiff::api {

class OpenApi {
 public:
  // `registry` and `schema` must outlive this object. Kinds without a type in `schema` are
  // left out of the documents.
  explicit OpenApi(const apis::Registry& registry,
                   const apis::Schema& schema = apis::BuiltinSchema())
      : registry_(registry), schema_(schema) {}

  // The v3 index document.
  const std::string& Index();
  // The v3 document for "api/v1" or "apis/<group>/<version>"; nullptr when not served.
  const std::string* GroupVersion(const std::string& path);

  struct V2Document {
    std::string json;      // the Swagger 2.0 document
    std::string protobuf;  // the same, as gnostic's openapi.v2.Document; "" if encoding failed
    std::string etag;      // upper-case hex SHA-512 of `json` (kube-apiserver's ETag, unquoted)
  };
  // The v2 document. An encoding failure (a bug) is logged and leaves `protobuf` empty.
  const V2Document& V2();

 private:
  void BuildV3();
  void BuildV2();
  const apis::Registry& registry_;
  const apis::Schema& schema_;
  std::once_flag v3_once_;
  std::string index_;
  std::map<std::string, std::string> docs_;  // by "api/v1", "apis/apps/v1"
  std::once_flag v2_once_;
  V2Document v2_;
};

// Answers GET /openapi/v2 as kube-apiserver does. The Accept header picks the encoding (the
// first acceptable type in q order; none or */* means JSON): application/json, or the protobuf
// for application/com.github.proto-openapi.spec.v2@v1.0+protobuf or
// application/com.github.proto-openapi.spec.v2.v1.0+protobuf (answered with the latter as
// Content-Type). 406 when nothing offered is acceptable, 503 if the protobuf could not be
// built. Every answer carries `ETag: "<hash>"` and `Vary: Accept`; a matching If-None-Match
// gets 304 with no body.
HttpResponse ServeOpenApiV2(OpenApi& openapi, const HttpRequest& request);

}  // namespace skiff::api
