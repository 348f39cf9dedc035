// core/v1 Node: STATUS (Ready/NotReady/Unknown plus SchedulingDisabled), ROLES from the
// node-role.kubernetes.io/<role> and kubernetes.io/role labels, VERSION, and the wide
// addresses and system info.
#include <set>
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
constexpr std::string_view kRoleLabel = "kubernetes.io/role";

std::string Status(const json& node) {
  std::vector<std::string> status;
  // Only the Ready condition is shown; a later duplicate wins, as in Kubernetes' map.
  const json* ready = nullptr;
  for (const json& c : Arr(node, {"status", "conditions"})) {
    if (Str(c, {"type"}) == "Ready") ready = &c;
  }
  if (ready) status.push_back(Str(*ready, {"status"}) == "True" ? "Ready" : "NotReady");
  if (status.empty()) status.push_back("Unknown");
  if (Bool(node, {"spec", "unschedulable"})) status.push_back("SchedulingDisabled");
  return Join(status, ",");
}

std::string Roles(const json& node) {
  std::set<std::string> roles;
  for (auto& [key, value] : Obj(node, {"metadata", "labels"}).items()) {
    std::string_view k = key;
    if (k.substr(0, kRolePrefix.size()) == kRolePrefix) {
      if (k.size() > kRolePrefix.size()) roles.insert(std::string(k.substr(kRolePrefix.size())));
    } else if (k == kRoleLabel && value.is_string() && !value.get<std::string>().empty()) {
      roles.insert(value.get<std::string>());
    }
  }
  std::string joined = Join(std::vector<std::string>(roles.begin(), roles.end()), ",");
  return joined.empty() ? "<none>" : joined;
}

std::string Address(const json& node, std::string_view type) {
  for (const json& a : Arr(node, {"status", "addresses"})) {
    if (Str(a, {"type"}) == type) return Str(a, {"address"});
  }
  return "<none>";
}

std::string OrUnknown(std::string s) {
  if (s.empty()) return "<unknown>";
  return s;
}

std::vector<json> NodeCells(const json& node, TableClock::time_point now) {
  return {Str(node, {"metadata", "name"}),
          Status(node),
          Roles(node),
          Age(node, now),
          Str(node, {"status", "nodeInfo", "kubeletVersion"}),
          Address(node, "InternalIP"),
          Address(node, "ExternalIP"),
          OrUnknown(Str(node, {"status", "nodeInfo", "osImage"})),
          OrUnknown(Str(node, {"status", "nodeInfo", "kernelVersion"})),
          OrUnknown(Str(node, {"status", "nodeInfo", "containerRuntimeVersion"}))};
}

}  // namespace

const TablePrinter& NodePrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Status", "string", "The status of the node"),
       Column("Roles", "string", "The roles of the node"), AgeColumn(),
       Column("Version", "string", desc::kNodeKubeletVersion),
       Column("Internal-IP", "string", desc::kNodeAddresses, 1),
       Column("External-IP", "string", desc::kNodeAddresses, 1),
       Column("OS-Image", "string", desc::kNodeOSImage, 1),
       Column("Kernel-Version", "string", desc::kNodeKernelVersion, 1),
       Column("Container-Runtime", "string", desc::kNodeContainerRuntime, 1)},
      &Guarded<NodeCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
