#include "cron_schedule.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <vector>

#include "skiff/common/string_util.h"

namespace skiff::apis::internal {
namespace {

struct Bounds {
  unsigned min, max;
  const std::map<std::string, unsigned>* names;
};

const std::map<std::string, unsigned> kMonths = {{"jan", 1}, {"feb", 2},  {"mar", 3},  {"apr", 4},
                                                 {"may", 5}, {"jun", 6},  {"jul", 7},  {"aug", 8},
                                                 {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}};
const std::map<std::string, unsigned> kDays = {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3},
                                               {"thu", 4}, {"fri", 5}, {"sat", 6}};

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// strconv.Atoi semantics (with Go's error text) and robfig's negative check.
bool ParseUint(const std::string& expr, unsigned& out, std::string& err) {
  std::string digits = expr;
  bool neg = false;
  size_t i = 0;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    neg = digits[0] == '-';
    i = 1;
  }
  if (i >= digits.size() || digits.size() - i > 18) {
    err = "failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr +
          "\": invalid syntax";
    return false;
  }
  long long v = 0;
  for (; i < digits.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(digits[i]))) {
      err = "failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr +
            "\": invalid syntax";
      return false;
    }
    v = v * 10 + (digits[i] - '0');
  }
  if (neg && v != 0) {
    err = "negative number (-" + std::to_string(v) + ") not allowed: " + expr;
    return false;
  }
  out = static_cast<unsigned>(v);
  return true;
}

bool ParseIntOrName(const std::string& expr, const Bounds& b, unsigned& out, std::string& err) {
  if (b.names) {
    std::string lower = AsciiLower(expr);
    auto it = b.names->find(lower);
    if (it != b.names->end()) {
      out = it->second;
      return true;
    }
  }
  return ParseUint(expr, out, err);
}

std::string GetRange(const std::string& expr, const Bounds& r) {
  auto range_and_step = Split(expr, '/');
  auto low_and_high = Split(range_and_step[0], '-');
  bool single = low_and_high.size() == 1;
  unsigned start = 0, end = 0, step = 1;
  std::string err;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    start = r.min;
    end = r.max;
  } else {
    if (!ParseIntOrName(low_and_high[0], r, start, err)) return err;
    if (low_and_high.size() == 1) {
      end = start;
    } else if (low_and_high.size() == 2) {
      if (!ParseIntOrName(low_and_high[1], r, end, err)) return err;
    } else {
      return "too many hyphens: " + expr;
    }
  }
  if (range_and_step.size() == 2) {
    if (!ParseUint(range_and_step[1], step, err)) return err;
    if (single) end = r.max;
  } else if (range_and_step.size() > 2) {
    return "too many slashes: " + expr;
  }
  if (start < r.min) {
    return "beginning of range (" + std::to_string(start) + ") below minimum (" +
           std::to_string(r.min) + "): " + expr;
  }
  if (end > r.max) {
    return "end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(r.max) +
           "): " + expr;
  }
  if (start > end) {
    return "beginning of range (" + std::to_string(start) + ") beyond end of range (" +
           std::to_string(end) + "): " + expr;
  }
  if (step == 0) return "step of range should be a positive number: " + expr;
  return "";
}

std::string GetField(const std::string& field, const Bounds& r) {
  for (const auto& expr : Split(field, ',')) {
    if (expr.empty()) continue;  // strings.FieldsFunc drops empty parts
    std::string err = GetRange(expr, r);
    if (!err.empty()) return err;
  }
  return "";
}

// Go's time.ParseDuration, enough to tell valid from invalid.
bool ParseGoDuration(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (s.substr(i) == "0") return true;
  if (i >= s.size()) return false;
  while (i < s.size()) {
    size_t digits = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
      ++i;
      ++digits;
    }
    if (digits == 0) return false;
    size_t unit_start = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(unit_start, i - unit_start);
    static const char* kUnits[] = {"ns", "us", "\xC2\xB5s", "\xCE\xBCs", "ms", "s", "m", "h"};
    if (std::find(std::begin(kUnits), std::end(kUnits), unit) == std::end(kUnits)) return false;
  }
  return true;
}

}  // namespace

std::string LoadTimeZone(std::string_view name) {
  std::string n(name);
  if (n.empty() || n == "UTC" || n == "Local") return "";
  bool ok = n.find("..") == std::string::npos && n[0] != '/';
  struct stat st {};
  if (ok) ok = stat(("/usr/share/zoneinfo/" + n).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  return ok ? "" : "unknown time zone " + n;
}

std::string ParseCronSchedule(std::string_view schedule) {
  std::string spec(schedule);
  if (spec.empty()) return "empty spec string";
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    size_t sp = spec.find(' ');
    size_t eq = spec.find('=');
    std::string loc =
        spec.substr(eq + 1, sp == std::string::npos ? std::string::npos : sp - eq - 1);
    std::string err = LoadTimeZone(loc);
    if (!err.empty() || loc.empty()) {
      return "provided bad location " + loc + ": " + (err.empty() ? "unknown time zone" : err);
    }
    spec = sp == std::string::npos ? "" : spec.substr(sp);
    spec.erase(0, spec.find_first_not_of(" \t\n\r\v\f"));
    spec.erase(spec.find_last_not_of(" \t\n\r\v\f") + 1);
  }
  if (!spec.empty() && spec[0] == '@') {
    static const char* kDescriptors[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                         "@daily",  "@midnight", "@hourly"};
    if (std::find(std::begin(kDescriptors), std::end(kDescriptors), spec) !=
        std::end(kDescriptors)) {
      return "";
    }
    const std::string every = "@every ";
    if (spec.rfind(every, 0) == 0) {
      std::string d = spec.substr(every.size());
      if (!ParseGoDuration(d)) {
        return "failed to parse duration " + spec + ": time: invalid duration \"" + d + "\"";
      }
      return "";
    }
    return "unrecognized descriptor: " + spec;
  }
  std::vector<std::string> fields;
  std::istringstream in(spec);
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    std::string list = "[";
    for (size_t i = 0; i < fields.size(); ++i) list += (i ? " " : "") + fields[i];
    list += "]";
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + list;
  }
  const Bounds bounds[] = {
      {0, 59, nullptr}, {0, 23, nullptr}, {1, 31, nullptr}, {1, 12, &kMonths}, {0, 6, &kDays}};
  for (size_t i = 0; i < 5; ++i) {
    std::string err = GetField(fields[i], bounds[i]);
    if (!err.empty()) return err;
  }
  return "";
}

}  // namespace skiff::apis::internal
