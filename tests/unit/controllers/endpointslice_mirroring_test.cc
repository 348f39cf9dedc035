// The EndpointSlice-mirroring controller against a real store.
#include <catch2/catch.hpp>

#include "controllers/endpointslice_mirroring_controller.h"
#include "unit/controllers/endpoints_fixture.h"

namespace skiff::controllers {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr char kManager[] = "endpointslicemirroring-controller.k8s.io";

EndpointSliceMirroringControllerOptions FastOptions() {
  EndpointSliceMirroringControllerOptions o;
  o.max_backoff = 50ms;
  return o;
}

json SelectorlessService(const std::string& name = "db") {
  json svc = WebService(5432, name);
  svc["spec"].erase("selector");
  svc["spec"]["ports"][0]["name"] = "pg";
  svc["spec"]["ports"][0]["port"] = 5432;
  return svc;
}

json HandMadeEndpoints(const std::string& name = "db") {
  return {
      {"metadata",
       {{"name", name},
        {"labels", {{"team", "blue"}}},
        {"annotations", {{"note", "external"}, {kAnnotationTriggerTime, "2024-05-01T10:00:00Z"}}}}},
      {"subsets",
       {{{"addresses",
          {{{"ip", "192.168.1.5"},
            {"nodeName", "node-a"},
            {"targetRef", {{"kind", "Pod"}, {"namespace", "default"}, {"name", "pg-0"}}}}}},
         {"notReadyAddresses", {{{"ip", "192.168.1.6"}}}},
         {"ports", {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}}}}}};
}

json CreateEndpoints(ControllerCluster& c, const json& ep) {
  return Ok(c.client->Create(client::Endpoints(), "default", ep));
}

void WaitService(ControllerCluster& c, const std::string& name = "db") {
  WaitCached(c, client::Services(), "default/" + name, [](const json&) { return true; });
}

TEST_CASE("A hand-made Endpoints of a selectorless Service is mirrored into a slice",
          "[mirroring]") {
  ControllerCluster c;
  EndpointSliceMirroringController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, SelectorlessService());
  const json ep = CreateEndpoints(c, HandMadeEndpoints());
  WaitCachedAt(c, client::Endpoints(), ep);
  WaitService(c);

  REQUIRE(ctrl.Sync("default/db").ok());
  const auto slices = SlicesOf(c, "db", kManager);
  REQUIRE(slices.size() == 1);
  const json& slice = slices[0];
  CHECK(slice["metadata"]["generateName"] == "db-");
  CHECK(slice["metadata"]["labels"] ==
        json{{"team", "blue"}, {kLabelServiceName, "db"}, {kLabelManagedBy, kManager}});
  // The trigger time is not mirrored.
  CHECK(slice["metadata"]["annotations"] == json{{"note", "external"}});
  CHECK(slice["metadata"]["ownerReferences"] == json::array({{{"apiVersion", "v1"},
                                                              {"kind", "Endpoints"},
                                                              {"name", "db"},
                                                              {"uid", ep["metadata"]["uid"]},
                                                              {"controller", true},
                                                              {"blockOwnerDeletion", true}}}));
  CHECK(slice["addressType"] == "IPv4");
  CHECK(slice["ports"] == json::array({{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}));
  CHECK(slice["endpoints"] ==
        json::array({{{"addresses", {"192.168.1.5"}},
                      {"conditions", {{"ready", true}}},
                      {"nodeName", "node-a"},
                      {"targetRef", {{"kind", "Pod"}, {"namespace", "default"}, {"name", "pg-0"}}}},
                     {{"addresses", {"192.168.1.6"}}, {"conditions", {{"ready", false}}}}}));

  // Nothing changed: nothing written.
  WaitSlicesCached(c, "db", kManager);
  REQUIRE(ctrl.Sync("default/db").ok());
  CHECK(SlicesOf(c, "db", kManager) == slices);
}

TEST_CASE(
    "Mirrored slices follow the Endpoints and go with it, its Service, or the Service's "
    "new selector",
    "[mirroring]") {
  ControllerCluster c;
  EndpointSliceMirroringController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, SelectorlessService());
  json ep = CreateEndpoints(c, HandMadeEndpoints());
  WaitCachedAt(c, client::Endpoints(), ep);
  WaitService(c);
  REQUIRE(ctrl.Sync("default/db").ok());
  const std::string name = SlicesOf(c, "db", kManager)[0]["metadata"]["name"];
  WaitSlicesCached(c, "db", kManager);

  // An update rewrites the same slice.
  ep["subsets"][0].erase("notReadyAddresses");
  ep = Ok(c.api().Update(client::Endpoints(), "default", ep));
  WaitCachedAt(c, client::Endpoints(), ep);
  REQUIRE(ctrl.Sync("default/db").ok());
  auto slices = SlicesOf(c, "db", kManager);
  REQUIRE(slices.size() == 1);
  CHECK(slices[0]["metadata"]["name"] == name);
  CHECK(slices[0]["endpoints"].size() == 1);
  WaitSlicesCached(c, "db", kManager);

  SECTION("the Endpoints is deleted") {
    REQUIRE(c.client->Delete(client::Endpoints(), "default", "db", {}).ok());
    WaitGone(c, client::Endpoints(), "default/db");
  }
  SECTION("the Service is deleted") {
    REQUIRE(c.client->Delete(client::Services(), "default", "db", {}).ok());
    WaitGone(c, client::Services(), "default/db");
  }
  SECTION("the Service gains a selector") {
    const json svc = Ok(c.api().MergePatch(client::Services(), "default", "db",
                                           {{"spec", {{"selector", {{"app", "pg"}}}}}}));
    WaitCachedAt(c, client::Services(), svc);
  }
  SECTION("the Endpoints is labelled skip-mirror") {
    const json labelled =
        Ok(c.api().MergePatch(client::Endpoints(), "default", "db",
                              {{"metadata", {{"labels", {{kLabelSkipMirror, "true"}}}}}}));
    WaitCachedAt(c, client::Endpoints(), labelled);
  }
  REQUIRE(ctrl.Sync("default/db").ok());
  CHECK(SlicesOf(c, "db", kManager).empty());
}

TEST_CASE("IPv4 and IPv6 addresses are mirrored into one slice per address type", "[mirroring]") {
  ControllerCluster c;
  EndpointSliceMirroringController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CreateService(c, SelectorlessService());
  json ep = HandMadeEndpoints();
  ep["subsets"][0]["notReadyAddresses"] = {{{"ip", "fd00::6"}}};
  const json created = CreateEndpoints(c, ep);
  WaitCachedAt(c, client::Endpoints(), created);
  WaitService(c);

  REQUIRE(ctrl.Sync("default/db").ok());
  const auto slices = SlicesOf(c, "db", kManager);
  REQUIRE(slices.size() == 2);
  std::map<std::string, json> by_type;
  for (const json& s : slices) by_type[s["addressType"]] = s["endpoints"];
  CHECK(by_type["IPv4"].size() == 1);
  CHECK(by_type["IPv6"] ==
        json::array({{{"addresses", {"fd00::6"}}, {"conditions", {{"ready", false}}}}}));
}

TEST_CASE("At most max_endpoints_per_subset addresses of a subset are mirrored", "[mirroring]") {
  ControllerCluster c;
  EndpointSliceMirroringControllerOptions o = FastOptions();
  o.max_endpoints_per_subset = 2;
  EndpointSliceMirroringController ctrl(*c.client, c.informers, o);
  c.StartInformers();
  CreateService(c, SelectorlessService());
  json ep = HandMadeEndpoints();
  ep["subsets"][0]["addresses"].push_back({{"ip", "192.168.1.7"}});
  const json created = CreateEndpoints(c, ep);
  WaitCachedAt(c, client::Endpoints(), created);
  WaitService(c);

  REQUIRE(ctrl.Sync("default/db").ok());
  const auto slices = SlicesOf(c, "db", kManager);
  REQUIRE(slices.size() == 1);
  // Ready addresses first.
  std::vector<std::string> ips;
  for (const json& e : slices[0]["endpoints"]) ips.push_back(e["addresses"][0]);
  CHECK(ips == std::vector<std::string>{"192.168.1.5", "192.168.1.7"});
  CHECK(EventsAbout(c, "db", "endpoint-slice-mirroring-controller") ==
        std::vector<std::string>{"Warning TooManyAddressesToMirror A max of 2 addresses can be "
                                 "mirrored to EndpointSlices per Endpoints subset. 1 addresses "
                                 "were skipped"});
}

TEST_CASE("The running controller mirrors a new Endpoints and removes the mirror with it",
          "[mirroring]") {
  ControllerCluster c;
  EndpointSliceMirroringController ctrl(*c.client, c.informers, FastOptions());
  c.StartInformers();
  ctrl.Start();
  CreateService(c, SelectorlessService());
  CreateEndpoints(c, HandMadeEndpoints());
  REQUIRE(Eventually([&] { return SlicesOf(c, "db", kManager).size() == 1; }, 2s));

  REQUIRE(c.client->Delete(client::Endpoints(), "default", "db", {}).ok());
  REQUIRE(Eventually([&] { return SlicesOf(c, "db", kManager).empty(); }, 2s));
}

}  // namespace
}  // namespace skiff::controllers
