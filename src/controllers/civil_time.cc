#include "controllers/civil_time.h"

namespace skiff::controllers {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

// The era-based day count (400-year cycles of 146097 days), March-based years so that the
// leap day is the last of its year.
int64_t DaysFromCivil(int64_t year, int month, int64_t day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t year_of_era = y - era * 400;          // [0, 399]
  const int64_t month_from_march = (month + 9) % 12;  // March = 0
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

CivilTime CivilFromLocalSeconds(int64_t local_seconds) {
  CivilTime c;
  const int64_t days = FloorDiv(local_seconds, kSecondsPerDay);
  const int64_t secs = local_seconds - days * kSecondsPerDay;
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)

  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t day_of_era = z - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;  // March = 0
  c.day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = year_of_era + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

CivilTime CivilIn(const TimeZone& zone, int64_t unix_seconds) {
  const int32_t offset = zone.Lookup(unix_seconds).utc_offset;
  CivilTime c = CivilFromLocalSeconds(unix_seconds + offset);
  c.utc_offset = offset;
  return c;
}

int64_t ZonedDate(const TimeZone& zone, int64_t year, int64_t month, int64_t day, int64_t hour,
                  int64_t minute, int64_t second) {
  // Normalise the month into 1..12 first (as Go does); the rest carries through the day count.
  const int64_t m0 = month - 1;
  year += FloorDiv(m0, 12);
  const int m = static_cast<int>(m0 - FloorDiv(m0, 12) * 12) + 1;
  const int64_t wall =
      DaysFromCivil(year, m, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  // Go: take the offset in force at the wall time read as UTC; if the instant that gives lies
  // outside that offset's period, take the offset in force at that instant instead.
  const int32_t guess = zone.Lookup(wall).utc_offset;
  if (guess == 0) return wall;
  const int64_t utc = wall - guess;
  return wall - zone.Lookup(utc).utc_offset;
}

}  // namespace skiff::controllers
