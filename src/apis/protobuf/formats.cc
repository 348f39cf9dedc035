#include "apis/protobuf/formats.h"

namespace skiff::apis::protobuf {

namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kNanosPerSecond = 1000000000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct CivilDate {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// The proleptic Gregorian date of a day count since 1970-01-01 (days_from_civil inverted,
// working in 400-year eras of 146097 days that start on March 1st).
CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Appends the digits of v (< 10^digits) zero-padded to `digits`.
void AppendPadded(std::string* out, uint64_t v, int digits) {
  std::string s(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out->append(s);
}

// Appends "." and the fraction value / 10^digits without trailing zeros (nothing when 0).
void AppendFraction(std::string* out, uint64_t value, int digits) {
  if (value == 0) return;
  std::string s(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    s[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  while (!s.empty() && s.back() == '0') s.pop_back();
  out->push_back('.');
  out->append(s);
}

}  // namespace

std::optional<std::string> FormatRfc3339(int64_t seconds, int64_t nanos, int fraction_digits) {
  // Carry nanos into seconds; the bounds keep every sum far from overflow.
  constexpr int64_t kLimit = int64_t{1} << 50;
  if (seconds > kLimit || seconds < -kLimit) return std::nullopt;
  seconds += FloorDiv(nanos, kNanosPerSecond);
  nanos -= FloorDiv(nanos, kNanosPerSecond) * kNanosPerSecond;

  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t secs_of_day = seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  if (date.year < 0 || date.year > 9999) return std::nullopt;

  std::string out;
  AppendPadded(&out, static_cast<uint64_t>(date.year), 4);
  out.push_back('-');
  AppendPadded(&out, static_cast<uint64_t>(date.month), 2);
  out.push_back('-');
  AppendPadded(&out, static_cast<uint64_t>(date.day), 2);
  out.push_back('T');
  AppendPadded(&out, static_cast<uint64_t>(secs_of_day / 3600), 2);
  out.push_back(':');
  AppendPadded(&out, static_cast<uint64_t>(secs_of_day / 60 % 60), 2);
  out.push_back(':');
  AppendPadded(&out, static_cast<uint64_t>(secs_of_day % 60), 2);
  if (fraction_digits > 0) {
    uint64_t fraction = static_cast<uint64_t>(nanos);
    for (int i = fraction_digits; i < 9; ++i) fraction /= 10;
    out.push_back('.');
    AppendPadded(&out, fraction, fraction_digits);
  }
  out.push_back('Z');
  return out;
}

std::string FormatGoDuration(int64_t nanoseconds) {
  if (nanoseconds == 0) return "0s";
  const bool negative = nanoseconds < 0;
  // The magnitude as unsigned, valid for INT64_MIN too.
  uint64_t u =
      negative ? ~static_cast<uint64_t>(nanoseconds) + 1 : static_cast<uint64_t>(nanoseconds);
  std::string out = negative ? "-" : "";
  if (u < static_cast<uint64_t>(kNanosPerSecond)) {
    // Below a second Go uses the largest unit under it, with a fraction: "1.5ms", "2µs", "7ns".
    int digits = 0;
    const char* unit = "ns";
    if (u >= 1000000) {
      digits = 6;
      unit = "ms";
    } else if (u >= 1000) {
      digits = 3;
      unit = "\u00b5s";
    }
    uint64_t scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    out += std::to_string(u / scale);
    AppendFraction(&out, u % scale, digits);
    out += unit;
    return out;
  }
  const uint64_t whole_seconds = u / static_cast<uint64_t>(kNanosPerSecond);
  const uint64_t fraction = u % static_cast<uint64_t>(kNanosPerSecond);
  const uint64_t hours = whole_seconds / 3600;
  const uint64_t minutes = whole_seconds / 60 % 60;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(whole_seconds % 60);
  AppendFraction(&out, fraction, 9);
  out += "s";
  return out;
}

}  // namespace skiff::apis::protobuf
