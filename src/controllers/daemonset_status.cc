// DaemonSet status (daemon_controller.go updateDaemonSetStatus, storeDaemonSetStatus).
#include "controllers/daemonset_status.h"

#include "controllers/daemonset_update.h"
#include "controllers/pod_util.h"

namespace skiff::controllers::daemonset {
namespace {

int32_t StatusCount(const json& ds, const char* field) {
  return static_cast<int32_t>(IntAt(ds, {"status", field}, 0));
}

// A count Kubernetes serializes with omitempty: null (removed by the merge patch) when 0.
json OmitZero(int32_t v) { return v == 0 ? json(nullptr) : json(v); }

}  // namespace

DaemonSetCounts CountDaemonPods(const json& ds, const std::vector<client::ObjectPtr>& nodes,
                                const DaemonPlacement& placement, const NodeToPods& node_to_pods,
                                const std::string& hash,
                                std::chrono::system_clock::time_point now) {
  DaemonSetCounts c;
  const int64_t min_ready = MinReadySeconds(ds);
  const std::optional<int64_t> generation = TemplateGeneration(ds);
  for (const auto& node : nodes) {
    const bool should_run = placement.Check(*node).should_run;
    auto it = node_to_pods.find(NameOf(*node));
    const bool scheduled = it != node_to_pods.end() && !it->second.empty();
    if (!should_run) {
      if (scheduled) ++c.misscheduled;
      continue;
    }
    ++c.desired;
    if (!scheduled) continue;
    ++c.current;
    PodList pods = it->second;
    SortDaemonPods(pods);
    const json& oldest = *pods.front();
    if (IsPodReady(oldest)) {
      ++c.ready;
      if (IsPodAvailable(oldest, min_ready, now)) ++c.available;
    }
    if (IsPodUpdated(oldest, hash, generation)) ++c.updated;
  }
  c.unavailable = c.desired - c.available;
  return c;
}

DaemonSetCounts CurrentCounts(const json& ds) {
  DaemonSetCounts c;
  c.desired = StatusCount(ds, "desiredNumberScheduled");
  c.current = StatusCount(ds, "currentNumberScheduled");
  c.misscheduled = StatusCount(ds, "numberMisscheduled");
  c.ready = StatusCount(ds, "numberReady");
  c.updated = StatusCount(ds, "updatedNumberScheduled");
  c.available = StatusCount(ds, "numberAvailable");
  c.unavailable = StatusCount(ds, "numberUnavailable");
  return c;
}

bool NeedsStatusWrite(const json& ds, const DaemonSetCounts& counts) {
  return CurrentCounts(ds) != counts ||
         IntAt(ds, {"status", "observedGeneration"}, 0) < IntAt(ds, {"metadata", "generation"}, 0);
}

json StatusPatch(const json& ds, const DaemonSetCounts& counts, bool observe_generation) {
  json status = {{"desiredNumberScheduled", counts.desired},
                 {"currentNumberScheduled", counts.current},
                 {"numberMisscheduled", counts.misscheduled},
                 {"numberReady", counts.ready},
                 {"updatedNumberScheduled", OmitZero(counts.updated)},
                 {"numberAvailable", OmitZero(counts.available)},
                 {"numberUnavailable", OmitZero(counts.unavailable)}};
  if (observe_generation) {
    status["observedGeneration"] = IntAt(ds, {"metadata", "generation"}, 0);
  }
  return {{"status", std::move(status)}};
}

}  // namespace skiff::controllers::daemonset
