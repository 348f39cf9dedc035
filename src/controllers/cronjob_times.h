// When a CronJob's next Job is due: kube-controller-manager's mostRecentScheduleTime and
// nextScheduleTimeDuration (pkg/controller/cronjob/utils.go), on plain values. Pure functions;
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "controllers/cron_next.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

// What the schedule window depends on.
struct CronJobTimes {
  TimePoint created;                                 // metadata.creationTimestamp
  std::optional<TimePoint> last_schedule;            // status.lastScheduleTime
  std::optional<int64_t> starting_deadline_seconds;  // spec.startingDeadlineSeconds
};

enum class MissedSchedules { kNone, kFew, kMany };  // kMany: more than 100

struct ScheduleWindow {
  // lastScheduleTime, else creationTimestamp; with the deadline included, no earlier than
  // now - startingDeadlineSeconds.
  TimePoint earliest;
  // The latest schedule time in (earliest, now], if any.
  std::optional<TimePoint> most_recent;
  MissedSchedules missed = MissedSchedules::kNone;
  // kInvalidArgument "time difference between two schedules is less than 1 second" for a
  // schedule that parses but (almost) never fires ("0 0 30 2 *").
  Status status;
};

// The most recent schedule time a Job should have been created for, at `now`. The number of
// missed times is estimated as Kubernetes does (from the interval between the first two times
// after `earliest`).
ScheduleWindow MostRecentScheduleTime(const CronJobTimes& cj, TimePoint now,
                                      const CronSchedule& schedule, bool include_deadline);

// How long from `now` until the schedule time after the most recent one (ignoring the
// deadline), plus `delta` (Kubernetes' nextScheduleDelta, 100 ms): when to look again.
// nullopt when the schedule has no next time.
std::optional<std::chrono::nanoseconds> NextScheduleTimeDuration(const CronJobTimes& cj,
                                                                 TimePoint now,
                                                                 const CronSchedule& schedule,
                                                                 std::chrono::nanoseconds delta);

}  // namespace skiff::controllers
