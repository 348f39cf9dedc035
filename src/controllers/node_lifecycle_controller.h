// kube-controller-manager's node lifecycle controller: watches node heartbeats, marks nodes
// that stopped sending them Unknown, and keeps the node condition taints in line.
//
// Informers (from the factory): Nodes, Leases (those in kube-node-lease, one per node, named
// after it) and Pods (with the spec.nodeName index). Node and Lease changes enqueue the node;
// a pod bound to a node (added, or its nodeName changed) enqueues the pod; a node deletion and
// every monitor_period enqueue a pass over all nodes (kMonitorKey).
//
// For each node (node_health.h has the exact rules):
//   - Health: the node is heard from when its Ready condition's lastHeartbeatTime changes or its
//     Lease's renewTime moves on, at the controller's local time. Silent for longer than
//     grace_period (startup_grace_period from its creation if it never posted a Ready
//     condition), its Ready, MemoryPressure, DiskPressure and PIDPressure conditions become
//     Unknown (reason NodeStatusUnknown, "Kubelet stopped posting node status.", or
//     NodeStatusNeverUpdated, "Kubelet never posted node status."), written through the status
//     subresource. When the controller thus takes a node's Ready condition from True to
//     something else it records the Node event Normal NodeNotReady "Node <name> status is now:
//     NodeNotReady" and marks the node's pods not ready (MarkPodsNotReady: a pod's Ready
//     condition becomes False, keeping its reason and message, lastTransitionTime now; event
//     Warning NodeNotReady "Node is not ready" on the pod); a failure there is retried. A pod
//     bound later to a node whose Ready status is not True is marked the same way.
//   - NoSchedule taints (TaintNodesByCondition): Ready False -> node.kubernetes.io/not-ready,
//     Ready Unknown -> node.kubernetes.io/unreachable, MemoryPressure/DiskPressure/PIDPressure/
//     NetworkUnavailable True -> node.kubernetes.io/memory-pressure, disk-pressure,
//     pid-pressure, network-unavailable; spec.unschedulable -> node.kubernetes.io/unschedulable.
//     Other taints are left alone; added ones get timeAdded now.
//   - NoExecute taints (taint-based eviction): Ready False -> node.kubernetes.io/not-ready,
//     Ready Unknown -> node.kubernetes.io/unreachable (the two swap at once), Ready True ->
//     both removed. Adding one is paced per zone (zone_disruption.h: eviction_rate nodes per
//     second, slower or stopped in a disrupted zone); when every zone has no Ready node the
//     controller removes its NoExecute taints and adds none (Kubernetes' master disruption
//     mode), and on leaving that mode every node gets a fresh grace period.
//   - Events (source node-controller): RegisteredNode "Node <name> event: Registered Node
//     <name> in Controller" when the monitor first sees a node, RemovingNode "Node <name> event:
//     Removing Node <name> from Controller" when it is gone.
// The taints' effect on pods is the TaintEvictionController's business.
//
// Differences from Kubernetes: a node's NoExecute taint follows the Ready condition the
// controller has just computed (Kubernetes acts on the one it read, a monitor period later);
// nodes seen for the first time do not have their NoExecute taints removed (so a restart keeps
// their timeAdded); the node label reconciliation of beta OS/arch labels is not done.
//
// Errors: Sync returns the first failure (a status or taint write, marking pods); the loop
// retries with backoff. Before the informers have synced Sync is kUnavailable.
//
// Thread-safe; syncs are serialized (one at a time, whatever calls them). `client` and
// `informers` must outlive the controller. Handlers are registered by the constructor; the
// caller starts the informer factory, then calls Start(). Stop() (also the destructor) removes
// the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/node_health.h"
#include "controllers/node_util.h"
#include "controllers/zone_disruption.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct NodeLifecycleControllerOptions {
  // --node-monitor-period: how often every node is looked at.
  std::chrono::milliseconds monitor_period{std::chrono::seconds(5)};
  // --node-monitor-grace-period: 50 s since Kubernetes 1.32 (40 s before).
  std::chrono::milliseconds grace_period{std::chrono::seconds(50)};
  // --node-startup-grace-period: for a node that never posted a Ready condition.
  std::chrono::milliseconds startup_grace_period{std::chrono::seconds(60)};
  double eviction_rate = 0.1;              // --node-eviction-rate (nodes per second per zone)
  double secondary_eviction_rate = 0.01;   // --secondary-node-eviction-rate
  int large_cluster_size_threshold = 50;   // --large-cluster-size-threshold
  double unhealthy_zone_threshold = 0.55;  // --unhealthy-zone-threshold
  // The controller's clock (system_clock::now when empty); tests inject one.
  NowFn clock;
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class NodeLifecycleController {
 public:
  // The key of a pass over every node.
  static constexpr char kMonitorKey[] = "#monitor";

  NodeLifecycleController(client::Client& client, client::SharedInformerFactory& informers,
                          NodeLifecycleControllerOptions options = {});
  ~NodeLifecycleController();
  NodeLifecycleController(const NodeLifecycleController&) = delete;
  NodeLifecycleController& operator=(const NodeLifecycleController&) = delete;

  // Starts the worker and the monitor passes.
  void Start();
  void Stop();

  // One pass: kMonitorKey over every node; a node name over that node; "namespace/name" over a
  // pod bound to a node.
  Status Sync(const std::string& key);

  // Syncs finished by the worker since Start (for tests that wait for quiet).
  uint64_t syncs() const { return loop_.syncs(); }

 private:
  // A node after its health was judged.
  struct Judged {
    json node;  // the latest copy (as written, when the controller wrote its status)
    json observed_ready;
    json current_ready;
  };

  std::chrono::system_clock::time_point Now() const;
  Status MonitorAll(std::chrono::system_clock::time_point now);
  Status SyncNode(const std::string& name, std::chrono::system_clock::time_point now);
  Status SyncPod(const std::string& key, std::chrono::system_clock::time_point now);

  // tryUpdateNodeHealth with its write, re-reading the node on conflicts.
  Result<Judged> JudgeNode(const json& node, std::chrono::system_clock::time_point now);
  // Taint-based eviction, pods and NoSchedule taints of a judged node.
  Status ActOnNode(Judged judged, std::chrono::system_clock::time_point now);

  // node_lifecycle_taints.cc
  // Each takes the caller's latest copy of the node and leaves the written one in it.
  Status NoScheduleTaintPass(json& node, std::chrono::system_clock::time_point now);
  Status ProcessTaintBasedEviction(json& node, const std::string& ready,
                                   std::chrono::system_clock::time_point now);
  Status MarkNodeAsReachable(json& node, std::chrono::system_clock::time_point now);
  void HandleDisruption(std::chrono::system_clock::time_point now);
  void SetZoneLimiter(const std::string& zone, int zone_size, ZoneState state,
                      std::chrono::system_clock::time_point now);
  TokenBucket& ZoneTainter(const std::string& zone, std::chrono::system_clock::time_point now);

  // node_lifecycle_pods.cc
  Status MarkPodsNotReady(const std::vector<client::ObjectPtr>& pods, const std::string& node,
                          std::chrono::system_clock::time_point now);

  client::Client& client_;
  client::Informer& node_informer_;
  client::Informer& lease_informer_;
  client::Informer& pod_informer_;
  const NodeLifecycleControllerOptions options_;
  events::EventRecorder recorder_;

  std::mutex pass_mu_;  // serializes syncs; guards everything down to loop_
  NodeHealthTracker health_;
  std::map<std::string, std::string> known_nodes_;  // name -> uid, as the monitor last saw
  std::set<std::string> nodes_to_retry_;            // MarkPodsNotReady failed
  std::map<std::string, ZoneState> zone_states_;
  std::map<std::string, TokenBucket> zone_tainters_;

  ControllerLoop loop_;
  std::mutex mu_;  // guards stopped_
  bool stopped_ = false;
  client::HandlerId node_handler_ = 0;
  client::HandlerId lease_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
};

}  // namespace skiff::controllers
