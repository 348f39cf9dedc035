// The StatefulSet sync's decisions: creation and repair of replicas, scale-down, and the
// rolling update with its partition (see statefulset_update.h).
#include "controllers/statefulset_update.h"

#include <algorithm>
#include <cmath>

#include "api/object_util.h"

namespace skiff::controllers::statefulset {
namespace {

using client::ObjectPtr;

// newVersionedStatefulSetPod: ordinals below start + partition are created at the current
// revision (under RollingUpdate without a rollingUpdate block: below start + currentReplicas).
json NewVersionedPod(const json& set, const Revisions& revs, int ordinal) {
  const json& current = revs.current_set;
  const json* rolling = api::Find(current, {"spec", "updateStrategy", "rollingUpdate"});
  const bool has_rolling = rolling && rolling->is_object();
  const int start = StartOrdinal(current);
  bool at_current = false;
  if (IsRollingUpdate(current) && !has_rolling) {
    const json* cur = api::Find(set, {"status", "currentReplicas"});
    at_current = ordinal < start + (cur && cur->is_number_integer() ? cur->get<int>() : 0);
  } else if (has_rolling) {
    const json* partition = api::Find(*rolling, {"partition"});
    at_current =
        ordinal < start + (partition && partition->is_number_integer() ? partition->get<int>() : 0);
  }
  return at_current ? NewStatefulSetPod(revs.current_set, ordinal, revs.current_name)
                    : NewStatefulSetPod(revs.update_set, ordinal, revs.update_name);
}

// getStatefulSetMaxUnavailable: rollingUpdate.maxUnavailable (int, or "N%" of replicas rounded
// down), default 1, at least 1.
int MaxUnavailable(const json& set, int replicas) {
  const json* v = api::Find(set, {"spec", "updateStrategy", "rollingUpdate", "maxUnavailable"});
  int n = 1;
  if (v && v->is_number_integer()) {
    n = v->get<int>();
  } else if (v && v->is_string()) {
    const std::string s = v->get<std::string>();
    if (!s.empty() && s.back() == '%') {
      try {
        n = static_cast<int>(std::floor(std::stod(s.substr(0, s.size() - 1)) * replicas / 100.0));
      } catch (...) {
        n = 1;
      }
    }
  }
  return std::max(n, 1);
}

int Partition(const json& set) {
  const json* p = api::Find(set, {"spec", "updateStrategy", "rollingUpdate", "partition"});
  return p && p->is_number_integer() ? p->get<int>() : 0;
}

struct Planner {
  const json& set;
  const Revisions& revs;
  const ClaimLookup& claims;
  Clock::time_point now;
  int32_t min_ready;
  Plan& plan;

  void Add(std::vector<Step>& group, StepKind kind, const json& pod) {
    group.push_back(Step{kind, pod});
  }

  // processReplica; true when a monotonic sync must stop here.
  bool Replica(const json& pod, bool created) {
    const bool monotonic = plan.monotonic;
    if (created && (IsFailed(pod) || IsSucceeded(pod))) {
      if (!IsTerminating(pod)) Add(plan.replicas, StepKind::kDeletePod, pod);
      return true;
    }
    if (!created) {
      if (PodClaimIsStale(set, pod, claims)) return true;
      Add(plan.replicas, StepKind::kCreatePod, pod);
      return monotonic;
    }
    bool claims_fixed = false;
    if (IsPending(pod) &&
        (!ClaimsExist(set, pod, claims) || !ClaimsMatchRetentionPolicy(set, pod, claims))) {
      Add(plan.replicas, StepKind::kEnsureClaims, pod);
      claims_fixed = true;
    }
    if (monotonic && (IsTerminating(pod) || !IsRunningAndReady(pod) ||
                      !IsRunningAndAvailable(pod, min_ready, now))) {
      return true;
    }
    const bool retention_ok =
        claims_fixed || ClaimsMatchRetentionPolicy(revs.update_set, pod, claims);
    if (IdentityMatches(set, pod) && StorageMatches(set, pod) && retention_ok) return false;
    Add(plan.replicas, StepKind::kUpdatePod, pod);
    return false;
  }

  // processCondemned; true when a monotonic sync must stop here.
  bool Condemned(const json& pod, const json* first_unavailable) {
    const bool monotonic = plan.monotonic;
    if (IsTerminating(pod)) return monotonic;
    if (monotonic && &pod != first_unavailable &&
        (!IsRunningAndReady(pod) || !IsRunningAndAvailable(pod, min_ready, now))) {
      return true;
    }
    Add(plan.condemned, StepKind::kDeletePod, pod);
    return monotonic;
  }
};

}  // namespace

Plan PlanSync(const json& set, const Revisions& revs, const std::vector<ObjectPtr>& pods,
              const ClaimLookup& claims, Clock::time_point now) {
  Plan plan;
  plan.monotonic = !AllowsBurst(set);
  const int32_t min_ready = MinReadySeconds(set);
  const int start = StartOrdinal(set);
  const int count = std::max(0, SpecReplicas(set));

  // Partition the pods into replicas (by ordinal) and condemned (highest ordinal first).
  std::vector<ObjectPtr> replicas(count);
  std::vector<bool> created(count, true);
  std::vector<ObjectPtr> condemned;
  for (const auto& pod : pods) {
    if (InOrdinalRange(set, *pod)) {
      replicas[OrdinalOf(*pod) - start] = pod;
    } else if (OrdinalOf(*pod) >= 0) {
      condemned.push_back(pod);
    }
  }
  std::stable_sort(condemned.begin(), condemned.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    return OrdinalOf(*a) > OrdinalOf(*b);
  });
  std::vector<ObjectPtr> existing;
  for (int i = 0; i < count; ++i) {
    if (replicas[i]) {
      existing.push_back(replicas[i]);
      continue;
    }
    replicas[i] = std::make_shared<const json>(NewVersionedPod(set, revs, start + i));
    created[i] = false;
  }
  existing.insert(existing.end(), condemned.begin(), condemned.end());
  plan.status = ComputeStatus(set, revs, existing, now);

  // The first unavailable pod: the lowest replica, else the lowest condemned one.
  const json* first_unavailable = nullptr;
  for (const auto& pod : replicas) {
    if (IsUnavailable(*pod, min_ready, now)) {
      first_unavailable = pod.get();
      break;
    }
  }
  for (auto it = condemned.rbegin(); !first_unavailable && it != condemned.rend(); ++it) {
    if (IsUnavailable(**it, min_ready, now)) first_unavailable = it->get();
  }

  if (IsBeingDeleted(set)) return plan;  // only the status

  Planner p{set, revs, claims, now, min_ready, plan};
  for (int i = 0; i < count; ++i) {
    if (p.Replica(*replicas[i], created[i]) && plan.monotonic) return plan;
  }
  for (const auto& pod : condemned) {
    if (!ClaimsMatchRetentionPolicy(revs.update_set, *pod, claims)) {
      plan.condemned_claims.push_back(Step{StepKind::kFixClaims, *pod});
    }
  }
  for (const auto& pod : condemned) {
    if (p.Condemned(*pod, first_unavailable)) return plan;
  }
  if (IsOnDelete(set)) return plan;  // pods are replaced when the user deletes them

  const int max_unavailable = MaxUnavailable(set, count);
  int unavailable = 0;
  for (const auto& pod : replicas) {
    if (IsUnavailable(*pod, min_ready, now)) ++unavailable;
  }
  if (unavailable > max_unavailable) return plan;
  const int to_delete = max_unavailable - unavailable;
  int planned = 0;
  for (int target = count - 1; target >= Partition(set) && planned < to_delete; --target) {
    const json& pod = *replicas[target];
    if (created[target] && PodRevision(pod) != revs.update_name && !IsTerminating(pod)) {
      plan.updates.push_back(Step{StepKind::kDeletePod, pod});
      ++planned;
    }
  }
  return plan;
}

}  // namespace skiff::controllers::statefulset
