// kube-controller-manager's Job controller (batch/v1 Jobs), in skiff's controller shape.
//
// A Job runs pods from spec.template until enough of them succeed:
//   - NonIndexed: done at spec.completions successes; with no completions, done once any pod
//     succeeded and none is active. At most spec.parallelism pods run, never more than the
//     completions still missing.
//   - Indexed: each pod gets a completion index 0..completions-1 (annotation and label
//     batch.kubernetes.io/job-completion-index, env JOB_COMPLETION_INDEX read from that label
//     through the downward API as Kubernetes 1.28+ (PodIndexLabel) does, hostname
//     "<job>-<index>", name "<job>-<index>-<random>"); done when every index has succeeded
//     once; status.completedIndexes lists them ("0-2,4").
// Pods carry the Job's labels (from the template the API generated), its controller reference
// and the finalizer batch.kubernetes.io/job-tracking: a finished pod is counted into
// status.succeeded / status.failed through status.uncountedTerminatedPods before its finalizer
// is removed, so counts survive pods being deleted. Orphaned pods (their Job gone or finished)
// lose the finalizer too.
//
// Failure: more failed pods than spec.backoffLimit, or a Job active longer than
// spec.activeDeadlineSeconds (the controller requeues itself for the deadline), fails it: the
// active pods are deleted, the condition FailureTarget is written (reason BackoffLimitExceeded
// "Job has reached the specified backoff limit" / DeadlineExceeded "Job was active longer than
// specified deadline"), and once no pod is left terminating and every pod is counted, Failed
// with the same reason and message (Kubernetes 1.31+). Success writes SuccessCriteriaMet then
// Complete (reason CompletionsReached, "Reached expected number of succeeded pods") and
// status.completionTime. Pods replacing failed ones wait an exponential delay (10 s doubling,
// capped at 6 minutes). spec.suspend deletes the active pods and sets Suspended True
// ("JobSuspended", "Job suspended"); resuming sets it False ("JobResumed", "Job resumed") and
// resets status.startTime. Events as Kubernetes records them (SuccessfulCreate "Created pod: x",
// SuccessfulDelete "Deleted pod: x", Completed "Job completed", Suspended, Resumed, and a
// Warning with the failure reason and message).
//
// Not implemented: podFailurePolicy, backoffLimitPerIndex / maxFailedIndexes, successPolicy
// (Jobs using them run with the rules above, ignoring those fields).
//
// Ownership: client and informers must outlive the controller. Construction registers the
// handlers on the Job and Pod informers of the factory; the caller starts the factory, then
// calls Start(). Thread-safe: Sync may run on several workers, never twice at once for one key.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/expectations.h"
#include "controllers/job_backoff.h"
#include "controllers/job_tracking.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

struct JobControllerOptions {
  int workers = 5;  // --concurrent-job-syncs
  // Delay before failed pods are replaced: base doubling per consecutive failure, capped.
  std::chrono::milliseconds pod_failure_backoff{std::chrono::seconds(10)};
  std::chrono::milliseconds max_pod_failure_backoff{std::chrono::minutes(6)};
  // Pod events and status updates are coalesced for this long before a Job is synced.
  std::chrono::milliseconds sync_batch_period{std::chrono::seconds(1)};
  // Retry delays of a failed sync (the API's errors): base doubling, capped.
  std::chrono::milliseconds api_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_api_backoff{std::chrono::minutes(1)};
  std::chrono::milliseconds expectations_timeout{std::chrono::minutes(5)};
  int max_pods_per_sync = 500;   // creations or deletions per sync
  int max_uncounted_pods = 500;  // uids in status.uncountedTerminatedPods at once
};

struct JobSync;  // one sync's working state (job_sync.h)

class JobController {
 public:
  JobController(client::Client& client, client::SharedInformerFactory& informers,
                JobControllerOptions options = {});
  ~JobController();  // Stop()
  JobController(const JobController&) = delete;
  JobController& operator=(const JobController&) = delete;

  // Starts the workers (Job keys, and orphan pods whose finalizer must go).
  void Start();
  // Idempotent.
  void Stop();

  // One pass over the Job "namespace/name", reading the informer caches. Errors are the API's
  // (the loop retries them with backoff). Never throws.
  Status Sync(const std::string& key);
  // Removes the tracking finalizer from the pod "namespace/name" if no live, unfinished Job
  // controls it. Never throws.
  Status SyncOrphanPod(const std::string& pod_key);

 private:
  // job_controller.cc
  Status SyncJob(const std::string& key);
  Status PodsForJob(JobSync& s);
  // job_handlers.cc
  void OnPodAdd(const client::ObjectPtr& pod);
  void OnPodUpdate(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  void OnPodDelete(const client::ObjectPtr& pod, bool final_state);
  void OnJobUpdate(const client::ObjectPtr& old_job, const client::ObjectPtr& job);
  client::ObjectPtr ResolveJob(const std::string& ns, const nlohmann::json& ref) const;
  std::vector<client::ObjectPtr> JobsSelecting(const nlohmann::json& pod) const;
  void EnqueueBatched(const std::string& key);
  void EnqueueOrphanPodsOf(const nlohmann::json& job);
  // job_pods.cc
  Status ManageJob(JobSync& s, int64_t* active);
  Status CreatePods(JobSync& s, int64_t count, int64_t* active);
  Status DeleteJobPods(JobSync& s, const std::vector<client::ObjectPtr>& pods, int64_t* removed);
  Status DeleteActivePods(JobSync& s, int64_t* deleted);
  // job_status.cc
  void UpdateSuspendCondition(JobSync& s, bool* changed);
  Status WriteStatus(JobSync& s);
  void RecordFinished(const JobSync& s);
  // job_tracking.cc
  Status TrackStatusAndRemoveFinalizers(JobSync& s, bool needs_flush);
  Status FlushUncountedAndRemoveFinalizers(JobSync& s, const std::vector<client::ObjectPtr>& pods,
                                           std::set<std::string>& uids_with_finalizer,
                                           bool* needs_flush);
  bool EnactFinished(JobSync& s);

  client::Client& client_;
  client::Informer& jobs_;
  client::Informer& pods_;
  const JobControllerOptions options_;
  events::EventRecorder recorder_;
  Expectations expectations_;
  FinalizerExpectations finalizer_expectations_;
  BackoffStore backoff_;
  ControllerLoop loop_;
  ControllerLoop orphans_;
  client::HandlerId job_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
};

}  // namespace skiff::controllers
