// A Deployment's status (sync.go calculateStatus / syncDeploymentStatus, progress.go
// syncRolloutStatus / requeueStuckDeployment, checkPausedConditions): replica counts summed
// over its ReplicaSets, the Available condition, and the Progressing condition that
// `kubectl rollout status` reads (created / found / progressing / complete / timed out,
// paused / resumed). Written through the status subresource, only when it changed.
#include <algorithm>

#include "api/object_util.h"
#include "controllers/deployment_sync.h"

namespace skiff::controllers::deployment {
namespace {

// Zero counts are left out, as the API's omitempty fields are.
void SetCount(json& status, const char* field, int64_t value) {
  if (value != 0) {
    status[field] = value;
  } else {
    status.erase(field);
  }
}

}  // namespace

json DeploymentSync::CalculateStatus(const RsList& all_rss, const RsPtr& new_rs) const {
  const int32_t available = SumStatus(all_rss, "availableReplicas");
  const int32_t unavailable = std::max(SumSpecReplicas(all_rss) - available, 0);
  json status = json::object();
  SetCount(status, "observedGeneration", IntAt(d_, {"metadata", "generation"}, 0));
  SetCount(status, "replicas", SumStatus(all_rss, "replicas"));
  SetCount(status, "updatedReplicas", SumStatus({new_rs}, "replicas"));
  SetCount(status, "readyReplicas", SumStatus(all_rss, "readyReplicas"));
  SetCount(status, "availableReplicas", available);
  SetCount(status, "unavailableReplicas", unavailable);
  const json& old = d_["status"];
  if (old.contains("collisionCount")) status["collisionCount"] = old["collisionCount"];
  if (old.contains("conditions") && old["conditions"].is_array() && !old["conditions"].empty()) {
    status["conditions"] = old["conditions"];
  }
  if (available >= SpecReplicas(d_) - MaxUnavailable(d_)) {
    SetCondition(status, NewCondition("Available", "True", kMinimumReplicasAvailable,
                                      "Deployment has minimum availability.", env_.now()));
  } else {
    SetCondition(status,
                 NewCondition("Available", "False", kMinimumReplicasUnavailable,
                              "Deployment does not have minimum availability.", env_.now()));
  }
  return status;
}

Status DeploymentSync::SyncStatusOnly(const RsList& rs_list) {
  RsPtr new_rs;
  RsList old_rss;
  if (Status s = GetAllReplicaSetsAndSyncRevision(rs_list, false, &new_rs, &old_rss); !s.ok()) {
    return s;
  }
  old_rss.push_back(new_rs);
  return SyncDeploymentStatus(old_rss, new_rs);
}

Status DeploymentSync::SyncDeploymentStatus(const RsList& all_rss, const RsPtr& new_rs) {
  json status = CalculateStatus(all_rss, new_rs);
  if (status == d_["status"]) return Status::Ok();
  return WriteStatus(std::move(status));
}

Status DeploymentSync::SyncRolloutStatus(const RsList& all_rss, const RsPtr& new_rs) {
  json status = CalculateStatus(all_rss, new_rs);
  const bool has_deadline = HasProgressDeadline(d_);
  if (!has_deadline) RemoveCondition(status, "Progressing");

  const std::string rs_name = new_rs ? StrAt(*new_rs, {"metadata", "name"}) : "";
  auto about = [&](const std::string& what) {
    return new_rs ? "ReplicaSet \"" + rs_name + "\" " + what
                  : "Deployment \"" + name_ + "\" " + what;
  };
  const json* current = GetCondition(d_["status"], "Progressing");
  // A finished rollout seen again (a resync) is not estimated again.
  const bool complete_before =
      status.value("replicas", int64_t{0}) == status.value("updatedReplicas", int64_t{0}) &&
      current && current->value("reason", "") == kNewRSAvailableReason;
  if (has_deadline && !complete_before) {
    if (DeploymentComplete(d_, status)) {
      SetCondition(status, NewCondition("Progressing", "True", kNewRSAvailableReason,
                                        about("has successfully progressed."), env_.now()));
    } else if (DeploymentProgressing(d_, status)) {
      // Progress refreshes lastUpdateTime even with an unchanged reason: that moves the
      // deadline.
      json cond = NewCondition("Progressing", "True", kReplicaSetUpdatedReason,
                               about("is progressing."), env_.now());
      if (current) {
        if (current->value("status", "") == "True") {
          cond["lastTransitionTime"] = current->value("lastTransitionTime", json());
        }
        RemoveCondition(status, "Progressing");
      }
      SetCondition(status, std::move(cond));
    } else if (DeploymentTimedOut(d_, status, env_.now())) {
      SetCondition(status, NewCondition("Progressing", "False", kTimedOutReason,
                                        about("has timed out progressing."), env_.now()));
    }
  }

  // ReplicaFailure: the new ReplicaSet's, else any old one's.
  std::vector<json> failures;
  RsList sources = {new_rs};
  for (const RsList& from : {sources, all_rss}) {
    for (const RsPtr& rs : from) {
      if (!rs || !failures.empty()) continue;
      const json rs_status = rs->value("status", json::object());
      const json* c = GetCondition(rs_status, "ReplicaFailure");
      if (!c) continue;
      failures.push_back({{"type", "ReplicaFailure"},
                          {"status", c->value("status", "")},
                          {"lastUpdateTime", c->value("lastTransitionTime", json())},
                          {"lastTransitionTime", c->value("lastTransitionTime", json())},
                          {"reason", c->value("reason", "")},
                          {"message", c->value("message", "")}});
    }
  }
  if (!failures.empty()) {
    SetCondition(status, failures.front());
  } else {
    RemoveCondition(status, "ReplicaFailure");
  }

  if (status == d_["status"]) {
    RequeueStuckDeployment(status);
    return Status::Ok();
  }
  return WriteStatus(std::move(status));
}

void DeploymentSync::RequeueStuckDeployment(const json& new_status) {
  const json* current = GetCondition(d_["status"], "Progressing");
  if (!HasProgressDeadline(d_) || !current) return;
  if (DeploymentComplete(d_, new_status) || current->value("reason", "") == kTimedOutReason) return;
  // No sign of progress: look again when the deadline passes (a second late, so that the
  // second-precision lastUpdateTime is surely behind it).
  TimePoint last_update{};
  if (!api::ParseRfc3339(current->value("lastUpdateTime", ""), &last_update)) return;
  const auto deadline =
      last_update + std::chrono::seconds(IntAt(d_, {"spec", "progressDeadlineSeconds"}, 0));
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - env_.now());
  env_.requeue_after(ns_ + "/" + name_,
                     std::max(after, std::chrono::milliseconds(0)) + std::chrono::seconds(1));
}

Status DeploymentSync::CheckPausedConditions() {
  if (!HasProgressDeadline(d_)) return Status::Ok();
  const json* cond = GetCondition(d_["status"], "Progressing");
  // A reported timeout is not overwritten by pausing.
  if (cond && cond->value("reason", "") == kTimedOutReason) return Status::Ok();
  const bool paused_marked = cond && cond->value("reason", "") == kPausedDeployReason;
  const bool paused = d_["spec"].value("paused", false);
  json status = d_["status"];
  if (paused && !paused_marked) {
    SetCondition(status, NewCondition("Progressing", "Unknown", kPausedDeployReason,
                                      "Deployment is paused", env_.now()));
  } else if (!paused && paused_marked) {
    SetCondition(status, NewCondition("Progressing", "Unknown", kResumedDeployReason,
                                      "Deployment is resumed", env_.now()));
  } else {
    return Status::Ok();
  }
  return WriteStatus(std::move(status));
}

}  // namespace skiff::controllers::deployment
