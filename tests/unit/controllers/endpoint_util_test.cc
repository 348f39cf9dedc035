// The pure parts of the endpoint controllers: port resolution, pod changes, Service lookup,
// subset packing and truncation, trigger times, and the slice placement rules.
#include "controllers/endpoint_util.h"

#include <catch2/catch.hpp>
#include <memory>

#include "api/object_util.h"
#include "controllers/endpoints_subsets.h"
#include "controllers/endpointslice_endpoints.h"
#include "controllers/endpointslice_reconciler.h"

namespace skiff::controllers {
namespace {

json PodWith(const std::string& name, const std::string& ip, bool ready = true) {
  return {{"metadata",
           {{"name", name},
            {"namespace", "default"},
            {"uid", "uid-" + name},
            {"resourceVersion", "1"},
            {"labels", {{"app", "web"}}}}},
          {"spec",
           {{"nodeName", "node-a"},
            {"containers",
             {{{"name", "c"},
               {"ports",
                {{{"name", "http"}, {"containerPort", 8080}},
                 {{"name", "dns"}, {"containerPort", 53}, {"protocol", "UDP"}}}}}}}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", ip},
            {"podIPs", {{{"ip", ip}}}},
            {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

json ServiceWith(const json& ports) {
  return {{"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "svc-uid"}}},
          {"spec", {{"selector", {{"app", "web"}}}, {"clusterIP", "10.43.0.5"}, {"ports", ports}}}};
}

TEST_CASE("FindPort resolves numeric, absent and named target ports", "[endpoint-util]") {
  const json pod = PodWith("p", "10.0.0.1");
  CHECK(FindPort(pod, {{"port", 80}, {"targetPort", 9000}}) == 9000);
  CHECK(FindPort(pod, {{"port", 80}}) == 80);
  CHECK(FindPort(pod, {{"port", 80}, {"targetPort", "http"}}) == 8080);
  // The protocol must match too.
  CHECK(FindPort(pod, {{"port", 53}, {"targetPort", "dns"}}) == std::nullopt);
  CHECK(FindPort(pod, {{"port", 53}, {"targetPort", "dns"}, {"protocol", "UDP"}}) == 53);
  CHECK(FindPort(pod, {{"port", 80}, {"targetPort", "metrics"}}) == std::nullopt);
  json sidecar = pod;
  sidecar["spec"]["initContainers"] = {
      {{"name", "proxy"},
       {"restartPolicy", "Always"},
       {"ports", {{{"name", "metrics"}, {"containerPort", 9100}}}}}};
  CHECK(FindPort(sidecar, {{"port", 80}, {"targetPort", "metrics"}}) == 9100);
}

TEST_CASE("CanonicalIP normalises addresses and rejects non-IPs", "[endpoint-util]") {
  CHECK(CanonicalIP("10.1.2.3") == "10.1.2.3");
  CHECK(CanonicalIP("FD00:0:0::1") == "fd00::1");
  CHECK(CanonicalIP("::ffff:10.1.2.3") == "10.1.2.3");
  CHECK(CanonicalIP("example.com") == "");
  CHECK(IsIPv6("fd00::1"));
  CHECK_FALSE(IsIPv6("10.1.2.3"));
}

TEST_CASE("ServiceSelectorCache finds the Services a pod change concerns", "[endpoint-util]") {
  ServiceSelectorCache cache;
  auto svc = [](const std::string& name, const json& selector) {
    json s = {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"spec", json::object()}};
    if (!selector.is_null()) s["spec"]["selector"] = selector;
    return s;
  };
  cache.Upsert(svc("web", {{"app", "web"}}));
  cache.Upsert(svc("all-web", {{"tier", "front"}}));
  cache.Upsert(svc("manual", nullptr));
  cache.Upsert(svc("empty", json::object()));  // an empty selector selects nothing
  json old_pod = PodWith("p", "10.0.0.1");
  old_pod["metadata"]["labels"]["tier"] = "front";
  CHECK(cache.ServicesForPod(old_pod) == std::set<std::string>{"default/all-web", "default/web"});

  json new_pod = old_pod;
  new_pod["metadata"]["resourceVersion"] = "2";
  CHECK(cache.ServicesForPodUpdate(old_pod, new_pod).empty());  // nothing relevant changed
  new_pod["metadata"]["labels"]["app"] = "api";
  // Only the labels changed: only the Service that lost the pod.
  CHECK(cache.ServicesForPodUpdate(old_pod, new_pod) == std::set<std::string>{"default/web"});
  new_pod["status"]["conditions"][0]["status"] = "False";
  // Labels and readiness: old and new Services.
  CHECK(cache.ServicesForPodUpdate(old_pod, new_pod) ==
        std::set<std::string>{"default/all-web", "default/web"});
  cache.Remove(svc("web", nullptr));
  CHECK(cache.ServicesForPod(old_pod) == std::set<std::string>{"default/all-web"});
}

TEST_CASE("RepackSubsets groups ports by identical address sets", "[endpoint-util]") {
  auto addr = [](const std::string& ip) {
    return json{{"ip", ip}, {"targetRef", {{"uid", "u-" + ip}}}};
  };
  const json p80 = {{"name", "a"}, {"port", 80}, {"protocol", "TCP"}};
  const json p81 = {{"name", "b"}, {"port", 81}, {"protocol", "TCP"}};
  const json singles = json::array({{{"addresses", {addr("10.0.0.2")}}, {"ports", {p80}}},
                                    {{"addresses", {addr("10.0.0.2")}}, {"ports", {p81}}},
                                    {{"notReadyAddresses", {addr("10.0.0.1")}}, {"ports", {p80}}},
                                    {{"notReadyAddresses", {addr("10.0.0.1")}}, {"ports", {p81}}},
                                    {{"addresses", {addr("10.0.0.3")}}, {"ports", {p81}}}});
  const json packed = RepackSubsets(singles);
  REQUIRE(packed.size() == 2);
  json only_80, only_81;
  for (const json& s : packed) (s["ports"][0]["port"] == 80 ? only_80 : only_81) = s;
  CHECK(only_80 == json{{"addresses", {addr("10.0.0.2")}},
                        {"notReadyAddresses", {addr("10.0.0.1")}},
                        {"ports", {p80}}});
  CHECK(only_81 == json{{"addresses", {addr("10.0.0.2"), addr("10.0.0.3")}},
                        {"notReadyAddresses", {addr("10.0.0.1")}},
                        {"ports", {p81}}});
  // Not ready trumps ready for the same address and port.
  const json mixed =
      RepackSubsets(json::array({{{"addresses", {addr("10.0.0.9")}}, {"ports", {p80}}},
                                 {{"notReadyAddresses", {addr("10.0.0.9")}}, {"ports", {p80}}}}));
  CHECK(mixed == json::array({{{"notReadyAddresses", {addr("10.0.0.9")}}, {"ports", {p80}}}}));
}

TEST_CASE("TruncateSubsets keeps ready addresses first, proportionally", "[endpoint-util]") {
  auto ips = [](int from, int n) {
    json out = json::array();
    for (int i = 0; i < n; ++i) out.push_back({{"ip", "10.0.0." + std::to_string(from + i)}});
    return out;
  };
  json subsets = json::array({{{"addresses", ips(1, 6)}, {"notReadyAddresses", ips(50, 2)}},
                              {{"addresses", ips(20, 2)}, {"notReadyAddresses", ips(60, 4)}}});
  CHECK_FALSE(TruncateSubsets(subsets, 14));
  REQUIRE(TruncateSubsets(subsets, 10));
  // 8 ready kept; 2 not-ready places shared 2:4 -> ceil(0.67)=1, ceil(1.33)=2 capped at 1.
  CHECK(CountAddresses(subsets) == 10);
  CHECK(subsets[0]["notReadyAddresses"].size() == 1);
  CHECK(subsets[1]["notReadyAddresses"].size() == 1);
  REQUIRE(TruncateSubsets(subsets, 4));
  CHECK(subsets[0]["addresses"] == ips(1, 3));  // ceil(6/8*4) = 3
  CHECK(subsets[1]["addresses"] == ips(20, 1));
  CHECK_FALSE(subsets[0].contains("notReadyAddresses"));
}

TEST_CASE("TriggerTimeTracker reports the earliest change since the last sync", "[endpoint-util]") {
  TriggerTimeTracker tracker;
  json svc = ServiceWith(json::array());
  svc["metadata"]["creationTimestamp"] = "2024-05-01T09:00:00Z";
  auto pod = [](const std::string& name, const std::string& since) {
    json p = PodWith(name, "10.0.0.1");
    p["status"]["conditions"][0]["lastTransitionTime"] = since;
    return std::make_shared<const json>(p);
  };
  std::vector<client::ObjectPtr> pods = {pod("a", "2024-05-01T10:00:00Z")};
  auto t = tracker.Compute(svc, pods);
  REQUIRE(t);
  CHECK(FormatTriggerTime(*t) == "2024-05-01T09:00:00Z");  // first sync: the Service's creation
  CHECK_FALSE(tracker.Compute(svc, pods));                 // nothing changed
  pods = {pod("a", "2024-05-01T10:00:00Z"), pod("b", "2024-05-01T11:00:00Z"),
          pod("c", "2024-05-01T10:30:00Z")};
  t = tracker.Compute(svc, pods);
  REQUIRE(t);
  CHECK(FormatTriggerTime(*t) == "2024-05-01T10:30:00Z");
  tracker.Forget("default/web");
  CHECK(FormatTriggerTime(*tracker.Compute(svc, pods)) == "2024-05-01T09:00:00Z");
}

TEST_CASE("AggregateMessages joins distinct messages as Kubernetes does", "[endpoint-util]") {
  CHECK(AggregateMessages({}) == "");
  CHECK(AggregateMessages({"a"}) == "a");
  CHECK(AggregateMessages({"a", "b", "a"}) == "[a, b]");
  CHECK(AggregateMessages({"a", "a"}) == "a");
}

TEST_CASE("PlanAddressType fills the unchanged slice that new endpoints fit best",
          "[endpoint-util]") {
  const json svc = ServiceWith({{{"name", "http"}, {"port", 80}, {"targetPort", 8080}}});
  const json ports = EndpointPortsFor(svc, PodWith("x", "10.0.0.1"));
  const NodeLookup nodes = [](const std::string&) {
    return std::make_shared<const json>(json{{"metadata", {{"name", "node-a"}}}});
  };
  std::vector<client::ObjectPtr> pods;
  auto slice_with = [&](const std::string& name, int from, int n) {
    json s = NewServiceSlice(svc, ports, "IPv4", kEndpointSliceControllerName);
    s["metadata"]["name"] = name;
    for (int i = 0; i < n; ++i) {
      const json pod =
          PodWith("p" + std::to_string(from + i), "10.0.1." + std::to_string(from + i));
      pods.push_back(std::make_shared<const json>(pod));
      s["endpoints"].push_back(PodToEndpoint(pod, nodes("node-a").get(), svc, "IPv4"));
    }
    return std::make_shared<const json>(s);
  };
  // Slices of 5 and 8 (max 10); 2 new pods fit the 8-slice exactly.
  const std::vector<client::ObjectPtr> existing = {slice_with("s-a", 0, 5),
                                                   slice_with("s-b", 10, 8)};
  pods.push_back(std::make_shared<const json>(PodWith("new-1", "10.0.2.1")));
  pods.push_back(std::make_shared<const json>(PodWith("new-2", "10.0.2.2")));
  SlicePlan plan =
      PlanAddressType(svc, pods, existing, "IPv4", nodes, 10, kEndpointSliceControllerName);
  CHECK(plan.create.empty());
  CHECK(plan.remove.empty());
  REQUIRE(plan.update.size() == 1);
  CHECK(plan.update[0]["metadata"]["name"] == "s-b");
  CHECK(plan.update[0]["endpoints"].size() == 10);

  // 3 new ones fit s-a best (5 + 3), not s-b (8 + 3 > 10).
  pods.push_back(std::make_shared<const json>(PodWith("new-3", "10.0.2.3")));
  plan = PlanAddressType(svc, pods, existing, "IPv4", nodes, 10, kEndpointSliceControllerName);
  CHECK(plan.create.empty());
  REQUIRE(plan.update.size() == 1);
  CHECK(plan.update[0]["metadata"]["name"] == "s-a");
  CHECK(plan.update[0]["endpoints"].size() == 8);

  // 13 new ones: 10 in a new slice, and the 3 left into s-a.
  for (int i = 4; i <= 13; ++i) {
    pods.push_back(std::make_shared<const json>(
        PodWith("new-" + std::to_string(i), "10.0.2." + std::to_string(i))));
  }
  plan = PlanAddressType(svc, pods, existing, "IPv4", nodes, 10, kEndpointSliceControllerName);
  REQUIRE(plan.create.size() == 1);
  CHECK(plan.create[0]["endpoints"].size() == 10);
  REQUIRE(plan.update.size() == 1);
  CHECK(plan.update[0]["endpoints"].size() == 8);
  pods.resize(pods.size() - 10);

  // Dropping all of s-a's pods deletes it... and the new slice recycles it instead.
  std::vector<client::ObjectPtr> fewer(pods.begin() + 5, pods.end());
  plan = PlanAddressType(svc, fewer, existing, "IPv4", nodes, 10, kEndpointSliceControllerName);
  CHECK(plan.create.empty());
  CHECK(plan.remove.empty());
  REQUIRE(plan.update.size() == 1);
  CHECK(plan.update[0]["metadata"]["name"] == "s-a");
  CHECK(plan.update[0]["endpoints"].size() == 3);
  CHECK_FALSE(plan.update[0]["metadata"].contains("resourceVersion"));
}

}  // namespace
}  // namespace skiff::controllers
