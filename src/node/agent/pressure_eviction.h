// Node-pressure eviction, as kubelet's eviction manager does it with hard thresholds: every
// `interval` (kubelet: 10 s) the eviction signals are read from the host and compared with the
// --eviction-hard thresholds; the conditions they make are recorded in PressureConditions.
// When a threshold is crossed (memory first, then the others in the order configured):
//   1. an EvictionThresholdMet event about the node ("Attempting to reclaim <resource>");
//   2. for a disk signal (nodefs/imagefs bytes or inodes), node-level disk is reclaimed first
//      (unused images: reclaim_disk), and when no threshold is crossed any more nothing is
//      evicted;
//   3. the node's pods that are neither finished nor being deleted are measured and ranked
//      (RankForEviction), and the first that is not critical (IsCriticalPod) is evicted with
//      kubelet's message (EvictionMessage). One pod per pass, and as kubelet waits for an
//      evicted pod to be cleaned up before its next pass, passes evict nothing while the last
//      pod evicted is still active (for at most kCleanupTimeout): the next eviction is judged
//      on what that one freed.
// The evict hook ends the pod at once (hard thresholds have no grace period; PodWorker gives
// kubelet's minimum) as Failed, reason Evicted, with a DisruptionTarget condition.
// Runs on its own thread; RunOnce is the loop's body.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host_facts.h"
#include "pressure_conditions.h"
#include "pressure_pods.h"
#include "skiff/apis/eviction_thresholds.h"
#include "skiff/common/periodic.h"

namespace skiff::node {

class NodePressureEviction {
 public:
  // kubelet's podCleanupTimeout.
  static constexpr std::chrono::seconds kCleanupTimeout{30};

  struct Hooks {
    // The host's signals now.
    std::function<HostFacts()> facts;
    // The pods of this node, as last seen from the API.
    std::function<std::vector<nlohmann::json>()> pods;
    // What a pod uses now of the resource being reclaimed.
    std::function<PodUsage(const nlohmann::json& pod, EvictionResource resource)> measure;
    // Frees node-level disk (kubelet: unused containers and images); may be empty.
    std::function<void()> reclaim_disk;
    // Evicts a pod: uid, message.
    std::function<void(const std::string& uid, const std::string& message)> evict;
    // Records an event about the node: reason, message. May be empty.
    std::function<void(const std::string& reason, const std::string& message)> node_event;
  };
  NodePressureEviction(apis::EvictionThresholds thresholds, PressureConditions& conditions,
                       Hooks hooks, std::chrono::milliseconds interval = std::chrono::seconds(10));
  ~NodePressureEviction();
  NodePressureEviction(const NodePressureEviction&) = delete;
  NodePressureEviction& operator=(const NodePressureEviction&) = delete;
  void Stop();
  // One pass; returns the uid of the pod it evicted, "" when none. One caller at a time.
  std::string RunOnce();

 private:
  // The active pods, measured for `resource` and ranked.
  std::vector<EvictionCandidate> Ranked(const std::vector<nlohmann::json>& pods,
                                        EvictionResource resource);
  // True while the pod evicted last is among `pods` and active, within kCleanupTimeout.
  bool AwaitingCleanup(const std::vector<nlohmann::json>& pods);

  const apis::EvictionThresholds thresholds_;
  PressureConditions& conditions_;
  const Hooks hooks_;
  std::string last_evicted_;  // uid; RunOnce's
  PressureConditions::Clock::time_point last_evicted_at_{};
  Periodic loop_;  // last: stopped first
};

}  // namespace skiff::node
