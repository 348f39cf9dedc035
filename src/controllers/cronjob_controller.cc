// The CronJob controller's frame: informer handlers, the loop, one Sync pass and its status
// write. The scheduling is in cronjob_sync.cc, the Job history in cronjob_cleanup.cc.
#include "controllers/cronjob_controller.h"

#include <algorithm>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/cronjob_jobs.h"
#include "controllers/cronjob_sync_state.h"
#include "controllers/cronjob_times.h"
#include "skiff/common/go_quote.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "cronjob-controller";

std::shared_ptr<const TimeZone> LocalZone(const CronJobControllerOptions& o) {
  if (o.local_time_zone.empty()) return TimeZone::Local(o.zoneinfo_dir);
  auto zone = TimeZone::Load(o.local_time_zone, o.zoneinfo_dir);
  if (zone.ok()) return *zone;
  log::Warning(kComponent, "cannot load the local time zone; using UTC",
               {{"zone", o.local_time_zone}, {"error", zone.status().message()}});
  return TimeZone::Utc();
}

const json* TimeZoneField(const json& cronjob) {
  const json* tz = api::Find(cronjob, {"spec", "timeZone"});
  return tz && tz->is_string() ? tz : nullptr;
}

}  // namespace

CronJobController::CronJobController(client::Client& client,
                                     client::SharedInformerFactory& informers,
                                     CronJobControllerOptions options)
    : client_(client),
      cronjobs_(informers.For(client::CronJobs())),
      jobs_(informers.For(client::Jobs())),
      options_(std::move(options)),
      local_zone_(LocalZone(options_)),
      recorder_(client, events::Source{kComponent, ""}),
      loop_(ControllerLoopOptions{kComponent, options_.workers, std::chrono::milliseconds(5),
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  client::EventHandler cj;
  cj.on_add = [this](const client::ObjectPtr& o) { loop_.Enqueue(client::KeyOf(*o)); };
  cj.on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) {
    OnCronJobUpdate(o, n);
  };
  cj.on_delete = [this](const client::ObjectPtr& o) { loop_.Enqueue(client::KeyOf(*o)); };
  cronjob_handler_ = cronjobs_.AddHandler(std::move(cj));
  client::EventHandler job;
  job.on_add = [this](const client::ObjectPtr& o) { OnJobAdd(o); };
  job.on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& n) {
    OnJobUpdate(o, n);
  };
  job.on_delete = [this](const client::ObjectPtr& o) { OnJobDelete(o); };
  job_handler_ = jobs_.AddHandler(std::move(job));
}

CronJobController::~CronJobController() {
  Stop();
  cronjobs_.RemoveHandler(cronjob_handler_);
  jobs_.RemoveHandler(job_handler_);
}

void CronJobController::Start() { loop_.Start(); }
void CronJobController::Stop() { loop_.Stop(); }

TimePoint CronJobController::Now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

Result<std::shared_ptr<const TimeZone>> CronJobController::Zone(const std::string& name) {
  {
    std::lock_guard lock(mu_);
    auto it = zones_.find(name);
    if (it != zones_.end()) return it->second;
  }
  auto zone = TimeZone::Load(name, options_.zoneinfo_dir);
  if (!zone.ok()) return zone.status();  // not cached: the zone may be installed later
  std::lock_guard lock(mu_);
  zones_.emplace(name, *zone);
  return *zone;
}

Result<CronSchedule> CronJobController::ScheduleOf(const json& cronjob, bool record) {
  const std::string schedule = api::GetString(cronjob, {"spec", "schedule"});
  std::shared_ptr<const TimeZone> zone = local_zone_;
  if (schedule.find("TZ") != std::string::npos) {
    // A legacy "TZ=" prefix: it names the zone itself.
    if (record) {
      recorder_.Record(cronjob, "", "Warning", "UnsupportedSchedule",
                       "CRON_TZ or TZ used in schedule " + GoQuote(schedule) +
                           " is not officially supported, see "
                           "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ "
                           "for more details");
    }
  } else if (const json* tz = TimeZoneField(cronjob)) {
    auto loaded = Zone(tz->get<std::string>());
    if (loaded.ok()) zone = *loaded;
  }
  return CronSchedule::Parse(schedule, zone, options_.zoneinfo_dir);
}

void CronJobController::OnCronJobUpdate(const client::ObjectPtr& old_obj,
                                        const client::ObjectPtr& new_obj) {
  const std::string key = client::KeyOf(*new_obj);
  const json* old_tz = TimeZoneField(*old_obj);
  const json* new_tz = TimeZoneField(*new_obj);
  const bool tz_changed =
      (old_tz == nullptr) != (new_tz == nullptr) || (old_tz && *old_tz != *new_tz);
  if (api::GetString(*old_obj, {"spec", "schedule"}) ==
          api::GetString(*new_obj, {"spec", "schedule"}) &&
      !tz_changed) {
    loop_.Enqueue(key);  // anything else changed: look now
    return;
  }
  // A new schedule: look at the next time it names (a time the old schedule missed is not
  // run at once). An unparseable one is reported by the sync.
  auto schedule = ScheduleOf(*new_obj, false);
  if (!schedule.ok()) {
    loop_.Enqueue(key);
    return;
  }
  const auto delay =
      NextScheduleTimeDuration(TimesOf(*new_obj), Now(), *schedule, options_.next_schedule_delta);
  if (!delay) {
    loop_.Enqueue(key);
    return;
  }
  loop_.EnqueueAfter(key, std::chrono::ceil<std::chrono::milliseconds>(
                              std::max(*delay, std::chrono::nanoseconds(0))));
}

client::ObjectPtr CronJobController::ResolveControllerRef(const std::string& ns,
                                                          const json& ref) const {
  if (ref.value("kind", "") != "CronJob") return nullptr;
  client::ObjectPtr cj = cronjobs_.Get(ns, ref.value("name", ""));
  if (!cj || api::GetString(*cj, {"metadata", "uid"}) != ref.value("uid", "")) return nullptr;
  return cj;
}

void CronJobController::OnJobAdd(const client::ObjectPtr& job) {
  if (IsBeingDeleted(*job)) {
    OnJobDelete(job);
    return;
  }
  if (const json* ref = ControllerRefOf(*job)) {
    if (auto cj = ResolveControllerRef(api::GetString(*job, {"metadata", "namespace"}), *ref)) {
      loop_.Enqueue(client::KeyOf(*cj));
    }
  }
}

void CronJobController::OnJobUpdate(const client::ObjectPtr& old_job,
                                    const client::ObjectPtr& new_job) {
  if (api::GetString(*old_job, {"metadata", "resourceVersion"}) ==
      api::GetString(*new_job, {"metadata", "resourceVersion"})) {
    return;
  }
  const std::string ns = api::GetString(*new_job, {"metadata", "namespace"});
  const json* old_ref = ControllerRefOf(*old_job);
  const json* new_ref = ControllerRefOf(*new_job);
  const bool changed =
      (old_ref == nullptr) != (new_ref == nullptr) || (old_ref && new_ref && *old_ref != *new_ref);
  if (changed && old_ref) {
    if (auto cj = ResolveControllerRef(ns, *old_ref)) loop_.Enqueue(client::KeyOf(*cj));
  }
  if (new_ref) {
    if (auto cj = ResolveControllerRef(ns, *new_ref)) loop_.Enqueue(client::KeyOf(*cj));
  }
}

void CronJobController::OnJobDelete(const client::ObjectPtr& job) {
  if (const json* ref = ControllerRefOf(*job)) {
    if (auto cj = ResolveControllerRef(api::GetString(*job, {"metadata", "namespace"}), *ref)) {
      loop_.Enqueue(client::KeyOf(*cj));
    }
  }
}

std::vector<client::ObjectPtr> CronJobController::JobsOf(const json& cronjob) const {
  // Every Job whose controller reference names this CronJob, whether or not its labels still
  // match the template (Kubernetes matches by name: a Job survives its CronJob's re-creation).
  const std::string name = api::GetString(cronjob, {"metadata", "name"});
  std::vector<client::ObjectPtr> out;
  for (auto& job : jobs_.ListNamespace(api::GetString(cronjob, {"metadata", "namespace"}))) {
    const json* ref = ControllerRefOf(*job);
    if (ref && ref->value("kind", "") == "CronJob" && ref->value("name", "") == name) {
      out.push_back(std::move(job));
    }
  }
  // A stable order (the cache has none), so events come in the same order every time.
  std::sort(out.begin(), out.end(), [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    return api::GetString(*a, {"metadata", "name"}) < api::GetString(*b, {"metadata", "name"});
  });
  return out;
}

void CronJobController::Record(const SyncState& st, const std::string& type,
                               const std::string& reason, const std::string& message) {
  recorder_.Record(st.cj, "", type, reason, message);
}

Status CronJobController::Sync(const std::string& key) {
  const auto [ns, name] = client::SplitKey(key);
  const client::ObjectPtr cached = cronjobs_.Get(ns, name);
  if (!cached) {
    std::lock_guard lock(mu_);
    requeue_.erase(key);
    return Status::Ok();
  }
  SyncState st{key, ns, name, *cached, cached->value("status", json::object()), {}};
  st.cj["apiVersion"] = "batch/v1";
  st.cj["kind"] = "CronJob";
  const std::vector<client::ObjectPtr> jobs = JobsOf(st.cj);

  CleanupFinishedJobs(st, jobs);
  const SyncResult result = SyncCronJob(st, jobs);

  if (st.cj.value("status", json::object()) != st.base_status) {
    auto updated = client_.Update(client::CronJobs(), ns, st.cj, "status");
    if (!updated.ok()) {
      std::lock_guard lock(mu_);
      requeue_[key] = std::nullopt;
      return updated.status();
    }
  }
  {
    std::lock_guard lock(mu_);
    requeue_[key] = result.requeue_after;
  }
  if (result.requeue_after) {
    loop_.EnqueueAfter(key, std::chrono::ceil<std::chrono::milliseconds>(
                                std::max(*result.requeue_after, std::chrono::nanoseconds(0))));
    return Status::Ok();
  }
  return result.status;
}

std::optional<std::chrono::nanoseconds> CronJobController::RequeueAfter(
    const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = requeue_.find(key);
  return it == requeue_.end() ? std::nullopt : it->second;
}

}  // namespace skiff::controllers
