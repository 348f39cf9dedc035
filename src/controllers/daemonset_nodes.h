// Which nodes should run a DaemonSet's pod, and what to create or delete on each: kube's
// NodeShouldRunDaemonPod, podsShouldBeOnNode and the pod template the controller creates
// (pkg/controller/daemon and daemon/util), over the scheduler's own node checks
// (scheduler/taints.h, scheduler/node_affinity.h).
//
// Since Kubernetes 1.12 daemon pods are not bound by the controller: each is created with a
// required node affinity term `matchFields metadata.name In [<node>]` (replacing the template's
// required terms, which the controller has already checked) and the scheduler binds it.
// Resources are not checked here (Kubernetes stopped doing so when the scheduler took over).
//
// Pure functions of their arguments (the backoff aside); nothing throws; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/daemonset_util.h"
#include "scheduler/node_affinity.h"
#include "scheduler/taints.h"

namespace skiff::controllers::daemonset {

// util.AddOrUpdateDaemonPodTolerations on a pod spec: Exists tolerations (no value, no
// tolerationSeconds) for node.kubernetes.io/not-ready and unreachable (NoExecute), disk-pressure,
// memory-pressure, pid-pressure and unschedulable (NoSchedule), and network-unavailable
// (NoSchedule) when spec.hostNetwork. A toleration with the same key, operator, value and
// effect is replaced in place (dropping its tolerationSeconds); others are appended in that order.
void AddDaemonPodTolerations(json& pod_spec);

// util.ReplaceDaemonSetPodNodeNameNodeAffinity: sets
// spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms to
// the single term {matchFields: [{key: metadata.name, operator: In, values: [node]}]}, keeping
// the rest of the affinity.
void ReplaceNodeNameAffinity(json& pod_spec, const std::string& node);

// util.GetTargetNodeName: spec.nodeName when set, else the single value of the first
// metadata.name In requirement of the required node affinity terms; nullopt when there is none
// (or it has several values).
std::optional<std::string> TargetNodeName(const json& pod);

// podByCreationTimestampAndPhase: bound pods (spec.nodeName set) first, then older
// creationTimestamp first, then name.
bool DaemonPodBefore(const json& a, const json& b);
void SortDaemonPods(PodList& pods);

// The DaemonSet's placement rules, parsed once (NewPod + predicates + NodeShouldRunDaemonPod).
class DaemonPlacement {
 public:
  explicit DaemonPlacement(const json& ds);

  struct Fit {
    bool should_run = false;               // a pod should be created if the node has none
    bool should_continue_running = false;  // a pod already there may stay
    bool operator==(const Fit&) const = default;
  };
  // The template's spec.nodeName (when set) must be the node; the node must match the
  // nodeSelector and required node affinity; every NoSchedule/NoExecute taint must be tolerated
  // by the template's tolerations plus the daemon ones. A node whose only untolerated taints
  // are NoSchedule may keep its pods (should_continue_running).
  Fit Check(const json& node) const;

 private:
  std::string template_node_name_;
  scheduler::RequiredNodeAffinity affinity_;
  std::vector<scheduler::Toleration> tolerations_;
};

// What podsShouldBeOnNode decides for one node.
struct NodePlan {
  bool needs_pod = false;                // create a daemon pod for this node
  std::vector<std::string> delete_pods;  // pod names, in decision order
  PodList failed;                        // failed pods among delete_pods (FailedDaemonPod)
  PodList succeeded;                     // succeeded pods among delete_pods (SucceededDaemonPod)
  std::optional<std::chrono::milliseconds> retry_after;  // a failed pod waits out its backoff
};

struct NodePlanInput {
  const json& ds;
  std::string node;
  DaemonPlacement::Fit fit;
  const PodList* pods = nullptr;  // the node's daemon pods; nullptr when it has none
  std::string hash;               // the current revision's hash
  bool allows_surge = false;      // util.AllowsSurge
  std::chrono::system_clock::time_point now;
  FailedPodBackoff::Clock::time_point steady_now;
};

// podsShouldBeOnNode. Failed pods are deleted only outside their node's backoff (Next() is
// called for those that are); succeeded pods are deleted; without surge all but the oldest
// running pod are deleted; with surge at most one new (current hash) and one old pod stay, the
// old one only while it is ready and the new one not yet available.
NodePlan PlanNode(const NodePlanInput& in, FailedPodBackoff& backoff);

// getUnscheduledPodsWithoutNode: the unbound pods (no spec.nodeName) meant for nodes that do
// not exist (the scheduler can never bind them and pod GC does not see them).
std::vector<std::string> UnscheduledPodsWithoutNode(const std::set<std::string>& nodes,
                                                    const NodeToPods& node_to_pods);

}  // namespace skiff::controllers::daemonset
