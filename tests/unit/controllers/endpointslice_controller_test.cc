// The EndpointSlice controller against a real store: single Sync() passes and the running loop.
#include "controllers/endpointslice_controller.h"

#include <catch2/catch.hpp>
#include <map>

#include "controllers/endpointslice_endpoints.h"
#include "unit/controllers/endpoints_fixture.h"

namespace skiff::controllers {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr char kManager[] = "endpointslice-controller.k8s.io";

EndpointSliceControllerOptions FastOptions() {
  EndpointSliceControllerOptions o;
  o.max_backoff = 50ms;
  o.slice_change_min_sync_delay = 50ms;
  return o;
}

json HttpPort(int port) { return {{"name", "http"}, {"port", port}, {"protocol", "TCP"}}; }

// Starts informers and waits until they hold the Service and the pod `last_pod`.
void WaitFor(ControllerCluster& c, const json& last_pod) {
  WaitCachedAt(c, client::Pods(), last_pod);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });
}

std::vector<json> Slices(ControllerCluster& c) { return SlicesOf(c, "web", kManager); }

TEST_CASE("A Service's slice lists its pods with conditions, node, zone and ports",
          "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a", "zone-1");
  CreateNode(c, "node-b");
  const json svc = CreateService(c, WebService());
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  const json b = CreateWebPod(c, "web-b", {.ip = "10.42.0.12", .ready = false, .node = "node-b"});
  CreateWebPod(c, "other", {.ip = "10.42.0.13", .labels = {{"app", "db"}}});
  WaitFor(c, b);
  WaitCached(c, client::Nodes(), "node-b", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  const auto slices = Slices(c);
  REQUIRE(slices.size() == 1);
  const json& slice = slices[0];
  CHECK(slice["metadata"]["generateName"] == "web-");
  CHECK(slice["metadata"]["name"].get<std::string>().rfind("web-", 0) == 0);
  CHECK(slice["metadata"]["labels"] ==
        json{{"team", "blue"}, {kLabelServiceName, "web"}, {kLabelManagedBy, kManager}});
  CHECK(slice["metadata"]["ownerReferences"] == json::array({{{"apiVersion", "v1"},
                                                              {"kind", "Service"},
                                                              {"name", "web"},
                                                              {"uid", svc["metadata"]["uid"]},
                                                              {"controller", true},
                                                              {"blockOwnerDeletion", true}}}));
  CHECK(slice["metadata"]["annotations"] ==
        json{{kAnnotationTriggerTime, svc["metadata"]["creationTimestamp"]}});
  CHECK(slice["addressType"] == "IPv4");
  CHECK(slice["ports"] == json::array({HttpPort(8080)}));
  CHECK(EndpointFor(slice, "web-a") ==
        json{{"addresses", {"10.42.0.11"}},
             {"conditions", {{"ready", true}, {"serving", true}, {"terminating", false}}},
             {"nodeName", "node-a"},
             {"zone", "zone-1"},
             {"targetRef",
              {{"kind", "Pod"},
               {"namespace", "default"},
               {"name", "web-a"},
               {"uid", a["metadata"]["uid"]}}}});
  CHECK(EndpointFor(slice, "web-b") ==
        json{{"addresses", {"10.42.0.12"}},
             {"conditions", {{"ready", false}, {"serving", false}, {"terminating", false}}},
             {"nodeName", "node-b"},
             {"targetRef",
              {{"kind", "Pod"},
               {"namespace", "default"},
               {"name", "web-b"},
               {"uid", b["metadata"]["uid"]}}}});
  CHECK(EndpointNames(slice) == std::vector<std::string>{"web-a", "web-b"});
}

TEST_CASE("Pods resolving a named port differently go to different slices", "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService("web-port"));
  CreateWebPod(
      c, "web-a",
      {.ip = "10.42.0.11", .container_ports = {{{"name", "web-port"}, {"containerPort", 8080}}}});
  CreateWebPod(
      c, "web-b",
      {.ip = "10.42.0.12", .container_ports = {{{"name", "web-port"}, {"containerPort", 9090}}}});
  const json x = CreateWebPod(c, "web-x", {.ip = "10.42.0.13"});
  WaitFor(c, x);
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  std::map<std::string, std::vector<std::string>> by_ports;
  for (const json& s : Slices(c)) by_ports[s["ports"].dump()] = EndpointNames(s);
  CHECK(by_ports == std::map<std::string, std::vector<std::string>>{
                        {json::array({HttpPort(8080)}).dump(), {"web-a"}},
                        {json::array({HttpPort(9090)}).dump(), {"web-b"}},
                        // The pod without the port still backs the Service, with no ports.
                        {json::array().dump(), {"web-x"}}});
}

TEST_CASE("Terminating pods stay with their conditions, terminal and IP-less pods do not",
          "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService());
  CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  CreateWebPod(c, "web-noip", {});
  CreateWebPod(c, "web-done", {.ip = "10.42.0.12", .ready = false, .phase = "Succeeded"});
  CreateWebPod(c, "web-term", {.ip = "10.42.0.14"});
  client::Client::DeleteOptions graceful;
  graceful.grace_period_seconds = 30;
  REQUIRE(c.client->Delete(client::Pods(), "default", "web-term", graceful).ok());
  WaitCached(c, client::Pods(), "default/web-term",
             [](const json& p) { return IsBeingDeleted(p); });
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  const auto slices = Slices(c);
  REQUIRE(slices.size() == 1);
  CHECK(EndpointNames(slices[0]) == std::vector<std::string>{"web-a", "web-term"});
  CHECK(EndpointFor(slices[0], "web-term")["conditions"] ==
        json{{"ready", false}, {"serving", true}, {"terminating", true}});
}

TEST_CASE("A headless Service's slices carry hostnames and the headless label", "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  json svc = WebService();
  svc["spec"]["clusterIP"] = "None";
  CreateService(c, svc);
  CreateWebPod(c, "web-a", {.ip = "10.42.0.11", .hostname = "web-0", .subdomain = "web"});
  const json b = CreateWebPod(c, "web-b", {.ip = "10.42.0.12", .hostname = "web-1"});
  WaitFor(c, b);
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  const auto slices = Slices(c);
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]["metadata"]["labels"][kLabelHeadless] == "");
  CHECK(EndpointFor(slices[0], "web-a")["hostname"] == "web-0");
  CHECK_FALSE(EndpointFor(slices[0], "web-b").contains("hostname"));
}

TEST_CASE("A dual-stack Service gets one slice per address type", "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  json svc = WebService();
  svc["spec"]["ipFamilies"] = {"IPv4", "IPv6"};
  svc["spec"]["ipFamilyPolicy"] = "PreferDualStack";
  CreateService(c, svc);
  CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  const json dual = Ok(c.api().MergePatch(
      client::Pods(), "default", "web-a",
      {{"status", {{"podIPs", {{{"ip", "10.42.0.11"}}, {{"ip", "FD00:10:42::11"}}}}}}}, "status"));
  WaitFor(c, dual);
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  std::map<std::string, json> addresses;
  for (const json& s : Slices(c)) addresses[s["addressType"]] = s["endpoints"][0]["addresses"];
  CHECK(addresses ==
        std::map<std::string, json>{{"IPv4", {"10.42.0.11"}}, {"IPv6", {"fd00:10:42::11"}}});
}

TEST_CASE("250 pods make 3 slices and removing one pod updates one slice in place",
          "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService());
  json last;
  for (int i = 0; i < 250; ++i) {
    last = CreateWebPod(
        c, "web-" + std::to_string(i),
        {.ip = "10.42." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1)});
  }
  WaitFor(c, last);
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  auto slices = Slices(c);
  REQUIRE(slices.size() == 3);
  std::multiset<size_t> sizes;
  for (const json& s : slices) sizes.insert(s["endpoints"].size());
  CHECK(sizes == std::multiset<size_t>{50, 100, 100});
  WaitSlicesCached(c, "web", kManager);
  REQUIRE(ctrl.Sync("default/web").ok());  // nothing changed: nothing written
  CHECK(Slices(c) == slices);

  // Remove a pod of a full slice.
  std::string victim, victim_slice;
  for (const json& s : slices) {
    if (s["endpoints"].size() == 100) {
      victim = s["endpoints"][0]["targetRef"]["name"];
      victim_slice = s["metadata"]["name"];
      break;
    }
  }
  c.DeletePod("default", victim);
  WaitGone(c, client::Pods(), "default/" + victim);
  REQUIRE(ctrl.Sync("default/web").ok());
  const auto after = Slices(c);
  REQUIRE(after.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    REQUIRE(after[i]["metadata"]["name"] == slices[i]["metadata"]["name"]);
    if (after[i]["metadata"]["name"] == victim_slice) {
      CHECK(after[i]["endpoints"].size() == 99);
      CHECK(EndpointFor(after[i], victim).is_null());
    } else {
      CHECK(after[i]["metadata"]["resourceVersion"] == slices[i]["metadata"]["resourceVersion"]);
    }
  }
}

TEST_CASE("A Service without pods has one empty placeholder slice, reused for its first pod",
          "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService());
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  auto slices = Slices(c);
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]["endpoints"] == json::array());
  CHECK(slices[0]["ports"] == json::array());
  WaitSlicesCached(c, "web", kManager);
  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK(Slices(c) == slices);

  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  WaitCachedAt(c, client::Pods(), a);
  REQUIRE(ctrl.Sync("default/web").ok());
  const auto after = Slices(c);
  REQUIRE(after.size() == 1);
  CHECK(after[0]["metadata"]["name"] == slices[0]["metadata"]["name"]);
  CHECK(EndpointNames(after[0]) == std::vector<std::string>{"web-a"});
  CHECK(after[0]["ports"] == json::array({HttpPort(8080)}));
}

TEST_CASE(
    "Removing the selector deletes the controller's slices, a deleted Service's are left "
    "to the garbage collector",
    "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService());
  CreateService(c, WebService(8080, "api"));
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  WaitFor(c, a);
  WaitCached(c, client::Services(), "default/api", [](const json&) { return true; });
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });
  REQUIRE(ctrl.Sync("default/web").ok());
  REQUIRE(ctrl.Sync("default/api").ok());
  WaitSlicesCached(c, "web", kManager);
  REQUIRE(SlicesOf(c, "api", kManager).size() == 1);

  json svc = Ok(c.client->Get(client::Services(), "default", "web"));
  svc["spec"].erase("selector");
  const json updated = Ok(c.api().Update(client::Services(), "default", svc));
  WaitCachedAt(c, client::Services(), updated);
  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK(Slices(c).empty());

  REQUIRE(c.client->Delete(client::Services(), "default", "api", {}).ok());
  WaitGone(c, client::Services(), "default/api");
  REQUIRE(ctrl.Sync("default/api").ok());
  CHECK(SlicesOf(c, "api", kManager).size() == 1);
}

TEST_CASE("A pod on an unknown node is left out and reported", "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService());
  CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  const json x = CreateWebPod(c, "web-x", {.ip = "10.42.0.12", .node = "node-x"});
  WaitFor(c, x);
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });

  Status s = ctrl.Sync("default/web");
  CHECK(s.message() == "skipping Pod web-x for Service default/web: Node node-x Not Found");
  const auto slices = Slices(c);
  REQUIRE(slices.size() == 1);
  CHECK(EndpointNames(slices[0]) == std::vector<std::string>{"web-a"});
  CHECK(EventsAbout(c, "web", "endpoint-slice-controller") ==
        std::vector<std::string>{"Warning FailedToUpdateEndpointSlices Error updating Endpoint "
                                 "Slices for Service default/web: skipping Pod web-x for Service "
                                 "default/web: Node node-x Not Found"});
}

TEST_CASE("A failed slice write is reported and retried", "[endpointslice]") {
  ControllerCluster c;
  FailingClient failing(*c.client, client::EndpointSlices());
  EndpointSliceController ctrl(failing, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService());
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  WaitFor(c, a);
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });
  failing.fail = true;
  Status s = ctrl.Sync("default/web");
  CHECK(s.message() ==
        "failed to create EndpointSlice for Service default/web: admission "
        "webhook denied the request");
  CHECK(EventsAbout(c, "web", "endpoint-slice-controller") ==
        std::vector<std::string>{"Warning FailedToUpdateEndpointSlices Error updating Endpoint "
                                 "Slices for Service default/web: failed to create EndpointSlice "
                                 "for Service default/web: admission webhook denied the request"});
  failing.fail = false;
  CHECK(ctrl.Sync("default/web").ok());
  CHECK(Slices(c).size() == 1);
}

TEST_CASE("A sync on a cache that has not seen the controller's writes does nothing",
          "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateNode(c, "node-a");
  CreateService(c, WebService());
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  WaitFor(c, a);
  WaitCached(c, client::Nodes(), "node-a", [](const json&) { return true; });
  c.informers.For(client::EndpointSlices()).Stop();  // the cache will never see the slice

  REQUIRE(ctrl.Sync("default/web").ok());
  Status again = ctrl.Sync("default/web");
  CHECK(again.code() == Code::kUnavailable);
  CHECK(again.message() == "EndpointSlice informer cache is out of date");
  CHECK(Slices(c).size() == 1);
}

TEST_CASE("The running EndpointSlice controller follows a pod turning ready within a second",
          "[endpointslice]") {
  ControllerCluster c;
  EndpointSliceController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  ctrl.Start();
  CreateNode(c, "node-a", "zone-1");
  CreateService(c, WebService());
  CreateWebPod(c, "web-a", {.ip = "10.42.0.11", .ready = false});
  auto ready_of = [&]() -> json {
    auto slices = Slices(c);
    if (slices.size() != 1) return nullptr;
    json ep = EndpointFor(slices[0], "web-a");
    return ep.is_null() ? json(nullptr) : ep["conditions"]["ready"];
  };
  REQUIRE(Eventually([&] { return ready_of() == false; }));

  const auto start = std::chrono::steady_clock::now();
  c.MarkReady("default", "web-a");
  REQUIRE(Eventually([&] { return ready_of() == true; }, 1s));
  CHECK(std::chrono::steady_clock::now() - start < 1s);

  // A slice deleted behind the controller's back is made again.
  const std::string name = Slices(c)[0]["metadata"]["name"];
  REQUIRE(c.client->Delete(client::EndpointSlices(), "default", name, {}).ok());
  REQUIRE(Eventually(
      [&] {
        auto slices = Slices(c);
        return slices.size() == 1 && slices[0]["metadata"]["name"] != name;
      },
      3s));
  CHECK(Slices(c).size() == 1);
}

}  // namespace
}  // namespace skiff::controllers
