// One stored object, served in several versions, through Resources and the watch service on a
// real store: autoscaling/v1 and v2 HPAs, core v1 and events.k8s.io/v1 Events.
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "api/resources.h"
#include "api/watch.h"
#include "skiff/apis/conversion.h"
#include "store_api.h"

using nlohmann::json;
using skiff::api::ApiResult;
using skiff::api::Resources;
using skiff::apis::ResourceType;

namespace {

using skiff::testing::Ok;

// The store, Resources and the resource types these tests serve objects as.
struct Api : skiff::testing::StoreApi {
  const ResourceType& hpa_v1 = *reg.Find("autoscaling", "v1", "horizontalpodautoscalers");
  const ResourceType& hpa_v2 = *reg.Find("autoscaling", "v2", "horizontalpodautoscalers");
  const ResourceType& core_events = *reg.Find("", "v1", "events");
  const ResourceType& events_v1 = *reg.Find("events.k8s.io", "v1", "events");
};

json HpaV2(const std::string& name) {
  return json::parse(R"({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": ")" +
                     name + R"("},
    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
      "maxReplicas": 5,
      "metrics": [
        {"type": "Resource", "resource": {"name": "cpu",
          "target": {"type": "Utilization", "averageUtilization": 50}}},
        {"type": "Resource", "resource": {"name": "memory",
          "target": {"type": "AverageValue", "averageValue": "500Mi"}}}],
      "behavior": {"scaleDown": {"stabilizationWindowSeconds": 30}}}})");
}

json HpaV1(const std::string& name, int cpu) {
  json h = {{"apiVersion", "autoscaling/v1"},
            {"kind", "HorizontalPodAutoscaler"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"scaleTargetRef", {{"kind", "Deployment"}, {"name", "web"}}}, {"maxReplicas", 3}}}};
  if (cpu > 0) h["spec"]["targetCPUUtilizationPercentage"] = cpu;
  return h;
}

constexpr const char* kMemoryAnnotation =
    R"([{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}}])";

// The client end of a watch: collects the lines the server writes.
class FakeStream : public skiff::api::ResponseStream {
 public:
  void Write(std::string chunk) override {
    std::lock_guard lock(mu_);
    data_ += chunk;
  }
  void Close() override {
    std::vector<std::function<void()>> fns;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      fns.swap(on_close_);
    }
    for (auto& fn : fns) fn();
  }
  bool closed() const override {
    std::lock_guard lock(mu_);
    return closed_;
  }
  size_t pending() const override { return 0; }
  void OnClose(std::function<void()> fn) override {
    {
      std::lock_guard lock(mu_);
      if (!closed_) {
        on_close_.push_back(std::move(fn));
        return;
      }
    }
    fn();
  }
  // The complete lines so far, parsed.
  std::vector<json> Events() const {
    std::lock_guard lock(mu_);
    std::vector<json> out;
    size_t start = 0;
    for (size_t nl; (nl = data_.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(json::parse(data_.substr(start, nl - start)));
    }
    return out;
  }

 private:
  mutable std::mutex mu_;  // guards everything below
  std::string data_;
  bool closed_ = false;
  std::vector<std::function<void()>> on_close_;
};

class FakeResponder : public skiff::api::Responder {
 public:
  std::shared_ptr<FakeStream> stream = std::make_shared<FakeStream>();
  void Send(skiff::api::HttpResponse r) override { sent = std::move(r); }
  std::shared_ptr<skiff::api::ResponseStream> Stream(int, std::string) override { return stream; }
  skiff::api::HttpResponse sent;
};

// Waits until `n` watch events arrived (or 5 s passed) and returns them.
std::vector<json> AwaitEvents(const FakeStream& s, size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<json> events = s.Events();
  while (events.size() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    events = s.Events();
  }
  return events;
}

}  // namespace

TEST_CASE("a v2 HPA read through autoscaling/v1", "[api][versions]") {
  Api api;
  json created = Ok(api.res->Create(api.hpa_v2, "default", HpaV2("web"), {}, nullptr));
  CHECK(created["apiVersion"] == "autoscaling/v2");
  CHECK(created["spec"]["metrics"].size() == 2);
  CHECK(created["spec"]["minReplicas"] == 1);

  json v1 = Ok(api.res->Get(api.hpa_v1, "default", "web"));
  CHECK(v1["apiVersion"] == "autoscaling/v1");
  CHECK(v1["kind"] == "HorizontalPodAutoscaler");
  CHECK(v1["spec"] == json::parse(R"({"scaleTargetRef": {"apiVersion": "apps/v1",
    "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 5,
    "targetCPUUtilizationPercentage": 50})"));
  CHECK(v1["status"] == json{{"currentReplicas", 0}, {"desiredReplicas", 0}});
  CHECK(v1["metadata"]["annotations"][skiff::apis::kHpaMetricsAnnotation] == kMemoryAnnotation);
  CHECK(v1["metadata"]["annotations"][skiff::apis::kHpaBehaviorAnnotation] ==
        R"({"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[)"
        R"({"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,)"
        R"("PeriodSeconds":15}]},"ScaleDown":{"StabilizationWindowSeconds":30,)"
        R"("SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}})");
  CHECK(v1["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]);

  json list = Ok(api.res->List(api.hpa_v1, "default", {}));
  CHECK(list["apiVersion"] == "autoscaling/v1");
  CHECK(list["kind"] == "HorizontalPodAutoscalerList");
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0] == v1);

  json raw = api.Raw("/registry/autoscaling/horizontalpodautoscalers/default/web");
  CHECK(raw["apiVersion"] == "autoscaling/v2");
  CHECK_FALSE(raw["metadata"].contains("annotations"));
}

TEST_CASE("a v1 HPA is stored as v2 and read back through either version", "[api][versions]") {
  Api api;
  json created = Ok(api.res->Create(api.hpa_v1, "default", HpaV1("h", 70), {}, nullptr));
  CHECK(created["apiVersion"] == "autoscaling/v1");
  CHECK(created["spec"]["targetCPUUtilizationPercentage"] == 70);
  CHECK(created["spec"]["minReplicas"] == 1);
  CHECK_FALSE(created["metadata"].contains("annotations"));

  json v2 = Ok(api.res->Get(api.hpa_v2, "default", "h"));
  CHECK(v2["spec"]["metrics"] == json::parse(R"([{"type": "Resource", "resource": {
    "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}])"));
  CHECK(v2["status"] == json{{"currentMetrics", nullptr}, {"desiredReplicas", 0}});
  CHECK(api.Raw("/registry/autoscaling/horizontalpodautoscalers/default/h")["apiVersion"] ==
        "autoscaling/v2");

  // v1 without a target: the implicit 80% is stored and shows in both versions.
  Ok(api.res->Create(api.hpa_v1, "default", HpaV1("plain", 0), {}, nullptr));
  CHECK(Ok(api.res->Get(api.hpa_v1, "default",
                        "plain"))["spec"]["targetCPUUtilizationPercentage"] == 80);
  CHECK(Ok(api.res->Get(
            api.hpa_v2, "default",
            "plain"))["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80);
}

TEST_CASE("an object stored as autoscaling/v1 by an older skiff still reads as v2",
          "[api][versions]") {
  Api api;
  json old = HpaV1("legacy", 65);
  old["metadata"]["namespace"] = "default";
  REQUIRE(
      api.store->Create("/registry/autoscaling/horizontalpodautoscalers/default/legacy", old.dump())
          .ok());
  json v2 = Ok(api.res->Get(api.hpa_v2, "default", "legacy"));
  CHECK(v2["apiVersion"] == "autoscaling/v2");
  CHECK(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 65);
  CHECK(Ok(api.res->Get(api.hpa_v1, "default",
                        "legacy"))["spec"]["targetCPUUtilizationPercentage"] == 65);
}

TEST_CASE("patches through autoscaling/v1 keep what only v2 can say", "[api][versions]") {
  Api api;
  Ok(api.res->Create(api.hpa_v2, "default", HpaV2("web"), {}, nullptr));
  json v2_before = Ok(api.res->Get(api.hpa_v2, "default", "web"));

  json patched =
      Ok(api.res->Patch(api.hpa_v1, "default", "web", "application/merge-patch+json",
                        R"({"spec":{"targetCPUUtilizationPercentage":90}})", "", {}, nullptr));
  CHECK(patched["apiVersion"] == "autoscaling/v1");
  CHECK(patched["spec"]["targetCPUUtilizationPercentage"] == 90);
  CHECK(patched["metadata"]["annotations"][skiff::apis::kHpaMetricsAnnotation] ==
        kMemoryAnnotation);

  json v2 = Ok(api.res->Get(api.hpa_v2, "default", "web"));
  // The annotated metrics come first, the cpu one last (as Kubernetes converts).
  CHECK(v2["spec"]["metrics"] == json::parse(R"([
    {"type": "Resource", "resource": {"name": "memory",
      "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
    {"type": "Resource", "resource": {"name": "cpu",
      "target": {"type": "Utilization", "averageUtilization": 90}}}])"));
  CHECK(v2["spec"]["behavior"] == v2_before["spec"]["behavior"]);
  CHECK(v2["metadata"]["generation"] == 2);
  CHECK_FALSE(v2["metadata"].contains("annotations"));

  // A metadata-only patch through v1 changes no spec: the generation stays.
  json labelled =
      Ok(api.res->Patch(api.hpa_v1, "default", "web", "application/strategic-merge-patch+json",
                        R"({"metadata":{"labels":{"tier":"web"}}})", "", {}, nullptr));
  CHECK(labelled["metadata"]["labels"] == json{{"tier", "web"}});
  json after = Ok(api.res->Get(api.hpa_v2, "default", "web"));
  CHECK(after["metadata"]["generation"] == 2);
  CHECK(after["spec"] == v2["spec"]);

  // A JSON patch through v1 and a status update through v1.
  Ok(api.res->Patch(api.hpa_v1, "default", "web", "application/json-patch+json",
                    R"([{"op":"replace","path":"/spec/maxReplicas","value":7}])", "", {}, nullptr));
  CHECK(Ok(api.res->Get(api.hpa_v2, "default", "web"))["spec"]["maxReplicas"] == 7);
  json status = Ok(api.res->Patch(api.hpa_v1, "default", "web", "application/merge-patch+json",
                                  R"({"status":{"currentCPUUtilizationPercentage":33,)"
                                  R"("currentReplicas":2,"desiredReplicas":2}})",
                                  "status", {}, nullptr));
  CHECK(status["status"] == json{{"currentCPUUtilizationPercentage", 33},
                                 {"currentReplicas", 2},
                                 {"desiredReplicas", 2}});
  CHECK(Ok(api.res->Get(api.hpa_v2, "default", "web"))["status"] ==
        json::parse(R"({"currentReplicas": 2, "desiredReplicas": 2, "currentMetrics": [
          {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 33}}}]})"));
}

TEST_CASE("server-side apply and delete through autoscaling/v1", "[api][versions]") {
  Api api;
  skiff::api::WriteOptions o;
  o.field_manager = "tester";
  json applied = Ok(api.res->Patch(api.hpa_v1, "default", "ssa", "application/apply-patch+yaml",
                                   "apiVersion: autoscaling/v1\n"
                                   "kind: HorizontalPodAutoscaler\n"
                                   "metadata:\n  name: ssa\n"
                                   "spec:\n  scaleTargetRef: {kind: Deployment, name: web}\n"
                                   "  maxReplicas: 4\n  targetCPUUtilizationPercentage: 40\n",
                                   "", o, nullptr));
  CHECK(applied["apiVersion"] == "autoscaling/v1");
  CHECK(applied["spec"]["targetCPUUtilizationPercentage"] == 40);
  REQUIRE(applied["metadata"]["managedFields"].size() == 1);
  CHECK(applied["metadata"]["managedFields"][0]["apiVersion"] == "autoscaling/v1");
  CHECK(applied["metadata"]["managedFields"][0]["manager"] == "tester");
  json v2 = Ok(api.res->Get(api.hpa_v2, "default", "ssa"));
  CHECK(v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 40);

  json deleted = Ok(api.res->Delete(api.hpa_v1, "default", "ssa", {}));
  CHECK(deleted["apiVersion"] == "autoscaling/v1");
  CHECK(deleted["spec"]["targetCPUUtilizationPercentage"] == 40);
  auto gone = api.res->Get(api.hpa_v2, "default", "ssa");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == 404);
}

TEST_CASE("a watch through autoscaling/v1 sees v2 writes converted", "[api][versions]") {
  Api api;
  Ok(api.res->Create(api.hpa_v2, "default", HpaV2("before"), {}, nullptr));
  auto responder = std::make_shared<FakeResponder>();
  {
    skiff::api::WatchService watches(*api.res);
    skiff::api::HttpRequest request;
    request.query = {{"watch", "true"}, {"timeoutSeconds", "10"}};
    watches.Serve(api.hpa_v1, "default", request, responder);
    Ok(api.res->Create(api.hpa_v2, "default", HpaV2("after"), {}, nullptr));
    Ok(api.res->Patch(api.hpa_v2, "default", "after", "application/merge-patch+json",
                      R"({"spec":{"maxReplicas":9}})", "", {}, nullptr));
    std::vector<json> events = AwaitEvents(*responder->stream, 3);
    responder->stream->Close();  // the client goes away
    REQUIRE(events.size() == 3);
    CHECK(events[0]["type"] == "ADDED");
    CHECK(events[0]["object"]["metadata"]["name"] == "before");
    CHECK(events[1]["type"] == "ADDED");
    CHECK(events[1]["object"]["metadata"]["name"] == "after");
    CHECK(events[2]["type"] == "MODIFIED");
    CHECK(events[2]["object"]["spec"]["maxReplicas"] == 9);
    for (const json& e : events) {
      CHECK(e["object"]["apiVersion"] == "autoscaling/v1");
      CHECK(e["object"]["spec"]["targetCPUUtilizationPercentage"] == 50);
      CHECK(e["object"]["metadata"]["annotations"][skiff::apis::kHpaMetricsAnnotation] ==
            kMemoryAnnotation);
      CHECK_FALSE(e["object"]["spec"].contains("metrics"));
    }
  }
}

TEST_CASE("a core Event is an events.k8s.io Event and the other way round", "[api][versions]") {
  Api api;
  json core = json::parse(R"({"apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "web.1"},
    "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "u-1"},
    "reason": "Pulled", "message": "pulled image", "type": "Normal",
    "source": {"component": "kubelet", "host": "edge-1"}, "count": 2,
    "firstTimestamp": "2024-01-02T03:04:05Z", "lastTimestamp": "2024-01-02T03:05:05Z"})");
  Ok(api.res->Create(api.core_events, "default", core, {}, nullptr));
  json ev = Ok(api.res->Get(api.events_v1, "default", "web.1"));
  CHECK(ev["apiVersion"] == "events.k8s.io/v1");
  CHECK(ev["regarding"] == core["involvedObject"]);
  CHECK(ev["note"] == "pulled image");
  CHECK(ev["deprecatedSource"] == core["source"]);
  CHECK(ev["deprecatedCount"] == 2);
  CHECK(ev["deprecatedFirstTimestamp"] == "2024-01-02T03:04:05Z");
  CHECK_FALSE(ev.contains("involvedObject"));

  skiff::api::ListOptions by_name;
  by_name.field_selector = "regarding.name=web";
  json list = Ok(api.res->List(api.events_v1, "default", by_name));
  CHECK(list["kind"] == "EventList");
  CHECK(list["apiVersion"] == "events.k8s.io/v1");
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0]["metadata"]["name"] == "web.1");
  by_name.field_selector = "regarding.name=other";
  CHECK(Ok(api.res->List(api.events_v1, "default", by_name))["items"].empty());
  by_name.field_selector = "reason=Pulled,type=Normal";
  CHECK(Ok(api.res->List(api.events_v1, "default", by_name))["items"].size() == 1);
  // reportingController is the internal ReportingController, not the old source.component.
  by_name.field_selector = "reportingController=kubelet";
  CHECK(Ok(api.res->List(api.events_v1, "default", by_name))["items"].empty());

  json new_style = json::parse(R"({"apiVersion": "events.k8s.io/v1", "kind": "Event",
    "metadata": {"name": "sync.1"}, "eventTime": "2024-01-02T03:04:05.000000Z",
    "regarding": {"kind": "Deployment", "namespace": "default", "name": "api"},
    "reportingController": "skiff.io/deployments", "reportingInstance": "edge-1",
    "action": "Scale", "reason": "ScalingReplicaSet", "type": "Normal", "note": "scaled up"})");
  json created = Ok(api.res->Create(api.events_v1, "default", new_style, {}, nullptr));
  CHECK(created["apiVersion"] == "events.k8s.io/v1");
  CHECK(created["note"] == "scaled up");
  json as_core = Ok(api.res->Get(api.core_events, "default", "sync.1"));
  CHECK(as_core["involvedObject"] == new_style["regarding"]);
  CHECK(as_core["message"] == "scaled up");
  CHECK(as_core["reportingComponent"] == "skiff.io/deployments");
  CHECK(as_core["eventTime"] == "2024-01-02T03:04:05.000000Z");
  skiff::api::ListOptions core_by_name;
  core_by_name.field_selector = "involvedObject.name=api";
  CHECK(Ok(api.res->List(api.core_events, "default", core_by_name))["items"].size() == 1);
  // One storage: both lists hold both events.
  CHECK(Ok(api.res->List(api.core_events, "default", {}))["items"].size() == 2);
  CHECK(Ok(api.res->List(api.events_v1, "default", {}))["items"].size() == 2);
  CHECK(api.Raw("/registry/core/events/default/sync.1")["apiVersion"] == "v1");

  Ok(api.res->Delete(api.events_v1, "default", "web.1", {}));
  auto gone = api.res->Get(api.core_events, "default", "web.1");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == 404);
}

TEST_CASE("writes through events.k8s.io/v1 keep that API's rules", "[api][versions]") {
  Api api;
  json ev = json::parse(R"({"metadata": {"name": "bad"}, "eventTime": "2024-01-02T03:04:05.000000Z",
    "regarding": {"kind": "Pod", "namespace": "default", "name": "web"},
    "reportingController": "kubelet", "reportingInstance": "edge-1", "action": "Pull",
    "reason": "Pulled", "type": "Normal", "deprecatedCount": 4})");
  auto r = api.res->Create(api.events_v1, "default", ev, {}, nullptr);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == 422);
  CHECK(r.error().message ==
        "Event.events.k8s.io \"bad\" is invalid: count: Invalid value: \"\": needs to be unset");
  // The same event is fine through the core API.
  json core = skiff::apis::EventsV1ToCoreEvent(ev);
  Ok(api.res->Create(api.core_events, "default", core, {}, nullptr));

  // Everything but the series is immutable through events.k8s.io/v1.
  auto changed = api.res->Patch(api.events_v1, "default", "bad", "application/merge-patch+json",
                                R"({"note":"changed"})", "", {}, nullptr);
  REQUIRE_FALSE(changed.ok());
  CHECK(changed.error().message ==
        "Event.events.k8s.io \"bad\" is invalid: message: Invalid value: \"changed\": field is "
        "immutable");
  // ... but not through the core API.
  json updated =
      Ok(api.res->Patch(api.core_events, "default", "bad", "application/merge-patch+json",
                        R"({"message":"changed"})", "", {}, nullptr));
  CHECK(updated["message"] == "changed");

  // A PUT of a missing Event creates it through either API.
  json put = ev;
  put["metadata"]["name"] = "put";
  put.erase("deprecatedCount");
  json made = Ok(api.res->Update(api.events_v1, "default", "put", put, "", {}, nullptr));
  CHECK(made["apiVersion"] == "events.k8s.io/v1");
  CHECK(Ok(api.res->Get(api.core_events, "default", "put"))["reportingComponent"] == "kubelet");
}
