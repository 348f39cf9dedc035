// coordination.k8s.io Lease, discovery.k8s.io EndpointSlice, policy PodDisruptionBudget,
// scheduling.k8s.io PriorityClass and node.k8s.io RuntimeClass.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

std::vector<json> LeaseCells(const json& lease, TableClock::time_point now) {
  return {Str(lease, {"metadata", "name"}), Str(lease, {"spec", "holderIdentity"}),
          Age(lease, now)};
}

// listWithMoreString: up to three entries, " + N more...", "<unset>" when empty.
std::string ListWithMore(const std::vector<std::string>& all) {
  constexpr size_t kMax = 3;
  std::vector<std::string> list(all.begin(), all.begin() + std::min(all.size(), kMax));
  std::string ret = Join(list, ",");
  if (all.size() > kMax) return ret + " + " + std::to_string(all.size() - kMax) + " more...";
  return ret.empty() ? "<unset>" : ret;
}

std::vector<json> EndpointSliceCells(const json& slice, TableClock::time_point now) {
  std::vector<std::string> ports;
  for (const json& p : Arr(slice, {"ports"})) {
    if (auto port = OptInt(p, {"port"})) {
      ports.push_back(std::to_string(*port));
    } else if (const json* name = Find(p, {"name"}); name && name->is_string()) {
      ports.push_back(name->get<std::string>());
    } else {
      ports.push_back("*");
    }
  }
  std::vector<std::string> addresses;
  for (const json& ep : Arr(slice, {"endpoints"})) {
    for (const json& a : Arr(ep, {"addresses"})) {
      addresses.push_back(a.is_string() ? a.get<std::string>() : "");
    }
  }
  return {Str(slice, {"metadata", "name"}), Str(slice, {"addressType"}), ListWithMore(ports),
          ListWithMore(addresses), Age(slice, now)};
}

std::string IntOrStringOrNA(const json& obj, Path path) {
  const json* v = Find(obj, path);
  return v ? IntOrString(*v) : "N/A";
}

std::vector<json> PodDisruptionBudgetCells(const json& pdb, TableClock::time_point now) {
  return {Str(pdb, {"metadata", "name"}), IntOrStringOrNA(pdb, {"spec", "minAvailable"}),
          IntOrStringOrNA(pdb, {"spec", "maxUnavailable"}),
          Int(pdb, {"status", "disruptionsAllowed"}), Age(pdb, now)};
}

std::vector<json> PriorityClassCells(const json& pc, TableClock::time_point now) {
  return {Str(pc, {"metadata", "name"}), Int(pc, {"value"}), Bool(pc, {"globalDefault"}),
          Age(pc, now), Str(pc, {"preemptionPolicy"})};
}

std::vector<json> RuntimeClassCells(const json& rc, TableClock::time_point now) {
  return {Str(rc, {"metadata", "name"}), Str(rc, {"handler"}), Age(rc, now)};
}

}  // namespace

const TablePrinter& LeasePrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Holder", "string", desc::kLeaseHolderIdentity), AgeColumn()},
      &Guarded<LeaseCells>};
  return kPrinter;
}

const TablePrinter& EndpointSlicePrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("AddressType", "string", desc::kEndpointSliceAddressType),
       Column("Ports", "string", desc::kEndpointSlicePorts),
       Column("Endpoints", "string", desc::kEndpointSliceEndpoints), AgeColumn()},
      &Guarded<EndpointSliceCells>};
  return kPrinter;
}

const TablePrinter& PodDisruptionBudgetPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(),
       Column("Min Available", "string", "The minimum number of pods that must be available."),
       Column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
       Column("Allowed Disruptions", "integer",
              "Calculated number of pods that may be disrupted at this time."),
       AgeColumn()},
      &Guarded<PodDisruptionBudgetCells>};
  return kPrinter;
}

const TablePrinter& PriorityClassPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Value", "integer", desc::kPriorityClassValue),
       Column("Global-Default", "boolean", desc::kPriorityClassGlobalDefault), AgeColumn(),
       Column("PreemptionPolicy", "string", desc::kPriorityClassPreemptionPolicy)},
      &Guarded<PriorityClassCells>};
  return kPrinter;
}

const TablePrinter& RuntimeClassPrinter() {
  // Kubernetes looks the handler's description up in ObjectMeta's docs, where it has none.
  static const TablePrinter kPrinter{{NameColumn(), Column("Handler", "string", ""), AgeColumn()},
                                     &Guarded<RuntimeClassCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
