// The Job controller's informer handlers (kube's addPod/updatePod/deletePod/updateJob/
// deleteJob): they only enqueue Jobs (or orphan pods) and count off expectations.
#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/job_controller.h"
#include "controllers/job_sync.h"
#include "skiff/apis/selector.h"

namespace skiff::controllers {
namespace {

const json* ControllerRefOrNull(const client::ObjectPtr& obj) {
  return obj ? ControllerRefOf(*obj) : nullptr;
}

bool SameRef(const json* a, const json* b) {
  if (!a || !b) return a == b;
  return *a == *b;
}

json LabelsOf(const json& obj) {
  const json* labels = api::Find(obj, {"metadata", "labels"});
  return labels && labels->is_object() ? *labels : json::object();
}

}  // namespace

void JobController::EnqueueBatched(const std::string& key) {
  if (options_.sync_batch_period.count() <= 0) {
    loop_.Enqueue(key);
  } else {
    loop_.EnqueueAfter(key, options_.sync_batch_period);
  }
}

client::ObjectPtr JobController::ResolveJob(const std::string& ns, const json& ref) const {
  if (ref.value("kind", "") != "Job") return nullptr;
  client::ObjectPtr job = jobs_.Get(ns, ref.value("name", ""));
  if (!job || UidOf(*job) != ref.value("uid", "")) return nullptr;
  return job;
}

std::vector<client::ObjectPtr> JobController::JobsSelecting(const json& pod) const {
  std::vector<client::ObjectPtr> out;
  const json labels = LabelsOf(pod);
  if (labels.empty()) return out;
  for (const auto& job : jobs_.ListNamespace(api::GetString(pod, {"metadata", "namespace"}))) {
    const json* sel = api::Find(*job, {"spec", "selector"});
    auto selector = apis::LabelSelectorFromJson(sel ? *sel : json());
    if (!selector.ok() || selector->Empty() || !selector->Matches(labels)) continue;
    out.push_back(job);
  }
  return out;
}

void JobController::EnqueueOrphanPodsOf(const json& job) {
  const std::string uid = UidOf(job);
  for (const auto& pod : pods_.ListNamespace(api::GetString(job, {"metadata", "namespace"}))) {
    if (IsControlledBy(*pod, uid) && HasJobTrackingFinalizer(*pod)) {
      orphans_.Enqueue(client::KeyOf(*pod));
    }
  }
}

void JobController::OnJobUpdate(const client::ObjectPtr& old_job, const client::ObjectPtr& job) {
  const std::string key = client::KeyOf(*job);
  const auto generation = [](const json& j) {
    const json* g = api::Find(j, {"metadata", "generation"});
    return g && g->is_number_integer() ? g->get<int64_t>() : int64_t{0};
  };
  if (generation(*job) == generation(*old_job)) {
    EnqueueBatched(key);  // status writes, mostly ours
  } else {
    loop_.Enqueue(key);  // spec changes act at once
  }
  // A finished Job keeps no pod finalizers (a backup: finishing removed them already).
  if (IsJobFinished(*job)) EnqueueOrphanPodsOf(*job);
  // A changed activeDeadlineSeconds: look again when it runs out.
  const json* start = api::Find(*job, {"status", "startTime"});
  const json* ads = api::Find(*job, {"spec", "activeDeadlineSeconds"});
  const json* old_ads = api::Find(*old_job, {"spec", "activeDeadlineSeconds"});
  if (start && start->is_string() && ads && ads->is_number_integer() &&
      (!old_ads || *old_ads != *ads)) {
    JobClock::time_point started;
    if (api::ParseRfc3339(start->get<std::string>(), &started)) {
      const auto left = started + std::chrono::seconds(ads->get<int64_t>()) - JobClock::now();
      loop_.EnqueueAfter(key, std::max(std::chrono::milliseconds(0),
                                       std::chrono::ceil<std::chrono::milliseconds>(left)));
    }
  }
}

void JobController::OnPodAdd(const client::ObjectPtr& pod) {
  if (IsBeingDeleted(*pod)) {
    // Seen first while already going (a restart): not a creation to count off.
    OnPodDelete(pod, false);
    return;
  }
  const std::string ns = api::GetString(*pod, {"metadata", "namespace"});
  if (const json* ref = ControllerRefOf(*pod)) {
    client::ObjectPtr job = ResolveJob(ns, *ref);
    if (!job) return;
    const std::string key = client::KeyOf(*job);
    expectations_.CreationObserved(key);
    EnqueueBatched(key);
    return;
  }
  // An orphan: drop a leftover finalizer, and wake the Jobs that may adopt it.
  if (HasJobTrackingFinalizer(*pod)) orphans_.Enqueue(client::KeyOf(*pod));
  for (const auto& job : JobsSelecting(*pod)) EnqueueBatched(client::KeyOf(*job));
}

void JobController::OnPodUpdate(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
  if (api::GetString(*pod, {"metadata", "resourceVersion"}) ==
      api::GetString(*old_pod, {"metadata", "resourceVersion"})) {
    return;
  }
  if (IsBeingDeleted(*pod)) {
    // Replacements need not wait for the pod to be gone.
    OnPodDelete(pod, false);
    return;
  }
  const std::string ns = api::GetString(*pod, {"metadata", "namespace"});
  const bool finalizer_removed = !HasJobTrackingFinalizer(*pod);
  const json* ref = ControllerRefOrNull(pod);
  const json* old_ref = ControllerRefOrNull(old_pod);
  const bool ref_changed = !SameRef(ref, old_ref);
  if (ref_changed && old_ref) {
    if (client::ObjectPtr job = ResolveJob(ns, *old_ref)) {
      const std::string key = client::KeyOf(*job);
      if (finalizer_removed) finalizer_expectations_.Observed(key, UidOf(*pod));
      EnqueueBatched(key);
    }
  }
  if (ref) {
    client::ObjectPtr job = ResolveJob(ns, *ref);
    if (!job) return;
    const std::string key = client::KeyOf(*job);
    if (finalizer_removed) finalizer_expectations_.Observed(key, UidOf(*pod));
    EnqueueBatched(key);
    return;
  }
  if (HasJobTrackingFinalizer(*pod)) orphans_.Enqueue(client::KeyOf(*pod));
  if (ref_changed || LabelsOf(*pod) != LabelsOf(*old_pod)) {
    for (const auto& job : JobsSelecting(*pod)) EnqueueBatched(client::KeyOf(*job));
  }
}

void JobController::OnPodDelete(const client::ObjectPtr& pod, bool final_state) {
  const bool has_finalizer = HasJobTrackingFinalizer(*pod);
  const json* ref = ControllerRefOf(*pod);
  if (!ref) {
    if (has_finalizer) orphans_.Enqueue(client::KeyOf(*pod));
    return;
  }
  client::ObjectPtr job = ResolveJob(api::GetString(*pod, {"metadata", "namespace"}), *ref);
  if (!job || IsJobFinished(*job)) {
    // No sync will remove this finalizer.
    if (has_finalizer) orphans_.Enqueue(client::KeyOf(*pod));
    return;
  }
  const std::string key = client::KeyOf(*job);
  expectations_.DeletionObservedOf(key, client::KeyOf(*pod));
  if (final_state || !has_finalizer) finalizer_expectations_.Observed(key, UidOf(*pod));
  EnqueueBatched(key);
}

}  // namespace skiff::controllers
