// Rolling updates of DaemonSets (daemon/update.go rollingUpdate, updatedDesiredNodeCounts,
// findUpdatedPodsOnNode; daemon/util UnavailableCount, SurgeCount, AllowsSurge, IsPodUpdated).
#include "controllers/daemonset_update.h"

#include <algorithm>
#include <charconv>

#include "controllers/pod_util.h"

namespace skiff::controllers::daemonset {
namespace {

const json* RollingUpdateMember(const json& ds, const char* member) {
  if (UpdateStrategyType(ds) != "RollingUpdate") return nullptr;
  return At(ds, {"spec", "updateStrategy", "rollingUpdate", member});
}

bool HasRollingUpdate(const json& ds) {
  return UpdateStrategyType(ds) == "RollingUpdate" &&
         At(ds, {"spec", "updateStrategy", "rollingUpdate"}) != nullptr;
}

}  // namespace

Result<int> ScaledIntOrPercent(const json* value, int total, bool round_up) {
  if (!value) return InvalidArgumentError("nil value for IntOrString");
  if (value->is_number_integer()) return static_cast<int>(value->get<int64_t>());
  if (!value->is_string()) {
    return InvalidArgumentError("invalid type: neither int nor percentage");
  }
  const std::string& s = value->get_ref<const std::string&>();
  if (s.empty() || s.back() != '%') {
    return InvalidArgumentError("invalid type: string is not a percentage");
  }
  int percent = 0;
  const char* end = s.data() + s.size() - 1;
  auto [ptr, ec] = std::from_chars(s.data(), end, percent);
  if (ec != std::errc() || ptr != end || s.size() == 1) {
    return InvalidArgumentError("invalid value for IntOrString: invalid value \"" + s +
                                "\": strconv.Atoi: parsing \"" + s.substr(0, s.size() - 1) +
                                "\": invalid syntax");
  }
  // math.Ceil / math.Floor of percent * total / 100 (C++ division truncates towards zero).
  const int64_t scaled = static_cast<int64_t>(percent) * total;
  const int64_t down = scaled >= 0 ? scaled / 100 : -((-scaled + 99) / 100);
  const int64_t up = scaled >= 0 ? (scaled + 99) / 100 : scaled / 100;
  return static_cast<int>(round_up ? up : down);
}

Result<int> UnavailableCount(const json& ds, int desired) {
  if (!HasRollingUpdate(ds)) return 0;
  return ScaledIntOrPercent(RollingUpdateMember(ds, "maxUnavailable"), desired, true);
}

Result<int> SurgeCount(const json& ds, int desired) {
  if (!HasRollingUpdate(ds)) return 0;
  return ScaledIntOrPercent(RollingUpdateMember(ds, "maxSurge"), desired, true);
}

bool AllowsSurge(const json& ds) {
  auto surge = SurgeCount(ds, 1);
  return surge.ok() && *surge != 0;
}

bool IsPodUpdated(const json& pod, const std::string& hash, std::optional<int64_t> generation) {
  const bool template_matches =
      generation && LabelOf(pod, kTemplateGenerationLabel) == std::to_string(*generation);
  const bool hash_matches = !hash.empty() && LabelOf(pod, kRevisionHashLabel) == hash;
  return hash_matches || template_matches;
}

UpdatedPods FindUpdatedPodsOnNode(const PodList& pods, const std::string& hash,
                                  std::optional<int64_t> generation) {
  UpdatedPods out;
  for (const auto& pod : pods) {
    if (IsBeingDeleted(*pod)) continue;
    client::ObjectPtr& slot = IsPodUpdated(*pod, hash, generation) ? out.new_pod : out.old_pod;
    if (slot) return UpdatedPods{nullptr, nullptr, false};
    slot = pod;
  }
  return out;
}

Result<RollingUpdatePlan> PlanRollingUpdate(RollingUpdateInput in) {
  // updatedDesiredNodeCounts: every node that should run a pod takes part, even without one.
  std::map<std::string, const json*> node_by_name;
  int desired = 0;
  for (const auto& node : in.nodes) {
    node_by_name[NameOf(*node)] = node.get();
    if (!in.placement.Check(*node).should_run) continue;
    ++desired;
    in.node_to_pods.try_emplace(NameOf(*node));
  }
  auto max_unavailable = UnavailableCount(in.ds, desired);
  if (!max_unavailable.ok()) {
    return InvalidArgumentError("invalid value for MaxUnavailable: " +
                                max_unavailable.status().message());
  }
  auto max_surge = SurgeCount(in.ds, desired);
  if (!max_surge.ok()) {
    return InvalidArgumentError("invalid value for MaxSurge: " + max_surge.status().message());
  }
  int unavailable_budget = *max_unavailable;
  const int surge_budget = *max_surge;
  // An impossible configuration (the API does not allow it) falls back to one unavailable.
  if (desired > 0 && unavailable_budget == 0 && surge_budget == 0) unavailable_budget = 1;

  const std::optional<int64_t> generation = TemplateGeneration(in.ds);
  const int64_t min_ready = MinReadySeconds(in.ds);
  auto available = [&](const client::ObjectPtr& pod) {
    return IsPodAvailable(*pod, min_ready, in.now);
  };
  RollingUpdatePlan plan;

  if (surge_budget == 0) {
    // Delete just enough old pods to stay within maxUnavailable; the core loop recreates them.
    int num_unavailable = 0;
    std::vector<std::string> replacements, candidates;
    for (const auto& [node, pods] : in.node_to_pods) {
      UpdatedPods found = FindUpdatedPodsOnNode(pods, in.hash, generation);
      if (!found.ok) {
        ++num_unavailable;  // the core loop prunes this node first
        continue;
      }
      if (!found.old_pod) {
        // No pod yet (the core loop creates one), or an up-to-date one that may not be ready.
        if (!found.new_pod || !available(found.new_pod)) ++num_unavailable;
      } else if (found.new_pod) {
        ++num_unavailable;  // the core loop removes one of the two
      } else if (!available(found.old_pod)) {
        replacements.push_back(NameOf(*found.old_pod));
        ++num_unavailable;
      } else if (num_unavailable < unavailable_budget) {
        candidates.push_back(NameOf(*found.old_pod));
      }
    }
    const int remaining =
        std::clamp(unavailable_budget - num_unavailable, 0, static_cast<int>(candidates.size()));
    plan.delete_pods = std::move(replacements);
    plan.delete_pods.insert(plan.delete_pods.end(), candidates.begin(),
                            candidates.begin() + remaining);
    return plan;
  }

  // Surging: start new pods next to old ones, delete the old ones once the new are available.
  std::vector<std::string> should_not_run_deletions, candidate_nodes, allowed_nodes;
  int num_surge = 0;
  int num_available = 0;
  auto should_run = [&](const std::string& node) -> Result<bool> {
    auto it = node_by_name.find(node);
    if (it == node_by_name.end()) {
      return NotFoundError("couldn't get node for nodeName \"" + node + "\": node \"" + node +
                           "\" not found");
    }
    return in.placement.Check(*it->second).should_run;
  };
  for (const auto& [node, pods] : in.node_to_pods) {
    UpdatedPods found = FindUpdatedPodsOnNode(pods, in.hash, generation);
    if (!found.ok) {
      ++num_surge;  // the core loop prunes this node first
      continue;
    }
    if (found.old_pod ? available(found.old_pod) : (found.new_pod && available(found.new_pod))) {
      ++num_available;
    }
    if (!found.old_pod) continue;  // nothing to replace; the core loop creates a missing pod
    if (!found.new_pod) {
      auto run = should_run(node);
      if (!run.ok()) return run.status();
      if (!available(found.old_pod)) {
        if (!*run) {
          plan.delete_pods.push_back(NameOf(*found.old_pod));
        } else {
          allowed_nodes.push_back(node);
        }
        continue;
      }
      if (!*run) {
        should_not_run_deletions.push_back(NameOf(*found.old_pod));
        continue;
      }
      if (num_surge >= surge_budget) continue;
      candidate_nodes.push_back(node);
      continue;
    }
    if (!available(found.new_pod)) {
      ++num_surge;  // waiting for the new pod
      continue;
    }
    plan.delete_pods.push_back(NameOf(*found.old_pod));
  }
  // Pods on nodes that no longer qualify go only as pods elsewhere become available.
  if (int deletable = num_available - desired; deletable > 0) {
    deletable = std::min(deletable, static_cast<int>(should_not_run_deletions.size()));
    plan.delete_pods.insert(plan.delete_pods.end(), should_not_run_deletions.begin(),
                            should_not_run_deletions.begin() + deletable);
  }
  const int remaining =
      std::clamp(surge_budget - num_surge, 0, static_cast<int>(candidate_nodes.size()));
  plan.create_on_nodes = std::move(allowed_nodes);
  plan.create_on_nodes.insert(plan.create_on_nodes.end(), candidate_nodes.begin(),
                              candidate_nodes.begin() + remaining);
  return plan;
}

}  // namespace skiff::controllers::daemonset
