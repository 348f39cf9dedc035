#include "pressure_eviction.h"

#include <utility>

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace {

using nlohmann::json;

// Neither finished nor on its way out: what kubelet calls an active pod.
bool Active(const json& pod) {
  const std::string phase = api::GetString(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" &&
         api::GetString(pod, {"metadata", "deletionTimestamp"}).empty();
}

std::string PodKey(const json& pod) {
  return api::GetString(pod, {"metadata", "namespace"}) + "/" +
         api::GetString(pod, {"metadata", "name"});
}

}  // namespace

NodePressureEviction::NodePressureEviction(apis::EvictionThresholds thresholds,
                                           PressureConditions& conditions, Hooks hooks,
                                           std::chrono::milliseconds interval)
    : thresholds_(std::move(thresholds)), conditions_(conditions), hooks_(std::move(hooks)) {
  loop_.Start(interval, [this] { RunOnce(); });
}

NodePressureEviction::~NodePressureEviction() { Stop(); }

void NodePressureEviction::Stop() { loop_.Stop(); }

std::string NodePressureEviction::RunOnce() {
  const std::vector<ThresholdMet> met = ThresholdsMet(thresholds_, hooks_.facts());
  conditions_.Observe(PressureFrom(met), PressureConditions::Clock::now());
  if (met.empty()) return "";
  const std::vector<json> pods = hooks_.pods();
  if (AwaitingCleanup(pods)) return "";
  const ThresholdMet& crossed = met.front();
  const EvictionResource resource = ResourceOf(crossed.threshold.signal);
  const std::string name = ResourceName(resource);
  log::Info("agent", "the node is low on a resource",
            {{"resource", name},
             {"threshold", std::to_string(crossed.amount)},
             {"available", std::to_string(crossed.observed.available)}});
  if (hooks_.node_event) hooks_.node_event("EvictionThresholdMet", "Attempting to reclaim " + name);
  if ((resource == EvictionResource::kEphemeralStorage || resource == EvictionResource::kInodes) &&
      hooks_.reclaim_disk) {
    hooks_.reclaim_disk();
    if (ThresholdsMet(thresholds_, hooks_.facts()).empty()) {
      log::Info("agent", "reclaimed node resources without evicting pods", {{"resource", name}});
      return "";
    }
  }
  for (const EvictionCandidate& c : Ranked(pods, resource)) {
    if (IsCriticalPod(c.pod)) {
      log::Warning("agent", "cannot evict a critical pod", {{"pod", PodKey(c.pod)}});
      continue;
    }
    const std::string message = EvictionMessage(crossed, c.pod, c.usage);
    log::Info("agent", "evicting a pod to reclaim a resource",
              {{"pod", PodKey(c.pod)}, {"resource", name}, {"reason", message}});
    const std::string uid = api::GetString(c.pod, {"metadata", "uid"});
    hooks_.evict(uid, message);
    last_evicted_ = uid;
    last_evicted_at_ = PressureConditions::Clock::now();
    return uid;
  }
  log::Warning("agent", "the node is low on a resource and no pod can be evicted",
               {{"resource", name}});
  return "";
}

std::vector<EvictionCandidate> NodePressureEviction::Ranked(const std::vector<json>& pods,
                                                            EvictionResource resource) {
  std::vector<EvictionCandidate> candidates;
  for (const json& pod : pods) {
    if (Active(pod)) candidates.push_back({pod, hooks_.measure(pod, resource)});
  }
  RankForEviction(resource, candidates);
  return candidates;
}

bool NodePressureEviction::AwaitingCleanup(const std::vector<json>& pods) {
  if (last_evicted_.empty()) return false;
  if (PressureConditions::Clock::now() - last_evicted_at_ < kCleanupTimeout) {
    for (const json& pod : pods) {
      if (api::GetString(pod, {"metadata", "uid"}) == last_evicted_ && Active(pod)) {
        log::Info("agent", "waiting for the evicted pod to be cleaned up", {{"pod", PodKey(pod)}});
        return true;
      }
    }
  }
  last_evicted_.clear();
  return false;
}

}  // namespace skiff::node
