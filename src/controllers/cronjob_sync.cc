// One CronJob's status reconciliation and scheduling (kube's syncCronJob).
#include <set>
#include <string>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/cronjob_controller.h"
#include "controllers/cronjob_jobs.h"
#include "controllers/cronjob_sync_state.h"
#include "controllers/cronjob_times.h"
#include "skiff/common/go_quote.h"

namespace skiff::controllers {
namespace {

using json = nlohmann::json;

std::string Uid(const json& obj) { return api::GetString(obj, {"metadata", "uid"}); }
std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }

json ActiveList(const json& cronjob) {
  const json* active = api::Find(cronjob, {"status", "active"});
  return active && active->is_array() ? *active : json::array();
}

bool NamespaceTerminating(const Status& s) {
  return s.message().find("because it is being terminated") != std::string::npos;
}

}  // namespace

Status CronJobController::ReconcileActive(SyncState& st,
                                          const std::vector<client::ObjectPtr>& jobs) {
  // An unfinished Job missing from status.active may only mean the cache holds an older
  // CronJob than the one this controller last wrote: read it afresh once before judging.
  for (const auto& job : jobs) {
    if (IsJobFinished(*job) || InActiveList(st.cj, Uid(*job))) continue;
    auto fresh = client_.Get(client::CronJobs(), st.ns, st.name);
    if (!fresh.ok()) return fresh.status();
    st.cj = std::move(fresh).value();
    st.cj["apiVersion"] = "batch/v1";
    st.cj["kind"] = "CronJob";
    st.base_status = st.cj.value("status", json::object());
    for (const std::string& uid : st.deleted) RemoveFromActiveList(st.cj, uid);
    break;
  }

  std::set<std::string> children;
  for (const auto& job : jobs) {
    const std::string uid = Uid(*job);
    children.insert(uid);
    const bool found = InActiveList(st.cj, uid);
    if (!found && !IsJobFinished(*job)) {
      Record(st, "Warning", "UnexpectedJob",
             "Saw a job that the controller did not create or forgot: " + Name(*job));
    } else if (IsJobFinished(*job)) {
      if (found) {
        RemoveFromActiveList(st.cj, uid);
        Record(st, "Normal", "SawCompletedJob",
               "Saw completed job: " + Name(*job) + ", condition: " + FinishedCondition(*job));
      }
      if (IsJobSucceeded(*job)) {
        const auto completed = TimeAt(*job, {"status", "completionTime"});
        const auto last = TimeAt(st.cj, {"status", "lastSuccessfulTime"});
        if (completed && (!last || *completed > *last)) {
          st.cj["status"]["lastSuccessfulTime"] = api::Rfc3339(*completed);
        }
      }
    }
  }

  // A Job in status.active that the cache does not have: ask the API before dropping it (the
  // cache may just be behind).
  for (const json& ref : ActiveList(st.cj)) {
    const std::string uid = ref.value("uid", "");
    if (children.count(uid)) continue;
    const std::string ns = ref.value("namespace", st.ns);
    auto got = client_.Get(client::Jobs(), ns.empty() ? st.ns : ns, ref.value("name", ""));
    if (got.ok()) continue;
    if (got.status().code() != Code::kNotFound) return got.status();
    Record(st, "Normal", "MissingJob", "Active job went missing: " + ref.value("name", ""));
    RemoveFromActiveList(st.cj, uid);
  }
  return Status::Ok();
}

CronJobController::SyncResult CronJobController::SyncCronJob(
    SyncState& st, const std::vector<client::ObjectPtr>& jobs) {
  const TimePoint now = Now();
  if (Status s = ReconcileActive(st, jobs); !s.ok()) return {std::nullopt, s};
  if (IsBeingDeleted(st.cj)) return {};  // only the status is kept up to date

  if (const json* tz = api::Find(st.cj, {"spec", "timeZone"}); tz && tz->is_string()) {
    const std::string zone = tz->get<std::string>();
    if (auto loaded = Zone(zone); !loaded.ok()) {
      Record(st, "Warning", "UnknownTimeZone",
             "invalid timeZone: " + GoQuote(zone) + ": " + loaded.status().message());
      return {};
    }
  }
  const json* suspend = api::Find(st.cj, {"spec", "suspend"});
  if (suspend && suspend->is_boolean() && suspend->get<bool>()) return {};

  auto schedule = ScheduleOf(st.cj, true);
  if (!schedule.ok()) {
    Record(st, "Warning", "UnparseableSchedule",
           "unparseable schedule: " + GoQuote(api::GetString(st.cj, {"spec", "schedule"})) + " : " +
               schedule.status().message());
    return {};
  }
  return RunSchedule(st, *schedule, now);
}

CronJobController::SyncResult CronJobController::RunSchedule(SyncState& st,
                                                             const CronSchedule& schedule,
                                                             TimePoint now) {
  auto next = [&] {
    return NextScheduleTimeDuration(TimesOf(st.cj), now, schedule, options_.next_schedule_delta);
  };
  const CronJobTimes times = TimesOf(st.cj);
  const ScheduleWindow w = MostRecentScheduleTime(times, now, schedule, true);
  if (!w.most_recent) {
    if (!w.status.ok()) {
      Record(st, "Warning", "InvalidSchedule",
             "invalid schedule: " + api::GetString(st.cj, {"spec", "schedule"}) + " : " +
                 w.status.message());
      return {};
    }
    return {next(), Status::Ok()};  // nothing due yet
  }
  if (w.missed == MissedSchedules::kMany) {
    Record(st, "Warning", "TooManyMissedTimes",
           "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check "
           "clock skew");
  }
  const TimePoint scheduled = *w.most_recent;
  if (times.starting_deadline_seconds &&
      scheduled + std::chrono::seconds(*times.starting_deadline_seconds) < now) {
    Record(st, "Warning", "MissSchedule",
           "Missed scheduled time to start a job: " + FormatRfc1123ZUtc(scheduled));
    return {next(), Status::Ok()};
  }
  if (InActiveListByName(st.cj, st.ns, JobNameFor(st.name, scheduled)) ||
      times.last_schedule == scheduled) {
    return {next(), Status::Ok()};  // this time was already run
  }
  const std::string policy = api::GetString(st.cj, {"spec", "concurrencyPolicy"});
  if (policy == "Forbid" && !ActiveList(st.cj).empty()) {
    Record(st, "Normal", "JobAlreadyActive",
           "Not starting job because prior execution is running and concurrency policy is "
           "Forbid");
    return {next(), Status::Ok()};
  }
  if (policy == "Replace") {
    for (const json& ref : ActiveList(st.cj)) {
      const std::string ns =
          ref.value("namespace", "").empty() ? st.ns : ref.value("namespace", "");
      auto job = client_.Get(client::Jobs(), ns, ref.value("name", ""));
      if (!job.ok()) {
        Record(st, "Warning", "FailedGet", "Get job: " + job.status().message());
        return {std::nullopt, job.status()};
      }
      if (!DeleteJob(st, *job)) {
        return {std::nullopt,
                UnavailableError("could not replace job " + ns + "/" + ref.value("name", ""))};
      }
    }
  }
  return CreateJob(st, schedule, scheduled, now);
}

CronJobController::SyncResult CronJobController::CreateJob(SyncState& st,
                                                           const CronSchedule& schedule,
                                                           TimePoint scheduled, TimePoint now) {
  auto next = [&] {
    return NextScheduleTimeDuration(TimesOf(st.cj), now, schedule, options_.next_schedule_delta);
  };
  // The annotation is in spec.timeZone, else UTC (Go's time.LoadLocation("")).
  const json* tz = api::Find(st.cj, {"spec", "timeZone"});
  auto zone = Zone(tz && tz->is_string() ? tz->get<std::string>() : "");
  if (!zone.ok()) return {std::nullopt, zone.status()};
  const json job = JobFromTemplate(st.cj, scheduled, **zone);
  const std::string job_name = Name(job);

  json made;
  bool existed = false;
  auto created = client_.Create(client::Jobs(), st.ns, job);
  if (created.ok()) {
    made = std::move(created).value();
  } else if (NamespaceTerminating(created.status())) {
    return {std::nullopt, created.status()};  // every create fails until the namespace is gone
  } else if (created.status().code() == Code::kAlreadyExists) {
    // An earlier pass made it but did not get to record it in status.active.
    existed = true;
    auto got = client_.Get(client::Jobs(), st.ns, job_name);
    if (!got.ok()) return {std::nullopt, got.status()};
    made = std::move(got).value();
    if (!IsControlledBy(made, Uid(st.cj)) || InActiveList(st.cj, Uid(made))) {
      // Someone else's Job, or already recorded: nothing to add. (Kubernetes stops here
      // without a requeue; looking again at the next time is safer and otherwise the same.)
      return {next(), Status::Ok()};
    }
  } else {
    Record(st, "Warning", "FailedCreate", "Error creating job: " + created.status().message());
    return {std::nullopt, created.status()};
  }
  if (!existed) Record(st, "Normal", "SuccessfulCreate", "Created job " + job_name);

  json& status = st.cj["status"];
  if (!status.contains("active") || !status["active"].is_array()) status["active"] = json::array();
  status["active"].push_back(JobReference(made));
  status["lastScheduleTime"] = api::Rfc3339(scheduled);
  return {next(), Status::Ok()};
}

}  // namespace skiff::controllers
