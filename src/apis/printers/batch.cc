// batch/v1 Job (STATUS, COMPLETIONS, DURATION) and CronJob.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

// hasJobCondition: the first condition of the type decides.
bool HasCondition(const json& job, std::string_view type) {
  for (const json& c : Arr(job, {"status", "conditions"})) {
    if (Str(c, {"type"}) == type) return Str(c, {"status"}) == "True";
  }
  return false;
}

std::string JobStatus(const json& job) {
  if (HasCondition(job, "Complete")) return "Complete";
  if (HasCondition(job, "Failed")) return "Failed";
  if (Has(job, {"metadata", "deletionTimestamp"})) return "Terminating";
  if (HasCondition(job, "Suspended")) return "Suspended";
  if (HasCondition(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

std::string Completions(const json& job) {
  std::string succeeded = std::to_string(Int(job, {"status", "succeeded"}));
  if (auto completions = OptInt(job, {"spec", "completions"})) {
    return succeeded + "/" + std::to_string(*completions);
  }
  std::int64_t parallelism = Int(job, {"spec", "parallelism"});
  if (parallelism > 1) return succeeded + "/1 of " + std::to_string(parallelism);
  return succeeded + "/1";
}

std::string Duration(const json& job, TableClock::time_point now) {
  const json* start_json = Find(job, {"status", "startTime"});
  if (!start_json) return "";
  // An unparsable time reads as Go's zero time, as a decoded metav1.Time would.
  Timestamp start = ParseTimestamp(*start_json).value_or(Timestamp{-62135596800, 0});
  const json* end_json = Find(job, {"status", "completionTime"});
  if (!end_json) return HumanDuration(Sub(FromTimePoint(now), start));
  Timestamp end = ParseTimestamp(*end_json).value_or(Timestamp{-62135596800, 0});
  return HumanDuration(Sub(end, start));
}

std::vector<json> JobCells(const json& job, TableClock::time_point now) {
  auto [names, images] = ContainerCells(Arr(job, {"spec", "template", "spec", "containers"}));
  const json* selector = Find(job, {"spec", "selector"});
  return {Str(job, {"metadata", "name"}),
          JobStatus(job),
          Completions(job),
          Duration(job, now),
          Age(job, now),
          names,
          images,
          FormatLabelSelector(selector ? *selector : json())};
}

// printBoolPtr.
std::string BoolPtr(const json& obj, Path path) {
  auto b = OptBool(obj, path);
  if (!b) return "<unset>";
  return *b ? "True" : "False";
}

std::vector<json> CronJobCells(const json& cj, TableClock::time_point now) {
  auto [names, images] =
      ContainerCells(Arr(cj, {"spec", "jobTemplate", "spec", "template", "spec", "containers"}));
  const json* last = Find(cj, {"status", "lastScheduleTime"});
  const json* tz = Find(cj, {"spec", "timeZone"});
  const json* selector = Find(cj, {"spec", "jobTemplate", "spec", "selector"});
  return {Str(cj, {"metadata", "name"}),
          Str(cj, {"spec", "schedule"}),
          tz && tz->is_string() ? tz->get<std::string>() : "<none>",
          BoolPtr(cj, {"spec", "suspend"}),
          static_cast<std::int64_t>(Arr(cj, {"status", "active"}).size()),
          last ? Since(*last, now) : "<none>",
          Age(cj, now),
          names,
          images,
          FormatLabelSelector(selector ? *selector : json())};
}

}  // namespace

const TablePrinter& JobPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Status", "string", "Status of the job."),
       Column("Completions", "string", desc::kJobStatusSucceeded),
       Column("Duration", "string", "Time required to complete the job."), AgeColumn(),
       ContainersColumn(), ImagesColumn(), Column("Selector", "string", desc::kJobSpecSelector, 1)},
      &Guarded<JobCells>};
  return kPrinter;
}

const TablePrinter& CronJobPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Schedule", "string", desc::kCronJobSchedule),
       Column("Timezone", "string", desc::kCronJobTimeZone),
       Column("Suspend", "boolean", desc::kCronJobSuspend),
       Column("Active", "integer", desc::kCronJobActive),
       Column("Last Schedule", "string", desc::kCronJobLastSchedule), AgeColumn(),
       ContainersColumn(), ImagesColumn(), Column("Selector", "string", desc::kJobSpecSelector, 1)},
      &Guarded<CronJobCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
