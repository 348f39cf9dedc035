// core/v1 Namespace, ConfigMap, Secret, ServiceAccount, PodTemplate and ResourceQuota.
#include <map>
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "quantity.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

std::int64_t Size(const json& j, Path path) {
  const json* v = Find(j, path);
  return v && (v->is_object() || v->is_array()) ? static_cast<std::int64_t>(v->size()) : 0;
}

std::vector<json> NamespaceCells(const json& ns, TableClock::time_point now) {
  return {Str(ns, {"metadata", "name"}), Str(ns, {"status", "phase"}), Age(ns, now)};
}

std::vector<json> ConfigMapCells(const json& cm, TableClock::time_point now) {
  return {Str(cm, {"metadata", "name"}), Size(cm, {"data"}) + Size(cm, {"binaryData"}),
          Age(cm, now)};
}

std::vector<json> SecretCells(const json& s, TableClock::time_point now) {
  return {Str(s, {"metadata", "name"}), Str(s, {"type"}), Size(s, {"data"}), Age(s, now)};
}

std::vector<json> ServiceAccountCells(const json& sa, TableClock::time_point now) {
  return {Str(sa, {"metadata", "name"}), Size(sa, {"secrets"}), Age(sa, now)};
}

std::vector<json> PodTemplateCells(const json& pt, TableClock::time_point) {
  auto [names, images] = ContainerCells(Arr(pt, {"template", "spec", "containers"}));
  return {Str(pt, {"metadata", "name"}), names, images,
          FormatLabels(Obj(pt, {"template", "metadata", "labels"}))};
}

// "pods: 3/10, requests.cpu: 500m/2" (and the limits.* resources in the other column), by
// resource name.
std::vector<json> ResourceQuotaCells(const json& rq, TableClock::time_point now) {
  const json& hard = Obj(rq, {"status", "hard"});
  const json& used = Obj(rq, {"status", "used"});
  std::string requests, limits;
  for (auto& [resource, hard_q] : hard.items()) {  // sorted by name
    auto u = used.find(resource);
    std::string entry = resource + ": " + CanonicalQuantity(u == used.end() ? json() : *u) + "/" +
                        CanonicalQuantity(hard_q) + ", ";
    size_t dot = resource.find('.');
    bool is_limit = dot != std::string::npos && resource.substr(0, dot) == "limits";
    (is_limit ? limits : requests) += entry;
  }
  auto trim = [](std::string s) {
    if (s.size() >= 2 && s.compare(s.size() - 2, 2, ", ") == 0) s.resize(s.size() - 2);
    return s;
  };
  return {Str(rq, {"metadata", "name"}), trim(requests), trim(limits), Age(rq, now)};
}

}  // namespace

const TablePrinter& NamespacePrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Status", "string", "The status of the namespace"), AgeColumn()},
      &Guarded<NamespaceCells>};
  return kPrinter;
}

const TablePrinter& ConfigMapPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Data", "string", desc::kConfigMapData), AgeColumn()},
      &Guarded<ConfigMapCells>};
  return kPrinter;
}

const TablePrinter& SecretPrinter() {
  static const TablePrinter kPrinter{{NameColumn(), Column("Type", "string", desc::kSecretType),
                                      Column("Data", "string", desc::kSecretData), AgeColumn()},
                                     &Guarded<SecretCells>};
  return kPrinter;
}

const TablePrinter& ServiceAccountPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Secrets", "string", desc::kServiceAccountSecrets), AgeColumn()},
      &Guarded<ServiceAccountCells>};
  return kPrinter;
}

const TablePrinter& PodTemplatePrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Containers", "string", "Names of each container in the template."),
       Column("Images", "string", "Images referenced by each container in the template."),
       Column("Pod Labels", "string", "The labels for the pod template.")},
      &Guarded<PodTemplateCells>};
  return kPrinter;
}

const TablePrinter& ResourceQuotaPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(),
       Column("Request", "string",
              "Request represents a minimum amount of cpu/memory that a container may consume."),
       Column("Limit", "string",
              "Limits control the maximum amount of cpu/memory that a container may use "
              "independent of contention on the node."),
       AgeColumn()},
      &Guarded<ResourceQuotaCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
