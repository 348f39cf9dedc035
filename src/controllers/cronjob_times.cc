#include "controllers/cronjob_times.h"

namespace skiff::controllers {

ScheduleWindow MostRecentScheduleTime(const CronJobTimes& cj, TimePoint now,
                                      const CronSchedule& schedule, bool include_deadline) {
  using std::chrono::seconds;
  ScheduleWindow w;
  w.earliest = cj.last_schedule.value_or(cj.created);
  if (include_deadline && cj.starting_deadline_seconds) {
    // Nothing older than the deadline is scheduled any more.
    const TimePoint deadline = now - seconds(*cj.starting_deadline_seconds);
    if (deadline > w.earliest) w.earliest = deadline;
  }
  const auto t1 = schedule.Next(w.earliest);
  const auto t2 = t1 ? schedule.Next(*t1) : std::nullopt;
  if (t1 && now < *t1) return w;
  if (t1 && t2 && now < *t2) {
    w.most_recent = t1;
    return w;
  }
  const int64_t between = t1 && t2 ? std::chrono::round<seconds>(*t2 - *t1).count() : int64_t{0};
  if (between < 1) {
    w.status = InvalidArgumentError("time difference between two schedules is less than 1 second");
    return w;
  }
  // Kubernetes estimates the number of missed times from the first interval, then walks the
  // schedule from just before the estimated last one (exact for regular schedules and @every).
  const int64_t elapsed = std::chrono::duration_cast<seconds>(now - *t1).count();
  const int64_t missed = elapsed / between + 1;
  const TimePoint potential_earliest = *t1 + seconds((missed - 2) * between);
  for (auto t = schedule.Next(potential_earliest); t && *t <= now; t = schedule.Next(*t)) {
    w.most_recent = t;
  }
  if (missed > 100) {
    w.missed = MissedSchedules::kMany;
  } else if (missed > 0) {
    w.missed = MissedSchedules::kFew;
  }
  return w;
}

std::optional<std::chrono::nanoseconds> NextScheduleTimeDuration(const CronJobTimes& cj,
                                                                 TimePoint now,
                                                                 const CronSchedule& schedule,
                                                                 std::chrono::nanoseconds delta) {
  const ScheduleWindow w = MostRecentScheduleTime(cj, now, schedule, false);
  TimePoint from = now;
  if (w.status.ok()) {
    if (w.most_recent) {
      from = *w.most_recent;
    } else if (w.missed == MissedSchedules::kNone) {
      from = w.earliest;
    }
  }
  const auto next = schedule.Next(from);
  if (!next) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(*next - now) + delta;
}

}  // namespace skiff::controllers
