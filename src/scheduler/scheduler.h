// The in-process scheduler: kube-scheduler's loop around the decisions of decide.h.
//
// - It follows Nodes and Pods through shared informers. Bound pods (spec.nodeName set, not
//   Succeeded or Failed) are counted on their node (NodeInfo). Pending pods whose
//   spec.schedulerName is ours, with no scheduling gates and not being deleted, wait in a
//   SchedulingQueue.
// - One thread takes pods in priority order and decides on the current nodes. The chosen node
//   is assumed at once (the pod counts there before its binding is written, so the next
//   decision sees it) and the binding is POSTed by a pool of binder threads. A failed binding
//   forgets the assumption and retries the pod with backoff; the informer's view of the bound
//   pod replaces the assumption.
// - A pod no node fits gets PodScheduled=False (reason Unschedulable, kube-scheduler's
//   message) and a FailedScheduling event, and waits until nodes or pods change (or 5
//   minutes). A bound pod gets a Scheduled event, as kube-scheduler records them.
// - Preemption (kube-scheduler 1.32's DefaultPreemption, see preemption.h): when evicting
//   lower-priority pods lets the pod fit, the victims get the condition DisruptionTarget
//   (PreemptionByScheduler) and a Preempted event and are deleted with their grace period; the
//   pod gets status.nominatedNodeName, which holds the space for it against pods of lower
//   priority until it is bound there (lower-priority pods nominated to that node lose their
//   nomination). PodDisruptionBudgets steer the choice of victims.
// - Volumes (VolumeBinding, see volume_binding.h): claims are read from PVC, PV and
//   StorageClass informers. Before binding a pod with unbound WaitForFirstConsumer claims, a
//   binder thread pre-binds the chosen static volumes or annotates the claims with the node
//   (for their provisioner) and waits until the PersistentVolume controller has bound every
//   claim (at most 10 minutes, as kube's bindTimeoutSeconds); a claim that goes away or loses
//   its selected node fails the attempt, and the pod is retried with backoff.
// Start/Stop from one thread; everything else runs on the scheduler's own threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "events/event_recorder.h"
#include "scheduler/decide.h"
#include "scheduler/node_info.h"
#include "scheduler/scheduling_queue.h"
#include "skiff/client/informer.h"

namespace skiff::scheduler {

struct SchedulerOptions {
  std::string scheduler_name = "default-scheduler";
  ScoreConfig scores;  // MostAllocated (binpacking) by default
  int bind_workers = 8;
  QueueOptions queue;
};

class Scheduler {
 public:
  // `client`, `informers` and `events` must outlive the scheduler. Handlers are registered on
  // the Pods and Nodes informers here; start the factory after constructing.
  Scheduler(client::Client& client, client::SharedInformerFactory& informers,
            events::EventRecorder& events, SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  void Stop();

  // Pods bound by this scheduler since it started (for tests and benchmarks).
  uint64_t bound() const { return bound_.load(); }

 private:
  void OnPod(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  void OnPodDeleted(const client::ObjectPtr& pod);
  void OnNode(const client::ObjectPtr& old_node, const client::ObjectPtr& node);
  void OnNodeDeleted(const client::ObjectPtr& node);
  // Counts a bound pod on `node` (moving it from another node if needed). Caller holds mu_.
  void PlaceLocked(const std::string& uid, const std::string& node, const nlohmann::json& pod);
  // Stops counting a pod; true when it was counted. Caller holds mu_.
  bool UnplaceLocked(const std::string& uid);

  void Loop();
  void ScheduleOne(QueuedPod q);
  void Bind(QueuedPod q, std::string node, std::vector<VolumeAction> volumes);
  // `nominate`: the node to write into status.nominatedNodeName, "" to clear it, nullopt to
  // leave it.
  // Writes the volume actions and waits for the claims to be bound.
  Status PreBindVolumes(const nlohmann::json& pod, const std::string& node,
                        const std::vector<VolumeAction>& actions);
  VolumeListers Listers();
  void OnVolumeObjectChanged();
  // A PersistentVolume seen by the cache: no longer assumed once it shows its claim.
  void OnVolumeSeen(const nlohmann::json& volume, bool deleted);
  void Unschedulable(QueuedPod q, const std::string& message,
                     const std::optional<std::string>& nominate);
  // Marks and deletes the victims of a preemption by `pod`.
  void Evict(const nlohmann::json& pod, const PreemptionCandidate& preemption);
  // Removes status.nominatedNodeName from these pods (namespace, name).
  void ClearNominations(const std::vector<std::pair<std::string, std::string>>& pods);
  // nominated_ bookkeeping. Caller holds mu_.
  void NominateLocked(const std::string& uid, const std::string& node,
                      std::shared_ptr<const PodInfo> pod);
  void UnnominateLocked(const std::string& uid);
  void OnBudgetsChanged();
  void RunBinder();

  client::Client& client_;
  events::EventRecorder& events_;
  const SchedulerOptions options_;
  SchedulingQueue queue_;

  std::mutex mu_;                                         // guards nodes_, placed_, assumed_
  std::map<std::string, NodeInfo> nodes_;                 // by node name
  std::unordered_map<std::string, std::string> placed_;   // pod uid -> node it counts on
  std::unordered_map<std::string, std::string> assumed_;  // pod uid -> node, binding pending
  NominatedPods nominated_;                               // pending pods nominated, by node
  std::unordered_map<std::string, std::string> nominated_node_;  // pod uid -> nominated node
  std::vector<DisruptionBudget> budgets_;
  client::Informer& pods_;
  client::Informer& budget_informer_;
  client::Informer& claims_;
  client::Informer& volumes_;
  client::Informer& classes_;
  std::set<std::string> assumed_volumes_;  // pre-bound by a decision, cache not updated yet
  std::mutex volume_mu_;                   // with volume_cv_
  std::condition_variable volume_cv_;      // claims or volumes changed

  std::mutex bind_mu_;  // guards binds_, stopping_
  std::condition_variable bind_cv_;
  std::deque<std::function<void()>> binds_;
  bool stopping_ = false;

  std::atomic<uint64_t> bound_{0};
  uint64_t rotation_ = 0;  // tie-breaking among equal scores; the scheduling thread's
  std::thread loop_;
  std::vector<std::thread> binders_;
  bool started_ = false;
};

}  // namespace skiff::scheduler
