// kube-controller-manager's CronJob controller (v2): creates a Job from spec.jobTemplate at
// each time spec.schedule names, and keeps the CronJob's status and Job history.
//
// At a sync a CronJob:
//   - reconciles status.active with the Jobs it controls (informer cache; a Job the cache misses
//     is looked up in the API before it is dropped): a finished Job leaves it ("SawCompletedJob"
//     "Saw completed job: <job>, condition: Complete"), a vanished one too ("MissingJob"), an
//     unfinished Job not in it is reported ("UnexpectedJob"); status.lastSuccessfulTime is the
//     latest completionTime of its succeeded Jobs;
//   - deletes its finished Jobs beyond spec.successfulJobsHistoryLimit / failedJobsHistoryLimit,
//     oldest status.startTime first, with Background propagation ("SuccessfulDelete" "Deleted
//     job <job>");
//   - unless being deleted, suspended, or its timeZone/schedule is invalid (Warning events
//     "UnknownTimeZone", "UnparseableSchedule", "InvalidSchedule"): finds the most recent
//     schedule time since status.lastScheduleTime (else creationTimestamp) and no older than
//     now - startingDeadlineSeconds (older times are skipped silently, as in Kubernetes); only
//     that one is run, however many were missed (more than 100 also records Warning
//     "TooManyMissedTimes"). With concurrencyPolicy Forbid and an active Job it records
//     "JobAlreadyActive" and waits; with Replace it deletes the active Jobs (Background) first.
//     The Job is named "<cronjob>-<scheduled Unix minutes>" and annotated
//     batch.kubernetes.io/cronjob-scheduled-timestamp; "SuccessfulCreate" "Created job <job>".
//     A create that finds the Job already there (made by an earlier pass) is not an error;
//   - writes status (active, lastScheduleTime, lastSuccessfulTime) through the status
//     subresource when it changed, and asks to be synced again at the next schedule time plus
//     next_schedule_delta (no polling).
// Schedules are computed in spec.timeZone, else the controller's local zone (options), or a
// legacy "TZ="/"CRON_TZ=" prefix of the schedule (refused by API validation; still honoured
// for objects stored before, with Warning "UnsupportedSchedule").
//
// Thread-safe. Informer handlers only enqueue keys (a changed schedule is requeued for its next
// time, which may read its zone's TZif file once).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/cron_next.h"
#include "controllers/time_zone.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

struct CronJobControllerOptions {
  int workers = 5;  // kube-controller-manager's --concurrent-cron-job-syncs
  // The clock; null = std::chrono::system_clock::now. Tests inject a fake one.
  std::function<TimePoint()> now;
  // The zone of schedules without spec.timeZone: "" = this machine's (TZ, /etc/localtime), else
  // an IANA name ("UTC"). An unknown name falls back to UTC (logged).
  std::string local_time_zone;
  std::string zoneinfo_dir = kZoneInfoDir;
  // Added to every requeue for the next schedule time (Kubernetes' nextScheduleDelta).
  std::chrono::milliseconds next_schedule_delta{100};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};  // failed syncs' retry cap
};

class CronJobController {
 public:
  // client and informers must outlive the controller. Handlers on the CronJob and Job informers
  // are registered here; the caller starts the informer factory, then calls Start().
  CronJobController(client::Client& client, client::SharedInformerFactory& informers,
                    CronJobControllerOptions options = {});
  ~CronJobController();  // Stop(), and removes the handlers
  CronJobController(const CronJobController&) = delete;
  CronJobController& operator=(const CronJobController&) = delete;

  void Start();  // starts the workers
  void Stop();   // idempotent

  // One pass over the CronJob "namespace/name" (public so tests can drive it). An error means
  // "retry" (the loop backs off); a CronJob that is gone is not an error.
  Status Sync(const std::string& key);
  // When the last Sync of `key` asked to look again (next schedule time + delta, measured from
  // the clock at that sync); nullopt when it asked for nothing (suspended, being deleted, an
  // invalid schedule, gone, or not synced yet).
  std::optional<std::chrono::nanoseconds> RequeueAfter(const std::string& key) const;

 private:
  struct SyncState;
  struct SyncResult {
    std::optional<std::chrono::nanoseconds> requeue_after;
    Status status;
  };

  TimePoint Now() const;
  // A spec.timeZone, as Go's time.LoadLocation reads it ("" = UTC); loaded zones are cached.
  Result<std::shared_ptr<const TimeZone>> Zone(const std::string& name);
  // The schedule in its zone; `record` emits UnsupportedSchedule for a "TZ" schedule.
  Result<CronSchedule> ScheduleOf(const nlohmann::json& cronjob, bool record);

  // Informer handlers.
  void OnCronJobUpdate(const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj);
  void OnJobAdd(const client::ObjectPtr& job);
  void OnJobUpdate(const client::ObjectPtr& old_job, const client::ObjectPtr& new_job);
  void OnJobDelete(const client::ObjectPtr& job);
  // The cached CronJob a Job's controller reference names (kind and uid checked), or nullptr.
  client::ObjectPtr ResolveControllerRef(const std::string& ns, const nlohmann::json& ref) const;

  std::vector<client::ObjectPtr> JobsOf(const nlohmann::json& cronjob) const;
  // History limits (cronjob_cleanup.cc).
  void CleanupFinishedJobs(SyncState& st, const std::vector<client::ObjectPtr>& jobs);
  void RemoveOldestJobs(SyncState& st, std::vector<client::ObjectPtr> jobs, int64_t keep);
  bool DeleteJob(SyncState& st, const nlohmann::json& job);
  // Status reconciliation and scheduling (cronjob_sync.cc).
  SyncResult SyncCronJob(SyncState& st, const std::vector<client::ObjectPtr>& jobs);
  Status ReconcileActive(SyncState& st, const std::vector<client::ObjectPtr>& jobs);
  SyncResult RunSchedule(SyncState& st, const CronSchedule& schedule, TimePoint now);
  SyncResult CreateJob(SyncState& st, const CronSchedule& schedule, TimePoint scheduled,
                       TimePoint now);
  void Record(const SyncState& st, const std::string& type, const std::string& reason,
              const std::string& message);

  client::Client& client_;
  client::Informer& cronjobs_;
  client::Informer& jobs_;
  const CronJobControllerOptions options_;
  const std::shared_ptr<const TimeZone> local_zone_;
  events::EventRecorder recorder_;
  mutable std::mutex mu_;  // guards requeue_ and zones_
  std::unordered_map<std::string, std::optional<std::chrono::nanoseconds>> requeue_;
  std::map<std::string, std::shared_ptr<const TimeZone>> zones_;  // loaded spec.timeZones
  ControllerLoop loop_;
  client::HandlerId cronjob_handler_ = 0;
  client::HandlerId job_handler_ = 0;
};

}  // namespace skiff::controllers
