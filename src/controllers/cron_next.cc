#include "controllers/cron_next.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "apis/validation/cron_schedule.h"
#include "controllers/civil_time.h"
#include "skiff/common/string_util.h"

namespace skiff::controllers {
namespace {

constexpr uint64_t kStar = uint64_t{1} << 63;

struct Bounds {
  unsigned min, max;
  const std::map<std::string, unsigned>* names;
};

const std::map<std::string, unsigned>& MonthNames() {
  static const std::map<std::string, unsigned> kNames = {
      {"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4},  {"may", 5},  {"jun", 6},
      {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}};
  return kNames;
}
const std::map<std::string, unsigned>& DayNames() {
  static const std::map<std::string, unsigned> kNames = {
      {"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}};
  return kNames;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

// Only called on text the validation parser accepted: a name or a (signed) decimal number.
unsigned Value(const std::string& expr, const Bounds& b) {
  if (b.names) {
    auto it = b.names->find(AsciiLower(expr));
    if (it != b.names->end()) return it->second;
  }
  unsigned v = 0;
  for (char c : expr) {
    if (std::isdigit(static_cast<unsigned char>(c))) v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

uint64_t Bits(unsigned min, unsigned max, unsigned step) {
  uint64_t bits = 0;
  for (unsigned i = min; i <= max; i += step) bits |= uint64_t{1} << i;
  return bits;
}

// robfig's getRange, on a validated expression: "*", "?", "a", "a-b", each with "/step".
uint64_t RangeBits(const std::string& expr, const Bounds& b) {
  const auto range_and_step = Split(expr, '/');
  const auto low_and_high = Split(range_and_step[0], '-');
  unsigned start, end, step = 1;
  uint64_t extra = 0;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    start = b.min;
    end = b.max;
    extra = kStar;
  } else {
    start = Value(low_and_high[0], b);
    end = low_and_high.size() == 2 ? Value(low_and_high[1], b) : start;
  }
  if (range_and_step.size() == 2) {
    step = Value(range_and_step[1], {0, 0, nullptr});
    if (low_and_high.size() == 1) end = b.max;  // "N/step" means "N-max/step"
    if (step > 1) extra = 0;
  }
  return Bits(start, end, step) | extra;
}

uint64_t FieldBits(const std::string& field, const Bounds& b) {
  uint64_t bits = 0;
  for (const auto& expr : Split(field, ',')) {
    if (!expr.empty()) bits |= RangeBits(expr, b);
  }
  return bits;
}

// Go's time.ParseDuration on validated text, in nanoseconds.
int64_t GoDurationNanos(std::string_view s) {
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  long double total = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    const long double number =
        std::strtold(std::string(s.substr(start, i - start)).c_str(), nullptr);
    start = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    const std::string_view unit = s.substr(start, i - start);
    static constexpr std::pair<std::string_view, long double> kUnits[] = {
        {"ns", 1},   {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
        {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
    long double scale = 0;
    for (const auto& [name, nanos] : kUnits) {
      if (unit == name) scale = nanos;
    }
    total += number * scale;
  }
  const long double capped = std::min<long double>(total, 9.2e18L);
  return static_cast<int64_t>(neg ? -capped : capped);
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text,
                                         std::shared_ptr<const TimeZone> zone,
                                         const std::string& zoneinfo_dir) {
  const std::string err = apis::internal::ParseCronSchedule(text);
  if (!err.empty()) return InvalidArgumentError(err);
  CronSchedule s;
  s.zone_ = zone ? std::move(zone) : TimeZone::Utc();
  std::string spec(text);
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    const size_t space = spec.find(' ');
    const size_t eq = spec.find('=');
    const std::string name =
        spec.substr(eq + 1, space == std::string::npos ? space : space - eq - 1);
    auto loaded = TimeZone::Load(name, zoneinfo_dir);
    if (!loaded.ok()) {
      return InvalidArgumentError("provided bad location " + name + ": " +
                                  loaded.status().message());
    }
    s.zone_ = *loaded;
    spec = std::string(TrimAsciiSpace(space == std::string::npos ? "" : spec.substr(space)));
  }
  const Bounds minutes{0, 59, nullptr}, hours{0, 23, nullptr}, doms{1, 31, nullptr},
      months{1, 12, &MonthNames()}, dows{0, 6, &DayNames()};
  const uint64_t all_hours = Bits(0, 23, 1) | kStar, all_doms = Bits(1, 31, 1) | kStar,
                 all_months = Bits(1, 12, 1) | kStar, all_dows = Bits(0, 6, 1) | kStar;
  s.second_ = 1;
  if (spec.rfind("@every ", 0) == 0) {
    const int64_t nanos = GoDurationNanos(spec.substr(7));
    const int64_t secs = nanos < 1000000000 ? 1 : nanos / 1000000000;
    s.every_seconds_ = secs;
    return s;
  }
  if (!spec.empty() && spec[0] == '@') {
    s.minute_ = 1;
    s.hour_ = 1;
    s.dom_ = all_doms;
    s.month_ = all_months;
    s.dow_ = all_dows;
    if (spec == "@yearly" || spec == "@annually") {
      s.dom_ = 1 << 1;
      s.month_ = 1 << 1;
    } else if (spec == "@monthly") {
      s.dom_ = 1 << 1;
    } else if (spec == "@weekly") {
      s.dow_ = 1;
    } else if (spec == "@hourly") {
      s.hour_ = all_hours;
    }  // @daily, @midnight: as set
    return s;
  }
  std::istringstream in(spec);
  std::vector<std::string> f;
  for (std::string field; in >> field;) f.push_back(field);
  s.minute_ = FieldBits(f[0], minutes);
  s.hour_ = FieldBits(f[1], hours);
  s.dom_ = FieldBits(f[2], doms);
  s.month_ = FieldBits(f[3], months);
  s.dow_ = FieldBits(f[4], dows);
  return s;
}

bool CronSchedule::DayMatches(int day, int weekday) const {
  const bool dom_match = (uint64_t{1} << day) & dom_;
  const bool dow_match = (uint64_t{1} << weekday) & dow_;
  if ((dom_ & kStar) || (dow_ & kStar)) return dom_match && dow_match;
  return dom_match || dow_match;
}

// SpecSchedule.Next, step for step, on Unix seconds in zone_.
std::optional<int64_t> CronSchedule::NextSpec(int64_t t) const {
  const TimeZone& z = *zone_;
  t += 1;  // the upcoming second
  CivilTime c = CivilIn(z, t);
  auto set = [&](int64_t v) {
    t = v;
    c = CivilIn(z, t);
  };
  bool added = false;
  const int64_t year_limit = c.year + 5;
wrap:
  if (c.year > year_limit) return std::nullopt;
  while (!((uint64_t{1} << c.month) & month_)) {
    if (!added) {
      added = true;
      set(ZonedDate(z, c.year, c.month, 1, 0, 0, 0));
    }
    set(ZonedDate(z, c.year, c.month + 1, c.day, c.hour, c.minute, c.second));
    if (c.month == 1) goto wrap;
  }
  while (!DayMatches(c.day, c.weekday)) {
    if (!added) {
      added = true;
      set(ZonedDate(z, c.year, c.month, c.day, 0, 0, 0));
    }
    set(ZonedDate(z, c.year, c.month, c.day + 1, c.hour, c.minute, c.second));
    // Midnight may not exist on a DST day: land back on the day's first hour.
    if (c.hour != 0) set(c.hour > 12 ? t + (24 - c.hour) * 3600 : t - c.hour * 3600);
    if (c.day == 1) goto wrap;
  }
  while (!((uint64_t{1} << c.hour) & hour_)) {
    if (!added) {
      added = true;
      set(ZonedDate(z, c.year, c.month, c.day, c.hour, 0, 0));
    }
    set(t + 3600);
    if (c.hour == 0) goto wrap;
  }
  while (!((uint64_t{1} << c.minute) & minute_)) {
    if (!added) {
      added = true;
      set(t - (((t % 60) + 60) % 60));
    }
    set(t + 60);
    if (c.minute == 0) goto wrap;
  }
  while (!((uint64_t{1} << c.second) & second_)) {
    added = true;
    set(t + 1);
    if (c.second == 0) goto wrap;
  }
  return t;
}

std::optional<TimePoint> CronSchedule::Next(TimePoint tp) const {
  using std::chrono::floor;
  using std::chrono::seconds;
  const int64_t t = floor<seconds>(tp.time_since_epoch()).count();
  if (every_seconds_ > 0) return TimePoint(seconds(t + every_seconds_));
  auto next = NextSpec(t);
  if (!next) return std::nullopt;
  return TimePoint(seconds(*next));
}

}  // namespace skiff::controllers
