// Counting finished pods through status.uncountedTerminatedPods and the tracking finalizer
// (kube's trackJobStatusAndRemoveFinalizers), finishing the Job, and freeing orphaned pods.
#include "controllers/job_tracking.h"

#include <algorithm>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/job_controller.h"
#include "controllers/job_sync.h"

namespace skiff::controllers {
namespace {

constexpr int kFinalizerPatchAttempts = 3;

json FinalizersOf(const json& pod) {
  const json* f = api::Find(pod, {"metadata", "finalizers"});
  return f && f->is_array() ? *f : json::array();
}

// A merge patch replacing metadata.finalizers, pinned to the pod's resourceVersion.
json FinalizersPatch(const json& pod, const json& finalizers) {
  return {{"metadata",
           {{"resourceVersion", api::GetString(pod, {"metadata", "resourceVersion"})},
            {"finalizers", finalizers.empty() ? json(nullptr) : finalizers}}}};
}

// Moves the uids whose finalizer is gone from the uncounted lists into the counters.
bool CleanUncounted(json& status, const std::set<std::string>& uids_with_finalizer) {
  bool changed = false;
  json& uncounted = status["uncountedTerminatedPods"];
  if (!uncounted.is_object()) uncounted = json::object();
  for (const char* field : {"succeeded", "failed"}) {
    const json list = uncounted.value(field, json::array());
    json kept = json::array();
    for (const json& uid : list) {
      if (uid.is_string() && uids_with_finalizer.count(uid.get<std::string>())) kept.push_back(uid);
    }
    if (kept.size() == list.size()) continue;
    changed = true;
    const int64_t before = status.value(field, int64_t{0});
    status[field] = before + static_cast<int64_t>(list.size() - kept.size());
    uncounted[field] = std::move(kept);
  }
  return changed;
}

bool CanRemoveFinalizer(const JobSync& s, const json& pod, bool considered_failed) {
  return IsBeingDeleted(s.job) || s.finished_condition.has_value() ||
         PodPhase(pod) == "Succeeded" || considered_failed;
}

}  // namespace

bool HasJobTrackingFinalizer(const json& pod) {
  for (const json& f : FinalizersOf(pod)) {
    if (f.is_string() && f.get<std::string>() == kJobTrackingFinalizer) return true;
  }
  return false;
}

Status RemoveJobTrackingFinalizer(client::Client& client, const json& pod) {
  const std::string ns = api::GetString(pod, {"metadata", "namespace"});
  const std::string name = NameOf(pod);
  json current = pod;
  for (int attempt = 0;; ++attempt) {
    if (!HasJobTrackingFinalizer(current)) return Status::Ok();
    json kept = json::array();
    for (const json& f : FinalizersOf(current)) {
      if (!(f.is_string() && f.get<std::string>() == kJobTrackingFinalizer)) kept.push_back(f);
    }
    auto patched = client.MergePatch(client::Pods(), ns, name, FinalizersPatch(current, kept));
    if (patched.ok()) return Status::Ok();
    if (patched.status().code() != Code::kConflict || attempt + 1 >= kFinalizerPatchAttempts) {
      return patched.status();
    }
    auto fresh = client.Get(client::Pods(), ns, name);
    if (!fresh.ok()) return fresh.status();
    if (UidOf(*fresh) != UidOf(pod)) return NotFoundError("pod " + ns + "/" + name + " replaced");
    current = std::move(fresh).value();
  }
}

Result<json> AddJobTrackingFinalizer(client::Client& client, const json& pod) {
  json finalizers = FinalizersOf(pod);
  finalizers.push_back(kJobTrackingFinalizer);
  return client.MergePatch(client::Pods(), api::GetString(pod, {"metadata", "namespace"}),
                           NameOf(pod), FinalizersPatch(pod, finalizers));
}

void FinalizerExpectations::Expect(const std::string& job_key,
                                   const std::vector<std::string>& uids) {
  std::lock_guard lock(mu_);
  uids_[job_key].insert(uids.begin(), uids.end());
}

void FinalizerExpectations::Observed(const std::string& job_key, const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = uids_.find(job_key);
  if (it == uids_.end()) return;
  it->second.erase(uid);
  if (it->second.empty()) uids_.erase(it);
}

std::set<std::string> FinalizerExpectations::Expected(const std::string& job_key) const {
  std::lock_guard lock(mu_);
  auto it = uids_.find(job_key);
  return it == uids_.end() ? std::set<std::string>{} : it->second;
}

void FinalizerExpectations::Delete(const std::string& job_key) {
  std::lock_guard lock(mu_);
  uids_.erase(job_key);
}

Status JobController::TrackStatusAndRemoveFinalizers(JobSync& s, bool needs_flush) {
  const bool indexed = IsIndexedJob(s.job);
  const int completions = static_cast<int>(JobCompletions(s.job).value_or(0));
  std::vector<client::ObjectPtr> pods = s.pods;
  if (indexed) {
    // Completed indexes are introduced in order.
    std::stable_sort(pods.begin(), pods.end(), [](const auto& a, const auto& b) {
      return CompletionIndexOf(*a) < CompletionIndexOf(*b);
    });
  }
  std::set<std::string> uids_with_finalizer;
  for (const auto& p : pods) {
    if (HasJobTrackingFinalizer(*p) && !s.expected_rm_finalizers.count(UidOf(*p))) {
      uids_with_finalizer.insert(UidOf(*p));
    }
  }
  json& status = s.job["status"];
  if (CleanUncounted(status, uids_with_finalizer)) needs_flush = true;
  json& uncounted = status["uncountedTerminatedPods"];
  for (const char* field : {"succeeded", "failed"}) {
    if (!uncounted[field].is_array()) uncounted[field] = json::array();
  }

  std::vector<client::ObjectPtr> to_remove;
  std::vector<int> new_indexes;
  bool reached_max = false;
  for (const auto& p : pods) {
    const json& pod = *p;
    const std::string uid = UidOf(pod);
    if (!HasJobTrackingFinalizer(pod) || s.expected_rm_finalizers.count(uid)) continue;
    const bool failed = IsJobPodFailed(pod, s.job);
    if (!CanRemoveFinalizer(s, pod, failed)) continue;
    to_remove.push_back(p);
    const int ix = CompletionIndexOf(pod);
    if (PodPhase(pod) == "Succeeded" && !s.uncounted_failed.count(uid)) {
      if (indexed) {
        if (ix != kUnknownCompletionIndex && ix < completions &&
            !HasIndex(s.prev_succeeded_indexes, ix)) {
          new_indexes.push_back(ix);
          needs_flush = true;
        }
      } else if (!s.uncounted_succeeded.count(uid)) {
        uncounted["succeeded"].push_back(uid);
        needs_flush = true;
      }
    } else if (failed || (s.finished_condition &&
                          s.finished_condition->value("type", "") != "SuccessCriteriaMet")) {
      // Once the Job is finishing, every pod that did not succeed counts as failed.
      if (!s.uncounted_failed.count(uid) &&
          (!indexed || (ix != kUnknownCompletionIndex && ix < completions))) {
        uncounted["failed"].push_back(uid);
        needs_flush = true;
      }
    }
    const size_t pending =
        new_indexes.size() + uncounted["succeeded"].size() + uncounted["failed"].size();
    if (static_cast<int>(pending) >= options_.max_uncounted_pods) {
      // Keep the status small and the sync short; the writes below bring the Job back.
      reached_max = true;
      break;
    }
  }
  if (indexed) {
    std::sort(new_indexes.begin(), new_indexes.end());
    new_indexes.erase(std::unique(new_indexes.begin(), new_indexes.end()), new_indexes.end());
    s.succeeded_indexes = WithIndexes(s.succeeded_indexes, new_indexes);
    const std::string text = FormatIndexIntervals(s.succeeded_indexes);
    if (text != status.value("completedIndexes", "")) needs_flush = true;
    status["succeeded"] = CountIndexes(s.succeeded_indexes);
    status["completedIndexes"] = text;
  }
  const auto now = JobClock::now();
  if (s.finished_condition && s.finished_condition->value("type", "") == "FailureTarget") {
    // The interim condition goes first; Failed follows once the pods are gone and counted.
    status["conditions"].push_back(*s.finished_condition);
    needs_flush = true;
    s.finished_condition =
        NewJobCondition("Failed", "True", s.finished_condition->value("reason", ""),
                        s.finished_condition->value("message", ""), now);
  }
  if (s.finished_condition && s.finished_condition->value("type", "") == "SuccessCriteriaMet") {
    const json* met = FindJobCondition(s.job, "SuccessCriteriaMet");
    if (!met || met->value("status", "") != "True") {
      status["conditions"].push_back(*s.finished_condition);
      needs_flush = true;
    }
    s.finished_condition =
        NewJobCondition("Complete", "True", s.finished_condition->value("reason", ""),
                        s.finished_condition->value("message", ""), now);
  }
  Status st = FlushUncountedAndRemoveFinalizers(s, to_remove, uids_with_finalizer, &needs_flush);
  if (!st.ok()) return st;
  const bool finished = !reached_max && EnactFinished(s);
  if (finished) needs_flush = true;
  if (!needs_flush) return Status::Ok();
  st = WriteStatus(s);
  if (!st.ok()) return st;
  if (finished) RecordFinished(s);
  return Status::Ok();
}

Status JobController::FlushUncountedAndRemoveFinalizers(JobSync& s,
                                                        const std::vector<client::ObjectPtr>& pods,
                                                        std::set<std::string>& uids_with_finalizer,
                                                        bool* needs_flush) {
  if (*needs_flush) {
    Status st = WriteStatus(s);
    if (!st.ok()) return st;
    backoff_.Update(s.new_backoff);
    *needs_flush = false;
  }
  Status rm_error;
  if (!pods.empty()) {
    std::vector<std::string> uids;
    for (const auto& p : pods) uids.push_back(UidOf(*p));
    finalizer_expectations_.Expect(s.key, uids);
    for (const auto& p : pods) {
      Status st = RemoveJobTrackingFinalizer(client_, *p);
      if (!st.ok()) {
        // The informer will not show a removal that did not happen.
        finalizer_expectations_.Observed(s.key, UidOf(*p));
        if (st.code() != Code::kNotFound) {
          if (rm_error.ok()) rm_error = st;
          continue;
        }
      }
      uids_with_finalizer.erase(UidOf(*p));
    }
  }
  // Count what was freed; if some removals failed, save the progress made.
  if (CleanUncounted(s.job["status"], uids_with_finalizer)) *needs_flush = true;
  if (!rm_error.ok() && *needs_flush) {
    Status st = WriteStatus(s);
    if (!st.ok()) return st;
    *needs_flush = false;
  }
  return rm_error;
}

bool JobController::EnactFinished(JobSync& s) {
  if (!s.finished_condition) return false;
  const json& uncounted = s.job["status"]["uncountedTerminatedPods"];
  for (const char* field : {"succeeded", "failed"}) {
    if (uncounted.contains(field) && !uncounted[field].empty()) return false;
  }
  if (s.terminating > 0) return false;
  const json& cond = *s.finished_condition;
  const std::string type = cond.value("type", "");
  EnsureJobCondition(s.job, type, "True", cond.value("reason", ""), cond.value("message", ""),
                     JobClock::now());
  if (type == "Complete") {
    s.job["status"]["completionTime"] =
        FindJobCondition(s.job, "Complete")->value("lastTransitionTime", api::NowRfc3339());
  }
  return true;
}

Status JobController::SyncOrphanPod(const std::string& pod_key) {
  try {
    client::ObjectPtr pod = pods_.Get(pod_key);
    if (!pod) return Status::Ok();
    if (const json* ref = ControllerRefOf(*pod)) {
      if (ref->value("kind", "") != "Job" || ref->value("apiVersion", "") != "batch/v1") {
        return Status::Ok();  // not a Job's pod: not our finalizer to remove
      }
      client::ObjectPtr job = ResolveJob(api::GetString(*pod, {"metadata", "namespace"}), *ref);
      if (job) {
        const std::string managed_by = api::GetString(*job, {"spec", "managedBy"});
        if (!managed_by.empty() && managed_by != kJobManagedByDefault) return Status::Ok();
        if (!IsJobFinished(*job)) return Status::Ok();  // adopted: its Job counts it
      }
    }
    Status st = RemoveJobTrackingFinalizer(client_, *pod);
    return st.code() == Code::kNotFound ? Status::Ok() : st;
  } catch (const std::exception& e) {
    return InternalError(std::string("orphan pod ") + pod_key + ": " + e.what());
  }
}

}  // namespace skiff::controllers
