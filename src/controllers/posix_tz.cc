// POSIX TZ strings (the footer of TZif files): how a zone behaves after its last listed
// transition.
#include <cctype>
#include <optional>

#include "controllers/civil_time.h"
#include "controllers/time_zone.h"

namespace skiff::controllers {

// A POSIX TZ string: std offset [dst [offset] [,start[/time],end[/time]]].
struct TimeZone::Rule {
  enum class Kind { kJulian, kDayOfYear, kMonthWeekDay };
  struct When {
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;      // Jn: 1..365; n: 0..365; Mm.w.d: d (0 = Sunday)
    int week = 0;     // Mm.w.d: 1..5
    int month = 0;    // Mm.w.d: 1..12
    int time = 7200;  // seconds after local midnight
  };
  TimeZone::Offset std_offset;
  bool has_dst = false;
  TimeZone::Offset dst_offset;
  When start, end;
};

namespace {

// POSIX TZ parsing, as Go's tzset* helpers accept it.
class TzParser {
 public:
  explicit TzParser(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ == s_.size(); }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }

  // A zone abbreviation: <...> or at least three letters.
  std::optional<std::string> Name() {
    if (Eat('<')) {
      size_t close = s_.find('>', i_);
      if (close == std::string_view::npos) return std::nullopt;
      std::string name(s_.substr(i_, close - i_));
      i_ = close + 1;
      return name;
    }
    size_t start = i_;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ - start < 3) return std::nullopt;
    return std::string(s_.substr(start, i_ - start));
  }
  // [+-]hh[:mm[:ss]], hours up to max_hours; returns seconds (sign as written).
  std::optional<int> Duration(int max_hours) {
    int sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    auto hours = Number();
    if (!hours || *hours > max_hours) return std::nullopt;
    int total = *hours * 3600;
    for (int mult : {60, 1}) {
      if (!Eat(':')) break;
      auto part = Number();
      if (!part || *part >= 60) return std::nullopt;
      total += *part * mult;
    }
    return sign * total;
  }
  std::optional<int> Number() {
    size_t start = i_;
    int v = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])) && i_ - start < 6) {
      v = v * 10 + (s_[i_] - '0');
      ++i_;
    }
    if (i_ == start) return std::nullopt;
    return v;
  }
  std::optional<TimeZone::Rule::When> When() {
    TimeZone::Rule::When w;
    if (Eat('J')) {
      auto d = Number();
      if (!d || *d < 1 || *d > 365) return std::nullopt;
      w.kind = TimeZone::Rule::Kind::kJulian;
      w.day = *d;
    } else if (Eat('M')) {
      auto m = Number();
      if (!m || *m < 1 || *m > 12 || !Eat('.')) return std::nullopt;
      auto wk = Number();
      if (!wk || *wk < 1 || *wk > 5 || !Eat('.')) return std::nullopt;
      auto d = Number();
      if (!d || *d > 6) return std::nullopt;
      w.kind = TimeZone::Rule::Kind::kMonthWeekDay;
      w.month = *m;
      w.week = *wk;
      w.day = *d;
    } else {
      auto d = Number();
      if (!d || *d > 365) return std::nullopt;
      w.kind = TimeZone::Rule::Kind::kDayOfYear;
      w.day = *d;
    }
    if (Eat('/')) {
      auto t = Duration(167);  // RFC 8536 allows -167..167 hours
      if (!t) return std::nullopt;
      w.time = *t;
    }
    return w;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Seconds from the start of `year` (UTC) to the transition `w`, whose time is local time at
// UTC offset `offset`.
int64_t RuleTime(int64_t year, const TimeZone::Rule::When& w, int32_t offset) {
  int64_t day = 0;  // 0-based day of the year
  switch (w.kind) {
    case TimeZone::Rule::Kind::kJulian:
      day = w.day - 1 + (IsLeapYear(year) && w.day >= 60 ? 1 : 0);
      break;
    case TimeZone::Rule::Kind::kDayOfYear:
      day = w.day;
      break;
    case TimeZone::Rule::Kind::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(year, w.month, 1);
      const int first_weekday = CivilFromLocalSeconds(first * 86400).weekday;
      int64_t d = (w.day - first_weekday + 7) % 7;  // 0-based day of the month
      for (int i = 1; i < w.week && d + 7 < DaysInMonth(year, w.month); ++i) d += 7;
      day = first - DaysFromCivil(year, 1, 1) + d;
      break;
    }
  }
  return day * 86400 + w.time - offset;
}

}  // namespace

std::shared_ptr<const TimeZone::Rule> ParsePosixTz(std::string_view tz) {
  TzParser p(tz);
  auto rule = std::make_shared<TimeZone::Rule>();
  auto std_name = p.Name();
  if (!std_name) return nullptr;
  auto std_off = p.Duration(24);
  if (!std_off) return nullptr;
  rule->std_offset = {-*std_off, false, *std_name};
  if (p.AtEnd()) return rule;
  auto dst_name = p.Name();
  if (!dst_name) return nullptr;
  rule->has_dst = true;
  int dst_off = rule->std_offset.utc_offset + 3600;
  if (!p.AtEnd() && p.Peek() != ',') {
    auto off = p.Duration(24);
    if (!off) return nullptr;
    dst_off = -*off;
  }
  rule->dst_offset = {dst_off, true, *dst_name};
  if (p.AtEnd()) {  // POSIX's default: the US rules
    rule->start = {TimeZone::Rule::Kind::kMonthWeekDay, 0, 2, 3, 7200};
    rule->end = {TimeZone::Rule::Kind::kMonthWeekDay, 0, 1, 11, 7200};
    return rule;
  }
  if (!p.Eat(',')) return nullptr;
  auto start = p.When();
  if (!start || !p.Eat(',')) return nullptr;
  auto end = p.When();
  if (!end || !p.AtEnd()) return nullptr;
  rule->start = *start;
  rule->end = *end;
  return rule;
}

TimeZone::Offset LookupPosixTz(const TimeZone::Rule& rule, int64_t unix_seconds) {
  if (!rule.has_dst) return rule.std_offset;
  const CivilTime utc = CivilFromLocalSeconds(unix_seconds);
  const int64_t year_start = DaysFromCivil(utc.year, 1, 1) * 86400;
  const int64_t in_year = unix_seconds - year_start;
  const int64_t start = RuleTime(utc.year, rule.start, rule.std_offset.utc_offset);
  const int64_t end = RuleTime(utc.year, rule.end, rule.dst_offset.utc_offset);
  if (start <= end) {
    return in_year >= start && in_year < end ? rule.dst_offset : rule.std_offset;
  }
  // Southern hemisphere: standard time between the end and the start of DST.
  return in_year >= end && in_year < start ? rule.std_offset : rule.dst_offset;
}

}  // namespace skiff::controllers
