// A DaemonSet's rolling update, as kube-controller-manager computes it (daemon/update.go
// rollingUpdate, daemon/util): which old pods to delete and on which nodes to surge new ones in
// one pass. The core loop (daemonset_nodes.h PlanNode) creates the replacements and prunes
// extra pods; this part only chooses what to replace, node by node:
//   - maxSurge 0: old pods are deleted so that at most maxUnavailable nodes are without an
//     available pod (old pods that are not available are replaced at once, counted too);
//   - maxSurge > 0: a new pod is created next to an old one, on at most maxSurge nodes at a time
//     (at once where the old pod is not available); the old pod is deleted once the new one is
//     available.
// maxUnavailable and maxSurge are scaled against the number of nodes that should run the pod
// (percentages rounded up); both 0 means maxUnavailable 1.
//
// Pure functions; nothing throws; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controllers/daemonset_nodes.h"
#include "controllers/daemonset_util.h"
#include "skiff/common/status.h"

namespace skiff::controllers::daemonset {

// intstr.GetScaledValueFromIntOrPercent: an integer is itself; "N%" is N% of total, rounded up
// or down. Errors (kInvalidArgument): "nil value for IntOrString" (absent),
// "invalid type: string is not a percentage", "invalid value for IntOrString: invalid value
// \"x%\": ...".
Result<int> ScaledIntOrPercent(const json* value, int total, bool round_up);
// util.UnavailableCount / util.SurgeCount: 0 unless the strategy is RollingUpdate with a
// rollingUpdate member; otherwise its maxUnavailable / maxSurge scaled (rounded up).
Result<int> UnavailableCount(const json& ds, int desired);
Result<int> SurgeCount(const json& ds, int desired);
// util.AllowsSurge: SurgeCount(ds, 1) is a non-zero number.
bool AllowsSurge(const json& ds);

// util.IsPodUpdated: the pod carries the current hash, or the DaemonSet's template generation.
bool IsPodUpdated(const json& pod, const std::string& hash, std::optional<int64_t> generation);

// findUpdatedPodsOnNode over the pods not being deleted: at most one new and one old pod, or
// ok == false when there are more (the core loop prunes them first).
struct UpdatedPods {
  client::ObjectPtr new_pod;
  client::ObjectPtr old_pod;
  bool ok = true;
};
UpdatedPods FindUpdatedPodsOnNode(const PodList& pods, const std::string& hash,
                                  std::optional<int64_t> generation);

struct RollingUpdatePlan {
  std::vector<std::string> delete_pods;      // pod names
  std::vector<std::string> create_on_nodes;  // node names (surge)
};

struct RollingUpdateInput {
  const json& ds;
  const std::vector<client::ObjectPtr>& nodes;  // every node
  const DaemonPlacement& placement;
  NodeToPods node_to_pods;  // the daemon pods (terminal pods being deleted left out)
  std::string hash;
  std::chrono::system_clock::time_point now;
};

// rollingUpdate's decision. Errors: "invalid value for MaxUnavailable: ...",
// "invalid value for MaxSurge: ...", and with surge "couldn't get node for nodeName \"x\": ..."
// for pods on a node that is gone.
Result<RollingUpdatePlan> PlanRollingUpdate(RollingUpdateInput in);

}  // namespace skiff::controllers::daemonset
