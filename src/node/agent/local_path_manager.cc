#include "local_path_manager.h"

#include <algorithm>

#include "api/object_util.h"
#include "node/volumes/local_path.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/storage.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace {

using nlohmann::json;

constexpr int kConflictRetries = 5;

const json& At(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}
std::string Str(const json& obj, const char* key) {
  const json& v = At(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
int64_t Bytes(const json& q) {
  auto parsed = apis::QuantityFromJson(q);
  return parsed ? apis::Value(*parsed) : 0;
}

// spec.nodeAffinity.required names `node` by kubernetes.io/hostname In [...].
bool PinnedTo(const json& pv, const std::string& node) {
  const json& terms = At(At(At(At(pv, "spec"), "nodeAffinity"), "required"), "nodeSelectorTerms");
  if (!terms.is_array()) return false;
  for (const json& term : terms) {
    const json& exprs = At(term, "matchExpressions");
    if (!exprs.is_array()) continue;
    for (const json& e : exprs) {
      if (Str(e, "key") != "kubernetes.io/hostname" || Str(e, "operator") != "In") continue;
      const json& values = At(e, "values");
      if (values.is_array() && std::find(values.begin(), values.end(), json(node)) != values.end()) {
        return true;
      }
    }
  }
  return false;
}

bool IsResizeCondition(const json& c) {
  const std::string type = Str(c, "type");
  return type == "FileSystemResizePending" || type == "Resizing";
}

}  // namespace

LocalPathPlan PlanLocalPath(const json& pv, const std::string& node_name) {
  LocalPathPlan plan;
  const json& meta = At(pv, "metadata");
  const json& annotations = At(meta, "annotations");
  if (Str(annotations, apis::kProvisionedByAnnotation) != apis::kLocalPathProvisioner) return plan;
  if (!PinnedTo(pv, node_name)) return plan;
  const json& spec = At(pv, "spec");
  plan.path = Str(At(spec, "local"), "path");
  if (plan.path.empty()) return plan;
  plan.ours = true;
  plan.clean_up = !At(meta, "deletionTimestamp").is_null() &&
                  api::HasFinalizer(pv, apis::kLocalPathCleanupFinalizer);
  plan.remove_data = Str(spec, "persistentVolumeReclaimPolicy") != "Retain";
  plan.enforced = Str(annotations, apis::kLocalPathCapacityAnnotation) == "enforced";
  const json& storage = At(At(spec, "capacity"), "storage");
  plan.capacity_bytes = Bytes(storage);
  if (storage.is_string()) plan.capacity = storage.get<std::string>();
  const json& ref = At(spec, "claimRef");
  plan.claim_namespace = Str(ref, "namespace");
  plan.claim_name = Str(ref, "name");
  plan.claim_uid = Str(ref, "uid");
  return plan;
}

bool ClaimAwaitsNodeExpansion(const json& claim, int64_t capacity_bytes) {
  const json& status = At(claim, "status");
  if (Str(status, "phase") != "Bound") return false;
  const json& conditions = At(status, "conditions");
  if (conditions.is_array()) {
    for (const json& c : conditions) {
      if (Str(c, "type") == "FileSystemResizePending") return true;
    }
  }
  const std::string allocated = Str(At(status, "allocatedResourceStatuses"), "storage");
  if (allocated == "NodeResizePending" || allocated == "NodeResizeInProgress" ||
      allocated == "NodeResizeFailed") {
    return true;
  }
  const json& current = At(At(status, "capacity"), "storage");
  return !current.is_null() && Bytes(current) < capacity_bytes;
}

LocalPathManager::LocalPathManager(client::Client& client, events::EventRecorder& events,
                                   std::string node_hostname, Options options)
    : client_(client),
      events_(events),
      node_hostname_(std::move(node_hostname)),
      queue_(WorkQueueOptions{options.retry_base, options.retry_max}),
      volumes_(client, client::PersistentVolumes()),
      claims_(client, client::PersistentVolumeClaims()) {}

LocalPathManager::~LocalPathManager() { Stop(); }

void LocalPathManager::Start() {
  if (started_) return;
  started_ = true;
  auto enqueue = [this](const client::ObjectPtr& pv) {
    if (PlanLocalPath(*pv, node_hostname_).ours) queue_.Add(Str(At(*pv, "metadata"), "name"));
  };
  client::EventHandler on_volume;
  on_volume.on_add = enqueue;
  on_volume.on_update = [enqueue](const client::ObjectPtr&, const client::ObjectPtr& pv) {
    enqueue(pv);
  };
  volumes_.AddHandler(std::move(on_volume));
  // A claim that changes (e.g. the expansion controller marks it FileSystemResizePending
  // after growing the volume) gets its volume looked at again.
  auto claim_changed = [this, enqueue](const client::ObjectPtr& claim) {
    const std::string volume = Str(At(*claim, "spec"), "volumeName");
    if (volume.empty()) return;
    if (auto pv = volumes_.Get(volume)) enqueue(pv);
  };
  client::EventHandler on_claim;
  on_claim.on_add = claim_changed;
  on_claim.on_update = [claim_changed](const client::ObjectPtr&, const client::ObjectPtr& c) {
    claim_changed(c);
  };
  claims_.AddHandler(std::move(on_claim));
  volumes_.Start();
  claims_.Start();
  worker_ = std::thread([this] { Work(); });
}

void LocalPathManager::Stop() {
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
  claims_.Stop();
  volumes_.Stop();
}

void LocalPathManager::Work() {
  while (auto key = queue_.Get()) {
    Status s = Sync(*key);
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      auto delay = queue_.AddRateLimited(*key);
      log::Warning("local-path", "volume work failed; will retry",
                   {{"volume", *key}, {"error", s.message()},
                    {"retry-in-ms", std::to_string(delay.count())}});
    }
    queue_.Done(*key);
  }
}

Status LocalPathManager::Sync(const std::string& name) {
  client::ObjectPtr pv = volumes_.Get(name);
  if (!pv) return Status::Ok();  // gone: nothing left to clean up (our finalizer was removed)
  const LocalPathPlan plan = PlanLocalPath(*pv, node_hostname_);
  if (!plan.ours) return Status::Ok();
  if (plan.clean_up) return CleanUp(*pv, plan);
  if (!At(At(*pv, "metadata"), "deletionTimestamp").is_null()) return Status::Ok();
  return Expand(*pv, plan);
}

Status LocalPathManager::CleanUp(const json& pv, const LocalPathPlan& plan) {
  // A pass on a stale view (the finalizer already removed by an earlier pass) finds nothing
  // left to remove (or, for a retained volume, nothing mounted): nothing to say then.
  auto before = InspectLocalPathVolume(plan.path);
  const bool mounted = before.ok() && before->mounted;
  const bool something = !before.ok() || before->exists || mounted;
  Status s = plan.remove_data ? DeleteLocalPathVolume(plan.path) : UnmountLocalPathVolume(plan.path);
  if (!s.ok()) {
    events_.Record(pv, "", "Warning", "VolumeFailedDelete", s.message());
    return s;
  }
  if (something && (plan.remove_data || mounted || !before.ok())) {
    log::Info("local-path",
              plan.remove_data ? "removed a volume's data" : "kept a retained volume's data",
              {{"volume", Str(At(pv, "metadata"), "name")}, {"path", plan.path}});
  }
  return RemoveFinalizer(Str(At(pv, "metadata"), "name"));
}

Status LocalPathManager::RemoveFinalizer(const std::string& name) {
  Status last;
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    auto pv = client_.Get(client::PersistentVolumes(), "", name);
    if (!pv.ok()) return pv.status().code() == Code::kNotFound ? Status::Ok() : pv.status();
    json& finalizers = (*pv)["metadata"]["finalizers"];
    if (!finalizers.is_array()) return Status::Ok();
    auto it = std::find(finalizers.begin(), finalizers.end(),
                        json(apis::kLocalPathCleanupFinalizer));
    if (it == finalizers.end()) return Status::Ok();
    finalizers.erase(it);
    auto updated = client_.Update(client::PersistentVolumes(), "", *pv);
    if (updated.ok() || updated.status().code() == Code::kNotFound) return Status::Ok();
    last = updated.status();
    if (last.code() != Code::kConflict) break;
  }
  return Status(last.code(), "cannot remove finalizer " +
                                 std::string(apis::kLocalPathCleanupFinalizer) +
                                 " from PersistentVolume " + name + ": " + last.message());
}

Status LocalPathManager::Expand(const json& pv, const LocalPathPlan& plan) {
  if (plan.capacity_bytes <= 0) return Status::Ok();
  const std::string volume = Str(At(pv, "metadata"), "name");
  auto state = InspectLocalPathVolume(plan.path);
  if (!state.ok()) return state.status();
  if (plan.enforced && state->enforced && state->image_bytes < plan.capacity_bytes) {
    if (Status s = ExpandLocalPathVolume(plan.path, plan.capacity_bytes); !s.ok()) {
      auto claim = claims_.Get(plan.claim_namespace, plan.claim_name);
      events_.Record(claim ? *claim : pv, "", "Warning", "VolumeResizeFailed",
                     "MountVolume.NodeExpandVolume failed for volume \"" + volume + "\" : " +
                         s.message());
      return s;
    }
    log::Info("local-path", "grew a volume",
              {{"volume", volume}, {"path", plan.path}, {"capacity", plan.capacity}});
  }
  return FinishClaimExpansion(pv, plan);
}

Status LocalPathManager::FinishClaimExpansion(const json& pv, const LocalPathPlan& plan) {
  if (plan.claim_name.empty()) return Status::Ok();
  auto cached = claims_.Get(plan.claim_namespace, plan.claim_name);
  if (!cached || !ClaimAwaitsNodeExpansion(*cached, plan.capacity_bytes)) return Status::Ok();
  const std::string volume = Str(At(pv, "metadata"), "name");
  Status last;
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    auto claim = client_.Get(client::PersistentVolumeClaims(), plan.claim_namespace,
                             plan.claim_name);
    if (!claim.ok()) {
      return claim.status().code() == Code::kNotFound ? Status::Ok() : claim.status();
    }
    if (!plan.claim_uid.empty() && Str(At(*claim, "metadata"), "uid") != plan.claim_uid) {
      return Status::Ok();  // another claim of that name: not bound to this volume
    }
    if (!ClaimAwaitsNodeExpansion(*claim, plan.capacity_bytes)) return Status::Ok();
    json& status = (*claim)["status"];
    status["capacity"]["storage"] =
        plan.capacity.empty() ? json(std::to_string(plan.capacity_bytes)) : json(plan.capacity);
    if (status.contains("conditions") && status["conditions"].is_array()) {
      json kept = json::array();
      for (const json& c : status["conditions"]) {
        if (!IsResizeCondition(c)) kept.push_back(c);
      }
      if (kept.empty()) status.erase("conditions");
      else status["conditions"] = std::move(kept);
    }
    status.erase("allocatedResourceStatuses");
    auto updated = client_.Update(client::PersistentVolumeClaims(), plan.claim_namespace, *claim,
                                  "status");
    if (updated.ok()) {
      events_.Record(*updated, "", "Normal", "FileSystemResizeSuccessful",
                     "MountVolume.NodeExpandVolume succeeded for volume \"" + volume + "\" " +
                         node_hostname_);
      return Status::Ok();
    }
    last = updated.status();
    if (last.code() == Code::kNotFound) return Status::Ok();
    if (last.code() != Code::kConflict) break;
  }
  return Status(last.code(), "cannot update the status of PersistentVolumeClaim " +
                                 plan.claim_namespace + "/" + plan.claim_name + ": " +
                                 last.message());
}

}  // namespace skiff::node
