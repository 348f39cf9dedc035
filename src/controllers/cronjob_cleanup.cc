// A CronJob's Job history: finished Jobs beyond spec.successfulJobsHistoryLimit and
// spec.failedJobsHistoryLimit are deleted, oldest first (kube's cleanupFinishedJobs).
#include "api/object_util.h"
#include "controllers/cronjob_controller.h"
#include "controllers/cronjob_jobs.h"
#include "controllers/cronjob_sync_state.h"

namespace skiff::controllers {
namespace {

std::optional<int64_t> Limit(const nlohmann::json& cronjob, const char* field) {
  const nlohmann::json* v = api::Find(cronjob, {"spec", field});
  if (!v || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

}  // namespace

void CronJobController::CleanupFinishedJobs(SyncState& st,
                                            const std::vector<client::ObjectPtr>& jobs) {
  const auto successful_limit = Limit(st.cj, "successfulJobsHistoryLimit");
  const auto failed_limit = Limit(st.cj, "failedJobsHistoryLimit");
  if (!successful_limit && !failed_limit) return;
  std::vector<client::ObjectPtr> successful, failed;
  for (const auto& job : jobs) {
    const std::string condition = FinishedCondition(*job);
    if (condition == "Complete") {
      successful.push_back(job);
    } else if (condition == "Failed") {
      failed.push_back(job);
    }
  }
  if (successful_limit) RemoveOldestJobs(st, std::move(successful), *successful_limit);
  if (failed_limit) RemoveOldestJobs(st, std::move(failed), *failed_limit);
}

void CronJobController::RemoveOldestJobs(SyncState& st, std::vector<client::ObjectPtr> jobs,
                                         int64_t keep) {
  const int64_t excess = static_cast<int64_t>(jobs.size()) - keep;
  if (excess <= 0) return;
  SortByStartTime(jobs);
  for (int64_t i = 0; i < excess; ++i) DeleteJob(st, *jobs[static_cast<size_t>(i)]);
}

bool CronJobController::DeleteJob(SyncState& st, const nlohmann::json& job) {
  const std::string name = api::GetString(job, {"metadata", "name"});
  const std::string uid = api::GetString(job, {"metadata", "uid"});
  client::Client::DeleteOptions options;
  options.propagation_policy = "Background";  // the Job's pods go after it
  options.precondition_uid = uid;
  const Status s = client_.Delete(client::Jobs(), st.ns, name, options);
  if (!s.ok() && s.code() != Code::kNotFound) {
    Record(st, "Warning", "FailedDelete", "Deleted job: " + s.message());
    return false;
  }
  RemoveFromActiveList(st.cj, uid);
  st.deleted.insert(uid);
  // A Job already gone was deleted by an earlier pass the cache has not caught up with.
  if (s.ok()) Record(st, "Normal", "SuccessfulDelete", "Deleted job " + name);
  return true;
}

}  // namespace skiff::controllers
