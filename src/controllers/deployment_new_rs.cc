// The new ReplicaSet: the one whose template is the Deployment's, found (and given the newest
// revision) or created under the name "<deployment>-<pod-template-hash>" (sync.go
// getAllReplicaSetsAndSyncRevision / getNewReplicaSet).
#include "controllers/controller_ref.h"
#include "controllers/deployment_sync.h"

namespace skiff::controllers::deployment {

Status DeploymentSync::GetAllReplicaSetsAndSyncRevision(const RsList& rs_list, bool create,
                                                        RsPtr* new_rs, RsList* old_rss) {
  const RsList current = Fresh(rs_list);  // this pass may have written some already
  *old_rss = FindOldReplicaSets(d_, current);
  return GetNewReplicaSet(current, *old_rss, create, new_rs);
}

Status DeploymentSync::GetNewReplicaSet(const RsList& rs_list, const RsList& old_rss, bool create,
                                        RsPtr* new_rs) {
  *new_rs = nullptr;
  const RsPtr existing = FindNewReplicaSet(d_, rs_list);
  const std::string new_revision = std::to_string(MaxRevision(old_rss) + 1);

  if (existing) {
    // Bring its annotations (the Deployment's, and the newest revision: an old ReplicaSet
    // being rolled back to gets one) and minReadySeconds up to date.
    json copy = *existing;
    const bool annotations_changed = SetNewReplicaSetAnnotations(d_, copy, new_revision, true);
    const int64_t min_ready = IntAt(d_, {"spec", "minReadySeconds"}, 0);
    if (annotations_changed || IntAt(copy, {"spec", "minReadySeconds"}, 0) != min_ready) {
      json patch = {{"metadata", {{"annotations", copy["metadata"]["annotations"]}}}};
      if (IntAt(copy, {"spec", "minReadySeconds"}, 0) != min_ready) {
        patch["spec"]["minReadySeconds"] = min_ready;
      }
      auto written = PatchReplicaSet(*existing, std::move(patch));
      if (!written.ok()) return written.status();
      *new_rs = *written;
      return Status::Ok();
    }
    // The Deployment's revision is its new ReplicaSet's.
    const bool revision_changed =
        SetDeploymentRevision(StrAt(copy, {"metadata", "annotations", kRevisionAnnotation}));
    // A Deployment without a Progressing condition starts its progress estimate now.
    bool status_changed = false;
    if (HasProgressDeadline(d_) && !GetCondition(d_["status"], "Progressing")) {
      SetCondition(d_["status"], NewCondition("Progressing", "True", kFoundNewRSReason,
                                              "Found new replica set \"" +
                                                  StrAt(copy, {"metadata", "name"}) + "\"",
                                              env_.now()));
      status_changed = true;
    }
    if (revision_changed) {
      if (Status s = WriteRevision(StrAt(copy, {"metadata", "annotations", kRevisionAnnotation}));
          !s.ok()) {
        return s;
      }
    }
    if (status_changed) {
      if (Status s = WriteStatus(d_["status"]); !s.ok()) return s;
    }
    *new_rs = existing;
    return Status::Ok();
  }
  if (!create) return Status::Ok();
  return CreateNewReplicaSet(old_rss, new_revision, new_rs);
}

Status DeploymentSync::CreateNewReplicaSet(const RsList& old_rss, const std::string& new_revision,
                                           RsPtr* new_rs) {
  const json d_template = d_["spec"]["template"];  // d_ is replaced by writes below
  std::optional<int64_t> collision_count;
  if (d_["status"].contains("collisionCount") && d_["status"]["collisionCount"].is_number()) {
    collision_count = d_["status"]["collisionCount"].get<int64_t>();
  }
  const std::string hash = ComputeHash(d_template, collision_count);
  const std::string rs_name = name_ + "-" + hash;

  json rs_template = d_template;
  if (!rs_template["metadata"].is_object()) rs_template["metadata"] = json::object();
  if (!rs_template["metadata"]["labels"].is_object()) {
    rs_template["metadata"]["labels"] = json::object();
  }
  rs_template["metadata"]["labels"][kPodTemplateHashLabel] = hash;
  json selector = d_["spec"]["selector"];
  if (!selector["matchLabels"].is_object()) selector["matchLabels"] = json::object();
  selector["matchLabels"][kPodTemplateHashLabel] = hash;

  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata",
              {{"name", rs_name},
               {"namespace", ns_},
               {"ownerReferences", json::array({MakeControllerRef(d_, DeploymentKind())})},
               {"labels", rs_template["metadata"]["labels"]}}},
             {"spec", {{"replicas", 0}, {"selector", selector}, {"template", rs_template}}}};
  if (const int64_t min_ready = IntAt(d_, {"spec", "minReadySeconds"}, 0); min_ready != 0) {
    rs["spec"]["minReadySeconds"] = min_ready;
  }
  RsList all_rss = old_rss;
  all_rss.push_back(std::make_shared<const json>(rs));
  auto count = NewRSNewReplicas(d_, all_rss, rs);
  if (!count.ok()) return count.status();
  rs["spec"]["replicas"] = *count;
  SetNewReplicaSetAnnotations(d_, rs, new_revision, false);

  bool already_exists = false;
  RsPtr created;
  auto result = env_.client.Create(client::ReplicaSets(), ns_, rs);
  if (result.ok()) {
    created = std::make_shared<const json>(std::move(result).value());
  } else if (result.status().code() == Code::kAlreadyExists) {
    // A slow cache, or a hash collision with a ReplicaSet that is not this template's.
    RsPtr cached = env_.rs_informer.Get(ns_, rs_name);
    if (!cached) return result.status();
    const json* spec = cached->contains("spec") ? &(*cached)["spec"] : nullptr;
    if (IsControlledBy(*cached, StrAt(d_, {"metadata", "uid"})) && spec && spec->is_object() &&
        EqualIgnoreHash(d_template, spec->value("template", json()))) {
      created = cached;
      already_exists = true;
    } else {
      // Bump collisionCount (a new hash next time) and retry through the error.
      json status = d_["status"];
      status["collisionCount"] = collision_count.value_or(0) + 1;
      (void)WriteStatus(std::move(status));
      return result.status();
    }
  } else if (result.status().message().find("because it is being terminated") !=
             std::string::npos) {
    return result.status();  // every later create fails too: nothing to report
  } else {
    const std::string msg =
        "Failed to create new replica set \"" + rs_name + "\": " + result.status().message();
    if (HasProgressDeadline(d_)) {
      json status = d_["status"];
      SetCondition(status,
                   NewCondition("Progressing", "False", kFailedRSCreateReason, msg, env_.now()));
      (void)WriteStatus(std::move(status));  // the create's error is the one to report
    }
    Event("Warning", kFailedRSCreateReason, msg);
    return result.status();
  }
  if (!already_exists && *count > 0) {
    Event("Normal", "ScalingReplicaSet",
          "Scaled up replica set " + rs_name + " from 0 to " + std::to_string(*count));
  }
  const bool revision_changed = SetDeploymentRevision(new_revision);
  bool status_changed = false;
  if (!already_exists && HasProgressDeadline(d_)) {
    const json before = d_["status"];
    SetCondition(d_["status"],
                 NewCondition("Progressing", "True", kNewReplicaSetReason,
                              "Created new replica set \"" + rs_name + "\"", env_.now()));
    status_changed = d_["status"] != before;
  }
  *new_rs = created;
  if (revision_changed) {
    if (Status s = WriteRevision(new_revision); !s.ok()) return s;
  }
  if (status_changed) return WriteStatus(d_["status"]);
  return Status::Ok();
}

}  // namespace skiff::controllers::deployment
