// The Job controller's loop: its construction, the sync of one Job (kube's syncJob), and which
// pods a Job controls.
#include "controllers/job_controller.h"

#include <algorithm>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/job_sync.h"
#include "controllers/pod_util.h"
#include "skiff/apis/selector.h"

namespace skiff::controllers {
namespace {

ControllerLoopOptions LoopOptions(const std::string& name, const JobControllerOptions& o) {
  ControllerLoopOptions lo;
  lo.name = name;
  lo.workers = o.workers;
  lo.base_backoff = o.api_backoff;
  lo.max_backoff = o.max_api_backoff;
  return lo;
}

JobControllerOptions OneWorker(JobControllerOptions o) {
  o.workers = 1;
  return o;
}

std::string ManagedBy(const json& job) { return api::GetString(job, {"spec", "managedBy"}); }

}  // namespace

JobController::JobController(client::Client& client, client::SharedInformerFactory& informers,
                             JobControllerOptions options)
    : client_(client),
      jobs_(informers.For(client::Jobs())),
      pods_(informers.For(client::Pods())),
      options_(std::move(options)),
      recorder_(client, events::Source{kJobControllerName, ""}),
      expectations_(options_.expectations_timeout),
      loop_(LoopOptions(kJobControllerName, options_),
            [this](const std::string& key) { return Sync(key); }),
      orphans_(LoopOptions("job-controller-orphan-pods", OneWorker(options_)),
               [this](const std::string& key) { return SyncOrphanPod(key); }) {
  client::EventHandler jh;
  jh.on_add = [this](const client::ObjectPtr& job) { loop_.Enqueue(client::KeyOf(*job)); };
  jh.on_update = [this](const client::ObjectPtr& old_job, const client::ObjectPtr& job) {
    OnJobUpdate(old_job, job);
  };
  jh.on_delete = [this](const client::ObjectPtr& job) {
    loop_.Enqueue(client::KeyOf(*job));
    EnqueueOrphanPodsOf(*job);
  };
  job_handler_ = jobs_.AddHandler(std::move(jh));

  client::EventHandler ph;
  ph.on_add = [this](const client::ObjectPtr& pod) { OnPodAdd(pod); };
  ph.on_update = [this](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    OnPodUpdate(old_pod, pod);
  };
  ph.on_delete = [this](const client::ObjectPtr& pod) { OnPodDelete(pod, true); };
  pod_handler_ = pods_.AddHandler(std::move(ph));
}

JobController::~JobController() {
  Stop();
  jobs_.RemoveHandler(job_handler_);
  pods_.RemoveHandler(pod_handler_);
}

void JobController::Start() {
  loop_.Start();
  orphans_.Start();
}

void JobController::Stop() {
  loop_.Stop();
  orphans_.Stop();
}

Status JobController::PodsForJob(JobSync& s) {
  const json* sel = api::Find(s.job, {"spec", "selector"});
  auto selector = apis::LabelSelectorFromJson(sel ? *sel : json());
  if (!selector.ok()) {
    return InvalidArgumentError("couldn't convert Job selector: " + selector.status().message());
  }
  // Every pod of the namespace: owned pods that stopped matching are released.
  const auto candidates = pods_.ListNamespace(api::GetString(s.job, {"metadata", "namespace"}));
  const std::string uid = UidOf(s.job);
  ClaimResult claimed = Claim(client_, client::Pods(), s.job, JobKind(), *selector, candidates);
  if (!claimed.status.ok()) return claimed.status;
  for (auto& pod : claimed.owned) {
    const bool was_ours = std::any_of(candidates.begin(), candidates.end(), [&](const auto& c) {
      return UidOf(*c) == UidOf(*pod) && IsControlledBy(*c, uid);
    });
    if (was_ours || HasJobTrackingFinalizer(*pod)) continue;
    // Adopted: it is counted like the Job's own pods.
    auto patched = AddJobTrackingFinalizer(client_, *pod);
    if (!patched.ok()) return patched.status();
    pod = std::make_shared<const json>(std::move(patched).value());
  }
  s.pods = std::move(claimed.owned);
  return Status::Ok();
}

Status JobController::Sync(const std::string& key) {
  try {
    return SyncJob(key);
  } catch (const std::exception& e) {
    return InternalError("syncing job " + key + ": " + e.what());
  }
}

Status JobController::SyncJob(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  if (ns.empty() || name.empty()) {
    return InvalidArgumentError("invalid job key \"" + key +
                                "\": either namespace or name is missing");
  }
  client::ObjectPtr shared = jobs_.Get(key);
  if (!shared) {
    expectations_.Delete(key);
    finalizer_expectations_.Delete(key);
    backoff_.Remove(key);
    return Status::Ok();
  }
  const std::string managed_by = ManagedBy(*shared);
  if (!managed_by.empty() && managed_by != kJobManagedByDefault) return Status::Ok();
  if (IsJobFinished(*shared)) {
    backoff_.Remove(key);
    return Status::Ok();
  }
  const std::string mode = api::GetString(*shared, {"spec", "completionMode"});
  if (!mode.empty() && mode != "NonIndexed" && mode != "Indexed") {
    recorder_.Record(*shared, "", "Warning", "UnknownCompletionMode",
                     "Skipped Job sync because completion mode is unknown");
    return Status::Ok();
  }

  JobSync s;
  s.key = key;
  s.job = *shared;
  json& status = s.job["status"];
  if (!status.is_object()) status = json::object();
  if (!status["uncountedTerminatedPods"].is_object())
    status["uncountedTerminatedPods"] = json::object();
  const json& uncounted = status["uncountedTerminatedPods"];
  for (const auto& [field, into] :
       {std::pair{"succeeded", &s.uncounted_succeeded}, std::pair{"failed", &s.uncounted_failed}}) {
    for (const json& uid : uncounted.value(field, json::array())) {
      if (uid.is_string()) into->insert(uid.get<std::string>());
    }
  }
  // Expectations first: a pod arriving after this check waits for the next sync.
  s.satisfied = expectations_.Satisfied(key);
  if (Status st = PodsForJob(s); !st.ok()) return st;
  for (const auto& p : s.pods) {
    if (IsPodActive(*p)) {
      s.active_pods.push_back(p);
      if (IsPodReady(*p)) ++s.ready;
    }
    if (IsPodTerminating(*p)) ++s.terminating;
  }
  s.expected_rm_finalizers = finalizer_expectations_.Expected(key);
  int64_t active = static_cast<int64_t>(s.active_pods.size());

  // Finished pods not counted yet: still holding the finalizer and not in the uncounted lists.
  const bool indexed = IsIndexedJob(s.job);
  const int completions = static_cast<int>(JobCompletions(s.job).value_or(0));
  std::vector<client::ObjectPtr> new_succeeded;
  std::vector<client::ObjectPtr> new_failed;
  for (const auto& p : s.pods) {
    const std::string uid = UidOf(*p);
    if (!HasJobTrackingFinalizer(*p) || s.expected_rm_finalizers.count(uid)) continue;
    if (indexed) {
      const int ix = CompletionIndexOf(*p);
      if (ix == kUnknownCompletionIndex || ix >= completions) continue;
    }
    if (PodPhase(*p) == "Succeeded" && !s.uncounted_succeeded.count(uid))
      new_succeeded.push_back(p);
    if (IsJobPodFailed(*p, s.job) && !s.uncounted_failed.count(uid)) new_failed.push_back(p);
  }
  s.succeeded = StatusCount(s.job, "succeeded") + static_cast<int64_t>(new_succeeded.size()) +
                static_cast<int64_t>(s.uncounted_succeeded.size());
  s.failed = StatusCount(s.job, "failed") + static_cast<int64_t>(new_failed.size()) +
             static_cast<int64_t>(s.uncounted_failed.size());

  const auto now = JobClock::now();
  // The first start; a Job created suspended starts when resumed.
  if (!status.contains("startTime") && !JobSuspended(s.job)) {
    status["startTime"] = api::Rfc3339(now);
  }
  s.new_backoff = backoff_.NewRecord(key, new_succeeded, new_failed);

  if (const json* met = FindJobCondition(s.job, "SuccessCriteriaMet");
      met && met->value("status", "") == "True") {
    s.finished_condition = *met;
  } else if (const json* target = FindJobCondition(s.job, "FailureTarget");
             target && target->value("status", "") == "True") {
    s.finished_condition = NewJobCondition("Failed", "True", target->value("reason", ""),
                                           target->value("message", ""), now);
  } else if (s.failed > JobBackoffLimit(s.job) || PastBackoffLimitOnFailure(s.job, s.pods)) {
    s.finished_condition = NewJobCondition("FailureTarget", "True", "BackoffLimitExceeded",
                                           "Job has reached the specified backoff limit", now);
  } else if (const json* ads = api::Find(s.job, {"spec", "activeDeadlineSeconds"});
             ads && ads->is_number_integer() && !JobSuspended(s.job)) {
    JobClock::time_point started;
    if (api::ParseRfc3339(api::GetString(s.job, {"status", "startTime"}), &started)) {
      const auto left = started + std::chrono::seconds(ads->get<int64_t>()) - now;
      if (left <= JobClock::duration::zero()) {
        s.finished_condition =
            NewJobCondition("FailureTarget", "True", "DeadlineExceeded",
                            "Job was active longer than specified deadline", now);
      } else {
        loop_.EnqueueAfter(key, std::chrono::ceil<std::chrono::milliseconds>(left));
      }
    }
  }
  if (indexed) {
    s.prev_succeeded_indexes =
        ParseIndexIntervals(status.value("completedIndexes", ""), completions);
    std::vector<int> fresh;
    for (const auto& p : s.pods) {
      const int ix = CompletionIndexOf(*p);
      if (PodPhase(*p) == "Succeeded" && ix != kUnknownCompletionIndex && ix < completions &&
          HasJobTrackingFinalizer(*p)) {
        fresh.push_back(ix);
      }
    }
    std::sort(fresh.begin(), fresh.end());
    fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
    s.succeeded_indexes = WithIndexes(s.prev_succeeded_indexes, fresh);
    s.succeeded = CountIndexes(s.succeeded_indexes);
  }

  Status manage_error;
  bool suspend_changed = false;
  if (s.finished_condition) {
    int64_t deleted = 0;
    manage_error = DeleteActivePods(s, &deleted);
    // Not finished while pods may still be unseen or undeleted.
    if (deleted != active || !s.satisfied) s.finished_condition.reset();
    active -= deleted;
    s.terminating += deleted;
  } else {
    bool managed = false;
    if (s.satisfied && !IsBeingDeleted(s.job)) {
      manage_error = ManageJob(s, &active);
      managed = true;
    }
    const auto completions_opt = JobCompletions(s.job);
    const bool complete = completions_opt ? s.succeeded >= *completions_opt && active == 0
                                          : s.succeeded > 0 && active == 0;
    if (complete) {
      s.finished_condition = NewJobCondition("SuccessCriteriaMet", "True", "CompletionsReached",
                                             "Reached expected number of succeeded pods", now);
    } else if (managed) {
      // Conditions change only in the sync that managed the pods.
      UpdateSuspendCondition(s, &suspend_changed);
    }
  }

  const json* ready_now = api::Find(s.job, {"status", "ready"});
  const json* terminating_now = api::Find(s.job, {"status", "terminating"});
  const bool needs_update = suspend_changed || active != StatusCount(s.job, "active") ||
                            !ready_now || *ready_now != s.ready || !terminating_now ||
                            *terminating_now != s.terminating;
  s.job["status"]["active"] = active;
  s.job["status"]["ready"] = s.ready;
  s.job["status"]["terminating"] = s.terminating;
  if (Status st = TrackStatusAndRemoveFinalizers(s, needs_update); !st.ok()) {
    return Status(st.code(), "tracking status: " + st.message());
  }
  return manage_error;
}

}  // namespace skiff::controllers
