// Cron schedule syntax as the CronJob validation checks it (robfig/cron's standard parser:
// five fields, @descriptors, @every <duration>, an optional TZ=/CRON_TZ= prefix).
#pragma once

#include <string>
#include <string_view>

namespace skiff::apis::internal {

// "" when the schedule parses, else the parser's error message (e.g.
// "expected exactly 5 fields, found 3: [* * *]").
std::string ParseCronSchedule(std::string_view schedule);

// Whether `name` is a time zone this machine knows (an IANA name under /usr/share/zoneinfo, or
// "UTC"). Returns "" when it is, else Go's error ("unknown time zone X").
std::string LoadTimeZone(std::string_view name);

}  // namespace skiff::apis::internal
