#include "util.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <set>

#include "descriptions.h"

namespace skiff::apis::printers {
namespace {

const json& EmptyArray() {
  static const json kEmpty = json::array();
  return kEmpty;
}

const json& EmptyObject() {
  static const json kEmpty = json::object();
  return kEmpty;
}

// Reads exactly n decimal digits at s[pos..]; advances pos.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char a, char b = 0) {
  if (pos >= s.size() || (s[pos] != a && (b == 0 || s[pos] != b))) return false;
  ++pos;
  return true;
}

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

__extension__ typedef __int128 Int128;  // GCC extension: exact sums of int64 nanoseconds

}  // namespace

const json* Find(const json& j, Path path) {
  const json* cur = &j;
  for (std::string_view key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(std::string(key));
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur->is_null() ? nullptr : cur;
}

bool Has(const json& j, Path path) { return Find(j, path) != nullptr; }

std::string Str(const json& j, Path path) {
  const json* v = Find(j, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<std::int64_t> OptInt(const json& j, Path path) {
  const json* v = Find(j, path);
  if (!v) return std::nullopt;
  if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<std::int64_t>();
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? std::numeric_limits<std::int64_t>::max()
               : static_cast<std::int64_t>(u);
  }
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::int64_t Int(const json& j, Path path, std::int64_t def) {
  return OptInt(j, path).value_or(def);
}

std::optional<bool> OptBool(const json& j, Path path) {
  const json* v = Find(j, path);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

bool Bool(const json& j, Path path, bool def) { return OptBool(j, path).value_or(def); }

const json& Arr(const json& j, Path path) {
  const json* v = Find(j, path);
  return v && v->is_array() ? *v : EmptyArray();
}

const json& Obj(const json& j, Path path) {
  const json* v = Find(j, path);
  return v && v->is_object() ? *v : EmptyObject();
}

// ---- Time.

bool Timestamp::IsGoZero() const {
  // 0001-01-01T00:00:00Z in Unix seconds.
  return seconds == -62135596800 && nanos == 0;
}

std::optional<Timestamp> ParseTimestamp(const json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string& str = value.get_ref<const std::string&>();
  std::string_view s = str;
  size_t pos = 0;
  int y, mo, d, h, mi, sec;
  if (!Digits(s, pos, 4, y) || !Expect(s, pos, '-') || !Digits(s, pos, 2, mo) ||
      !Expect(s, pos, '-') || !Digits(s, pos, 2, d) || !Expect(s, pos, 'T', 't') ||
      !Digits(s, pos, 2, h) || !Expect(s, pos, ':') || !Digits(s, pos, 2, mi) ||
      !Expect(s, pos, ':') || !Digits(s, pos, 2, sec)) {
    return std::nullopt;
  }
  std::int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    std::int64_t scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!Digits(s, pos, 2, oh) || !Expect(s, pos, ':') || !Digits(s, pos, 2, om)) {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                  std::chrono::day{unsigned(d)}};
  if (!ymd.ok()) return std::nullopt;
  std::int64_t days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  Timestamp t;
  t.seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset;
  t.nanos = static_cast<std::int32_t>(nanos);
  return t;
}

Timestamp FromTimePoint(TableClock::time_point tp) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count();
  std::int64_t secs = ns / kNanosPerSecond;
  std::int64_t rem = ns % kNanosPerSecond;
  if (rem < 0) {
    rem += kNanosPerSecond;
    --secs;
  }
  return Timestamp{secs, static_cast<std::int32_t>(rem)};
}

std::chrono::nanoseconds Sub(const Timestamp& a, const Timestamp& b) {
  Int128 d = static_cast<Int128>(a.seconds - b.seconds) * kNanosPerSecond +
             (static_cast<Int128>(a.nanos) - b.nanos);
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  if (d > kMax) return std::chrono::nanoseconds(kMax);
  if (d < kMin) return std::chrono::nanoseconds(kMin);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(d));
}

std::string FormatRFC3339(const Timestamp& t) {
  std::int64_t days = t.seconds / 86400;
  std::int64_t secs = t.seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(secs / 3600), int(secs / 60 % 60),
                int(secs % 60));
  return buf;
}

std::string Since(const json& value, TableClock::time_point now) {
  auto t = ParseTimestamp(value);
  if (!t || t->IsGoZero()) return "<unknown>";
  return HumanDuration(Sub(FromTimePoint(now), *t));
}

std::string Age(const json& obj, TableClock::time_point now) {
  const json* ts = Find(obj, {"metadata", "creationTimestamp"});
  return ts ? Since(*ts, now) : "<unknown>";
}

// ---- Formatting.

std::string FormatLabels(const json& map) {
  if (!map.is_object() || map.empty()) return "<none>";
  std::vector<std::string> parts;
  // nlohmann's object keeps keys in std::string order, which is Go's sort.Strings order.
  for (auto it = map.begin(); it != map.end(); ++it) {
    parts.push_back(it.key() + "=" +
                    (it.value().is_string() ? it.value().get<std::string>() : it.value().dump()));
  }
  return Join(parts, ",");
}

namespace {

// labels.Requirement.String() for a LabelSelectorRequirement; nullopt when Kubernetes would
// reject it (unknown operator, missing or unexpected values).
std::optional<std::string> RequirementString(const json& expr) {
  std::string key = Str(expr, {"key"});
  std::string op = Str(expr, {"operator"});
  std::vector<std::string> values;
  for (const json& v : Arr(expr, {"values"})) {
    if (v.is_string()) values.push_back(v.get<std::string>());
  }
  if (op == "Exists" || op == "DoesNotExist") {
    if (!values.empty()) return std::nullopt;
    return (op == "DoesNotExist" ? "!" : "") + key;
  }
  if (op != "In" && op != "NotIn") return std::nullopt;
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return key + (op == "In" ? " in (" : " notin (") + Join(values, ",") + ")";
}

std::optional<std::string> SelectorStringOrError(const json& selector) {
  if (!selector.is_object()) return std::string();
  std::vector<std::pair<std::string, std::string>> reqs;  // (key, text)
  for (auto& [k, v] : Obj(selector, {"matchLabels"}).items()) {
    reqs.emplace_back(k, k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  }
  for (const json& expr : Arr(selector, {"matchExpressions"})) {
    auto text = RequirementString(expr);
    if (!text) return std::nullopt;
    reqs.emplace_back(Str(expr, {"key"}), *text);
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : reqs) parts.push_back(r.second);
  return Join(parts, ",");
}

}  // namespace

std::string SelectorString(const json& selector) {
  return SelectorStringOrError(selector).value_or("<invalid>");
}

std::string FormatLabelSelector(const json& selector) {
  auto s = SelectorStringOrError(selector);
  if (!s) return "<error>";
  return s->empty() ? "<none>" : *s;
}

std::string LoadBalancerIngress(const json& obj) {
  std::set<std::string> result;
  for (const json& ing : Arr(obj, {"status", "loadBalancer", "ingress"})) {
    std::string ip = Str(ing, {"ip"});
    std::string host = Str(ing, {"hostname"});
    if (!ip.empty()) {
      result.insert(ip);
    } else if (!host.empty()) {
      result.insert(host);
    }
  }
  return Join(std::vector<std::string>(result.begin(), result.end()), ",");
}

std::pair<std::string, std::string> ContainerCells(const json& containers) {
  std::vector<std::string> names, images;
  if (containers.is_array()) {
    for (const json& c : containers) {
      names.push_back(Str(c, {"name"}));
      images.push_back(Str(c, {"image"}));
    }
  }
  return {Join(names, ","), Join(images, ",")};
}

std::string IntOrString(const json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_string()) return value.get<std::string>();
  return "";
}

std::string TrimSpace(std::string_view s) {
  auto is_space_at = [&](size_t i, bool from_end) -> size_t {
    // Returns the byte length of a space at i (or ending at i when from_end), 0 if none.
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (!from_end && c == 0xC2 && i + 1 < s.size()) {
      unsigned char n = static_cast<unsigned char>(s[i + 1]);
      if (n == 0x85 || n == 0xA0) return 2;
    }
    if (from_end && (c == 0x85 || c == 0xA0) && i >= 1 &&
        static_cast<unsigned char>(s[i - 1]) == 0xC2) {
      return 2;
    }
    return 0;
  };
  size_t b = 0, e = s.size();
  while (b < e) {
    size_t n = is_space_at(b, false);
    if (!n) break;
    b += n;
  }
  while (e > b) {
    size_t n = is_space_at(e - 1, true);
    if (!n || e - b < n) break;
    e -= n;
  }
  return std::string(s.substr(b, e - b));
}

// ---- Columns.

TableColumn Column(std::string name, std::string type, std::string description, int priority) {
  return TableColumn{std::move(name), std::move(type), "", std::move(description), priority};
}

TableColumn NameColumn() { return TableColumn{"Name", "string", "name", desc::kMetaName, 0}; }

TableColumn AgeColumn() { return Column("Age", "string", desc::kMetaCreationTimestamp); }

TableColumn ContainersColumn() {
  return Column("Containers", "string", "Names of each container in the template.", 1);
}

TableColumn ImagesColumn() {
  return Column("Images", "string", "Images referenced by each container in the template.", 1);
}

}  // namespace skiff::apis::printers
