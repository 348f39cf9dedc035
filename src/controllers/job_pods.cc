// Creating and deleting a Job's pods (kube's manageJob): how many should run, which indexes
// they get, which go first when there are too many.
#include <algorithm>
#include <map>

#include "api/object_util.h"
#include "controllers/job_controller.h"
#include "controllers/job_sync.h"
#include "controllers/pod_util.h"

namespace skiff::controllers {
namespace {

int PhaseRank(const json& pod) {
  const std::string phase = PodPhase(pod);
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 3;
}

int64_t Restarts(const json& pod) {
  int64_t n = 0;
  const json* statuses = api::Find(pod, {"status", "containerStatuses"});
  if (statuses && statuses->is_array()) {
    for (const json& cs : *statuses) {
      if (cs.is_object()) n += cs.value("restartCount", int64_t{0});
    }
  }
  return n;
}

// controller.ActivePods: the pods to delete first sort first (unscheduled before scheduled,
// Pending before Unknown before Running, not ready before ready, ready more recently first,
// more restarts first, newer first).
bool DeleteBefore(const client::ObjectPtr& a, const client::ObjectPtr& b) {
  const bool a_node = !api::GetString(*a, {"spec", "nodeName"}).empty();
  const bool b_node = !api::GetString(*b, {"spec", "nodeName"}).empty();
  if (a_node != b_node) return !a_node;
  if (PhaseRank(*a) != PhaseRank(*b)) return PhaseRank(*a) < PhaseRank(*b);
  if (IsPodReady(*a) != IsPodReady(*b)) return !IsPodReady(*a);
  if (IsPodReady(*a)) {
    auto ra = ReadySince(*a);
    auto rb = ReadySince(*b);
    if (ra && rb && *ra != *rb) return *ra > *rb;
  }
  if (Restarts(*a) != Restarts(*b)) return Restarts(*a) > Restarts(*b);
  const std::string ca = api::GetString(*a, {"metadata", "creationTimestamp"});
  const std::string cb = api::GetString(*b, {"metadata", "creationTimestamp"});
  if (ca != cb) return ca > cb;
  return NameOf(*a) < NameOf(*b);
}

// activePodsForRemoval: for Indexed Jobs first the pods without a valid index and all but one
// pod of each repeated index; then, ranked, as many more as needed to remove `at_least`.
std::vector<client::ObjectPtr> PodsForRemoval(const json& job,
                                              const std::vector<client::ObjectPtr>& pods,
                                              int64_t at_least) {
  std::vector<client::ObjectPtr> rm;
  std::vector<client::ObjectPtr> left;
  if (IsIndexedJob(job)) {
    const int completions = static_cast<int>(JobCompletions(job).value_or(0));
    std::map<int, std::vector<client::ObjectPtr>> by_index;
    for (const auto& p : pods) {
      const int ix = CompletionIndexOf(*p);
      if (ix == kUnknownCompletionIndex || ix >= completions) {
        rm.push_back(p);
      } else {
        by_index[ix].push_back(p);
      }
    }
    for (auto& [ix, same] : by_index) {
      std::sort(same.begin(), same.end(), DeleteBefore);
      rm.insert(rm.end(), same.begin(), same.end() - 1);  // keep the most advanced one
      left.push_back(same.back());
    }
  } else {
    left = pods;
  }
  if (static_cast<int64_t>(rm.size()) < at_least) {
    std::sort(left.begin(), left.end(), DeleteBefore);
    const size_t more = std::min(left.size(), static_cast<size_t>(at_least - rm.size()));
    rm.insert(rm.end(), left.begin(), left.begin() + static_cast<std::ptrdiff_t>(more));
  }
  return rm;
}

// The JOB_COMPLETION_INDEX variable, from the index label (PodIndexLabel, on since 1.28).
void AddCompletionIndexEnv(json& containers) {
  if (!containers.is_array()) return;
  for (json& c : containers) {
    json& env = c["env"];
    if (!env.is_array()) env = json::array();
    bool present = false;
    for (const json& e : env) present = present || e.value("name", "") == kJobCompletionIndexEnv;
    if (present) continue;
    env.push_back({{"name", kJobCompletionIndexEnv},
                   {"valueFrom",
                    {{"fieldRef",
                      {{"fieldPath", std::string("metadata.labels['") +
                                         kJobCompletionIndexAnnotation + "']"}}}}}});
  }
}

}  // namespace

Status JobController::ManageJob(JobSync& s, int64_t* active) {
  *active = static_cast<int64_t>(s.active_pods.size());
  if (JobSuspended(s.job)) {
    int64_t removed = 0;
    Status st = DeleteJobPods(s, PodsForRemoval(s.job, s.active_pods, *active), &removed);
    *active -= removed;
    return st;
  }
  const int64_t parallelism = JobParallelism(s.job);
  int64_t want = 0;
  if (auto completions = JobCompletions(s.job)) {
    // Never more than the completions still missing.
    want = std::clamp<int64_t>(*completions - s.succeeded, 0, parallelism);
  } else {
    // Without completions: once one pod succeeded, let the running ones finish.
    want = s.succeeded > 0 ? *active : parallelism;
  }
  auto to_delete = PodsForRemoval(s.job, s.active_pods, std::max<int64_t>(*active - want, 0));
  if (static_cast<int>(to_delete.size()) > options_.max_pods_per_sync) {
    to_delete.resize(options_.max_pods_per_sync);
  }
  if (!to_delete.empty()) {
    // Deleting and creating never happen in the same sync; deleting comes first.
    int64_t removed = 0;
    Status st = DeleteJobPods(s, to_delete, &removed);
    *active -= removed;
    return st;
  }
  const int64_t terminating = OnlyReplaceFailedPods(s.job) ? s.terminating : 0;
  const int64_t missing = want - terminating - *active;
  if (missing <= 0) return Status::Ok();
  const auto wait = RemainingBackoff(s.new_backoff, JobClock::now(), options_.pod_failure_backoff,
                                     options_.max_pod_failure_backoff);
  if (wait.count() > 0) {
    loop_.EnqueueAfter(s.key, std::max(wait, options_.sync_batch_period));
    return Status::Ok();
  }
  return CreatePods(s, std::min<int64_t>(missing, options_.max_pods_per_sync), active);
}

Status JobController::CreatePods(JobSync& s, int64_t count, int64_t* active) {
  const std::string ns = api::GetString(s.job, {"metadata", "namespace"});
  const std::string job_name = NameOf(s.job);
  std::vector<int> indexes;
  if (IsIndexedJob(s.job)) {
    std::vector<int> active_indexes;
    for (const auto& p : s.active_pods) active_indexes.push_back(CompletionIndexOf(*p));
    indexes = FirstPendingIndexes(active_indexes, s.succeeded_indexes, static_cast<int>(count),
                                  static_cast<int>(JobCompletions(s.job).value_or(0)));
    count = static_cast<int64_t>(indexes.size());
    if (count == 0) return Status::Ok();
  }
  json tmpl = api::Find(s.job, {"spec", "template"}) ? s.job["spec"]["template"] : json::object();
  if (!indexes.empty()) {
    AddCompletionIndexEnv(tmpl["spec"]["initContainers"]);
    AddCompletionIndexEnv(tmpl["spec"]["containers"]);
    if (tmpl["spec"]["initContainers"].empty()) tmpl["spec"].erase("initContainers");
  }
  json& finalizers = tmpl["metadata"]["finalizers"];
  if (!finalizers.is_array()) finalizers = json::array();
  if (std::find(finalizers.begin(), finalizers.end(), json(kJobTrackingFinalizer)) ==
      finalizers.end()) {
    finalizers.push_back(kJobTrackingFinalizer);
  }

  expectations_.ExpectCreations(s.key, static_cast<int>(count));
  *active += count;
  Status first_error;
  size_t next_index = 0;
  // Slow start: batches of 1, 2, 4 ... so that a failing create is not repeated many times.
  for (int64_t left = count, batch = std::min<int64_t>(count, 1); left > 0;
       batch = std::min(2 * batch, left)) {
    int failures = 0;
    for (int64_t i = 0; i < batch; ++i) {
      json pod = PodFromTemplate(tmpl, s.job, JobKind());
      if (next_index < indexes.size()) {
        const int ix = indexes[next_index++];
        const std::string ix_text = std::to_string(ix);
        pod["metadata"]["annotations"][kJobCompletionIndexAnnotation] = ix_text;
        pod["metadata"]["labels"][kJobCompletionIndexAnnotation] = ix_text;
        pod["metadata"]["generateName"] = IndexedPodGenerateName(job_name, ix);
        pod["spec"]["hostname"] = job_name + "-" + ix_text;
      }
      auto created = client_.Create(client::Pods(), ns, pod);
      if (created.ok()) {
        recorder_.Record(s.job, "", "Normal", "SuccessfulCreate",
                         "Created pod: " + NameOf(*created));
        continue;
      }
      ++failures;
      recorder_.Record(s.job, "", "Warning", "FailedCreate",
                       "Error creating: " + created.status().message());
      // The informer will never show this pod.
      expectations_.CreationObserved(s.key);
      --*active;
      if (first_error.ok()) first_error = created.status();
    }
    left -= batch;
    if (failures > 0 && left > 0) {
      // The pods not attempted will be tried in a later sync.
      for (int64_t i = 0; i < left; ++i) expectations_.CreationObserved(s.key);
      *active -= left;
      break;
    }
  }
  return first_error;
}

Status JobController::DeleteJobPods(JobSync& s, const std::vector<client::ObjectPtr>& pods,
                                    int64_t* removed) {
  *removed = 0;
  if (pods.empty()) return Status::Ok();
  std::vector<std::string> keys;
  for (const auto& p : pods) keys.push_back(client::KeyOf(*p));
  expectations_.ExpectDeletionsOf(s.key, keys);
  Status first_error;
  for (const auto& p : pods) {
    const json& pod = *p;
    // A pod deleted on purpose is not a failure: release it from accounting first.
    Status st = RemoveJobTrackingFinalizer(client_, pod);
    if (st.ok()) {
      client::Client::DeleteOptions o;
      o.precondition_uid = UidOf(pod);
      st = client_.Delete(client::Pods(), api::GetString(pod, {"metadata", "namespace"}),
                          NameOf(pod), o);
    }
    if (st.ok()) {
      ++*removed;
      s.terminating += 1;
      if (IsPodReady(pod)) s.ready -= 1;
      recorder_.Record(s.job, "", "Normal", "SuccessfulDelete", "Deleted pod: " + NameOf(pod));
      continue;
    }
    expectations_.DeletionObservedOf(s.key, client::KeyOf(pod));
    if (st.code() == Code::kNotFound) {
      ++*removed;  // already gone
      continue;
    }
    recorder_.Record(s.job, "", "Warning", "FailedDelete", "Error deleting: " + st.message());
    if (first_error.ok()) first_error = st;
  }
  return first_error;
}

Status JobController::DeleteActivePods(JobSync& s, int64_t* deleted) {
  // The pods keep their finalizer: they are counted (as failed) before it is removed.
  *deleted = 0;
  Status first_error;
  for (const auto& p : s.active_pods) {
    const json& pod = *p;
    client::Client::DeleteOptions o;
    o.precondition_uid = UidOf(pod);
    Status st = client_.Delete(client::Pods(), api::GetString(pod, {"metadata", "namespace"}),
                               NameOf(pod), o);
    if (st.ok()) {
      recorder_.Record(s.job, "", "Normal", "SuccessfulDelete", "Deleted pod: " + NameOf(pod));
    } else if (st.code() != Code::kNotFound) {
      recorder_.Record(s.job, "", "Warning", "FailedDelete", "Error deleting: " + st.message());
      if (first_error.ok()) first_error = st;
      continue;
    }
    ++*deleted;
    if (IsPodReady(pod)) s.ready -= 1;
  }
  return first_error;
}

}  // namespace skiff::controllers
