#include "cri_format.h"

#include <cstdio>

namespace skiff::node::logs {
namespace {

using std::chrono::days;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Reads exactly `n` decimal digits at text[*pos]; advances pos.
bool Digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::string_view StreamName(LogStream stream) {
  return stream == LogStream::kStdout ? "stdout" : "stderr";
}

void AppendTimestamp(TimePoint t, std::string* out) {
  auto day = std::chrono::floor<days>(t);
  std::chrono::year_month_day ymd{day};
  auto in_day = std::chrono::duration_cast<nanoseconds>(t - day).count();
  long long ns = in_day % 1000000000LL;
  long long secs = in_day / 1000000000LL;
  char buf[64];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%09lldZ",
                    static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                    static_cast<unsigned>(ymd.day()), secs / 3600, secs / 60 % 60, secs % 60, ns);
  if (n > 0) out->append(buf, static_cast<size_t>(n));
}

std::string FormatTimestamp(TimePoint t) {
  std::string s;
  AppendTimestamp(t, &s);
  return s;
}

std::optional<TimePoint> ParseTimestamp(std::string_view text) {
  size_t pos = 0;
  int y, mo, d, h, mi, s;
  if (!Digits(text, &pos, 4, &y) || !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &mo) ||
      !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &d) || !Expect(text, &pos, 'T') ||
      !Digits(text, &pos, 2, &h) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &mi) ||
      !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &s)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || s > 59 || y < 1678 || y > 2261) return std::nullopt;
  long long frac = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++digits > 9) return std::nullopt;
      frac = frac * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 9; ++digits) frac *= 10;
  }
  long long offset_secs = 0;
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int sign = text[pos] == '+' ? 1 : -1;
    ++pos;
    int oh, om;
    if (!Digits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_secs = sign * (oh * 3600LL + om * 60LL);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(mo)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto t = std::chrono::sys_days{ymd} + seconds{h * 3600LL + mi * 60LL + s - offset_secs} +
           nanoseconds{frac};
  return std::chrono::time_point_cast<TimePoint::duration>(t);
}

std::optional<CriEntry> ParseCriEntry(std::string_view record) {
  size_t sp = record.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto time = ParseTimestamp(record.substr(0, sp));
  if (!time) return std::nullopt;
  record.remove_prefix(sp + 1);

  sp = record.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::string_view stream = record.substr(0, sp);
  CriEntry entry{*time, LogStream::kStdout, false, {}};
  if (stream == "stdout") {
    entry.stream = LogStream::kStdout;
  } else if (stream == "stderr") {
    entry.stream = LogStream::kStderr;
  } else {
    return std::nullopt;
  }
  record.remove_prefix(sp + 1);

  sp = record.find(' ');
  std::string_view tags = record.substr(0, sp);
  if (tags.empty()) return std::nullopt;
  entry.partial = tags.substr(0, tags.find(':')) == "P";
  entry.content = sp == std::string_view::npos ? std::string_view() : record.substr(sp + 1);
  return entry;
}

}  // namespace skiff::node::logs
