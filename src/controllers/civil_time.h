// Calendar arithmetic on Unix seconds in a TimeZone, with the semantics of Go's time package
// that robfig/cron (and so kube-controller-manager's CronJob controller) relies on: fields of
// an instant in a zone (t.In(loc).Date()/Clock()/Weekday()), and time.Date's normalisation of
// out-of-range fields and its choice for local times a DST change skips or repeats.
// Proleptic Gregorian calendar; pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "controllers/time_zone.h"

namespace skiff::controllers {

// Days since 1970-01-01 of year-month-day; month 1..12, day may be out of range (it is
// counted on from the 1st of the month: day 0 is the last of the month before).
int64_t DaysFromCivil(int64_t year, int month, int64_t day);
bool IsLeapYear(int64_t year);
int DaysInMonth(int64_t year, int month);

// The wall-clock fields of an instant.
struct CivilTime {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int weekday = 4;  // 0 = Sunday
  int32_t utc_offset = 0;
};

// The fields of `local_seconds` (seconds since 1970-01-01T00:00 on a wall clock) as UTC.
CivilTime CivilFromLocalSeconds(int64_t local_seconds);
// The fields of the instant `unix_seconds` in `zone` (Go: t.In(zone)).
CivilTime CivilIn(const TimeZone& zone, int64_t unix_seconds);
// Go's time.Date(year, month, day, hour, minute, second, 0, zone) as Unix seconds: fields out
// of range carry into the next larger one (month 13 is January of the next year, day 0 the last
// day of the month before, ...). A wall time that a DST change skips or repeats is resolved as
// Go does (the offset in force at the wall time read as UTC, corrected once): e.g. 02:30 on
// the day Europe/Berlin springs forward is 03:30 CEST, and on the day it falls back 02:30 CET.
int64_t ZonedDate(const TimeZone& zone, int64_t year, int64_t month, int64_t day, int64_t hour,
                  int64_t minute, int64_t second);

}  // namespace skiff::controllers
