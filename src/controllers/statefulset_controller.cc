#include "controllers/statefulset_controller.h"

#include <algorithm>

#include "api/object_util.h"
#include "controllers/pod_util.h"
#include "skiff/apis/selector.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

namespace sts = statefulset;

constexpr char kComponent[] = "statefulset-controller";
// The pod informer index of controller-reference uids, shared with the other controllers.
constexpr char kPodControllerIndex[] = "controller-uid";

const json& LabelsOf(const json& obj) {
  static const json kNone = json::object();
  const json* labels = api::Find(obj, {"metadata", "labels"});
  return labels && labels->is_object() ? *labels : kNone;
}

json ControllerRefCopy(const json& obj) {
  const json* ref = ControllerRefOf(obj);
  return ref ? *ref : json(nullptr);
}

Result<apis::LabelSelector> SelectorOf(const json& set) {
  const json* s = api::Find(set, {"spec", "selector"});
  return apis::LabelSelectorFromJson(s ? *s : json(nullptr));
}

}  // namespace

StatefulSetController::StatefulSetController(client::Client& client,
                                             client::SharedInformerFactory& informers,
                                             StatefulSetControllerOptions options)
    : client_(client),
      set_informer_(informers.For(client::StatefulSets())),
      pod_informer_(informers.For(client::Pods())),
      pvc_informer_(informers.For(client::PersistentVolumeClaims())),
      revision_informer_(informers.For(client::ControllerRevisions())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      history_(client),
      creations_(options_.expectations_timeout),
      deletions_(options_.expectations_timeout),
      loop_(ControllerLoopOptions{kComponent, options_.workers, options_.base_backoff,
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  Status indexed = pod_informer_.AddIndex(kPodControllerIndex, client::IndexByControllerUid);
  if (!indexed.ok() && indexed.code() != Code::kAlreadyExists) {
    log::Warning(kComponent, "cannot index pods by controller", {{"error", indexed.message()}});
  }
  client::EventHandler set_handler;
  set_handler.on_add = [this](const client::ObjectPtr& set) { loop_.Enqueue(client::KeyOf(*set)); };
  set_handler.on_update = [this](const client::ObjectPtr& old_set, const client::ObjectPtr& set) {
    if (sts::Uid(*old_set) != sts::Uid(*set)) OnSetDelete(old_set);
    loop_.Enqueue(client::KeyOf(*set));
  };
  set_handler.on_delete = [this](const client::ObjectPtr& set) { OnSetDelete(set); };
  set_handler_ = set_informer_.AddHandler(std::move(set_handler));

  client::EventHandler pod_handler;
  pod_handler.on_add = [this](const client::ObjectPtr& pod) { OnPodAdd(pod); };
  pod_handler.on_update = [this](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    OnPodUpdate(old_pod, pod);
  };
  pod_handler.on_delete = [this](const client::ObjectPtr& pod) { OnPodDelete(pod); };
  pod_handler_ = pod_informer_.AddHandler(std::move(pod_handler));
}

StatefulSetController::~StatefulSetController() { Stop(); }

void StatefulSetController::Start() { loop_.Start(); }

void StatefulSetController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  set_informer_.RemoveHandler(set_handler_);
  pod_informer_.RemoveHandler(pod_handler_);
  loop_.Stop();
}

void StatefulSetController::OnSetDelete(const client::ObjectPtr& set) {
  const std::string key = client::KeyOf(*set);
  creations_.Delete(key);
  deletions_.Delete(key);
  loop_.Enqueue(key);
}

client::ObjectPtr StatefulSetController::ResolveControllerRef(const std::string& ns,
                                                              const json& ref) const {
  if (!ref.is_object() || ref.value("kind", "") != "StatefulSet") return nullptr;
  client::ObjectPtr set = set_informer_.Get(ns, ref.value("name", ""));
  if (!set || sts::Uid(*set) != ref.value("uid", "")) return nullptr;
  return set;
}

std::vector<client::ObjectPtr> StatefulSetController::PodStatefulSets(const json& pod) const {
  std::vector<client::ObjectPtr> out;
  if (LabelsOf(pod).empty()) return out;
  for (const auto& set : set_informer_.ListNamespace(sts::Namespace(pod))) {
    auto selector = SelectorOf(*set);
    if (!selector.ok() || selector->Empty() || !selector->MatchesObject(pod)) continue;
    out.push_back(set);
  }
  return out;
}

void StatefulSetController::OnPodAdd(const client::ObjectPtr& pod) {
  if (IsBeingDeleted(*pod)) {
    OnPodDelete(pod);
    return;
  }
  if (const json* ref = ControllerRefOf(*pod)) {
    client::ObjectPtr set = ResolveControllerRef(sts::Namespace(*pod), *ref);
    if (!set) return;
    const std::string key = client::KeyOf(*set);
    creations_.CreationObserved(key);
    loop_.Enqueue(key);
    return;
  }
  for (const auto& set : PodStatefulSets(*pod)) loop_.Enqueue(client::KeyOf(*set));
}

void StatefulSetController::OnPodUpdate(const client::ObjectPtr& old_pod,
                                        const client::ObjectPtr& pod) {
  if (api::GetString(*old_pod, {"metadata", "resourceVersion"}) ==
      api::GetString(*pod, {"metadata", "resourceVersion"})) {
    return;
  }
  if (IsBeingDeleted(*pod) && !IsBeingDeleted(*old_pod)) {
    // A graceful delete has begun: that is the deletion the controller waits for.
    if (const json* ref = ControllerRefOf(*pod)) {
      if (auto set = ResolveControllerRef(sts::Namespace(*pod), *ref)) {
        deletions_.DeletionObservedOf(client::KeyOf(*set), client::KeyOf(*pod));
      }
    }
  }
  const bool labels_changed = LabelsOf(*old_pod) != LabelsOf(*pod);
  const json old_ref = ControllerRefCopy(*old_pod);
  const json ref = ControllerRefCopy(*pod);
  const bool ref_changed = old_ref != ref;
  const std::string ns = sts::Namespace(*pod);
  if (ref_changed && !old_ref.is_null()) {
    if (auto old_set = ResolveControllerRef(ns, old_ref)) loop_.Enqueue(client::KeyOf(*old_set));
  }
  if (!ref.is_null()) {
    client::ObjectPtr set = ResolveControllerRef(ns, ref);
    if (!set) return;
    const std::string key = client::KeyOf(*set);
    loop_.Enqueue(key);
    const int32_t min_ready = sts::MinReadySeconds(*set);
    if (!IsPodReady(*old_pod) && IsPodReady(*pod) && min_ready > 0) {
      loop_.EnqueueAfter(key, std::chrono::seconds(min_ready + 1));
    }
    return;
  }
  if (labels_changed || ref_changed) {
    for (const auto& set : PodStatefulSets(*pod)) loop_.Enqueue(client::KeyOf(*set));
  }
}

void StatefulSetController::OnPodDelete(const client::ObjectPtr& pod) {
  const json* ref = ControllerRefOf(*pod);
  if (!ref) return;
  client::ObjectPtr set = ResolveControllerRef(sts::Namespace(*pod), *ref);
  if (!set) return;
  const std::string key = client::KeyOf(*set);
  deletions_.DeletionObservedOf(key, client::KeyOf(*pod));
  loop_.Enqueue(key);
}

bool StatefulSetController::Satisfied(const std::string& key) const {
  return creations_.Satisfied(key) && deletions_.Satisfied(key);
}

client::ObjectPtr StatefulSetController::CachedClaim(const std::string& ns,
                                                     const std::string& name) const {
  return pvc_informer_.Get(ns, name);
}

Status StatefulSetController::Sync(const std::string& key) {
  if (!set_informer_.HasSynced() || !pod_informer_.HasSynced() || !pvc_informer_.HasSynced() ||
      !revision_informer_.HasSynced()) {
    return UnavailableError("the statefulset, pod, claim and revision caches have not synced yet");
  }
  client::ObjectPtr cached = set_informer_.Get(key);
  if (!cached) {
    creations_.Delete(key);
    deletions_.Delete(key);
    return Status::Ok();
  }
  const json& set = *cached;
  auto selector = SelectorOf(set);
  if (!selector.ok()) {
    log::Warning(kComponent, "invalid selector",
                 {{"key", key}, {"error", selector.status().message()}});
    return Status::Ok();
  }
  // Act only on caches that show what the last sync did; its notifications come back here.
  if (!Satisfied(key)) return Status::Ok();
  const std::string ns = sts::Namespace(set);

  ClaimResult revisions = Claim(client_, client::ControllerRevisions(), set, StatefulSetKind(),
                                *selector, revision_informer_.ListNamespace(ns));
  if (!revisions.status.ok()) return revisions.status;
  std::vector<client::ObjectPtr> members;
  for (auto& pod : pod_informer_.ListNamespace(ns)) {
    if (sts::IsMemberOf(set, *pod)) members.push_back(std::move(pod));
  }
  ClaimResult pods = Claim(client_, client::Pods(), set, StatefulSetKind(), *selector, members);
  if (!pods.status.ok()) return pods.status;

  history::RevisionList sorted = revisions.owned;
  history::SortControllerRevisions(sorted);
  auto revs = sts::ResolveRevisions(history_, set, sorted);
  if (!revs.ok()) return revs.status();

  const auto now = sts::Clock::now();
  const sts::ClaimLookup claims = [this, &ns](const std::string& name) {
    return CachedClaim(ns, name);
  };
  const sts::Plan plan = sts::PlanSync(set, *revs, pods.owned, claims, now);
  int update_deletions = 0;
  Status ran = RunPlan(set, *revs, plan, key, &update_deletions);

  json status = plan.status;
  status["currentReplicas"] =
      std::max<int64_t>(0, status.value("currentReplicas", int64_t{0}) - update_deletions);
  sts::CompleteRollingUpdate(set, status);
  Status written;
  if (sts::StatusChanged(set, status)) {
    auto patched = client_.MergePatch(client::StatefulSets(), ns, sts::Name(set),
                                      {{"status", status}}, "status");
    if (!patched.ok() && patched.status().code() != Code::kNotFound) written = patched.status();
  }

  std::vector<std::string> live = {revs->current_name, revs->update_name};
  for (const auto& pod : pods.owned) live.push_back(sts::PodRevision(*pod));
  Status truncated = sts::TruncateHistory(history_, set, sorted, live);

  if (auto wait = sts::NextAvailableCheck(set, pods.owned, now)) loop_.EnqueueAfter(key, *wait);
  if (!ran.ok()) return ran;
  if (!written.ok()) return written;
  return truncated;
}

}  // namespace skiff::controllers
