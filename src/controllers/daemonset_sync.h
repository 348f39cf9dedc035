// Internal to the DaemonSet controller: one sync pass over one DaemonSet (daemon_controller.go
// syncDaemonSet, manage, syncNodes, updateDaemonSetStatus; update.go rollingUpdate), and what
// the controller lends every pass. See daemonset_controller.h for the behaviour.
//
// A SyncPass is used once, on one worker thread; Env is shared by all passes and thread-safe
// (its parts are).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/daemonset_controller.h"
#include "controllers/daemonset_nodes.h"
#include "controllers/daemonset_util.h"
#include "skiff/apis/selector.h"

namespace skiff::controllers::daemonset {

// Deletions are tracked by pod key under their own expectations record (creations are counted
// under the DaemonSet's key), so both can be outstanding at once.
std::string DeletionsKey(const std::string& key);

struct Env {
  client::Client& client;
  client::Informer& daemonsets;
  client::Informer& histories;
  client::Informer& pods;
  client::Informer& nodes;
  events::EventRecorder& recorder;
  Expectations& expectations;
  FailedPodBackoff& failed_backoff;
  const DaemonSetControllerOptions& options;
  std::function<void(const std::string& key, std::chrono::milliseconds delay)> enqueue_after;

  // Nothing outstanding for the DaemonSet `key` (creations nor deletions).
  bool Satisfied(const std::string& key) const;
  // Forgets both records of `key`.
  void ForgetExpectations(const std::string& key);
};

class SyncPass {
 public:
  SyncPass(Env& env, std::string key, client::ObjectPtr ds);
  Status Run();

 private:
  // getDaemonPods: the namespace's pods claimed for the DaemonSet (adopting and releasing the
  // first time in a pass only).
  Result<PodList> ClaimPods();
  // getNodesToDaemonPods: claimed pods by the node they are for; terminal pods that are being
  // deleted are left out unless `include_deleted_terminal`.
  Result<NodeToPods> DaemonPods(bool include_deleted_terminal);
  Status Manage();
  Status RollingUpdate();
  Status CleanupHistory(const std::vector<client::ObjectPtr>& old);
  Status UpdateStatus(bool observe_generation);
  // syncNodes (daemonset_pods.cc): deletes `pods_to_delete`, creates a pod for each of
  // `nodes_needing`, at most burst_replicas of each.
  Status SyncNodes(const std::vector<std::string>& pods_to_delete,
                   const std::vector<std::string>& nodes_needing);
  Status CreatePods(const std::vector<std::string>& nodes, int count);
  Status DeletePods(const std::vector<std::string>& names, int count);

  Env& env_;
  const std::string key_;
  const client::ObjectPtr ds_ptr_;
  const json& ds_;
  const std::string ns_;
  apis::LabelSelector selector_;
  std::optional<DaemonPlacement> placement_;
  std::vector<client::ObjectPtr> nodes_;  // sorted by name
  std::string hash_;
  // The first claim of the pass: the pods it owns by uid, and the uids it released.
  std::optional<std::map<std::string, client::ObjectPtr>> claimed_;
  std::set<std::string> released_;
};

}  // namespace skiff::controllers::daemonset
