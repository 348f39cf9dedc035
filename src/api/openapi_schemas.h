// OpenAPI schema objects of the built-in types, spelled for OpenAPI v2 (Swagger 2.0) or v3:
// the type half of the one walk behind /openapi/v2 and /openapi/v3 (see openapi.h). Names are
// Kubernetes' definition names; fields carry the strategic-merge-patch and list extensions
// (x-kubernetes-patch-merge-key, -patch-strategy, -list-type, -list-map-keys) kubectl reads.
// Pure functions of immutable schema data; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "skiff/apis/schema.h"

namespace skiff::api::openapi {

// How one OpenAPI version spells references.
struct Dialect {
  bool v2;
  const char* schema_prefix;  // where definitions live
  const char* param_prefix;   // where shared parameters live
};
inline constexpr Dialect kV2{true, "#/definitions/", "#/parameters/"};
inline constexpr Dialect kV3{false, "#/components/schemas/", "#/components/parameters/"};

inline constexpr char kPatchDefinition[] = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

// "apps.v1.Deployment" -> "io.k8s.api.apps.v1.Deployment", "meta.v1.ObjectMeta" ->
// "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta".
std::string SchemaName(const std::string& qualified);

// {"$ref": "<prefix><definition>"}.
nlohmann::json RefTo(const std::string& definition, const Dialect& d);

// {"group": g, "kind": k, "version": v}, as x-kubernetes-group-version-kind spells one.
nlohmann::json Gvk(const std::string& group, const std::string& version, const std::string& kind);

// The object schema of a type: properties, required, description, and for kinds the
// x-kubernetes-group-version-kind list. Nested types are references to their definitions. v2
// refers to the definitions of Quantity, IntOrString, Time and MicroTime, as kube-apiserver's v2
// does; v3 keeps its inline forms for IntOrString and times.
nlohmann::json TypeSchema(const apis::TypeDef& t, const Dialect& d);

// The definitions TypeSchema refers to that are not types of the schema (Quantity, and in v2
// IntOrString, Time, MicroTime), plus the PATCH body (Patch).
nlohmann::json SpecialDefinitions(const Dialect& d);

// The <Kind>List type of a kind: apiVersion, items (required), kind, and metadata of type
// `list_meta` (a plain object when null); its group/version/kind name the list kind. The result
// points at `kind` and `list_meta`, which must outlive it.
apis::TypeDef ListType(const apis::TypeDef& kind, const apis::TypeDef* list_meta);

}  // namespace skiff::api::openapi
