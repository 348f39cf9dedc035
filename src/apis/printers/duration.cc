// Kubernetes' human-readable durations (k8s.io/apimachinery/pkg/util/duration) and the AGE of
// a timestamp.
#include <cstdint>
#include <string>

#include "skiff/apis/printers.h"
#include "util.h"

namespace skiff::apis {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;

std::string Num(std::int64_t n, const char* unit) { return std::to_string(n) + unit; }

}  // namespace

std::string HumanDuration(std::chrono::nanoseconds d) {
  const std::int64_t ns = d.count();
  // Go: int(d.Seconds()) truncates toward zero; up to two seconds in the future is clock skew.
  const std::int64_t seconds = ns / kSecond;
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return Num(seconds, "s");
  const std::int64_t minutes = ns / kMinute;
  if (minutes < 10) {
    std::int64_t s = seconds % 60;
    return s == 0 ? Num(minutes, "m") : Num(minutes, "m") + Num(s, "s");
  }
  if (minutes < 60 * 3) return Num(minutes, "m");
  const std::int64_t hours = ns / kHour;
  if (hours < 8) {
    std::int64_t m = minutes % 60;
    return m == 0 ? Num(hours, "h") : Num(hours, "h") + Num(m, "m");
  }
  if (hours < 48) return Num(hours, "h");
  if (hours < 24 * 8) {
    std::int64_t h = hours % 24;
    return h == 0 ? Num(hours / 24, "d") : Num(hours / 24, "d") + Num(h, "h");
  }
  if (hours < 24 * 365 * 2) return Num(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    std::int64_t dy = (hours / 24) % 365;
    return dy == 0 ? Num(hours / 24 / 365, "y") : Num(hours / 24 / 365, "y") + Num(dy, "d");
  }
  return Num(hours / 24 / 365, "y");
}

std::string ShortHumanDuration(std::chrono::nanoseconds d) {
  const std::int64_t ns = d.count();
  const std::int64_t seconds = ns / kSecond;
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return Num(seconds, "s");
  const std::int64_t minutes = ns / kMinute;
  if (minutes < 60) return Num(minutes, "m");
  const std::int64_t hours = ns / kHour;
  if (hours < 24) return Num(hours, "h");
  if (hours < 24 * 365) return Num(hours / 24, "d");
  return Num(hours / 24 / 365, "y");
}

std::string TimestampAge(const nlohmann::json& ts, TableClock::time_point now) {
  try {
    return printers::Since(ts, now);
  } catch (...) {
    return "<unknown>";
  }
}

}  // namespace skiff::apis
