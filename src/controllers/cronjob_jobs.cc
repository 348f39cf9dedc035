#include "controllers/cronjob_jobs.h"

#include <algorithm>
#include <cstdio>

#include "api/object_util.h"
#include "controllers/civil_time.h"
#include "controllers/controller_ref.h"

namespace skiff::controllers {
namespace {

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

const json& Field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string ConditionTrue(const json& job, bool complete_only) {
  const json& conds = Field(Field(job, "status"), "conditions");
  if (!conds.is_array()) return "";
  for (const json& c : conds) {
    if (!c.is_object() || c.value("status", "") != "True") continue;
    const std::string type = c.value("type", "");
    if (type == "Complete" || (!complete_only && type == "Failed")) return type;
  }
  return "";
}

}  // namespace

std::string JobNameFor(const std::string& cronjob_name, TimePoint scheduled) {
  const int64_t secs = UnixSeconds(scheduled);
  return cronjob_name + "-" + std::to_string(secs / 60);  // Go's truncating division
}

json JobFromTemplate(const json& cronjob, TimePoint scheduled, const TimeZone& zone) {
  const json& tmpl = Field(Field(cronjob, "spec"), "jobTemplate");
  const json& tmeta = Field(tmpl, "metadata");
  json meta = {{"name", JobNameFor(api::GetString(cronjob, {"metadata", "name"}), scheduled)}};
  const json& labels = Field(tmeta, "labels");
  if (labels.is_object() && !labels.empty()) meta["labels"] = labels;
  json annotations =
      Field(tmeta, "annotations").is_object() ? Field(tmeta, "annotations") : json::object();
  annotations[kCronJobScheduledTimestampAnnotation] = FormatRfc3339In(scheduled, zone);
  meta["annotations"] = std::move(annotations);
  meta["ownerReferences"] = json::array({MakeControllerRef(cronjob, CronJobKind())});
  json job = {{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", std::move(meta)}};
  const json& spec = Field(tmpl, "spec");
  job["spec"] = spec.is_object() ? spec : json::object();
  return job;
}

std::string FinishedCondition(const json& job) { return ConditionTrue(job, false); }
bool IsJobSucceeded(const json& job) { return !ConditionTrue(job, true).empty(); }

void SortByStartTime(std::vector<client::ObjectPtr>& jobs) {
  std::stable_sort(
      jobs.begin(), jobs.end(), [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
        const auto sa = TimeAt(*a, {"status", "startTime"});
        const auto sb = TimeAt(*b, {"status", "startTime"});
        if (sa.has_value() != sb.has_value()) return sa.has_value();
        if (sa && *sa != *sb) return *sa < *sb;
        return api::GetString(*a, {"metadata", "name"}) < api::GetString(*b, {"metadata", "name"});
      });
}

json JobReference(const json& job) {
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"namespace", api::GetString(job, {"metadata", "namespace"})},
          {"name", api::GetString(job, {"metadata", "name"})},
          {"uid", api::GetString(job, {"metadata", "uid"})},
          {"resourceVersion", api::GetString(job, {"metadata", "resourceVersion"})}};
}

bool InActiveList(const json& cronjob, const std::string& uid) {
  const json& active = Field(Field(cronjob, "status"), "active");
  if (!active.is_array()) return false;
  return std::any_of(active.begin(), active.end(),
                     [&](const json& r) { return r.is_object() && r.value("uid", "") == uid; });
}

bool InActiveListByName(const json& cronjob, const std::string& ns, const std::string& name) {
  const json& active = Field(Field(cronjob, "status"), "active");
  if (!active.is_array()) return false;
  return std::any_of(active.begin(), active.end(), [&](const json& r) {
    return r.is_object() && r.value("name", "") == name && r.value("namespace", "") == ns;
  });
}

void RemoveFromActiveList(json& cronjob, const std::string& uid) {
  auto status = cronjob.find("status");
  if (status == cronjob.end() || !status->is_object()) return;
  auto active = status->find("active");
  if (active == status->end()) return;
  json kept = json::array();
  if (active->is_array()) {
    for (const json& r : *active) {
      if (!r.is_object() || r.value("uid", "") != uid) kept.push_back(r);
    }
  }
  if (kept.empty()) {
    status->erase(active);
  } else {
    *active = std::move(kept);
  }
}

CronJobTimes TimesOf(const json& cronjob) {
  CronJobTimes t;
  t.created = TimeAt(cronjob, {"metadata", "creationTimestamp"}).value_or(TimePoint());
  t.last_schedule = TimeAt(cronjob, {"status", "lastScheduleTime"});
  const json* deadline = api::Find(cronjob, {"spec", "startingDeadlineSeconds"});
  if (deadline && deadline->is_number_integer())
    t.starting_deadline_seconds = deadline->get<int64_t>();
  return t;
}

std::optional<TimePoint> TimeAt(const json& obj, std::initializer_list<const char*> path) {
  const json* v = api::Find(obj, path);
  if (!v || !v->is_string()) return std::nullopt;
  TimePoint t;
  if (!api::ParseRfc3339(v->get<std::string>(), &t)) return std::nullopt;
  return t;
}

std::string FormatRfc3339In(TimePoint t, const TimeZone& zone) {
  const CivilTime c = CivilIn(zone, UnixSeconds(t));
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d",
                        static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
  if (c.utc_offset == 0) {
    std::snprintf(buf + n, sizeof buf - n, "Z");
  } else {
    const int off = c.utc_offset < 0 ? -c.utc_offset : c.utc_offset;
    std::snprintf(buf + n, sizeof buf - n, "%c%02d:%02d", c.utc_offset < 0 ? '-' : '+', off / 3600,
                  off / 60 % 60);
  }
  return buf;
}

std::string FormatRfc1123ZUtc(TimePoint t) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const CivilTime c = CivilFromLocalSeconds(UnixSeconds(t));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02d:%02d:%02d +0000", kDays[c.weekday], c.day,
                kMonths[c.month - 1], static_cast<long long>(c.year), c.hour, c.minute, c.second);
  return buf;
}

}  // namespace skiff::controllers
