// Where a DaemonSet's pods belong (daemon_controller.go NodeShouldRunDaemonPod,
// podsShouldBeOnNode; daemon/util/daemonset_util.go).
#include "controllers/daemonset_nodes.h"

#include <algorithm>

#include "controllers/pod_util.h"

namespace skiff::controllers::daemonset {
namespace {

json ExistsToleration(const char* key, const char* effect) {
  return {{"key", key}, {"operator", "Exists"}, {"effect", effect}};
}

// Toleration.MatchToleration: same key, operator, value and effect ("" operator is Equal).
bool SameToleration(const json& a, const json& b) {
  auto str = [](const json& t, const char* k) {
    auto it = t.find(k);
    return it != t.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto op = [&](const json& t) {
    std::string o = str(t, "operator");
    return o.empty() ? std::string("Equal") : o;
  };
  return str(a, "key") == str(b, "key") && op(a) == op(b) && str(a, "value") == str(b, "value") &&
         str(a, "effect") == str(b, "effect");
}

// v1helper.AddOrUpdateTolerationInPodSpec.
void AddOrUpdateToleration(json& spec, const json& toleration) {
  json& list = spec["tolerations"];
  if (!list.is_array()) list = json::array();
  bool replaced = false;
  for (json& t : list) {
    if (t.is_object() && SameToleration(t, toleration)) {
      t = toleration;
      replaced = true;
    }
  }
  if (!replaced) list.push_back(toleration);
}

}  // namespace

void AddDaemonPodTolerations(json& pod_spec) {
  if (!pod_spec.is_object()) pod_spec = json::object();
  AddOrUpdateToleration(pod_spec, ExistsToleration("node.kubernetes.io/not-ready", "NoExecute"));
  AddOrUpdateToleration(pod_spec, ExistsToleration("node.kubernetes.io/unreachable", "NoExecute"));
  AddOrUpdateToleration(pod_spec,
                        ExistsToleration("node.kubernetes.io/disk-pressure", "NoSchedule"));
  AddOrUpdateToleration(pod_spec,
                        ExistsToleration("node.kubernetes.io/memory-pressure", "NoSchedule"));
  AddOrUpdateToleration(pod_spec,
                        ExistsToleration("node.kubernetes.io/pid-pressure", "NoSchedule"));
  AddOrUpdateToleration(pod_spec,
                        ExistsToleration("node.kubernetes.io/unschedulable", "NoSchedule"));
  const json* host_network = At(pod_spec, {"hostNetwork"});
  if (host_network && host_network->is_boolean() && host_network->get<bool>()) {
    AddOrUpdateToleration(pod_spec,
                          ExistsToleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
  }
}

void ReplaceNodeNameAffinity(json& pod_spec, const std::string& node) {
  if (!pod_spec.is_object()) pod_spec = json::object();
  json term = {
      {"matchFields", {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {node}}}}}};
  json& affinity = pod_spec["affinity"];
  if (!affinity.is_object()) affinity = json::object();
  json& node_affinity = affinity["nodeAffinity"];
  if (!node_affinity.is_object()) node_affinity = json::object();
  json& required = node_affinity["requiredDuringSchedulingIgnoredDuringExecution"];
  if (!required.is_object()) required = json::object();
  required["nodeSelectorTerms"] = json::array({std::move(term)});
}

std::optional<std::string> TargetNodeName(const json& pod) {
  std::string bound = StrAt(pod, {"spec", "nodeName"});
  if (!bound.empty()) return bound;
  const json* terms =
      At(pod, {"spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
               "nodeSelectorTerms"});
  if (!terms || !terms->is_array()) return std::nullopt;
  for (const json& term : *terms) {
    const json* fields = At(term, {"matchFields"});
    if (!fields || !fields->is_array()) continue;
    for (const json& req : *fields) {
      if (StrAt(req, {"key"}) != "metadata.name" || StrAt(req, {"operator"}) != "In") continue;
      const json* values = At(req, {"values"});
      if (!values || !values->is_array() || values->size() != 1 || !(*values)[0].is_string()) {
        return std::nullopt;
      }
      return (*values)[0].get<std::string>();
    }
  }
  return std::nullopt;
}

bool DaemonPodBefore(const json& a, const json& b) {
  const bool a_bound = !StrAt(a, {"spec", "nodeName"}).empty();
  const bool b_bound = !StrAt(b, {"spec", "nodeName"}).empty();
  if (a_bound != b_bound) return a_bound;
  // RFC 3339 UTC seconds, as the API writes them, order as strings.
  const std::string ta = StrAt(a, {"metadata", "creationTimestamp"});
  const std::string tb = StrAt(b, {"metadata", "creationTimestamp"});
  if (ta == tb) return NameOf(a) < NameOf(b);
  return ta < tb;
}

void SortDaemonPods(PodList& pods) {
  std::sort(pods.begin(), pods.end(), [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    return DaemonPodBefore(*a, *b);
  });
}

DaemonPlacement::DaemonPlacement(const json& ds) {
  static const json kEmpty = json::object();
  const json* spec = At(ds, {"spec", "template", "spec"});
  json pod_spec = spec && spec->is_object() ? *spec : kEmpty;
  template_node_name_ = StrAt(pod_spec, {"nodeName"});
  AddDaemonPodTolerations(pod_spec);
  std::vector<std::string> errors;  // bad terms are dropped, as Kubernetes ignores them
  affinity_ = scheduler::RequiredNodeAffinity::Parse(pod_spec, &errors);
  tolerations_ = scheduler::ParseTolerations(pod_spec["tolerations"]);
}

DaemonPlacement::Fit DaemonPlacement::Check(const json& node) const {
  const std::string name = NameOf(node);
  if (!template_node_name_.empty() && template_node_name_ != name) return {false, false};
  if (!affinity_.Matches(LabelsOf(node), name)) return {false, false};
  const json* taints_json = At(node, {"spec", "taints"});
  const std::vector<scheduler::Taint> taints =
      scheduler::ParseTaints(taints_json ? *taints_json : json());
  if (!scheduler::FindUntoleratedTaint(taints, tolerations_, scheduler::IsDoNotScheduleTaint)) {
    return {true, true};
  }
  // Pods already there stay unless a NoExecute taint is not tolerated.
  const bool evicted =
      scheduler::FindUntoleratedTaint(taints, tolerations_, [](const scheduler::Taint& t) {
        return t.effect == "NoExecute";
      }) != nullptr;
  return {false, !evicted};
}

NodePlan PlanNode(const NodePlanInput& in, FailedPodBackoff& backoff) {
  NodePlan plan;
  const bool exists = in.pods != nullptr;
  if (in.fit.should_run && !exists) {
    plan.needs_pod = true;
    return plan;
  }
  if (in.fit.should_continue_running) {
    if (!exists) return plan;
    PodList running;
    for (const auto& pod : *in.pods) {
      if (IsBeingDeleted(*pod)) continue;
      const std::string phase = StrAt(*pod, {"status", "phase"});
      if (phase == "Failed") {
        // Kubelets that reject a pod fail it at once: back off before replacing it again.
        const std::string key = FailedPodBackoffKey(in.ds, in.node);
        if (backoff.InBackoffSinceUpdate(key, in.steady_now)) {
          plan.retry_after = backoff.Get(key);
          continue;
        }
        backoff.Next(key, in.steady_now);
        plan.failed.push_back(pod);
        plan.delete_pods.push_back(NameOf(*pod));
      } else if (phase == "Succeeded") {
        plan.succeeded.push_back(pod);
        plan.delete_pods.push_back(NameOf(*pod));
      } else {
        running.push_back(pod);
      }
    }
    if (!in.allows_surge) {
      // Without surge a node keeps only its oldest running pod.
      if (running.size() <= 1) return plan;
      SortDaemonPods(running);
      for (size_t i = 1; i < running.size(); ++i) plan.delete_pods.push_back(NameOf(*running[i]));
      return plan;
    }
    if (running.size() <= 1) {
      if (running.empty() && in.fit.should_run) plan.needs_pod = true;
      return plan;
    }
    // Surging: keep the oldest new pod, and the oldest old pod only while it is ready and the
    // new one is not yet available.
    client::ObjectPtr oldest_new, oldest_old;
    SortDaemonPods(running);
    for (const auto& pod : running) {
      if (LabelOf(*pod, kRevisionHashLabel) == in.hash) {
        if (!oldest_new) {
          oldest_new = pod;
          continue;
        }
      } else if (!oldest_old) {
        oldest_old = pod;
        continue;
      }
      plan.delete_pods.push_back(NameOf(*pod));
    }
    if (oldest_new && oldest_old) {
      if (!IsPodReady(*oldest_old) || IsPodAvailable(*oldest_new, MinReadySeconds(in.ds), in.now)) {
        plan.delete_pods.push_back(NameOf(*oldest_old));
      }
    }
    return plan;
  }
  if (exists) {
    // The node does not qualify any more: every daemon pod on it goes.
    for (const auto& pod : *in.pods) {
      if (!IsBeingDeleted(*pod)) plan.delete_pods.push_back(NameOf(*pod));
    }
  }
  return plan;
}

std::vector<std::string> UnscheduledPodsWithoutNode(const std::set<std::string>& nodes,
                                                    const NodeToPods& node_to_pods) {
  std::vector<std::string> out;
  for (const auto& [node, pods] : node_to_pods) {
    if (nodes.count(node)) continue;
    for (const auto& pod : pods) {
      if (StrAt(*pod, {"spec", "nodeName"}).empty()) out.push_back(NameOf(*pod));
    }
  }
  return out;
}

}  // namespace skiff::controllers::daemonset
