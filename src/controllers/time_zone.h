// Time zones for CronJob schedules (spec.timeZone, a schedule's TZ= prefix, the controller's
// local zone), read from the system's TZif files (RFC 8536, e.g. /usr/share/zoneinfo/
// Europe/Berlin from Debian's tzdata): GCC 12's libstdc++ has no std::chrono::tzdb.
//
// A TimeZone answers one question: the UTC offset in force at a UTC instant. Instants past the
// file's last transition follow its POSIX TZ footer ("CET-1CEST,M3.5.0,M10.5.0/3"), as Go's
// time package does. Leap-second records are ignored (as Go ignores them).
//
// TimeZones are immutable after loading; share them as shared_ptr<const TimeZone>; every
// method is thread-safe. Nothing throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::controllers {

inline constexpr char kZoneInfoDir[] = "/usr/share/zoneinfo";

class TimeZone {
 public:
  struct Offset {
    int32_t utc_offset = 0;  // seconds east of UTC
    bool dst = false;
    std::string abbreviation;  // "CEST"
  };

  // UTC (Go's time.UTC).
  static std::shared_ptr<const TimeZone> Utc();
  // Go's time.LoadLocation: "" and "UTC" are UTC; other names are read from `<dir>/<name>`.
  // Errors (kInvalidArgument) carry Go's text: "unknown time zone <name>" (no such file),
  // "time: invalid location name" (a name with "..", or absolute), "malformed time zone
  // information" (not a TZif file). "Local" is not loaded here (see Local()).
  static Result<std::shared_ptr<const TimeZone>> Load(std::string_view name,
                                                      const std::string& dir = kZoneInfoDir);
  // The machine's local zone, as Go sets time.Local: $TZ when set ("" = UTC; a name, with an
  // optional leading ':', from `dir`, or an absolute file path), else /etc/localtime; UTC when
  // neither loads. Named "Local".
  static std::shared_ptr<const TimeZone> Local(const std::string& dir = kZoneInfoDir);
  // Parses TZif bytes (versions 1-4). kInvalidArgument "malformed time zone information".
  static Result<std::shared_ptr<const TimeZone>> FromTzif(std::string name, std::string_view data);

  // The offset in force at `unix_seconds` (a UTC instant).
  Offset Lookup(int64_t unix_seconds) const;
  // The IANA name it was loaded as ("UTC", "Europe/Berlin", "Local").
  const std::string& name() const { return name_; }

  // Public for make_shared; use the factories above.
  struct Rule;  // a POSIX TZ footer rule, see time_zone.cc
  TimeZone(std::string name, std::vector<Offset> types, std::vector<int64_t> transitions,
           std::vector<uint8_t> transition_types, std::shared_ptr<const Rule> footer);

 private:
  std::string name_;
  std::vector<Offset> types_;             // local time types; [0] applies before transitions
  std::vector<int64_t> transitions_;      // ascending UTC instants
  std::vector<uint8_t> transition_type_;  // the type in force from each transition on
  std::shared_ptr<const Rule> footer_;    // after the last transition; may be null
};

// A POSIX TZ string, as the footer of a TZif file gives it ("CET-1CEST,M3.5.0,M10.5.0/3";
// posix_tz.cc), and the offset it gives at a UTC instant; exposed for tests. nullptr when `tz`
// is not a valid TZ string.
std::shared_ptr<const TimeZone::Rule> ParsePosixTz(std::string_view tz);
TimeZone::Offset LookupPosixTz(const TimeZone::Rule& rule, int64_t unix_seconds);

}  // namespace skiff::controllers
