// Storage versions and the version conversions (skiff/apis/conversion.h): exact field mapping,
// the autoscaling.alpha.kubernetes.io annotations as Go writes them, and round trips.
#include "skiff/apis/conversion.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using namespace skiff::apis;

namespace {

std::string Annotation(const json& obj, const char* key) {
  return obj.at("metadata").at("annotations").at(key).get<std::string>();
}

// A v2 HPA that survives v2 -> v1 -> v2 unchanged: the cpu utilization metric last (v1 puts it
// after the annotated ones), targets and current values in the shapes v1 gives back.
json FullV2() {
  return json::parse(R"({
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "default", "annotations": {"keep": "me"}},
    "spec": {
      "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
      "minReplicas": 2, "maxReplicas": 10,
      "metrics": [
        {"type": "Resource", "resource": {"name": "memory",
          "target": {"type": "Utilization", "averageUtilization": 70}}},
        {"type": "Pods", "pods": {"metric": {"name": "packets"},
          "target": {"type": "AverageValue", "averageValue": "1k"}}},
        {"type": "External", "external": {
          "metric": {"name": "queue", "selector": {"matchLabels": {"q": "a"}}},
          "target": {"type": "Value", "value": "30"}}},
        {"type": "Object", "object": {
          "describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                              "name": "main"},
          "metric": {"name": "rps"}, "target": {"type": "Value", "value": "10"}}},
        {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
          "target": {"type": "AverageValue", "averageValue": "500m"}}},
        {"type": "Resource", "resource": {"name": "cpu",
          "target": {"type": "Utilization", "averageUtilization": 60}}}
      ],
      "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}
    },
    "status": {
      "observedGeneration": 3, "lastScaleTime": "2024-01-02T03:04:05Z",
      "currentReplicas": 2, "desiredReplicas": 3,
      "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu",
        "current": {"averageUtilization": 42, "averageValue": "120m"}}}],
      "conditions": [{"type": "AbleToScale", "status": "True",
        "lastTransitionTime": "2024-01-02T03:04:05Z", "reason": "ReadyForNewScale",
        "message": "recommended size matches current size"}]
    }
  })");
}

}  // namespace

TEST_CASE("storage versions: HPAs as autoscaling/v2, both Event APIs as core v1", "[conversion]") {
  CHECK(StorageOf("autoscaling", "v1", "horizontalpodautoscalers") ==
        StorageVersion{"autoscaling", "v2", "horizontalpodautoscalers"});
  CHECK(StorageOf("autoscaling", "v2", "horizontalpodautoscalers") ==
        StorageVersion{"autoscaling", "v2", "horizontalpodautoscalers"});
  CHECK(StorageOf("events.k8s.io", "v1", "events") == StorageVersion{"", "v1", "events"});
  CHECK(StorageOf("events.k8s.io", "v1", "events").api_version() == "v1");
  CHECK(StorageOf("apps", "v1", "deployments") == StorageVersion{"apps", "v1", "deployments"});
  CHECK(IsStorageVersion("autoscaling", "v2", "horizontalpodautoscalers"));
  CHECK_FALSE(IsStorageVersion("autoscaling", "v1", "horizontalpodautoscalers"));
  CHECK(IsStorageVersion("", "v1", "events"));
  CHECK_FALSE(IsStorageVersion("events.k8s.io", "v1", "events"));
  CHECK(IsStorageVersion("", "v1", "pods"));
}

TEST_CASE("HPA v2 -> v1: the cpu target, the other metrics in the annotation", "[conversion]") {
  json v1 = HpaV2ToV1(FullV2());
  CHECK(v1["apiVersion"] == "autoscaling/v1");
  CHECK(v1["kind"] == "HorizontalPodAutoscaler");
  CHECK(v1["spec"] == json::parse(R"({
    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
    "minReplicas": 2, "maxReplicas": 10, "targetCPUUtilizationPercentage": 60})"));
  CHECK(v1["status"] == json::parse(R"({"observedGeneration": 3,
    "lastScaleTime": "2024-01-02T03:04:05Z", "currentReplicas": 2, "desiredReplicas": 3,
    "currentCPUUtilizationPercentage": 42})"));
  CHECK(v1["metadata"]["annotations"]["keep"] == "me");
  CHECK(v1["metadata"]["annotations"].size() == 5);
  // autoscaling/v1 MetricSpec JSON in Go's field order; the cpu utilization metric is not there.
  CHECK(Annotation(v1, kHpaMetricsAnnotation) ==
        R"([{"type":"Resource","resource":{"name":"memory","targetAverageUtilization":70}},)"
        R"({"type":"Pods","pods":{"metricName":"packets","targetAverageValue":"1k"}},)"
        R"({"type":"External","external":{"metricName":"queue",)"
        R"("metricSelector":{"matchLabels":{"q":"a"}},"targetValue":"30"}},)"
        R"({"type":"Object","object":{"target":{"kind":"Ingress","name":"main",)"
        R"("apiVersion":"networking.k8s.io/v1"},"metricName":"rps","targetValue":"10"}},)"
        R"({"type":"ContainerResource","containerResource":{"name":"cpu",)"
        R"("targetAverageValue":"500m","container":"app"}}])");
  CHECK(Annotation(v1, kHpaCurrentMetricsAnnotation) ==
        R"([{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":42,)"
        R"("currentAverageValue":"120m"}}])");
  CHECK(Annotation(v1, kHpaConditionsAnnotation) ==
        R"([{"type":"AbleToScale","status":"True","lastTransitionTime":"2024-01-02T03:04:05Z",)"
        R"("reason":"ReadyForNewScale","message":"recommended size matches current size"}])");
  // The behavior as Go marshals the internal type: field names, nil rules as null.
  CHECK(Annotation(v1, kHpaBehaviorAnnotation) ==
        R"({"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Max",)"
        R"("Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}})");
}

TEST_CASE("HPA v2 -> v1 -> v2 gives the same object back", "[conversion]") {
  json v2 = FullV2();
  CHECK(HpaV1ToV2(HpaV2ToV1(v2)) == v2);
}

TEST_CASE("HPA v2 -> v1: only cpu utilization becomes targetCPUUtilizationPercentage",
          "[conversion]") {
  json v2 = {{"apiVersion", "autoscaling/v2"},
             {"metadata", {{"name", "h"}}},
             {"spec",
              {{"maxReplicas", 3},
               {"metrics",
                {{{"type", "Resource"},
                  {"resource",
                   {{"name", "cpu"},
                    {"target", {{"type", "AverageValue"}, {"averageValue", "200m"}}}}}}}}}},
             {"status", {{"desiredReplicas", 0}, {"currentMetrics", nullptr}}}};
  json v1 = HpaV2ToV1(v2);
  CHECK_FALSE(v1["spec"].contains("targetCPUUtilizationPercentage"));
  CHECK(v1["spec"]["scaleTargetRef"] == json{{"kind", ""}, {"name", ""}});
  CHECK(Annotation(v1, kHpaMetricsAnnotation) ==
        R"([{"type":"Resource","resource":{"name":"cpu","targetAverageValue":"200m"}}])");
  CHECK(v1["metadata"]["annotations"].size() == 1);
  // The v1 status always has both replica counts.
  CHECK(v1["status"] == json{{"currentReplicas", 0}, {"desiredReplicas", 0}});
}

TEST_CASE("HPA v1 -> v2: targetCPUUtilizationPercentage and v1's defaults", "[conversion]") {
  json v1 = json::parse(R"({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "h", "namespace": "default"},
    "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 4,
             "targetCPUUtilizationPercentage": 55},
    "status": {"currentReplicas": 1, "desiredReplicas": 2, "currentCPUUtilizationPercentage": 30}})");
  json v2 = HpaV1ToV2(v1);
  CHECK(v2 == json::parse(R"({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "h", "namespace": "default"},
    "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1,
             "maxReplicas": 4,
             "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                          "target": {"type": "Utilization", "averageUtilization": 55}}}]},
    "status": {"currentReplicas": 1, "desiredReplicas": 2,
               "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu",
                                   "current": {"averageUtilization": 30}}}]}})"));

  // No target at all: v1's implicit 80% becomes explicit; v2's status fields are written.
  json bare = {{"apiVersion", "autoscaling/v1"}, {"spec", {{"maxReplicas", 2}}}};
  json d = HpaV1ToV2(bare);
  CHECK(d["spec"]["metrics"] == json::parse(R"([{"type": "Resource", "resource": {"name": "cpu",
                          "target": {"type": "Utilization", "averageUtilization": 80}}}])"));
  CHECK(d["spec"]["minReplicas"] == 1);
  CHECK(d["status"] == json{{"desiredReplicas", 0}, {"currentMetrics", nullptr}});
}

TEST_CASE("HPA v1 -> v2: annotated metrics first, the cpu metric last, annotations dropped",
          "[conversion]") {
  json v1 = {
      {"apiVersion", "autoscaling/v1"},
      {"metadata",
       {{"name", "h"},
        {"annotations",
         {{kHpaMetricsAnnotation,
           R"([{"type":"Resource","resource":{"name":"memory","targetAverageValue":"1Gi"}}])"},
          {kHpaBehaviorAnnotation,
           R"({"scaleUp":{"selectpolicy":"Disabled"},"ScaleDown":null})"}}}}},
      {"spec", {{"maxReplicas", 5}, {"minReplicas", 2}, {"targetCPUUtilizationPercentage", 50}}}};
  json v2 = HpaV1ToV2(v1);
  CHECK(v2["spec"]["metrics"] == json::parse(R"([
    {"type": "Resource", "resource": {"name": "memory",
      "target": {"type": "AverageValue", "averageValue": "1Gi"}}},
    {"type": "Resource", "resource": {"name": "cpu",
      "target": {"type": "Utilization", "averageUtilization": 50}}}])"));
  // encoding/json matches the Go field names case-insensitively.
  CHECK(v2["spec"]["behavior"] == json{{"scaleUp", {{"selectPolicy", "Disabled"}}}});
  CHECK_FALSE(v2["metadata"].contains("annotations"));  // emptied, so gone
}

TEST_CASE("HPA v1 -> v2: annotations that do not parse are ignored and dropped", "[conversion]") {
  json v1 = {{"apiVersion", "autoscaling/v1"},
             {"metadata",
              {{"annotations",
                {{kHpaMetricsAnnotation, "abc"},
                 {kHpaCurrentMetricsAnnotation, "{"},
                 {kHpaConditionsAnnotation, "[]x"},
                 {kHpaBehaviorAnnotation, "{}"},
                 {"other", "kept"}}}}},
             {"spec", {{"maxReplicas", 5}}},
             {"status", {{"currentCPUUtilizationPercentage", 12}}}};
  json v2 = HpaV1ToV2(v1);
  CHECK(v2["metadata"]["annotations"] == json{{"other", "kept"}});
  CHECK(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80);
  CHECK_FALSE(v2["spec"].contains("behavior"));  // {}: both rules nil
  CHECK(v2["status"]["currentMetrics"][0]["resource"]["current"] ==
        json{{"averageUtilization", 12}});
  CHECK_FALSE(v2["status"].contains("conditions"));
}

TEST_CASE("HPA v2 -> v1 replaces stale round-trip annotations", "[conversion]") {
  json v2 = FullV2();
  v2["spec"]["metrics"] = json::array({v2["spec"]["metrics"].back()});  // cpu only
  v2["spec"].erase("behavior");
  v2["status"].erase("conditions");
  v2["status"]["currentMetrics"] = nullptr;
  v2["metadata"]["annotations"][kHpaMetricsAnnotation] = "[]";
  v2["metadata"]["annotations"][kHpaBehaviorAnnotation] = "{}";
  json v1 = HpaV2ToV1(v2);
  CHECK(v1["metadata"]["annotations"] == json{{"keep", "me"}});
  CHECK(v1["spec"]["targetCPUUtilizationPercentage"] == 60);
}

TEST_CASE("Event core v1 -> events.k8s.io/v1 maps every field", "[conversion]") {
  json core = json::parse(R"({
    "apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "web.17", "namespace": "default"},
    "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "u-1"},
    "related": {"kind": "Node", "name": "edge-1"},
    "reason": "Pulled", "message": "pulled image", "type": "Normal", "action": "Pull",
    "source": {"component": "kubelet", "host": "edge-1"},
    "firstTimestamp": "2024-01-02T03:04:05Z", "lastTimestamp": "2024-01-02T03:05:05Z",
    "count": 3, "eventTime": null,
    "series": {"count": 2, "lastObservedTime": "2024-01-02T03:05:05.000000Z"},
    "reportingComponent": "kubelet", "reportingInstance": "edge-1",
    "notAField": 1})");
  json ev = CoreEventToEventsV1(core);
  CHECK(ev == json::parse(R"({
    "apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "web.17", "namespace": "default"},
    "regarding": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "u-1"},
    "related": {"kind": "Node", "name": "edge-1"},
    "reason": "Pulled", "note": "pulled image", "type": "Normal", "action": "Pull",
    "deprecatedSource": {"component": "kubelet", "host": "edge-1"},
    "deprecatedFirstTimestamp": "2024-01-02T03:04:05Z",
    "deprecatedLastTimestamp": "2024-01-02T03:05:05Z",
    "deprecatedCount": 3, "eventTime": null,
    "series": {"count": 2, "lastObservedTime": "2024-01-02T03:05:05.000000Z"},
    "reportingController": "kubelet", "reportingInstance": "edge-1"})"));
  json back = EventsV1ToCoreEvent(ev);
  core.erase("notAField");
  CHECK(back == core);
}

TEST_CASE("Event events.k8s.io/v1 -> core v1, with the reference each version requires",
          "[conversion]") {
  json ev = json::parse(R"({"apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "e", "namespace": "kube-system"},
    "eventTime": "2024-01-02T03:04:05.123456Z", "reportingController": "skiff.io/ctl",
    "reportingInstance": "i", "action": "Sync", "reason": "Synced", "type": "Normal",
    "note": "done"})");
  json core = EventsV1ToCoreEvent(ev);
  CHECK(core == json::parse(R"({"apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "e", "namespace": "kube-system"}, "involvedObject": {},
    "eventTime": "2024-01-02T03:04:05.123456Z", "reportingComponent": "skiff.io/ctl",
    "reportingInstance": "i", "action": "Sync", "reason": "Synced", "type": "Normal",
    "message": "done"})"));
  json again = CoreEventToEventsV1(core);
  ev["regarding"] = json::object();
  CHECK(again == ev);
  CHECK(CoreEventToEventsV1(json{{"metadata", json::object()}})["regarding"] == json::object());
}

TEST_CASE("ConvertVersion dispatches by kind and version", "[conversion]") {
  json v2 = FullV2();
  auto v1 = ConvertVersion(v2, "HorizontalPodAutoscaler", "autoscaling/v1");
  REQUIRE(v1.ok());
  CHECK(*v1 == HpaV2ToV1(v2));

  // Same version: relabelled only; a missing apiVersion is read as `from_if_unset`.
  json cm = {{"metadata", {{"name", "c"}}}, {"data", {{"a", "1"}}}};
  auto same = ConvertVersion(cm, "ConfigMap", "v1", "v1");
  REQUIRE(same.ok());
  CHECK(*same == json{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", {{"name", "c"}}},
                      {"data", {{"a", "1"}}}});
  json bare_event = {{"metadata", {{"name", "e"}}}, {"message", "m"}};
  auto ev = ConvertVersion(bare_event, "Event", "events.k8s.io/v1", "v1");
  REQUIRE(ev.ok());
  CHECK((*ev)["note"] == "m");

  auto none = ConvertVersion(json{{"apiVersion", "apps/v1"}}, "Deployment", "apps/v2");
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == skiff::Code::kInvalidArgument);
  CHECK(none.status().message() == "no conversion of Deployment from apps/v1 to apps/v2");
  auto bad = ConvertVersion(json::array(), "Event", "v1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "the object to convert is not a JSON object");
}
