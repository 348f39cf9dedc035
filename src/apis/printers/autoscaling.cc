// autoscaling HorizontalPodAutoscaler, v2 (metrics) and v1 (targetCPUUtilizationPercentage):
// REFERENCE, TARGETS ("cpu: 40%/80%"), MINPODS, MAXPODS, REPLICAS.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "quantity.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

// Quantity.String() of an optional *Quantity ("<nil>" for a nil pointer).
std::string QuantityPtr(const json& obj, Path path) {
  const json* q = Find(obj, path);
  return q ? CanonicalQuantity(*q) : "<nil>";
}

std::string Percent(std::int64_t v) { return std::to_string(v) + "%"; }

// One spec's text, given the status entry at the same index (or null).
std::string FormatMetric(const json& spec, const json* status) {
  const std::string type = Str(spec, {"type"});
  const std::string unknown = "<unknown>";
  if (type == "External" || type == "Object") {
    const std::string field = type == "External" ? "external" : "object";
    const json* cur = status ? Find(*status, {field}) : nullptr;
    if (Has(spec, {field, "target", "averageValue"})) {
      std::string current = cur && Has(*cur, {"current", "averageValue"})
                                ? QuantityPtr(*cur, {"current", "averageValue"})
                                : unknown;
      return current + "/" + QuantityPtr(spec, {field, "target", "averageValue"}) + " (avg)";
    }
    std::string current = cur ? QuantityPtr(*cur, {"current", "value"}) : unknown;
    return current + "/" + QuantityPtr(spec, {field, "target", "value"});
  }
  if (type == "Pods") {
    const json* cur = status ? Find(*status, {"pods"}) : nullptr;
    std::string current = cur ? QuantityPtr(*cur, {"current", "averageValue"}) : unknown;
    return current + "/" + QuantityPtr(spec, {"pods", "target", "averageValue"});
  }
  if (type == "Resource" || type == "ContainerResource") {
    const std::string field = type == "Resource" ? "resource" : "containerResource";
    const json* cur = status ? Find(*status, {field}) : nullptr;
    std::string name = Str(spec, {field, "name"});
    if (Has(spec, {field, "target", "averageValue"})) {
      std::string current = cur ? QuantityPtr(*cur, {"current", "averageValue"}) : unknown;
      return name + ": " + current + "/" + QuantityPtr(spec, {field, "target", "averageValue"});
    }
    std::string current = unknown;
    if (cur) {
      if (auto u = OptInt(*cur, {"current", "averageUtilization"})) current = Percent(*u);
    }
    std::string target = "<auto>";
    if (auto t = OptInt(spec, {field, "target", "averageUtilization"})) target = Percent(*t);
    return name + ": " + current + "/" + target;
  }
  return "<unknown type>";
}

// formatHPAMetrics: the first two specs, then " + N more...".
std::string FormatMetrics(const json& specs, const json& statuses) {
  if (specs.empty()) return "<none>";
  constexpr size_t kMax = 2;
  std::vector<std::string> list;
  for (size_t i = 0; i < specs.size(); ++i) {
    const json* status = i < statuses.size() && statuses[i].is_object() ? &statuses[i] : nullptr;
    list.push_back(FormatMetric(specs[i], status));
  }
  if (list.size() > kMax) {
    size_t count = list.size();
    list.resize(kMax);
    return Join(list, ", ") + " + " + std::to_string(count - kMax) + " more...";
  }
  return Join(list, ", ");
}

// autoscaling/v1 converted to the internal (v2-like) form: the CPU target becomes a Resource
// metric. An HPA created through v1 without a target reads back from storage with the v2
// default of 80% average CPU utilization.
std::string V1Targets(const json& hpa) {
  std::int64_t target = Int(hpa, {"spec", "targetCPUUtilizationPercentage"}, 80);
  std::string current = "<unknown>";
  if (auto c = OptInt(hpa, {"status", "currentCPUUtilizationPercentage"})) current = Percent(*c);
  return "cpu: " + current + "/" + Percent(target);
}

std::vector<json> HorizontalPodAutoscalerCells(const json& hpa, TableClock::time_point now) {
  std::string reference = Str(hpa, {"spec", "scaleTargetRef", "kind"}) + "/" +
                          Str(hpa, {"spec", "scaleTargetRef", "name"});
  std::string targets =
      Str(hpa, {"apiVersion"}) == "autoscaling/v1"
          ? V1Targets(hpa)
          : FormatMetrics(Arr(hpa, {"spec", "metrics"}), Arr(hpa, {"status", "currentMetrics"}));
  auto min = OptInt(hpa, {"spec", "minReplicas"});
  return {Str(hpa, {"metadata", "name"}),
          reference,
          targets,
          min ? std::to_string(*min) : "<unset>",
          Int(hpa, {"spec", "maxReplicas"}),
          Int(hpa, {"status", "currentReplicas"}),
          Age(hpa, now)};
}

}  // namespace

const TablePrinter& HorizontalPodAutoscalerPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(), Column("Reference", "string", desc::kHPAScaleTargetRef),
       Column("Targets", "string", desc::kHPAMetrics),
       Column("MinPods", "string", desc::kHPAMinReplicas),
       Column("MaxPods", "string", desc::kHPAMaxReplicas),
       Column("Replicas", "string", desc::kHPACurrentReplicas), AgeColumn()},
      &Guarded<HorizontalPodAutoscalerCells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers
