// A CronJob's spec.schedule and its activation times, as kube-controller-manager computes them
// (robfig/cron v3: cron.ParseStandard, SpecSchedule.Next and ConstantDelaySchedule.Next).
//
// Syntax: five fields "minute hour day-of-month month day-of-week" (numbers; month names
// jan..dec and day names sun..sat in any case; "*" or "?"; ranges "a-b"; steps "/n" after "*",
// a range or a single start ("5/15" is 5-59/15); lists "a,b"), a descriptor (@yearly,
// @annually, @monthly, @weekly, @daily, @midnight, @hourly) or "@every <Go duration>" (at
// least 1s, whole seconds), optionally prefixed "TZ=<zone> " or "CRON_TZ=<zone> ". Syntax
// errors are the API's validation text (apis/validation/cron_schedule.h, which this reuses).
//
// Semantics of robfig/cron that Kubernetes users see:
//   - day-of-month and day-of-week are ANDed when either field starts with "*" or "?" (a step
//     "*/n" with n > 1 does not count), and ORed otherwise: "0 0 13 * 5" runs on every 13th
//     and on every Friday;
//   - times are wall-clock times in the schedule's zone; a time that a DST change skips does not
//     run that day ("30 2 * * *" skips the spring-forward day in Europe/Berlin), a time it
//     repeats runs twice;
//   - a schedule that never matches within five years (e.g. "0 0 30 2 *") has no next time.
//
// CronSchedule is an immutable value; thread-safe to share.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "controllers/time_zone.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

using TimePoint = std::chrono::system_clock::time_point;

class CronSchedule {
 public:
  // Parses `spec`. Times are computed in the zone of its TZ=/CRON_TZ= prefix, if any (loaded
  // from `zoneinfo_dir`), else in `zone` (null = UTC). kInvalidArgument with robfig's
  // message: "expected exactly 5 fields, found 3: [* * *]", "provided bad location Mars/Base:
  // unknown time zone Mars/Base", ...
  static Result<CronSchedule> Parse(std::string_view spec, std::shared_ptr<const TimeZone> zone,
                                    const std::string& zoneinfo_dir = kZoneInfoDir);

  // The first activation strictly after `t` (always on a whole second), or nullopt when none
  // comes within five years.
  std::optional<TimePoint> Next(TimePoint t) const;

  const TimeZone& zone() const { return *zone_; }

 private:
  CronSchedule() = default;
  std::optional<int64_t> NextSpec(int64_t t) const;
  bool DayMatches(int day, int weekday) const;

  // Bit sets of the values each field allows; bit 63 (kStar) marks a field given as "*"/"?".
  uint64_t second_ = 1, minute_ = 0, hour_ = 0, dom_ = 0, month_ = 0, dow_ = 0;
  int64_t every_seconds_ = 0;  // > 0: an "@every" schedule
  std::shared_ptr<const TimeZone> zone_;
};

}  // namespace skiff::controllers
