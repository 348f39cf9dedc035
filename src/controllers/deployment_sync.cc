// syncDeployment's dispatch, claiming ReplicaSets, and the writes every part shares.
#include "controllers/deployment_sync.h"

#include "controllers/controller_ref.h"

namespace skiff::controllers::deployment {
namespace {

bool SelectsEverything(const json& selector) {
  return selector.is_object() && CanonicalTemplate(selector).empty();
}

}  // namespace

DeploymentSync::DeploymentSync(const SyncEnv& env, json deployment)
    : env_(env),
      d_(std::move(deployment)),
      ns_(StrAt(d_, {"metadata", "namespace"})),
      name_(StrAt(d_, {"metadata", "name"})) {
  if (!d_["status"].is_object()) d_["status"] = json::object();
}

Status DeploymentSync::Run() {
  const json selector_json = d_["spec"].is_object() ? d_["spec"].value("selector", json()) : json();
  if (SelectsEverything(selector_json)) {
    Event("Warning", "SelectingAll",
          "This deployment is selecting all pods. A non-empty selector is required.");
    const int64_t generation = IntAt(d_, {"metadata", "generation"}, 0);
    if (IntAt(d_, {"status", "observedGeneration"}, 0) < generation) {
      json status = d_["status"];
      status["observedGeneration"] = generation;
      return WriteStatus(std::move(status));
    }
    return Status::Ok();
  }
  auto selector = apis::LabelSelectorFromJson(selector_json);
  if (!selector.ok()) {
    return InvalidArgumentError("deployment " + ns_ + "/" + name_ +
                                " has invalid label selector: " + selector.status().message());
  }
  RsList rs_list;
  if (Status s = ClaimReplicaSets(*selector, &rs_list); !s.ok()) return s;

  if (IsBeingDeleted(d_)) return SyncStatusOnly(rs_list);
  // Paused and resumed deployments are marked first, so that a resumed deployment is not
  // judged by the time it spent paused.
  if (Status s = CheckPausedConditions(); !s.ok()) return s;
  if (d_["spec"].value("paused", false)) return SyncScale(rs_list);
  auto scaling = IsScalingEvent(rs_list);
  if (!scaling.ok()) return scaling.status();
  if (*scaling) return SyncScale(rs_list);

  const std::string type = StrAt(d_, {"spec", "strategy", "type"});
  if (type == "Recreate") return RolloutRecreate(rs_list);
  if (type == "RollingUpdate") return RolloutRolling(rs_list);
  return InvalidArgumentError("unexpected deployment strategy type: " + type);
}

Status DeploymentSync::ClaimReplicaSets(const apis::LabelSelector& selector, RsList* out) {
  ClaimResult claimed = Claim(env_.client, client::ReplicaSets(), d_, DeploymentKind(), selector,
                              env_.rs_informer.ListNamespace(ns_));
  if (!claimed.status.ok()) return claimed.status;
  *out = std::move(claimed.owned);
  return Status::Ok();
}

std::map<std::string, std::vector<client::ObjectPtr>> DeploymentSync::PodMap(
    const RsList& rs_list) {
  std::map<std::string, std::vector<client::ObjectPtr>> out;
  auto selector = apis::LabelSelectorFromJson(d_["spec"].value("selector", json()));
  for (const RsPtr& rs : rs_list) {
    const std::string uid = StrAt(*rs, {"metadata", "uid"});
    auto& pods = out[uid];
    for (const client::ObjectPtr& pod : env_.pod_informer.ByIndex(kControllerUidIndex, uid)) {
      if (StrAt(*pod, {"metadata", "namespace"}) != ns_ || !IsControlledBy(*pod, uid)) continue;
      if (selector.ok() && selector->MatchesObject(*pod)) pods.push_back(pod);
    }
  }
  return out;
}

Status DeploymentSync::WriteStatus(json new_status) {
  json obj = d_;
  obj["status"] = std::move(new_status);
  auto written = env_.client.Update(client::Deployments(), ns_, obj, "status");
  if (!written.ok()) return written.status();
  d_ = std::move(written).value();
  if (!d_["status"].is_object()) d_["status"] = json::object();
  return Status::Ok();
}

bool DeploymentSync::SetDeploymentRevision(const std::string& revision) {
  json& meta = d_["metadata"];
  if (!meta["annotations"].is_object()) meta["annotations"] = json::object();
  json& ann = meta["annotations"];
  if (ann.value(kRevisionAnnotation, json()) == revision) return false;
  ann[kRevisionAnnotation] = revision;
  return true;
}

Status DeploymentSync::WriteRevision(const std::string& revision) {
  json patch = {{"metadata",
                 {{"resourceVersion", StrAt(d_, {"metadata", "resourceVersion"})},
                  {"annotations", {{kRevisionAnnotation, revision}}}}}};
  auto written = env_.client.MergePatch(client::Deployments(), ns_, name_, patch);
  if (!written.ok()) return written.status();
  // Keep this pass's status (which may hold changes still to be written).
  d_["metadata"] = (*written)["metadata"];
  return Status::Ok();
}

Result<RsPtr> DeploymentSync::PatchReplicaSet(const json& rs, json patch) {
  patch["metadata"]["resourceVersion"] = StrAt(rs, {"metadata", "resourceVersion"});
  auto written =
      env_.client.MergePatch(client::ReplicaSets(), ns_, StrAt(rs, {"metadata", "name"}), patch);
  if (!written.ok()) return written.status();
  RsPtr fresh = std::make_shared<const json>(std::move(written).value());
  written_[StrAt(*fresh, {"metadata", "uid"})] = fresh;
  return fresh;
}

RsList DeploymentSync::Fresh(const RsList& rss) const {
  RsList out;
  out.reserve(rss.size());
  for (const RsPtr& rs : rss) {
    auto it = rs ? written_.find(StrAt(*rs, {"metadata", "uid"})) : written_.end();
    out.push_back(it != written_.end() ? it->second : rs);
  }
  return out;
}

Result<RsPtr> DeploymentSync::ScaleReplicaSet(const RsPtr& rs, int32_t new_scale, bool* scaled) {
  *scaled = false;
  const int32_t old_scale = SpecReplicas(*rs);
  const int32_t desired = SpecReplicas(d_);
  const int32_t max = desired + MaxSurge(d_);
  const bool size_changes = old_scale != new_scale;
  if (!size_changes && !ReplicasAnnotationsNeedUpdate(*rs, desired, max)) return rs;
  json patch = {{"metadata",
                 {{"annotations",
                   {{kDesiredReplicasAnnotation, std::to_string(desired)},
                    {kMaxReplicasAnnotation, std::to_string(max)}}}}},
                {"spec", {{"replicas", new_scale}}}};
  auto written = PatchReplicaSet(*rs, std::move(patch));
  if (written.ok() && size_changes) {
    *scaled = true;
    Event("Normal", "ScalingReplicaSet",
          std::string("Scaled ") + (old_scale < new_scale ? "up" : "down") + " replica set " +
              StrAt(*rs, {"metadata", "name"}) + " from " + std::to_string(old_scale) + " to " +
              std::to_string(new_scale));
  }
  return written;
}

Result<RsPtr> DeploymentSync::ScaleReplicaSetAndRecordEvent(const RsPtr& rs, int32_t new_scale,
                                                            bool* scaled) {
  *scaled = false;
  if (SpecReplicas(*rs) == new_scale) return rs;
  return ScaleReplicaSet(rs, new_scale, scaled);
}

void DeploymentSync::Event(const std::string& type, const std::string& reason,
                           const std::string& message) {
  env_.recorder.Record(d_, "", type, reason, message);
}

}  // namespace skiff::controllers::deployment
