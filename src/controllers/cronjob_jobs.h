// The Jobs a CronJob makes, and the facts about Jobs and CronJob status the CronJob controller
// works with (kube's pkg/controller/cronjob/utils.go and pkg/controller/job/util). Pure
// functions on API objects (nlohmann::json); thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controllers/cron_next.h"
#include "controllers/cronjob_times.h"
#include "controllers/job_sync.h"  // IsJobFinished
#include "controllers/time_zone.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

using nlohmann::json;

// The scheduled time of a Job a CronJob created, RFC 3339 in the CronJob's spec.timeZone (UTC
// when it has none).
inline constexpr char kCronJobScheduledTimestampAnnotation[] =
    "batch.kubernetes.io/cronjob-scheduled-timestamp";

// "<cronjob>-<scheduled Unix time in minutes>": one name per schedule time, so a Job is never
// made twice for the same time.
std::string JobNameFor(const std::string& cronjob_name, TimePoint scheduled);

// The Job for `scheduled`: named JobNameFor, the jobTemplate's labels, annotations (plus
// kCronJobScheduledTimestampAnnotation, formatted in `zone`) and spec, and the CronJob's
// controller reference.
json JobFromTemplate(const json& cronjob, TimePoint scheduled, const TimeZone& zone);

// "Complete" or "Failed" when that condition of the Job is True, else "".
std::string FinishedCondition(const json& job);
// The Complete condition is True.
bool IsJobSucceeded(const json& job);
// Oldest first by status.startTime (Jobs without one last), ties by name.
void SortByStartTime(std::vector<client::ObjectPtr>& jobs);

// The ObjectReference status.active holds: apiVersion, kind, namespace, name, uid,
// resourceVersion.
json JobReference(const json& job);
bool InActiveList(const json& cronjob, const std::string& uid);
bool InActiveListByName(const json& cronjob, const std::string& ns, const std::string& name);
// Removes the reference with this uid from status.active (dropping the field when empty).
void RemoveFromActiveList(json& cronjob, const std::string& uid);

// creationTimestamp, status.lastScheduleTime and spec.startingDeadlineSeconds of a CronJob.
CronJobTimes TimesOf(const json& cronjob);

// A time field (RFC 3339) at `path` of obj, if set and valid.
std::optional<TimePoint> TimeAt(const json& obj, std::initializer_list<const char*> path);
// Go's time.RFC3339 of t in `zone`: "2024-03-31T03:00:00+02:00", "...Z" at offset 0.
std::string FormatRfc3339In(TimePoint t, const TimeZone& zone);
// Go's time.RFC1123Z of t in UTC: "Wed, 01 Jan 2025 10:00:00 +0000".
std::string FormatRfc1123ZUtc(TimePoint t);

}  // namespace skiff::controllers
