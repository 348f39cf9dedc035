// Helpers shared by the printers: tolerant JSON field access, Kubernetes timestamps, and the
// formatting functions Kubernetes' printers use (labels, selectors, container lists).
// Internal to skiff_apis_printers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/apis/printers.h"
#include "skiff/common/string_util.h"  // Join and AsciiLower, used across the printers

namespace skiff::apis::printers {

using nlohmann::json;
using Path = std::initializer_list<std::string_view>;

// ---- Field access: a missing field, a null and a value of the wrong JSON type all read as
// absent, so printers never throw on odd objects.

// The value at path, or nullptr when absent or null.
const json* Find(const json& j, Path path);
bool Has(const json& j, Path path);
// The string at path, "" when absent or not a string.
std::string Str(const json& j, Path path);
// The integer at path (a JSON integer, or a float with an integral value), else def.
std::int64_t Int(const json& j, Path path, std::int64_t def = 0);
std::optional<std::int64_t> OptInt(const json& j, Path path);
bool Bool(const json& j, Path path, bool def = false);
std::optional<bool> OptBool(const json& j, Path path);
// The array / object at path, or a shared empty one.
const json& Arr(const json& j, Path path);
const json& Obj(const json& j, Path path);

// ---- Time.

// A point in time as Go's time.Time holds it: seconds since the Unix epoch plus nanoseconds.
struct Timestamp {
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;
  bool IsGoZero() const;  // 0001-01-01T00:00:00Z, what an unset metav1.Time decodes to
  bool Before(const Timestamp& o) const {
    return seconds < o.seconds || (seconds == o.seconds && nanos < o.nanos);
  }
};

// Parses RFC 3339 ("2024-05-01T10:00:00Z", fractional seconds and numeric offsets allowed).
std::optional<Timestamp> ParseTimestamp(const json& value);
Timestamp FromTimePoint(TableClock::time_point t);
// a - b, saturated to the int64 nanosecond range as Go's Time.Sub does.
std::chrono::nanoseconds Sub(const Timestamp& a, const Timestamp& b);
// "2024-05-01T10:00:00Z": Go's t.UTC().Format(time.RFC3339) (whole seconds).
std::string FormatRFC3339(const Timestamp& t);

// Kubernetes' translateTimestampSince: "<unknown>" for an unset time, else its HumanDuration age.
std::string Since(const json& value, TableClock::time_point now);
// The AGE cell: Since(metadata.creationTimestamp).
std::string Age(const json& obj, TableClock::time_point now);

// ---- Formatting.

// labels.FormatLabels: "a=1,b=2" sorted by key, "<none>" when empty.
std::string FormatLabels(const json& map);
// labels.Selector.String() of metav1.LabelSelectorAsSelector(selector): "" for a null or empty
// selector, else requirements sorted by key ("app=web,tier in (a,b),!gone").
std::string SelectorString(const json& selector);
// metav1.FormatLabelSelector: SelectorString, or "<none>" when that is empty.
std::string FormatLabelSelector(const json& selector);
// loadBalancerStatusStringer / ingressLoadBalancerStatusStringer over obj's
// status.loadBalancer.ingress (a Service or an Ingress): the distinct IPs (or, where an entry has
// none, hostnames), sorted and comma-joined. The server always renders the wide form, so the
// value is never clipped.
std::string LoadBalancerIngress(const json& obj);
// layoutContainerCells: comma-joined container names and images.
std::pair<std::string, std::string> ContainerCells(const json& containers);
// intstr.IntOrString.String().
std::string IntOrString(const json& value);
// strings.TrimSpace.
std::string TrimSpace(std::string_view s);

// ---- Columns.

TableColumn Column(std::string name, std::string type, std::string description, int priority = 0);
TableColumn NameColumn();  // {"Name", "string", "name", ObjectMeta name doc, 0}
TableColumn AgeColumn();   // {"Age", "string", "", ObjectMeta creationTimestamp doc, 0}
// The wide-only (priority 1) CONTAINERS and IMAGES columns of workloads with a pod template.
TableColumn ContainersColumn();
TableColumn ImagesColumn();

// Wraps a cell function so that it cannot throw (see TableCellsFn).
template <std::vector<json> (*F)(const json&, TableClock::time_point)>
std::vector<json> Guarded(const json& obj, TableClock::time_point now) noexcept {
  try {
    return F(obj, now);
  } catch (...) {
    return {};
  }
}

}  // namespace skiff::apis::printers
