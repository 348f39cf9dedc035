// One stored object, several served versions: where each resource is stored and how objects
// are converted between the versions that serve it.
//
// kube-apiserver keeps one stored copy of an object and serves it in every version of its
// group (and, for Events, in two groups). skiff does the same. Each served (group, version,
// resource) has a storage version (StorageOf); a write in another version is converted to it
// before defaulting, validation and storing, and every answer (get, list, watch, patch,
// server-side apply, delete) is converted back to the version of the request. The storage
// versions are Kubernetes 1.32's:
//   autoscaling/v1 and autoscaling/v2 horizontalpodautoscalers  -> autoscaling/v2
//   v1 events and events.k8s.io/v1 events                       -> v1 (core): one storage
//   every other resource                                        -> itself (its only version)
//
// The conversions follow k8s.io/kubernetes pkg/apis/autoscaling/v1/conversion.go and
// pkg/apis/events/v1/conversion.go (through the internal type, which is the storage version's
// shape for both kinds). metadata is copied unchanged, except the HPA round-trip annotations.
//
// Objects are nlohmann::json in the served JSON form. Fields a conversion does not know are
// not carried over (Kubernetes' typed conversion drops them too; strict decoding removed them
// from writes before). Go's serialization of empty values is reproduced only where clients
// need it: a field absent in the input is absent in the output, except the ones a version
// always has (autoscaling/v1 status.currentReplicas/desiredReplicas, autoscaling/v2
// status.desiredReplicas/currentMetrics, a core Event's involvedObject, an events.k8s.io
// Event's regarding). Event fields are copied as they are (a null stays null), so a round trip
// through the other version gives the same object back.
//
// Every function is pure (no global mutable state), thread-safe and never throws; input of the
// wrong JSON type is treated as absent.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::apis {

// Where objects of a served resource are stored.
struct StorageVersion {
  std::string group;     // "" for the core group
  std::string version;   // "v2"
  std::string resource;  // plural: "horizontalpodautoscalers"
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  bool operator==(const StorageVersion&) const = default;
};

// The storage version of a served (group, version, resource): {group, version, resource}
// itself for resources served in one version only.
StorageVersion StorageOf(std::string_view group, std::string_view version,
                         std::string_view resource);

// True when the served (group, version, resource) is its own storage version (the one place
// its objects are listed, e.g. when a namespace is emptied).
bool IsStorageVersion(std::string_view group, std::string_view version, std::string_view resource);

// Converts `obj` of `kind` from the version its "apiVersion" names (`from_if_unset` when it
// has none; to_api_version when that is empty too) to `to_api_version`, and sets apiVersion and
// kind.
// Same version: obj as is (relabelled). Pairs with a conversion: autoscaling/v1 <->
// autoscaling/v2 HorizontalPodAutoscaler, v1 <-> events.k8s.io/v1 Event. Anything else is
// InvalidArgument ("no conversion of <kind> from <a> to <b>").
Result<nlohmann::json> ConvertVersion(nlohmann::json obj, std::string_view kind,
                                      std::string_view to_api_version,
                                      std::string_view from_if_unset = "");

// ---- HorizontalPodAutoscaler: autoscaling/v1 <-> autoscaling/v2 --------------------------
//
// v1 -> v2: spec.targetCPUUtilizationPercentage becomes a Resource metric "cpu" with target
// {type: Utilization, averageUtilization}; the metrics in kHpaMetricsAnnotation (v1 MetricSpec
// JSON) come first, the CPU metric last; with no metric at all, the CPU metric at
// kHpaDefaultCpuUtilization (v1's implicit default). spec.minReplicas defaults to 1 (v1's
// defaulting). status.currentCPUUtilizationPercentage becomes a current cpu Resource metric,
// unless kHpaCurrentMetricsAnnotation (v1 MetricStatus JSON) holds the full list; conditions
// come from kHpaConditionsAnnotation, behavior from kHpaBehaviorAnnotation. The four
// annotations are dropped. An annotation that does not parse is ignored (and dropped).
//
// v2 -> v1: the first cpu Resource metric sets targetCPUUtilizationPercentage when its target
// has an averageUtilization; every other metric goes to kHpaMetricsAnnotation in v1
// MetricSpec JSON; status.currentMetrics (all of them, as v1 MetricStatus JSON) to
// kHpaCurrentMetricsAnnotation and the last cpu utilization among them to
// currentCPUUtilizationPercentage; status.conditions to kHpaConditionsAnnotation; spec.behavior
// to kHpaBehaviorAnnotation, as Go marshals the internal type (field names ScaleUp,
// StabilizationWindowSeconds, SelectPolicy, Policies, Type, Value, PeriodSeconds; no json tags).
// Round-trip annotations already on the object are replaced by the ones computed here.
inline constexpr const char* kHpaMetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
inline constexpr const char* kHpaCurrentMetricsAnnotation =
    "autoscaling.alpha.kubernetes.io/current-metrics";
inline constexpr const char* kHpaConditionsAnnotation =
    "autoscaling.alpha.kubernetes.io/conditions";
inline constexpr const char* kHpaBehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";
inline constexpr int kHpaDefaultCpuUtilization = 80;

nlohmann::json HpaV1ToV2(const nlohmann::json& v1);
nlohmann::json HpaV2ToV1(const nlohmann::json& v2);

// ---- Event: v1 (core) <-> events.k8s.io/v1 -----------------------------------------------
//
//   core v1               events.k8s.io/v1
//   involvedObject    <-> regarding
//   message           <-> note
//   source            <-> deprecatedSource
//   firstTimestamp    <-> deprecatedFirstTimestamp
//   lastTimestamp     <-> deprecatedLastTimestamp
//   count             <-> deprecatedCount
//   reportingComponent<-> reportingController
//   related, reason, type, action, eventTime, series, reportingInstance: same names.
nlohmann::json CoreEventToEventsV1(const nlohmann::json& core);
nlohmann::json EventsV1ToCoreEvent(const nlohmann::json& events);

}  // namespace skiff::apis
