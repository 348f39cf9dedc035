// CronJob schedules: robfig/cron's next-time semantics (what kube-controller-manager uses), the
// TZif time zones they run in, and Kubernetes' most-recent-schedule window.
#include "controllers/cron_next.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "api/object_util.h"
#include "controllers/civil_time.h"
#include "controllers/cronjob_jobs.h"
#include "controllers/cronjob_times.h"
#include "controllers/time_zone.h"

namespace skiff::controllers {
namespace {

using namespace std::chrono_literals;

// An RFC 3339 time, with its fraction of a second (api::ParseRfc3339 keeps whole seconds).
TimePoint T(const std::string& rfc3339) {
  TimePoint t;
  REQUIRE(api::ParseRfc3339(rfc3339, &t));
  const size_t dot = rfc3339.find('.');
  if (dot != std::string::npos) {
    int64_t nanos = 0, scale = 1000000000;
    for (size_t i = dot + 1; i < rfc3339.size() && std::isdigit(rfc3339[i]); ++i) {
      scale /= 10;
      nanos += (rfc3339[i] - '0') * scale;
    }
    t += std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(nanos));
  }
  return t;
}

std::shared_ptr<const TimeZone> Zone(const std::string& name) {
  auto z = TimeZone::Load(name);
  INFO(z.status().ToString());
  REQUIRE(z.ok());
  return *z;
}

CronSchedule Parse(const std::string& spec, const std::string& zone = "UTC") {
  auto s = CronSchedule::Parse(spec, Zone(zone));
  INFO(spec << ": " << s.status().ToString());
  REQUIRE(s.ok());
  return *s;
}

// The next `n` activations after `from`, as RFC 3339 in the schedule's zone.
std::vector<std::string> Nexts(const std::string& spec, const std::string& from, int n,
                               const std::string& zone = "UTC") {
  const CronSchedule s = Parse(spec, zone);
  std::vector<std::string> out;
  TimePoint t = T(from);
  for (int i = 0; i < n; ++i) {
    auto next = s.Next(t);
    if (!next) {
      out.push_back("none");
      break;
    }
    out.push_back(FormatRfc3339In(*next, s.zone()));
    t = *next;
  }
  return out;
}

using V = std::vector<std::string>;

TEST_CASE("cron: ordinary five-field schedules") {
  CHECK(Nexts("*/15 * * * *", "2025-01-01T10:07:30Z", 3) ==
        V{"2025-01-01T10:15:00Z", "2025-01-01T10:30:00Z", "2025-01-01T10:45:00Z"});
  // Strictly after: a time on the schedule is not its own next time.
  CHECK(Nexts("0 * * * *", "2025-01-01T10:00:00Z", 1) == V{"2025-01-01T11:00:00Z"});
  CHECK(Nexts("0 * * * *", "2025-01-01T09:59:59.900Z", 1) == V{"2025-01-01T10:00:00Z"});
  // Weekdays at 09:00 from a Friday morning: Monday next.
  CHECK(Nexts("0 9 * * 1-5", "2025-01-03T09:00:00Z", 2) ==
        V{"2025-01-06T09:00:00Z", "2025-01-07T09:00:00Z"});
  // Names, in any case.
  CHECK(Nexts("0 12 * JAN,jun Mon", "2025-01-28T00:00:00Z", 2) ==
        V{"2025-06-02T12:00:00Z", "2025-06-09T12:00:00Z"});
  // Month ends and leap days.
  CHECK(Nexts("0 0 31 * *", "2025-01-31T00:00:00Z", 2) ==
        V{"2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z"});
  CHECK(Nexts("0 0 29 2 *", "2025-01-01T00:00:00Z", 2) ==
        V{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"});
  // Never within five years: no next time.
  CHECK(Nexts("0 0 30 2 *", "2025-01-01T00:00:00Z", 1) == V{"none"});
}

TEST_CASE("cron: @descriptors and @every") {
  const std::string from = "2025-01-01T10:07:30Z";  // a Wednesday
  CHECK(Nexts("@hourly", from, 2) == V{"2025-01-01T11:00:00Z", "2025-01-01T12:00:00Z"});
  CHECK(Nexts("@daily", from, 1) == V{"2025-01-02T00:00:00Z"});
  CHECK(Nexts("@midnight", from, 1) == V{"2025-01-02T00:00:00Z"});
  CHECK(Nexts("@weekly", from, 2) == V{"2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"});
  CHECK(Nexts("@monthly", from, 2) == V{"2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"});
  CHECK(Nexts("@yearly", from, 1) == V{"2026-01-01T00:00:00Z"});
  CHECK(Nexts("@annually", from, 1) == V{"2026-01-01T00:00:00Z"});
  // @every counts from the given time (whole seconds), not from the clock's round numbers.
  CHECK(Nexts("@every 90s", "2025-01-01T10:00:00.500Z", 2) ==
        V{"2025-01-01T10:01:30Z", "2025-01-01T10:03:00Z"});
  CHECK(Nexts("@every 1h30m", from, 1) == V{"2025-01-01T11:37:30Z"});
  CHECK(Nexts("@every 1.5s", from, 1) == V{"2025-01-01T10:07:31Z"});  // truncated to 1s
}

TEST_CASE("cron: day-of-month and day-of-week are ORed unless one is a star") {
  // Both restricted: the 13th, and every Friday.
  CHECK(Nexts("0 0 13 * 5", "2025-01-01T00:00:00Z", 4) ==
        V{"2025-01-03T00:00:00Z", "2025-01-10T00:00:00Z", "2025-01-13T00:00:00Z",
          "2025-01-17T00:00:00Z"});
  // A star (or ?) in either: both must hold.
  CHECK(Nexts("0 0 * * 5", "2025-01-01T00:00:00Z", 2) ==
        V{"2025-01-03T00:00:00Z", "2025-01-10T00:00:00Z"});
  CHECK(Nexts("0 0 13 * ?", "2025-01-01T00:00:00Z", 2) ==
        V{"2025-01-13T00:00:00Z", "2025-02-13T00:00:00Z"});
  CHECK(Nexts("0 0 13 * *", "2025-01-01T00:00:00Z", 1) == V{"2025-01-13T00:00:00Z"});
  // "*/10" is a step, not a star: ORed with Mondays (days 1, 11, 21, 31 or Monday).
  CHECK(Nexts("0 0 */10 * 1", "2025-01-01T00:00:00Z", 4) ==
        V{"2025-01-06T00:00:00Z", "2025-01-11T00:00:00Z", "2025-01-13T00:00:00Z",
          "2025-01-20T00:00:00Z"});
  // "*/1" still counts as a star.
  CHECK(Nexts("0 0 */1 * 1", "2025-01-01T00:00:00Z", 1) == V{"2025-01-06T00:00:00Z"});
}

TEST_CASE("cron: steps, ranges and lists") {
  // "N/step" runs from N to the field's maximum.
  CHECK(Nexts("5/20 * * * *", "2025-01-01T10:00:00Z", 4) ==
        V{"2025-01-01T10:05:00Z", "2025-01-01T10:25:00Z", "2025-01-01T10:45:00Z",
          "2025-01-01T11:05:00Z"});
  CHECK(Nexts("10-20/5 8-9 * * *", "2025-01-01T08:12:00Z", 4) ==
        V{"2025-01-01T08:15:00Z", "2025-01-01T08:20:00Z", "2025-01-01T09:10:00Z",
          "2025-01-01T09:15:00Z"});
  CHECK(Nexts("0,30 6,18 * * *", "2025-01-01T06:00:00Z", 4) ==
        V{"2025-01-01T06:30:00Z", "2025-01-01T18:00:00Z", "2025-01-01T18:30:00Z",
          "2025-01-02T06:00:00Z"});
  CHECK(Nexts("0 0 1 */4 *", "2025-01-01T00:00:00Z", 3) ==
        V{"2025-05-01T00:00:00Z", "2025-09-01T00:00:00Z", "2026-01-01T00:00:00Z"});
}

TEST_CASE("cron: wall-clock times across DST changes in Europe/Berlin") {
  // 09:00 every day stays 09:00 local: 08:00Z in winter, 07:00Z in summer.
  const CronSchedule nine = Parse("0 9 * * *", "Europe/Berlin");
  auto a = nine.Next(T("2024-03-30T00:00:00Z"));
  auto b = nine.Next(*a);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(api::Rfc3339(*a) == "2024-03-30T08:00:00Z");
  CHECK(api::Rfc3339(*b) == "2024-03-31T07:00:00Z");
  CHECK(FormatRfc3339In(*b, nine.zone()) == "2024-03-31T09:00:00+02:00");
  // 02:30 does not exist on 2024-03-31 (02:00 CET -> 03:00 CEST): that day is skipped.
  CHECK(Nexts("30 2 * * *", "2024-03-30T12:00:00Z", 2, "Europe/Berlin") ==
        V{"2024-04-01T02:30:00+02:00", "2024-04-02T02:30:00+02:00"});
  // 02:30 happens twice on 2024-10-27 (03:00 CEST -> 02:00 CET): it runs twice.
  CHECK(Nexts("30 2 * * *", "2024-10-26T12:00:00Z", 3, "Europe/Berlin") ==
        V{"2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+01:00", "2024-10-28T02:30:00+01:00"});
  // Hourly schedules follow absolute hours through the change.
  CHECK(Nexts("0 * * * *", "2024-03-31T00:30:00Z", 2, "Europe/Berlin") ==
        V{"2024-03-31T03:00:00+02:00", "2024-03-31T04:00:00+02:00"});
  // A schedule's TZ= prefix names its zone (the zone passed in is only the default).
  auto prefixed = CronSchedule::Parse("TZ=Europe/Berlin 0 9 * * *", TimeZone::Utc());
  REQUIRE(prefixed.ok());
  CHECK(api::Rfc3339(*prefixed->Next(T("2024-07-01T00:00:00Z"))) == "2024-07-01T07:00:00Z");
}

TEST_CASE("cron: parse errors carry robfig's messages") {
  auto fields = CronSchedule::Parse("* * *", TimeZone::Utc());
  REQUIRE_FALSE(fields.ok());
  CHECK(fields.status().code() == Code::kInvalidArgument);
  CHECK(fields.status().message() == "expected exactly 5 fields, found 3: [* * *]");
  auto range = CronSchedule::Parse("0 24 * * *", TimeZone::Utc());
  REQUIRE_FALSE(range.ok());
  CHECK(range.status().message() == "end of range (24) above maximum (23): 24");
  auto zone = CronSchedule::Parse("TZ=Mars/Base 0 9 * * *", TimeZone::Utc());
  REQUIRE_FALSE(zone.ok());
  CHECK(zone.status().message() == "provided bad location Mars/Base: unknown time zone Mars/Base");
}

TEST_CASE("time zones: TZif files, their POSIX footer, and Go's errors") {
  auto berlin = Zone("Europe/Berlin");
  const auto winter = berlin->Lookup(1704067200);  // 2024-01-01T00:00:00Z
  CHECK(winter.utc_offset == 3600);
  CHECK(winter.abbreviation == "CET");
  CHECK_FALSE(winter.dst);
  const auto summer = berlin->Lookup(1719792000);  // 2024-07-01T00:00:00Z
  CHECK(summer.utc_offset == 7200);
  CHECK(summer.abbreviation == "CEST");
  CHECK(summer.dst);
  // Past the file's transitions (2037) the footer rule "CET-1CEST,M3.5.0,M10.5.0/3" applies:
  // in 2040 summer time runs from 2040-03-25T01:00Z to 2040-10-28T01:00Z.
  CHECK(berlin->Lookup(T("2040-03-25T00:59:59Z").time_since_epoch() / 1s).utc_offset == 3600);
  CHECK(berlin->Lookup(T("2040-03-25T01:00:00Z").time_since_epoch() / 1s).utc_offset == 7200);
  CHECK(berlin->Lookup(T("2040-10-28T00:59:59Z").time_since_epoch() / 1s).utc_offset == 7200);
  CHECK(berlin->Lookup(T("2040-10-28T01:00:00Z").time_since_epoch() / 1s).utc_offset == 3600);
  // Southern hemisphere rules wrap around the new year.
  auto sydney = ParsePosixTz("AEST-10AEDT,M10.1.0,M4.1.0/3");
  REQUIRE(sydney);
  CHECK(LookupPosixTz(*sydney, T("2040-01-15T00:00:00Z").time_since_epoch() / 1s).abbreviation ==
        "AEDT");
  CHECK(LookupPosixTz(*sydney, T("2040-07-01T00:00:00Z").time_since_epoch() / 1s).utc_offset ==
        36000);
  CHECK(ParsePosixTz("not a zone") == nullptr);

  CHECK(TimeZone::Load("")->get()->name() == "UTC");
  CHECK(TimeZone::Load("UTC")->get()->Lookup(0).utc_offset == 0);
  auto unknown = TimeZone::Load("Mars/Base");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "unknown time zone Mars/Base");
  auto escape = TimeZone::Load("../../etc/passwd");
  REQUIRE_FALSE(escape.ok());
  CHECK(escape.status().message() == "time: invalid location name");
  auto garbage = TimeZone::FromTzif("X", "not a tzif file at all, clearly");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().message() == "malformed time zone information");
  // Go's time.Date for a skipped wall time: 02:30 on the spring-forward day is 03:30 CEST.
  CHECK(ZonedDate(*berlin, 2024, 3, 31, 2, 30, 0) ==
        T("2024-03-31T01:30:00Z").time_since_epoch() / 1s);
}

TEST_CASE("schedule window: most recent time, missed times and the deadline") {
  const CronSchedule hourly = Parse("0 * * * ?");
  CronJobTimes cj;
  cj.created = T("2016-05-19T09:59:00Z");
  const auto delta = std::chrono::nanoseconds(100ms);

  // Not yet time: nothing due; look again at 10:00 (+100 ms).
  ScheduleWindow w = MostRecentScheduleTime(cj, T("2016-05-19T09:59:30Z"), hourly, true);
  CHECK_FALSE(w.most_recent);
  CHECK(NextScheduleTimeDuration(cj, T("2016-05-19T09:59:30Z"), hourly, delta) == 30s + 100ms);

  // Just after the hour: 10:00 is due; the next look is at 11:00.
  w = MostRecentScheduleTime(cj, T("2016-05-19T10:01:00Z"), hourly, true);
  REQUIRE(w.most_recent);
  CHECK(api::Rfc3339(*w.most_recent) == "2016-05-19T10:00:00Z");
  CHECK(w.missed == MissedSchedules::kNone);
  CHECK(NextScheduleTimeDuration(cj, T("2016-05-19T10:01:00Z"), hourly, delta) == 59min + 100ms);

  // A week later: 168 hours missed, only the latest one is run, and that is "too many".
  w = MostRecentScheduleTime(cj, T("2016-05-26T10:00:00Z"), hourly, true);
  REQUIRE(w.most_recent);
  CHECK(api::Rfc3339(*w.most_recent) == "2016-05-26T10:00:00Z");
  CHECK(w.missed == MissedSchedules::kMany);
  // Three hours late is a few.
  w = MostRecentScheduleTime(cj, T("2016-05-19T12:30:00Z"), hourly, true);
  CHECK(api::Rfc3339(*w.most_recent) == "2016-05-19T12:00:00Z");
  CHECK(w.missed == MissedSchedules::kFew);

  // startingDeadlineSeconds 10, 11 minutes after the hour: 10:00 is too old to run; no window.
  cj.starting_deadline_seconds = 10;
  w = MostRecentScheduleTime(cj, T("2016-05-19T10:12:00Z"), hourly, true);
  CHECK_FALSE(w.most_recent);
  CHECK(w.status.ok());
  CHECK(NextScheduleTimeDuration(cj, T("2016-05-19T10:12:00Z"), hourly, delta) == 48min + 100ms);
  // Within the deadline it runs.
  w = MostRecentScheduleTime(cj, T("2016-05-19T10:00:05Z"), hourly, true);
  REQUIRE(w.most_recent);
  CHECK(api::Rfc3339(*w.most_recent) == "2016-05-19T10:00:00Z");

  // lastScheduleTime, when set, is where the window starts.
  cj.starting_deadline_seconds.reset();
  cj.last_schedule = T("2016-05-19T10:00:00Z");
  w = MostRecentScheduleTime(cj, T("2016-05-19T10:30:00Z"), hourly, true);
  CHECK_FALSE(w.most_recent);

  // A schedule that parses but (almost) never fires.
  const CronSchedule never = Parse("59 23 31 2 *");
  w = MostRecentScheduleTime(cj, T("2016-05-19T10:30:00Z"), never, true);
  CHECK_FALSE(w.most_recent);
  CHECK(w.status.message() == "time difference between two schedules is less than 1 second");
}

TEST_CASE("jobs made for a schedule time: name and scheduled-timestamp annotation") {
  const TimePoint at = T("2025-01-01T10:00:00Z");
  CHECK(JobNameFor("hello", at) == "hello-28928760");
  CHECK(FormatRfc3339In(at, *TimeZone::Utc()) == "2025-01-01T10:00:00Z");
  CHECK(FormatRfc3339In(at, *Zone("America/New_York")) == "2025-01-01T05:00:00-05:00");
  CHECK(FormatRfc1123ZUtc(at) == "Wed, 01 Jan 2025 10:00:00 +0000");
}

}  // namespace
}  // namespace skiff::controllers
