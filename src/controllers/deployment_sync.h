// One sync of one Deployment (kube-controller-manager's syncDeployment and what it calls), split
// over files named for their part: deployment_sync.cc (dispatch, claiming, writes),
// deployment_new_rs.cc (finding or creating the new ReplicaSet), deployment_rolling.cc,
// deployment_recreate.cc, deployment_scale.cc (proportional scaling, paused deployments),
// deployment_progress.cc (status and conditions), deployment_history.cc (old revisions).
//
// Private to the Deployment controller. A DeploymentSync lives for one pass on one worker
// thread; it reads the informers' caches and writes through the Client. It works on its own
// copy of the Deployment, which it keeps current after each of its own writes (status,
// revision annotation, collisionCount), and reads the ReplicaSets it wrote as its writes
// returned them, so that one pass does not conflict with itself.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controllers/deployment_util.h"
#include "events/event_recorder.h"
#include "skiff/apis/selector.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers::deployment {

// The informer index both the Pod and ReplicaSet informers get (client::IndexByControllerUid).
inline constexpr char kControllerUidIndex[] = "controller-uid";

// What every pass shares; owned by the controller, which outlives its passes.
struct SyncEnv {
  client::Client& client;
  events::EventRecorder& recorder;
  client::Informer& rs_informer;
  client::Informer& pod_informer;
  std::function<TimePoint()> now;
  // Look at the Deployment `key` again after `delay`.
  std::function<void(const std::string& key, std::chrono::milliseconds delay)> requeue_after;
};

class DeploymentSync {
 public:
  DeploymentSync(const SyncEnv& env, json deployment);
  // syncDeployment: claim ReplicaSets, then pick what to do (status only while being
  // deleted, scale only while paused or on a scaling event, else roll out).
  Status Run();

 private:
  // --- deployment_sync.cc
  Status ClaimReplicaSets(const apis::LabelSelector& selector, RsList* out);
  // Pods of each claimed ReplicaSet, by its uid (getPodMapForDeployment).
  std::map<std::string, std::vector<client::ObjectPtr>> PodMap(const RsList& rs_list);
  Status WriteStatus(json new_status);
  // The revision annotation (the API's status subresource does not carry metadata).
  Status WriteRevision(const std::string& revision);
  // Sets d_'s revision annotation; true when it changed (SetDeploymentRevision).
  bool SetDeploymentRevision(const std::string& revision);
  // A merge patch of the ReplicaSet pinned to its resourceVersion.
  Result<RsPtr> PatchReplicaSet(const json& rs, json patch);
  // scaleReplicaSet: replicas and the desired/max-replicas annotations; a ScalingReplicaSet
  // event when the size changed (*scaled).
  Result<RsPtr> ScaleReplicaSet(const RsPtr& rs, int32_t new_scale, bool* scaled);
  // The same, but nothing at all when the size is already new_scale.
  Result<RsPtr> ScaleReplicaSetAndRecordEvent(const RsPtr& rs, int32_t new_scale, bool* scaled);
  void Event(const std::string& type, const std::string& reason, const std::string& message);

  // --- deployment_new_rs.cc
  Status GetAllReplicaSetsAndSyncRevision(const RsList& rs_list, bool create, RsPtr* new_rs,
                                          RsList* old_rss);
  Status GetNewReplicaSet(const RsList& rs_list, const RsList& old_rss, bool create, RsPtr* new_rs);
  Status CreateNewReplicaSet(const RsList& old_rss, const std::string& new_revision, RsPtr* new_rs);

  // --- deployment_rolling.cc
  Status RolloutRolling(const RsList& rs_list);
  Result<bool> ReconcileNewReplicaSet(const RsList& all_rss, const RsPtr& new_rs);
  Result<bool> ReconcileOldReplicaSets(RsList all_rss, RsList old_rss, const RsPtr& new_rs);
  Result<int32_t> CleanupUnhealthyReplicas(RsList& old_rss, int32_t max_cleanup);
  Result<int32_t> ScaleDownOldReplicaSetsForRollingUpdate(const RsList& all_rss, RsList old_rss);

  // --- deployment_recreate.cc
  Status RolloutRecreate(const RsList& rs_list);

  // --- deployment_scale.cc
  Result<bool> IsScalingEvent(const RsList& rs_list);
  // sync(): scaling and paused deployments.
  Status SyncScale(const RsList& rs_list);
  Status Scale(const RsPtr& new_rs, const RsList& old_rss);

  // --- deployment_progress.cc
  json CalculateStatus(const RsList& all_rss, const RsPtr& new_rs) const;
  Status SyncStatusOnly(const RsList& rs_list);
  Status SyncDeploymentStatus(const RsList& all_rss, const RsPtr& new_rs);
  Status SyncRolloutStatus(const RsList& all_rss, const RsPtr& new_rs);
  Status CheckPausedConditions();
  void RequeueStuckDeployment(const json& new_status);

  // --- deployment_history.cc
  Status CleanupDeployment(const RsList& old_rss);

  // rss with the ReplicaSets this pass has written replaced by what the writes returned.
  RsList Fresh(const RsList& rss) const;

  const SyncEnv& env_;
  json d_;                                // the Deployment, as this pass has left it
  std::map<std::string, RsPtr> written_;  // ReplicaSets this pass wrote, by uid
  std::string ns_;
  std::string name_;
};

}  // namespace skiff::controllers::deployment
