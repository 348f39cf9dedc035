#include "controllers/active_pods.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "api/object_util.h"

namespace skiff::controllers {
namespace {

using OptTime = std::optional<Clock::time_point>;

int PhaseOrdinal(const json& pod) {
  const std::string phase = api::GetString(pod, {"status", "phase"});
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;  // Pending, and whatever Kubernetes' map does not list
}

OptTime TimeAt(const json& obj, std::initializer_list<const char*> path) {
  Clock::time_point t;
  const std::string text = api::GetString(obj, path);
  if (text.empty() || !api::ParseRfc3339(text, &t)) return std::nullopt;
  return t;
}

// When the pod became ready (the Ready condition's lastTransitionTime), for ready pods.
OptTime ReadyTime(const json& pod) { return IsPodReady(pod) ? ReadySince(pod) : std::nullopt; }

// afterOrZero: a missing time counts as after any other.
bool AfterOrZero(const OptTime& t1, const OptTime& t2) {
  if (!t1 || !t2) return !t1;
  return *t1 > *t2;
}

int64_t LogRank(Clock::time_point t, Clock::time_point now) {
  const int64_t d = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
  return d > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(d))) : -1;
}

// Newer first in logarithmic buckets, then by uid; a missing time first.
bool NewerFirst(const json& a, const OptTime& ta, const json& b, const OptTime& tb,
                Clock::time_point now) {
  if (!ta || !tb) return AfterOrZero(ta, tb);
  const int64_t diff = LogRank(*ta, now) - LogRank(*tb, now);
  if (diff == 0) {
    return api::GetString(a, {"metadata", "uid"}) < api::GetString(b, {"metadata", "uid"});
  }
  return diff < 0;
}

int64_t RestartCount(const json& status) {
  auto it = status.find("restartCount");
  return it != status.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// The most restarts of one regular container, and of one restartable init container.
std::pair<int64_t, int64_t> MaxRestarts(const json& pod) {
  int64_t regular = 0;
  int64_t sidecar = 0;
  const json* statuses = api::Find(pod, {"status", "containerStatuses"});
  if (statuses && statuses->is_array()) {
    for (const json& s : *statuses) regular = std::max(regular, RestartCount(s));
  }
  std::set<std::string> sidecars;
  const json* inits = api::Find(pod, {"spec", "initContainers"});
  if (inits && inits->is_array()) {
    for (const json& c : *inits) {
      if (c.is_object() && c.value("restartPolicy", "") == "Always") {
        sidecars.insert(c.value("name", ""));
      }
    }
  }
  const json* init_statuses = api::Find(pod, {"status", "initContainerStatuses"});
  if (init_statuses && init_statuses->is_array()) {
    for (const json& s : *init_statuses) {
      if (s.is_object() && sidecars.count(s.value("name", ""))) {
        sidecar = std::max(sidecar, RestartCount(s));
      }
    }
  }
  return {regular, sidecar};
}

}  // namespace

int32_t PodDeletionCost(const json& pod) {
  const std::string text =
      api::GetString(pod, {"metadata", "annotations", kPodDeletionCostAnnotation});
  if (text.empty()) return 0;
  // Kubernetes refuses a leading '+' or leading zeros, then takes strconv.ParseInt(value, 10,
  // 32): an optional '-' and decimal digits, in int32 range.
  if (!(text[0] == '-' || text == "0" || (text[0] >= '1' && text[0] <= '9'))) return 0;
  size_t i = text[0] == '-' ? 1 : 0;
  if (i == text.size()) return 0;
  int64_t value = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return 0;
    value = value * 10 + (text[i] - '0');
    if (value > int64_t{1} << 31) return 0;
  }
  if (text[0] == '-') value = -value;
  if (value > INT32_MAX || value < INT32_MIN) return 0;
  return static_cast<int32_t>(value);
}

bool DeleteBefore(const json& a, int rank_a, const json& b, int rank_b, Clock::time_point now) {
  // 1. Unassigned before assigned.
  const std::string node_a = api::GetString(a, {"spec", "nodeName"});
  const std::string node_b = api::GetString(b, {"spec", "nodeName"});
  if (node_a != node_b && (node_a.empty() || node_b.empty())) return node_a.empty();
  // 2. Pending < Unknown < Running.
  if (PhaseOrdinal(a) != PhaseOrdinal(b)) return PhaseOrdinal(a) < PhaseOrdinal(b);
  // 3. Not ready before ready.
  const bool ready_a = IsPodReady(a);
  const bool ready_b = IsPodReady(b);
  if (ready_a != ready_b) return !ready_a;
  // 4. Lower deletion cost first.
  const int32_t cost_a = PodDeletionCost(a);
  const int32_t cost_b = PodDeletionCost(b);
  if (cost_a != cost_b) return cost_a < cost_b;
  // 5. Doubled up (more related pods on the node) first.
  if (rank_a != rank_b) return rank_a > rank_b;
  // 6. Ready for less time first.
  if (ready_a && ready_b) {
    const OptTime ta = ReadyTime(a);
    const OptTime tb = ReadyTime(b);
    if (ta != tb) return NewerFirst(a, ta, b, tb, now);
  }
  // 7. More container restarts first.
  const auto restarts_a = MaxRestarts(a);
  const auto restarts_b = MaxRestarts(b);
  if (restarts_a.first != restarts_b.first) return restarts_a.first > restarts_b.first;
  if (restarts_a.second != restarts_b.second) return restarts_a.second > restarts_b.second;
  // 8. Newer first.
  const OptTime ca = TimeAt(a, {"metadata", "creationTimestamp"});
  const OptTime cb = TimeAt(b, {"metadata", "creationTimestamp"});
  if (ca != cb) return NewerFirst(a, ca, b, cb, now);
  return false;
}

std::vector<client::ObjectPtr> PodsToDelete(const std::vector<client::ObjectPtr>& pods,
                                            const std::vector<client::ObjectPtr>& related,
                                            size_t count, Clock::time_point now) {
  if (count >= pods.size()) return pods;
  std::map<std::string, int> on_node;
  for (const auto& p : related) {
    if (IsPodActive(*p)) ++on_node[api::GetString(*p, {"spec", "nodeName"})];
  }
  struct Ranked {
    client::ObjectPtr pod;
    int rank;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(pods.size());
  for (const auto& p : pods) {
    ranked.push_back({p, on_node[api::GetString(*p, {"spec", "nodeName"})]});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [now](const Ranked& a, const Ranked& b) {
    return DeleteBefore(*a.pod, a.rank, *b.pod, b.rank, now);
  });
  std::vector<client::ObjectPtr> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(ranked[i].pod);
  return out;
}

}  // namespace skiff::controllers
