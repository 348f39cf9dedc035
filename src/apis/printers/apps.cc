// apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision, and the core/v1
// ReplicationController they grew from.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

std::string Ratio(std::int64_t a, std::int64_t b) {
  return std::to_string(a) + "/" + std::to_string(b);
}

// spec.replicas defaults to 1 in every apps kind.
std::int64_t DesiredReplicas(const json& obj) { return Int(obj, {"spec", "replicas"}, 1); }

std::vector<json> DeploymentCells(const json& d, TableClock::time_point now) {
  auto [names, images] = ContainerCells(Arr(d, {"spec", "template", "spec", "containers"}));
  const json* selector = Find(d, {"spec", "selector"});
  return {Str(d, {"metadata", "name"}),
          Ratio(Int(d, {"status", "readyReplicas"}), DesiredReplicas(d)),
          Int(d, {"status", "updatedReplicas"}),
          Int(d, {"status", "availableReplicas"}),
          Age(d, now),
          names,
          images,
          selector ? SelectorString(*selector) : std::string()};
}

std::vector<json> ReplicaSetCells(const json& rs, TableClock::time_point now) {
  auto [names, images] = ContainerCells(Arr(rs, {"spec", "template", "spec", "containers"}));
  const json* selector = Find(rs, {"spec", "selector"});
  return {Str(rs, {"metadata", "name"}),
          DesiredReplicas(rs),
          Int(rs, {"status", "replicas"}),
          Int(rs, {"status", "readyReplicas"}),
          Age(rs, now),
          names,
          images,
          FormatLabelSelector(selector ? *selector : json())};
}

std::vector<json> StatefulSetCells(const json& ss, TableClock::time_point now) {
  auto [names, images] = ContainerCells(Arr(ss, {"spec", "template", "spec", "containers"}));
  return {Str(ss, {"metadata", "name"}),
          Ratio(Int(ss, {"status", "readyReplicas"}), DesiredReplicas(ss)), Age(ss, now), names,
          images};
}

std::vector<json> DaemonSetCells(const json& ds, TableClock::time_point now) {
  auto [names, images] = ContainerCells(Arr(ds, {"spec", "template", "spec", "containers"}));
  const json* selector = Find(ds, {"spec", "selector"});
  return {Str(ds, {"metadata", "name"}),
          Int(ds, {"status", "desiredNumberScheduled"}),
          Int(ds, {"status", "currentNumberScheduled"}),
          Int(ds, {"status", "numberReady"}),
          Int(ds, {"status", "updatedNumberScheduled"}),
          Int(ds, {"status", "numberAvailable"}),
          FormatLabels(Obj(ds, {"spec", "template", "spec", "nodeSelector"})),
          Age(ds, now),
          names,
          images,
          FormatLabelSelector(selector ? *selector : json())};
}

// "statefulset.apps/web": the controlling owner as lower-case kind.group/name.
std::string ControllerName(const json& obj) {
  for (const json& ref : Arr(obj, {"metadata", "ownerReferences"})) {
    if (!Bool(ref, {"controller"})) continue;
    std::string api_version = Str(ref, {"apiVersion"});
    size_t slash = api_version.find('/');
    std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    std::string kind = Str(ref, {"kind"});
    std::string name = Str(ref, {"name"});
    if (kind.empty() && group.empty()) return name;
    return AsciiLower(group.empty() ? kind : kind + "." + group) + "/" + name;
  }
  return "<none>";
}

std::vector<json> ControllerRevisionCells(const json& cr, TableClock::time_point now) {
  return {Str(cr, {"metadata", "name"}), ControllerName(cr), Int(cr, {"revision"}), Age(cr, now)};
}

std::vector<json> ReplicationControllerCells(const json& rc, TableClock::time_point now) {
  auto [names, images] = ContainerCells(Arr(rc, {"spec", "template", "spec", "containers"}));
  return {Str(rc, {"metadata", "name"}),
          DesiredReplicas(rc),
          Int(rc, {"status", "replicas"}),
          Int(rc, {"status", "readyReplicas"}),
          Age(rc, now),
          names,
          images,
          FormatLabels(Obj(rc, {"spec", "selector"}))};
}

}  // namespace

const TablePrinter& DeploymentPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Ready", "string", "Number of the pod with ready state"),
       Column("Up-to-date", "string", desc::kDeploymentUpdated),
       Column("Available", "string", desc::kDeploymentAvailable), AgeColumn(), ContainersColumn(),
       ImagesColumn(), Column("Selector", "string", desc::kDeploymentSelector, 1)},
      &Guarded<DeploymentCells>};
  return kPrinter;
}

const TablePrinter& ReplicaSetPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Desired", "integer", desc::kRSSpecReplicas),
       Column("Current", "integer", desc::kRSStatusReplicas),
       Column("Ready", "integer", desc::kRSStatusReadyReplicas), AgeColumn(), ContainersColumn(),
       ImagesColumn(), Column("Selector", "string", desc::kRSSpecSelector, 1)},
      &Guarded<ReplicaSetCells>};
  return kPrinter;
}

const TablePrinter& StatefulSetPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Ready", "string", "Number of the pod with ready state"), AgeColumn(),
       ContainersColumn(), ImagesColumn()},
      &Guarded<StatefulSetCells>};
  return kPrinter;
}

const TablePrinter& DaemonSetPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Desired", "integer", desc::kDSStatusDesired),
       Column("Current", "integer", desc::kDSStatusCurrent),
       Column("Ready", "integer", desc::kDSStatusReady),
       Column("Up-to-date", "integer", desc::kDSStatusUpdated),
       Column("Available", "integer", desc::kDSStatusAvailable),
       Column("Node Selector", "string", desc::kPodSpecNodeSelector), AgeColumn(),
       ContainersColumn(), ImagesColumn(), Column("Selector", "string", desc::kDSSpecSelector, 1)},
      &Guarded<DaemonSetCells>};
  return kPrinter;
}

const TablePrinter& ControllerRevisionPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Controller", "string", "Controller of the object"),
       Column("Revision", "string", desc::kControllerRevisionRevision), AgeColumn()},
      &Guarded<ControllerRevisionCells>};
  return kPrinter;
}

const TablePrinter& ReplicationControllerPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Desired", "integer", desc::kRCSpecReplicas),
       Column("Current", "integer", desc::kRCStatusReplicas),
       Column("Ready", "integer", desc::kRCStatusReadyReplicas), AgeColumn(), ContainersColumn(),
       ImagesColumn(), Column("Selector", "string", desc::kRCSpecSelector, 1)},
      &Guarded<ReplicationControllerCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
