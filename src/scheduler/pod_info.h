// PodInfo: everything the scheduler's filters and scores read from a Pod, parsed once from the
// Pod JSON (as the API serves it, v1) so that no plugin touches JSON per node.
//
// Parsing never fails: parts Kubernetes would reject or ignore (bad selectors, unknown
// operators, unparsable quantities) are dropped and described in `parse_errors`, which is what
// kube-scheduler does for assigned pods (it ignores NewPodInfo errors).
//
// A PodInfo is immutable once built; share it with std::shared_ptr<const PodInfo>. Const
// methods are thread-safe. Nothing here throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/node_affinity.h"
#include "scheduler/resources.h"
#include "scheduler/taints.h"
#include "skiff/apis/selector.h"

namespace skiff::scheduler {

struct PodInfo;

// Looks up the labels (a JSON object) of a namespace; nullptr when unknown. The pointer must
// stay valid for the duration of the call that received the function. When no function is given
// or it returns nullptr, a namespace is taken to carry only the label Kubernetes puts on every
// namespace, kubernetes.io/metadata.name=<name>.
using NamespaceLabelsFn = std::function<const nlohmann::json*(const std::string& ns)>;

// A pod (anti-)affinity term (framework.AffinityTerm / WeightedAffinityTerm).
struct AffinityTerm {
  apis::LabelSelector selector;         // Nothing() when labelSelector is null
  std::vector<std::string> namespaces;  // explicit list, or the owner pod's namespace when both
                                        // namespaces and namespaceSelector are unset
  std::optional<apis::LabelSelector> namespace_selector;  // unset when null (matches nothing)
  std::string topology_key;
  int32_t weight = 0;  // preferred terms only

  // Whether `pod` is selected: its namespace is listed or its namespace's labels match the
  // namespace selector, and its labels match the selector.
  bool Matches(const PodInfo& pod, const NamespaceLabelsFn* namespace_labels) const;
};

// A host port a pod's container binds (schedutil.GetHostPorts), sanitized: protocol defaults to
// TCP and host IP to 0.0.0.0.
struct HostPort {
  std::string protocol;
  std::string host_ip;
  int32_t port = 0;
  bool operator==(const HostPort&) const = default;
};

// A pod.spec.topologySpreadConstraints entry (the scheduler's topologySpreadConstraint).
struct SpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  bool do_not_schedule = false;  // whenUnsatisfiable: DoNotSchedule (else ScheduleAnyway)
  apis::LabelSelector selector;  // labelSelector (null: Nothing) with matchLabelKeys merged in
  int32_t min_domains = 1;
  bool honor_node_affinity = true;  // nodeAffinityPolicy (default Honor)
  bool honor_node_taints = false;   // nodeTaintsPolicy (default Ignore)
};

struct PodInfo {
  // metadata
  std::string uid;
  std::string namespace_;
  std::string name;
  nlohmann::json labels = nlohmann::json::object();
  bool terminating = false;      // metadata.deletionTimestamp set
  std::string controller_uid;    // uid of the ownerReference with controller: true
  uint64_t controller_hash = 0;  // std::hash of controller_uid (0 when none)

  // spec
  std::string node_name;
  int32_t priority = 0;             // spec.priority (admission resolves priorityClassName)
  bool preempt_never = false;       // spec.preemptionPolicy: Never
  std::string nominated_node_name;  // status.nominatedNodeName
  std::string start_time;           // status.startTime (RFC 3339, UTC) or empty
  // status.conditions has DisruptionTarget=True with reason PreemptionByScheduler.
  bool preemption_target = false;
  PodRequests requests;
  std::vector<HostPort> host_ports;
  std::vector<Toleration> tolerations;
  RequiredNodeAffinity required_node_affinity;
  PreferredNodeAffinity preferred_node_affinity;
  std::vector<AffinityTerm> required_affinity;
  std::vector<AffinityTerm> required_anti_affinity;
  std::vector<AffinityTerm> preferred_affinity;
  std::vector<AffinityTerm> preferred_anti_affinity;
  bool has_pod_affinity = false;  // spec.affinity.podAffinity or podAntiAffinity is set
  std::vector<SpreadConstraint> spread_constraints;

  // Problems found while parsing (the affected rule was dropped).
  std::vector<std::string> parse_errors;
  // True when a pod (anti-)affinity term failed to parse: the InterPodAffinity PreFilter
  // rejects such an incoming pod ("parsing pod: ...").
  bool bad_affinity_terms = false;

  bool HasRequiredAntiAffinity() const { return !required_anti_affinity.empty(); }
};

// Parses a Pod object. Never fails (see above).
PodInfo ParsePodInfo(const nlohmann::json& pod);
std::shared_ptr<const PodInfo> MakePodInfo(const nlohmann::json& pod);

// The labels of `ns` as `fn` reports them, else the default {kubernetes.io/metadata.name: ns}.
// `scratch` holds the default when used; the result points into it or at fn's answer.
const nlohmann::json& NamespaceLabels(const NamespaceLabelsFn* fn, const std::string& ns,
                                      nlohmann::json& scratch);

}  // namespace skiff::scheduler
