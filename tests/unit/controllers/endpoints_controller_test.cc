// The Endpoints controller against a real store: single Sync() passes and the running loop.
#include "controllers/endpoints_controller.h"

#include <catch2/catch.hpp>

#include "unit/controllers/endpoints_fixture.h"

namespace skiff::controllers {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr char kComponent[] = "endpoint-controller";

EndpointsControllerOptions FastOptions() {
  EndpointsControllerOptions o;
  o.max_backoff = 50ms;
  return o;
}

json Address(const json& pod, const std::string& node = "node-a") {
  return {{"ip", pod["status"]["podIP"]},
          {"nodeName", node},
          {"targetRef",
           {{"kind", "Pod"},
            {"namespace", "default"},
            {"name", pod["metadata"]["name"]},
            {"uid", pod["metadata"]["uid"]}}}};
}

json HttpPort(int port) { return {{"name", "http"}, {"port", port}, {"protocol", "TCP"}}; }

// The subset whose first port is `port` (null when none).
json SubsetWithPort(const json& endpoints, int port) {
  for (const json& s : endpoints.value("subsets", json::array())) {
    if (s.contains("ports") && s["ports"][0]["port"] == port) return s;
  }
  return nullptr;
}

TEST_CASE("Endpoints list ready pods in addresses and the others in notReadyAddresses",
          "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  const json svc = CreateService(c, WebService());
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  const json b = CreateWebPod(c, "web-b", {.ip = "10.42.0.12", .ready = false});
  const json d = CreateWebPod(c, "web-d", {.ip = "10.42.0.9"});
  CreateWebPod(c, "other", {.ip = "10.42.0.13", .labels = {{"app", "db"}}});
  WaitCachedAt(c, client::Pods(), d);
  WaitCachedAt(c, client::Services(), svc);

  REQUIRE(ctrl.Sync("default/web").ok());
  const json ep = GetEndpoints(c);
  const json expected = json::array({{{"addresses", {Address(a), Address(d)}},
                                      {"notReadyAddresses", {Address(b)}},
                                      {"ports", {HttpPort(8080)}}}});
  CHECK(ep["subsets"] == expected);
  CHECK(ep["metadata"]["labels"] == json{{"team", "blue"}});
  // The first sync of a Service reports the Service's creation as the trigger.
  CHECK(ep["metadata"]["annotations"] ==
        json{{kAnnotationTriggerTime, svc["metadata"]["creationTimestamp"]}});
  CHECK_FALSE(ep["metadata"].contains("ownerReferences"));
}

TEST_CASE("publishNotReadyAddresses lists every pod as ready", "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json svc = WebService();
  svc["spec"]["publishNotReadyAddresses"] = true;
  CreateService(c, svc);
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11", .ready = false});
  const json b = CreateWebPod(c, "web-b", {.ip = "10.42.0.12"});
  WaitCachedAt(c, client::Pods(), b);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK(GetEndpoints(c)["subsets"] ==
        json::array({{{"addresses", {Address(a), Address(b)}}, {"ports", {HttpPort(8080)}}}}));
}

TEST_CASE("A named targetPort resolved differently per pod gives one subset per port",
          "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, WebService("web-port"));
  const json a = CreateWebPod(
      c, "web-a",
      {.ip = "10.42.0.11", .container_ports = {{{"name", "web-port"}, {"containerPort", 8080}}}});
  const json b = CreateWebPod(
      c, "web-b",
      {.ip = "10.42.0.12", .container_ports = {{{"name", "web-port"}, {"containerPort", 9090}}}});
  // No port of that name: left out of the port's subset, so of the Endpoints.
  const json x = CreateWebPod(c, "web-x", {.ip = "10.42.0.13"});
  WaitCachedAt(c, client::Pods(), x);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  const json ep = GetEndpoints(c);
  REQUIRE(ep["subsets"].size() == 2);
  CHECK(SubsetWithPort(ep, 8080) == json{{"addresses", {Address(a)}}, {"ports", {HttpPort(8080)}}});
  CHECK(SubsetWithPort(ep, 9090) == json{{"addresses", {Address(b)}}, {"ports", {HttpPort(9090)}}});
}

TEST_CASE("Pods without an IP, terminal pods and terminating pods are left out", "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json svc = WebService();
  CreateService(c, svc);
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  CreateWebPod(c, "web-noip", {});
  CreateWebPod(c, "web-done", {.ip = "10.42.0.12", .ready = false, .phase = "Succeeded"});
  CreateWebPod(c, "web-failed", {.ip = "10.42.0.13", .ready = false, .phase = "Failed"});
  const json t = CreateWebPod(c, "web-term", {.ip = "10.42.0.14"});
  client::Client::DeleteOptions graceful;
  graceful.grace_period_seconds = 30;
  REQUIRE(c.client->Delete(client::Pods(), "default", "web-term", graceful).ok());
  WaitCached(c, client::Pods(), "default/web-term",
             [](const json& p) { return IsBeingDeleted(p); });
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK(GetEndpoints(c)["subsets"] ==
        json::array({{{"addresses", {Address(a)}}, {"ports", {HttpPort(8080)}}}}));

  SECTION("unless the Service publishes not-ready addresses") {
    svc = Ok(c.client->Get(client::Services(), "default", "web"));
    svc["spec"]["publishNotReadyAddresses"] = true;
    const json updated = Ok(c.api().Update(client::Services(), "default", svc));
    WaitCachedAt(c, client::Services(), updated);
    json ep = GetEndpoints(c);
    WaitCachedAt(c, client::Endpoints(), ep);
    REQUIRE(ctrl.Sync("default/web").ok());
    json term = Ok(c.client->Get(client::Pods(), "default", "web-term"));
    CHECK(GetEndpoints(c)["subsets"] ==
          json::array({{{"addresses", {Address(a), Address(term)}}, {"ports", {HttpPort(8080)}}}}));
  }
}

TEST_CASE("A headless Service gets hostnames of pods in its subdomain and the headless label",
          "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json svc = WebService();
  svc["spec"]["clusterIP"] = "None";
  CreateService(c, svc);
  const json a =
      CreateWebPod(c, "web-a", {.ip = "10.42.0.11", .hostname = "web-0", .subdomain = "web"});
  const json b =
      CreateWebPod(c, "web-b", {.ip = "10.42.0.12", .hostname = "web-1", .subdomain = "other"});
  WaitCachedAt(c, client::Pods(), b);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  const json ep = GetEndpoints(c);
  json with_host = Address(a);
  with_host["hostname"] = "web-0";
  CHECK(ep["subsets"] ==
        json::array({{{"addresses", {with_host, Address(b)}}, {"ports", {HttpPort(8080)}}}}));
  CHECK(ep["metadata"]["labels"] == json{{"team", "blue"}, {kLabelHeadless, ""}});
}

TEST_CASE("A selector change moves the Endpoints to the newly selected pods", "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, WebService());
  CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  const json api = CreateWebPod(c, "api-a", {.ip = "10.42.0.21", .labels = {{"app", "api"}}});
  WaitCachedAt(c, client::Pods(), api);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });
  REQUIRE(ctrl.Sync("default/web").ok());
  WaitCachedAt(c, client::Endpoints(), GetEndpoints(c));

  const json svc = Ok(c.api().MergePatch(client::Services(), "default", "web",
                                         {{"spec", {{"selector", {{"app", "api"}}}}}}));
  WaitCachedAt(c, client::Services(), svc);
  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK(GetEndpoints(c)["subsets"] ==
        json::array({{{"addresses", {Address(api)}}, {"ports", {HttpPort(8080)}}}}));
}

TEST_CASE("The Endpoints of a deleted Service are deleted", "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, WebService());
  WaitCachedAt(c, client::Pods(), CreateWebPod(c, "web-a", {.ip = "10.42.0.11"}));
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });
  REQUIRE(ctrl.Sync("default/web").ok());
  REQUIRE(EndpointsExist(c));

  REQUIRE(c.client->Delete(client::Services(), "default", "web", {}).ok());
  WaitGone(c, client::Services(), "default/web");
  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK_FALSE(EndpointsExist(c));
  CHECK(ctrl.Sync("default/web").ok());  // already gone: nothing to do
}

TEST_CASE("A sync with nothing changed writes nothing", "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, WebService());
  WaitCachedAt(c, client::Pods(), CreateWebPod(c, "web-a", {.ip = "10.42.0.11"}));
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });
  REQUIRE(ctrl.Sync("default/web").ok());
  const json first = GetEndpoints(c);
  WaitCachedAt(c, client::Endpoints(), first);

  // An annotation on a pod changes its resourceVersion, not its address.
  const json pod = Ok(c.api().MergePatch(client::Pods(), "default", "web-a",
                                         {{"metadata", {{"annotations", {{"x", "y"}}}}}}));
  WaitCachedAt(c, client::Pods(), pod);
  REQUIRE(ctrl.Sync("default/web").ok());
  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK(GetEndpoints(c)["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]);
}

TEST_CASE("A sync on a cache that has not seen the controller's last write does nothing",
          "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, WebService());
  const json a = CreateWebPod(c, "web-a", {.ip = "10.42.0.11"});
  WaitCachedAt(c, client::Pods(), a);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });
  c.informers.For(client::Endpoints()).Stop();  // the cache will never see the Endpoints

  REQUIRE(ctrl.Sync("default/web").ok());
  Status again = ctrl.Sync("default/web");
  CHECK(again.code() == Code::kUnavailable);
  CHECK(again.message() == "endpoints informer cache is out of date for endpoints default/web");
}

TEST_CASE("Over max_capacity addresses the Endpoints is truncated and annotated", "[endpoints]") {
  ControllerCluster c;
  EndpointsControllerOptions o = FastOptions();
  o.max_capacity = 3;
  EndpointsController ctrl(*c.client, c.informers, o);
  c.StartInformers();
  CreateService(c, WebService());
  json last;
  for (int i = 1; i <= 5; ++i) {
    last = CreateWebPod(c, "web-" + std::to_string(i),
                        {.ip = "10.42.0." + std::to_string(i), .ready = i != 5});
  }
  WaitCachedAt(c, client::Pods(), last);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  json ep = GetEndpoints(c);
  CHECK(ep["metadata"]["annotations"][kAnnotationOverCapacity] == "truncated");
  REQUIRE(ep["subsets"].size() == 1);
  // Ready addresses first, lowest IPs first; the not-ready one is dropped.
  std::vector<std::string> ips;
  for (const json& a : ep["subsets"][0]["addresses"]) ips.push_back(a["ip"]);
  CHECK(ips == std::vector<std::string>{"10.42.0.1", "10.42.0.2", "10.42.0.3"});
  CHECK_FALSE(ep["subsets"][0].contains("notReadyAddresses"));
  WaitCachedAt(c, client::Endpoints(), ep);
  REQUIRE(ctrl.Sync("default/web").ok());  // still truncated the same way: no write
  CHECK(GetEndpoints(c)["metadata"]["resourceVersion"] == ep["metadata"]["resourceVersion"]);

  for (const char* gone : {"web-1", "web-2", "web-5"}) c.DeletePod("default", gone);
  WaitGone(c, client::Pods(), "default/web-5");
  WaitGone(c, client::Pods(), "default/web-1");
  WaitGone(c, client::Pods(), "default/web-2");
  REQUIRE(ctrl.Sync("default/web").ok());
  ep = GetEndpoints(c);
  CHECK_FALSE(ep["metadata"]["annotations"].contains(kAnnotationOverCapacity));
  CHECK(ep["subsets"][0]["addresses"].size() == 2);
}

TEST_CASE("Services without a selector keep their hand-made Endpoints", "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json svc = WebService();
  svc["spec"].erase("selector");
  CreateService(c, svc);
  const json manual = Ok(c.client->Create(
      client::Endpoints(), "default",
      {{"metadata", {{"name", "web"}}},
       {"subsets", {{{"addresses", {{{"ip", "192.168.1.5"}}}}, {"ports", {{{"port", 5432}}}}}}}}));
  WaitCachedAt(c, client::Endpoints(), manual);
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });

  REQUIRE(ctrl.Sync("default/web").ok());
  CHECK(GetEndpoints(c)["metadata"]["resourceVersion"] == manual["metadata"]["resourceVersion"]);
}

TEST_CASE("A failed write records FailedToCreateEndpoint / FailedToUpdateEndpoint", "[endpoints]") {
  ControllerCluster c;
  FailingClient failing(*c.client, client::Endpoints());
  EndpointsController ctrl(failing, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, WebService());
  WaitCachedAt(c, client::Pods(), CreateWebPod(c, "web-a", {.ip = "10.42.0.11"}));
  WaitCached(c, client::Services(), "default/web", [](const json&) { return true; });

  failing.fail = true;
  Status s = ctrl.Sync("default/web");
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(EventsAbout(c, "web", kComponent) ==
        std::vector<std::string>{"Warning FailedToCreateEndpoint Failed to create endpoint for "
                                 "service default/web: admission webhook denied the request"});

  failing.fail = false;
  REQUIRE(ctrl.Sync("default/web").ok());
  WaitCachedAt(c, client::Endpoints(), GetEndpoints(c));
  const json b = CreateWebPod(c, "web-b", {.ip = "10.42.0.12"});
  WaitCachedAt(c, client::Pods(), b);
  failing.fail = true;
  CHECK_FALSE(ctrl.Sync("default/web").ok());
  CHECK(EventsAbout(c, "web", kComponent) ==
        std::vector<std::string>{
            "Warning FailedToCreateEndpoint Failed to create endpoint for service default/web: "
            "admission webhook denied the request",
            "Warning FailedToUpdateEndpoint Failed to update endpoint default/web: admission "
            "webhook denied the request"});
}

TEST_CASE("The running Endpoints controller follows a pod turning ready within a second",
          "[endpoints]") {
  ControllerCluster c;
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  ctrl.Start();
  CreateService(c, WebService());
  CreateWebPod(c, "web-a", {.ip = "10.42.0.11", .ready = false});
  REQUIRE(Eventually([&] {
    auto ep = c.client->Get(client::Endpoints(), "default", "web");
    return ep.ok() && ep->contains("subsets") && (*ep)["subsets"][0].contains("notReadyAddresses");
  }));

  const auto start = std::chrono::steady_clock::now();
  c.MarkReady("default", "web-a");
  REQUIRE(Eventually(
      [&] {
        const json ep = GetEndpoints(c);
        return ep.contains("subsets") && ep["subsets"][0].contains("addresses") &&
               !ep["subsets"][0].contains("notReadyAddresses");
      },
      1s));
  CHECK(std::chrono::steady_clock::now() - start < 1s);

  // The pod going away empties the Endpoints (which stays: its Service does).
  c.DeletePod("default", "web-a");
  REQUIRE(Eventually([&] { return !GetEndpoints(c).contains("subsets"); }, 2s));
}

TEST_CASE("At start the Endpoints of Services that no longer exist are deleted", "[endpoints]") {
  ControllerCluster c;
  const json orphan = Ok(c.client->Create(
      client::Endpoints(), "default",
      {{"metadata", {{"name", "gone"}}},
       {"subsets", {{{"addresses", {{{"ip", "192.168.1.5"}}}}, {"ports", {{{"port", 80}}}}}}}}));
  const json leader = Ok(c.client->Create(
      client::Endpoints(), "default",
      {{"metadata", {{"name", "lock"}, {"annotations", {{kAnnotationLeaderElection, "{}"}}}}}}));
  EndpointsController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  ctrl.Start();
  REQUIRE(Eventually([&] { return !EndpointsExist(c, "gone"); }, 2s));
  CHECK(EndpointsExist(c, "lock"));  // leader-election records have no Service
}

}  // namespace
}  // namespace skiff::controllers
