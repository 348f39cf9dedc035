// The walk behind both OpenAPI versions (see openapi.h): resources in, the parts of a document
// out, spelled for v2 or v3. For each resource it makes the paths kube-apiserver serves
// (collection, item, status and scale subresources, the all-namespaces list) with the
// operations the resource's verbs allow, their parameters (dryRun, fieldManager,
// fieldValidation on writes; force on patches; the list and delete options), operation ids as
// Kubernetes spells them (patchAppsV1NamespacedDeployment) and the x-kubernetes-action and
// x-kubernetes-group-version-kind extensions; and it collects the definitions and shared
// parameters those refer to, so that every $ref of the result resolves.
//
// One builder makes one document; not thread-safe. The schema must outlive the builder.
#pragma once

#include <deque>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "openapi_schemas.h"
#include "skiff/apis/registry.h"
#include "skiff/apis/schema.h"

namespace skiff::api::openapi {

class DocumentBuilder {
 public:
  DocumentBuilder(const apis::Schema& schema, const Dialect& dialect)
      : schema_(schema), d_(dialect) {}

  // Adds the paths of `rt`, whose object type is `kind`, and collects what they refer to.
  void AddResource(const apis::ResourceType& rt, const apis::TypeDef& kind);

  // The parts of the document; call each once, after the last AddResource.
  nlohmann::json TakePaths();
  nlohmann::json TakeDefinitions();  // v2 "definitions", v3 "components.schemas"
  nlohmann::json TakeParameters();   // v2 "parameters", v3 "components.parameters"

 private:
  struct Op;  // one operation before a dialect spells it (defined in the .cc)

  void Collect(const apis::TypeDef* t);
  std::string Meta(const std::string& name);
  std::string ListDefinition(const apis::TypeDef& kind);
  nlohmann::json Param(const std::string& name);
  void AddPath(const std::string& path, const apis::ResourceType& rt, const nlohmann::json& gvk,
               const std::vector<Op>& ops);
  nlohmann::json Operation(const Op& op, const nlohmann::json& gvk);
  nlohmann::json RequestBody(const Op& op);

  const apis::Schema& schema_;
  const Dialect& d_;
  nlohmann::json paths_ = nlohmann::json::object();
  std::set<const apis::TypeDef*> types_;  // definitions to make
  std::deque<apis::TypeDef> lists_;       // the <Kind>List types made; stable addresses
  std::set<std::string> shared_;          // shared parameters referred to
  std::set<std::string> stand_ins_;       // meta.v1 definitions referred to the schema lacks
};

}  // namespace skiff::api::openapi
