#include "controllers/replicaset_controller.h"

#include <set>

#include "api/object_util.h"
#include "controllers/pod_util.h"
#include "controllers/replicaset_status.h"
#include "skiff/apis/selector.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "replicaset-controller";

const json& LabelsOf(const json& obj) {
  static const json kNone = json::object();
  const json* labels = api::Find(obj, {"metadata", "labels"});
  return labels && labels->is_object() ? *labels : kNone;
}

std::string Uid(const json& obj) { return api::GetString(obj, {"metadata", "uid"}); }

// The controller reference of obj, or null (a copy, for comparing two versions).
json ControllerRefCopy(const json& obj) {
  const json* ref = ControllerRefOf(obj);
  return ref ? *ref : json(nullptr);
}

}  // namespace

ReplicaSetController::ReplicaSetController(client::Client& client,
                                           client::SharedInformerFactory& informers,
                                           ReplicaSetControllerOptions options)
    : client_(client),
      rs_informer_(informers.For(client::ReplicaSets())),
      pod_informer_(informers.For(client::Pods())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      expectations_(options_.expectations_timeout),
      loop_(ControllerLoopOptions{kComponent, options_.workers, options_.base_backoff,
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  Status indexed = pod_informer_.AddIndex(kControllerUidIndex, client::IndexByControllerUid);
  if (!indexed.ok() && indexed.code() != Code::kAlreadyExists) {
    log::Warning(kComponent, "cannot index pods by controller", {{"error", indexed.message()}});
  }
  client::EventHandler rs_handler;
  rs_handler.on_add = [this](const client::ObjectPtr& rs) { loop_.Enqueue(client::KeyOf(*rs)); };
  rs_handler.on_update = [this](const client::ObjectPtr& old_rs, const client::ObjectPtr& rs) {
    // A ReplicaSet deleted and created again under the same name between two notifications.
    if (Uid(*old_rs) != Uid(*rs)) OnReplicaSetDelete(old_rs);
    loop_.Enqueue(client::KeyOf(*rs));
  };
  rs_handler.on_delete = [this](const client::ObjectPtr& rs) { OnReplicaSetDelete(rs); };
  rs_handler_ = rs_informer_.AddHandler(std::move(rs_handler));

  client::EventHandler pod_handler;
  pod_handler.on_add = [this](const client::ObjectPtr& pod) { OnPodAdd(pod); };
  pod_handler.on_update = [this](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    OnPodUpdate(old_pod, pod);
  };
  pod_handler.on_delete = [this](const client::ObjectPtr& pod) { OnPodDelete(pod); };
  pod_handler_ = pod_informer_.AddHandler(std::move(pod_handler));
}

ReplicaSetController::~ReplicaSetController() { Stop(); }

void ReplicaSetController::Start() { loop_.Start(); }

void ReplicaSetController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  rs_informer_.RemoveHandler(rs_handler_);
  pod_informer_.RemoveHandler(pod_handler_);
  loop_.Stop();
}

void ReplicaSetController::OnReplicaSetDelete(const client::ObjectPtr& rs) {
  const std::string key = client::KeyOf(*rs);
  // A ReplicaSet created again under this name starts clean.
  expectations_.Delete(key);
  loop_.Enqueue(key);
}

client::ObjectPtr ReplicaSetController::ResolveControllerRef(const std::string& ns,
                                                             const json& ref) const {
  if (!ref.is_object() || ref.value("kind", "") != "ReplicaSet") return nullptr;
  client::ObjectPtr rs = rs_informer_.Get(ns, ref.value("name", ""));
  if (!rs || Uid(*rs) != ref.value("uid", "")) return nullptr;
  return rs;
}

std::vector<client::ObjectPtr> ReplicaSetController::PodReplicaSets(const json& pod) const {
  std::vector<client::ObjectPtr> out;
  if (LabelsOf(pod).empty()) return out;
  for (const auto& rs :
       rs_informer_.ListNamespace(api::GetString(pod, {"metadata", "namespace"}))) {
    const json* selector_json = api::Find(*rs, {"spec", "selector"});
    auto selector = apis::LabelSelectorFromJson(selector_json ? *selector_json : json(nullptr));
    // A nil or empty selector matches nothing here, not everything.
    if (!selector.ok() || selector->Empty() || !selector->MatchesObject(pod)) continue;
    out.push_back(rs);
  }
  return out;
}

std::vector<client::ObjectPtr> ReplicaSetController::RelatedPods(const json& rs) const {
  std::vector<client::ObjectPtr> owners;
  const json* ref = ControllerRefOf(rs);
  if (!ref) {
    owners.push_back(rs_informer_.Get(client::KeyOf(rs)));
  } else {
    const std::string controller_uid = ref->value("uid", "");
    for (const auto& other :
         rs_informer_.ListNamespace(api::GetString(rs, {"metadata", "namespace"}))) {
      if (IsControlledBy(*other, controller_uid)) owners.push_back(other);
    }
  }
  std::vector<client::ObjectPtr> out;
  std::set<std::string> seen;
  for (const auto& owner : owners) {
    if (!owner) continue;
    for (const auto& pod : pod_informer_.ByIndex(kControllerUidIndex, Uid(*owner))) {
      if (seen.insert(Uid(*pod)).second) out.push_back(pod);
    }
  }
  return out;
}

void ReplicaSetController::OnPodAdd(const client::ObjectPtr& pod) {
  if (IsBeingDeleted(*pod)) {
    // Seen for the first time already being deleted (e.g. after a relist): never a creation.
    OnPodDelete(pod);
    return;
  }
  const std::string ns = api::GetString(*pod, {"metadata", "namespace"});
  if (const json* ref = ControllerRefOf(*pod)) {
    client::ObjectPtr rs = ResolveControllerRef(ns, *ref);
    if (!rs) return;
    const std::string key = client::KeyOf(*rs);
    expectations_.CreationObserved(key);
    loop_.Enqueue(key);
    return;
  }
  // An orphan: whoever matches may adopt it. No creation is counted off for orphans.
  for (const auto& rs : PodReplicaSets(*pod)) loop_.Enqueue(client::KeyOf(*rs));
}

void ReplicaSetController::OnPodUpdate(const client::ObjectPtr& old_pod,
                                       const client::ObjectPtr& pod) {
  if (api::GetString(*old_pod, {"metadata", "resourceVersion"}) ==
      api::GetString(*pod, {"metadata", "resourceVersion"})) {
    return;
  }
  const bool labels_changed = LabelsOf(*old_pod) != LabelsOf(*pod);
  if (IsBeingDeleted(*pod)) {
    // A graceful delete: replace the pod now rather than when the kubelet has removed it.
    OnPodDelete(pod);
    if (labels_changed) OnPodDelete(old_pod);
    return;
  }
  const std::string ns = api::GetString(*pod, {"metadata", "namespace"});
  const json old_ref = ControllerRefCopy(*old_pod);
  const json ref = ControllerRefCopy(*pod);
  const bool ref_changed = old_ref != ref;
  if (ref_changed && !old_ref.is_null()) {
    if (auto old_rs = ResolveControllerRef(ns, old_ref)) loop_.Enqueue(client::KeyOf(*old_rs));
  }
  if (!ref.is_null()) {
    client::ObjectPtr rs = ResolveControllerRef(ns, ref);
    if (!rs) return;
    const std::string key = client::KeyOf(*rs);
    loop_.Enqueue(key);
    const json* min_ready = api::Find(*rs, {"spec", "minReadySeconds"});
    const int64_t seconds =
        min_ready && min_ready->is_number_integer() ? min_ready->get<int64_t>() : 0;
    if (!IsPodReady(*old_pod) && IsPodReady(*pod) && seconds > 0) {
      // Look again when the pod has become available (a second more against clock skew).
      loop_.EnqueueAfter(key, std::chrono::seconds(seconds + 1));
    }
    return;
  }
  if (labels_changed || ref_changed) {
    for (const auto& rs : PodReplicaSets(*pod)) loop_.Enqueue(client::KeyOf(*rs));
  }
}

void ReplicaSetController::OnPodDelete(const client::ObjectPtr& pod) {
  const json* ref = ControllerRefOf(*pod);
  if (!ref) return;  // nobody waits for an orphan's deletion
  client::ObjectPtr rs =
      ResolveControllerRef(api::GetString(*pod, {"metadata", "namespace"}), *ref);
  if (!rs) return;
  const std::string key = client::KeyOf(*rs);
  expectations_.DeletionObservedOf(key, client::KeyOf(*pod));
  loop_.Enqueue(key);
}

Status ReplicaSetController::Sync(const std::string& key) {
  if (!rs_informer_.HasSynced() || !pod_informer_.HasSynced()) {
    return UnavailableError("the replicaset and pod caches have not synced yet");
  }
  client::ObjectPtr cached = rs_informer_.Get(key);
  if (!cached) {
    expectations_.Delete(key);
    return Status::Ok();
  }
  const json& rs = *cached;
  const bool needs_sync = expectations_.Satisfied(key);
  const json* selector_json = api::Find(rs, {"spec", "selector"});
  auto selector = apis::LabelSelectorFromJson(selector_json ? *selector_json : json(nullptr));
  if (!selector.ok()) {
    // Not retried: only a change of the ReplicaSet can mend it.
    log::Warning(kComponent, "invalid selector",
                 {{"key", key}, {"error", selector.status().message()}});
    return Status::Ok();
  }

  std::vector<client::ObjectPtr> active;
  for (auto& pod : pod_informer_.ListNamespace(api::GetString(rs, {"metadata", "namespace"}))) {
    if (IsPodActive(*pod)) active.push_back(std::move(pod));
  }
  ClaimResult claimed = Claim(client_, client::Pods(), rs, ReplicaSetKind(), *selector, active);
  if (!claimed.status.ok()) return claimed.status;

  Status managed;
  if (needs_sync && !IsBeingDeleted(rs)) managed = ManageReplicas(claimed.owned, rs, key);

  const auto now = Clock::now();
  json status = CalculateReplicaSetStatus(rs, claimed.owned, managed, now);
  if (ReplicaSetStatusChanged(rs, status)) {
    auto written = client_.MergePatch(
        client::ReplicaSets(), api::GetString(rs, {"metadata", "namespace"}),
        api::GetString(rs, {"metadata", "name"}), ReplicaSetStatusPatch(status), "status");
    if (!written.ok() && written.status().code() != Code::kNotFound) return written.status();
  }
  const json* min_ready = api::Find(rs, {"spec", "minReadySeconds"});
  if (min_ready && min_ready->is_number_integer()) {
    if (auto wait = NextAvailable(claimed.owned, min_ready->get<int64_t>(), now)) {
      loop_.EnqueueAfter(key, std::chrono::duration_cast<std::chrono::milliseconds>(*wait));
    }
  }
  return managed;
}

}  // namespace skiff::controllers
