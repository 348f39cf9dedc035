// Job facts, conditions and the status the Job controller writes.
#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/job_controller.h"
#include "controllers/job_sync.h"

namespace skiff::controllers {
namespace {

const json& Member(const json& obj, const char* name) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(name);
  return it == obj.end() ? kNull : *it;
}

const json& Spec(const json& job) { return Member(job, "spec"); }

std::optional<int64_t> IntMember(const json& obj, const char* name) {
  const json& v = Member(obj, name);
  if (!v.is_number_integer()) return std::nullopt;
  return v.get<int64_t>();
}

}  // namespace


std::optional<int64_t> JobCompletions(const json& job) {
  return IntMember(Spec(job), "completions");
}

int64_t JobParallelism(const json& job) { return IntMember(Spec(job), "parallelism").value_or(1); }

int64_t JobBackoffLimit(const json& job) {
  return IntMember(Spec(job), "backoffLimit").value_or(6);
}

bool JobSuspended(const json& job) {
  const json& v = Member(Spec(job), "suspend");
  return v.is_boolean() && v.get<bool>();
}

bool IsIndexedJob(const json& job) {
  const json& v = Member(Spec(job), "completionMode");
  return v.is_string() && v.get<std::string>() == "Indexed";
}

bool OnlyReplaceFailedPods(const json& job) {
  const json& prp = Member(Spec(job), "podReplacementPolicy");
  if (prp.is_string() && prp.get<std::string>() == "Failed") return true;
  const json& pfp = Member(Spec(job), "podFailurePolicy");
  return !pfp.is_null();
}

bool PastBackoffLimitOnFailure(const json& job, const std::vector<client::ObjectPtr>& pods) {
  if (api::GetString(job, {"spec", "template", "spec", "restartPolicy"}) != "OnFailure") {
    return false;
  }
  int64_t restarts = 0;
  for (const auto& p : pods) {
    const std::string phase = PodPhase(*p);
    if (phase != "Running" && phase != "Pending") continue;
    for (const char* field : {"initContainerStatuses", "containerStatuses"}) {
      const json& statuses = Member(Member(*p, "status"), field);
      if (!statuses.is_array()) continue;
      for (const json& cs : statuses) {
        if (cs.is_object()) restarts += cs.value("restartCount", int64_t{0});
      }
    }
  }
  const int64_t limit = JobBackoffLimit(job);
  return limit == 0 ? restarts > 0 : restarts >= limit;
}

const json* FindJobCondition(const json& job, const std::string& type) {
  const json& conds = Member(Member(job, "status"), "conditions");
  if (!conds.is_array()) return nullptr;
  for (const json& c : conds) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

bool IsJobFinished(const json& job) {
  for (const char* type : {"Complete", "Failed"}) {
    const json* c = FindJobCondition(job, type);
    if (c && c->value("status", "") == "True") return true;
  }
  return false;
}

json NewJobCondition(const std::string& type, const std::string& status, const std::string& reason,
                     const std::string& message, JobClock::time_point now) {
  const std::string ts = api::Rfc3339(now);
  json c = {{"type", type}, {"status", status}, {"lastProbeTime", ts}, {"lastTransitionTime", ts}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

bool EnsureJobCondition(json& job, const std::string& type, const std::string& status,
                        const std::string& reason, const std::string& message,
                        JobClock::time_point now) {
  json& conds = job["status"]["conditions"];
  if (!conds.is_array()) conds = json::array();
  for (json& c : conds) {
    if (!c.is_object() || c.value("type", "") != type) continue;
    if (c.value("status", "") != status || c.value("reason", "") != reason ||
        c.value("message", "") != message) {
      c = NewJobCondition(type, status, reason, message, now);
      return true;
    }
    return false;
  }
  if (status == "False") return false;
  conds.push_back(NewJobCondition(type, status, reason, message, now));
  return true;
}

int64_t StatusCount(const json& job, const char* field) {
  return IntMember(Member(job, "status"), field).value_or(0);
}

void NormalizeJobStatus(json& status) {
  if (!status.is_object()) status = json::object();
  for (const char* field : {"active", "succeeded", "failed"}) {
    auto it = status.find(field);
    if (it != status.end() && (!it->is_number_integer() || it->get<int64_t>() == 0)) {
      status.erase(it);
    }
  }
  for (const char* field : {"completedIndexes", "conditions"}) {
    auto it = status.find(field);
    if (it != status.end() && (it->is_null() || it->empty())) status.erase(it);
  }
  json& uncounted = status["uncountedTerminatedPods"];
  if (!uncounted.is_object()) uncounted = json::object();
  for (const char* field : {"succeeded", "failed"}) {
    auto it = uncounted.find(field);
    if (it != uncounted.end() && (!it->is_array() || it->empty())) uncounted.erase(it);
  }
}

bool IsJobPodFailed(const json& pod, const json& job) {
  const std::string phase = PodPhase(pod);
  if (phase == "Failed") return true;
  if (OnlyReplaceFailedPods(job)) return false;
  // Deleted pods count as failures: orphans may never reach the Failed phase.
  return IsBeingDeleted(pod) && phase != "Succeeded";
}

bool IsPodTerminating(const json& pod) {
  const std::string phase = PodPhase(pod);
  return IsBeingDeleted(pod) && phase != "Succeeded" && phase != "Failed";
}

std::string PodPhase(const json& pod) { return api::GetString(pod, {"status", "phase"}); }

void JobController::UpdateSuspendCondition(JobSync& s, bool* changed) {
  const auto now = JobClock::now();
  if (JobSuspended(s.job)) {
    // A Job can only be suspended while it is not finished.
    if (EnsureJobCondition(s.job, "Suspended", "True", "JobSuspended", "Job suspended", now)) {
      *changed = true;
      recorder_.Record(s.job, "", "Normal", "Suspended", "Job suspended");
    }
    return;
  }
  if (EnsureJobCondition(s.job, "Suspended", "False", "JobResumed", "Job resumed", now)) {
    *changed = true;
    recorder_.Record(s.job, "", "Normal", "Resumed", "Job resumed");
    // activeDeadlineSeconds counts the time the Job is continuously active: a resumed Job
    // starts again.
    s.job["status"]["startTime"] = api::Rfc3339(now);
  }
}

Status JobController::WriteStatus(JobSync& s) {
  NormalizeJobStatus(s.job["status"]);
  auto [ns, name] = client::SplitKey(s.key);
  auto updated = client_.Update(client::Jobs(), ns, s.job, "status");
  if (!updated.ok()) return updated.status();
  s.job = std::move(updated).value();
  if (!s.job["status"].is_object()) s.job["status"] = json::object();
  if (!s.job["status"]["uncountedTerminatedPods"].is_object()) {
    s.job["status"]["uncountedTerminatedPods"] = json::object();
  }
  return Status::Ok();
}

void JobController::RecordFinished(const JobSync& s) {
  const json& cond = *s.finished_condition;
  if (cond.value("type", "") == "Complete") {
    auto completions = JobCompletions(s.job);
    if (completions && StatusCount(s.job, "succeeded") > *completions) {
      recorder_.Record(s.job, "", "Warning", "TooManySucceededPods",
                       "Too many succeeded pods running after completion count reached");
    }
    recorder_.Record(s.job, "", "Normal", "Completed", "Job completed");
    return;
  }
  recorder_.Record(s.job, "", "Warning", cond.value("reason", ""), cond.value("message", ""));
}

}  // namespace skiff::controllers
