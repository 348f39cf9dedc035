// What the node lifecycle controller remembers about each node's heartbeats, and its verdict
// on a node (kube-controller-manager's nodeHealthMap and tryUpdateNodeHealth).
//
// A node is heard from when its Ready condition's lastHeartbeatTime changes (the node status
// heartbeat) or its Lease's renewTime moves forward (the cheap heartbeat, kube-node-lease).
// What counts is the LOCAL time at which the controller saw the change (the probe time), never
// the timestamps themselves, so clock skew between nodes and controller does not matter. A node
// not heard from for longer than the grace period (the startup grace period, measured from its
// creationTimestamp, when it never posted a Ready condition) gets its Ready, MemoryPressure,
// DiskPressure and PIDPressure conditions set to Unknown:
//   - a condition the node has: reason NodeStatusUnknown, message "Kubelet stopped posting node
//     status.", lastTransitionTime now (unless it is Unknown already);
//   - a condition it never posted: reason NodeStatusNeverUpdated, message "Kubelet never posted
//     node status.", lastHeartbeatTime its creationTimestamp, lastTransitionTime now.
// The node status is written only when its Ready condition changed.
//
// One difference from Kubernetes: the last Lease seen is kept when a status heartbeat arrives
// (Kubernetes forgets it then and so takes the unchanged Lease as one more heartbeat on its
// next pass).
//
// Not thread-safe: the controller serializes its use.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

namespace skiff::controllers {

using nlohmann::json;

// The verdict on one node at one time.
struct NodeHealthVerdict {
  // The Ready condition as read: a {Ready, Unknown} one with the creationTimestamp as heartbeat
  // and transition times when the node has none.
  json observed_ready;
  // The Ready condition after the verdict; null when the node has none and is still within its
  // startup grace period.
  json current_ready;
  // The node with its conditions set Unknown, when `write`; else as read.
  json node;
  // node.status must be written (its Ready condition changed).
  bool write = false;
};

class NodeHealthTracker {
 public:
  using Time = std::chrono::system_clock::time_point;

  NodeHealthTracker(std::chrono::milliseconds grace_period,
                    std::chrono::milliseconds startup_grace_period)
      : grace_(grace_period), startup_grace_(startup_grace_period) {}

  // Records what `node` and its `lease` (nullptr: none) show at `now` and judges the node.
  NodeHealthVerdict Observe(const json& node, const json* lease, Time now);
  // The verdict's node status was written.
  void Written(const NodeHealthVerdict& verdict);
  // Forgets a node that is gone.
  void Forget(const std::string& name);
  // The node's Ready status as last observed or written ("" when it has no Ready condition);
  // nullopt for a node never observed.
  std::optional<std::string> ReadyStatus(const std::string& name) const;
  // Every node counts as heard from at `now` (leaving the cluster-wide disruption mode).
  void ResetProbes(Time now);

 private:
  struct Health {
    Time probe;                       // local time of the last heartbeat seen
    json ready;                       // the Ready condition last seen or written (null: none)
    std::optional<Time> lease_renew;  // renewTime of the last Lease seen
  };

  const std::chrono::milliseconds grace_;
  const std::chrono::milliseconds startup_grace_;
  std::unordered_map<std::string, Health> health_;
};

}  // namespace skiff::controllers
