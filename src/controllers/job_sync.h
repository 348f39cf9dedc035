// What the Job controller's files share inside one sync (kube's syncJobCtx), and the small
// facts about Jobs and their pods they all read. Not part of the controller's contract.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/controller_ref.h"  // UidOf, NameOf
#include "controllers/job_backoff.h"
#include "controllers/job_indexes.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

using nlohmann::json;

inline constexpr char kJobControllerName[] = "job-controller";
inline constexpr char kJobManagedByDefault[] = "kubernetes.io/job-controller";

struct JobSync {
  std::string key;
  json job;  // a working copy of the cached Job; its status is edited, then written
  std::vector<client::ObjectPtr> pods;         // every pod the Job controls
  std::vector<client::ObjectPtr> active_pods;  // IsPodActive
  bool satisfied = false;                      // expectations met when the sync began
  // The condition to finish with (SuccessCriteriaMet, FailureTarget, then Complete / Failed).
  std::optional<json> finished_condition;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t ready = 0;
  int64_t terminating = 0;
  IndexIntervals prev_succeeded_indexes;
  IndexIntervals succeeded_indexes;
  BackoffRecord new_backoff;
  std::set<std::string> expected_rm_finalizers;  // pod uids
  std::set<std::string> uncounted_succeeded;     // status.uncountedTerminatedPods at the start
  std::set<std::string> uncounted_failed;
};

// --- Jobs (job_status.cc) ---
std::optional<int64_t> JobCompletions(const json& job);
int64_t JobParallelism(const json& job);
int64_t JobBackoffLimit(const json& job);
bool JobSuspended(const json& job);
bool IsIndexedJob(const json& job);
// podReplacementPolicy Failed (or a podFailurePolicy): terminating pods are not replaced.
bool OnlyReplaceFailedPods(const json& job);
// restartPolicy OnFailure: the container restarts of the running and pending pods reached
// backoffLimit (any restart, when it is 0).
bool PastBackoffLimitOnFailure(const json& job, const std::vector<client::ObjectPtr>& pods);
// A Complete or Failed condition with status True.
bool IsJobFinished(const json& job);
// The condition of that type, or nullptr.
const json* FindJobCondition(const json& job, const std::string& type);
json NewJobCondition(const std::string& type, const std::string& status, const std::string& reason,
                     const std::string& message, JobClock::time_point now);
// ensureJobConditionStatus: sets the condition (a new one for a changed status, reason or
// message; none is added for "False"); true when the list changed.
bool EnsureJobCondition(json& job, const std::string& type, const std::string& status,
                        const std::string& reason, const std::string& message,
                        JobClock::time_point now);
// status.<field> as a number (0 when absent).
int64_t StatusCount(const json& job, const char* field);
// The Job's status as Kubernetes serialises it: zero counts and empty lists left out,
// ready/terminating and uncountedTerminatedPods ({}) kept.
void NormalizeJobStatus(json& status);

// --- Pods ---
// Failed, or (unless only failed pods are replaced) being deleted without having succeeded.
bool IsJobPodFailed(const json& pod, const json& job);
// Being deleted and not yet Succeeded/Failed (controller.CountTerminatingPods).
bool IsPodTerminating(const json& pod);
std::string PodPhase(const json& pod);

}  // namespace skiff::controllers
