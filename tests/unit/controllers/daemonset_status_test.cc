// DaemonSet status: the counts Kubernetes reports, written only when they change.
#include "controllers/daemonset_status.h"

#include <catch2/catch.hpp>

#include "unit/controllers/daemonset_fixture.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

using testing::AgentDaemonSet;
using testing::CreateThreeNodes;
using testing::DaemonSetCluster;
using testing::Ok;
using testing::TestOptions;

TEST_CASE("status counts desired, current, ready, available, updated and misscheduled pods") {
  DaemonSetCluster c;
  CreateThreeNodes(c);  // edge-a eligible, edge-b tainted, core-c unlabeled
  c.CreateNode("edge-d", {{"role", "edge"}});
  json ds = AgentDaemonSet();
  ds["spec"]["minReadySeconds"] = 600;
  ds = c.CreateDaemonSet(ds);
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  c.SyncNow(ctl);  // the first pass's status may predate its pods in the cache
  auto by_node = c.PodsByNode();
  REQUIRE(by_node.size() == 2);

  json status = c.GetDaemonSet()["status"];
  CHECK(status == json{{"desiredNumberScheduled", 2},
                       {"currentNumberScheduled", 2},
                       {"numberMisscheduled", 0},
                       {"numberReady", 0},
                       {"updatedNumberScheduled", 2},
                       {"numberUnavailable", 2},
                       {"observedGeneration", 1}});

  // edge-a's pod has been ready for long, edge-d's just now (not yet minReadySeconds).
  c.MarkReady("default", by_node["edge-a"][0], true, "2020-01-01T00:00:00Z");
  c.MarkReady("default", by_node["edge-d"][0]);
  // A pod of the set bound to core-c, where it should not run: misscheduled until it is gone.
  json stray = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "stray"}, {"labels", {{"app", "agent"}}}}},
      {"spec",
       {{"nodeName", "core-c"}, {"containers", {{{"name", "agent"}, {"image", "busybox:1.36"}}}}}}};
  c.CreatePod("default", stray);
  c.SyncNow(ctl);
  status = c.GetDaemonSet()["status"];
  CHECK(status == json{{"desiredNumberScheduled", 2},
                       {"currentNumberScheduled", 2},
                       {"numberMisscheduled", 1},
                       {"numberReady", 2},
                       {"numberAvailable", 1},
                       {"updatedNumberScheduled", 2},
                       {"numberUnavailable", 1},
                       {"observedGeneration", 1}});
  // The stray pod was adopted and is being deleted (bound: gracefully).
  json gone = Ok(c.client->Get(client::Pods(), "default", "stray"));
  CHECK(gone["metadata"].contains("deletionTimestamp"));
  CHECK(gone["metadata"]["ownerReferences"][0]["uid"] == ds["metadata"]["uid"]);
}

TEST_CASE("status is written only when it changes, and observedGeneration follows spec changes") {
  DaemonSetCluster c;
  c.CreateNode("edge-a", {{"role", "edge"}});
  c.CreateDaemonSet(AgentDaemonSet());
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  c.SyncNow(ctl);
  const std::string rv = c.GetDaemonSet()["metadata"]["resourceVersion"];
  c.SyncNow(ctl);
  CHECK(c.GetDaemonSet()["metadata"]["resourceVersion"] == rv);

  // A new spec (generation 2): observed once a pass acted on it.
  c.PatchDaemonSet({{"spec", {{"minReadySeconds", 5}}}});
  c.SyncNow(ctl);
  json ds = c.GetDaemonSet();
  CHECK(ds["metadata"]["generation"] == 2);
  CHECK(ds["status"]["observedGeneration"] == 2);
}

TEST_CASE(
    "the oldest pod of a node speaks for it, and nodes that should not run it count as "
    "misscheduled") {
  json ds = AgentDaemonSet();
  ds["metadata"]["uid"] = "u1";
  const daemonset::DaemonPlacement placement(ds);
  auto node = [](const std::string& name, bool edge) {
    return std::make_shared<const json>(
        testing::HollowNode(name, edge ? json{{"role", "edge"}} : json::object()));
  };
  auto pod = [](const std::string& name, const std::string& created, const std::string& hash,
                bool ready) {
    json p = {{"metadata",
               {{"name", name},
                {"creationTimestamp", created},
                {"labels", {{"app", "agent"}, {"controller-revision-hash", hash}}}}},
              {"spec", json::object()}};
    if (ready) {
      p["status"] = {{"conditions",
                      {{{"type", "Ready"},
                        {"status", "True"},
                        {"lastTransitionTime", "2020-01-01T00:00:00Z"}}}}};
    }
    return std::make_shared<const json>(p);
  };
  std::vector<client::ObjectPtr> nodes = {node("a", true), node("b", true), node("c", false),
                                          node("d", true)};
  daemonset::NodeToPods pods;
  // a: the older pod is old and ready, the younger new and not ready.
  pods["a"] = {pod("a-new", "2024-01-02T00:00:00Z", "h2", false),
               pod("a-old", "2024-01-01T00:00:00Z", "h1", true)};
  pods["b"] = {pod("b-new", "2024-01-02T00:00:00Z", "h2", true)};
  pods["c"] = {pod("c-old", "2024-01-01T00:00:00Z", "h1", true)};
  // d has none.
  daemonset::DaemonSetCounts counts = daemonset::CountDaemonPods(ds, nodes, placement, pods, "h2",
                                                                 std::chrono::system_clock::now());
  CHECK(counts.desired == 3);
  CHECK(counts.current == 2);
  CHECK(counts.misscheduled == 1);
  CHECK(counts.ready == 2);
  CHECK(counts.available == 2);
  CHECK(counts.updated == 1);
  CHECK(counts.unavailable == 1);

  json patch = daemonset::StatusPatch(ds, counts, false);
  CHECK(patch == json{{"status",
                       {{"desiredNumberScheduled", 3},
                        {"currentNumberScheduled", 2},
                        {"numberMisscheduled", 1},
                        {"numberReady", 2},
                        {"updatedNumberScheduled", 1},
                        {"numberAvailable", 2},
                        {"numberUnavailable", 1}}}});
  counts.available = 0;
  CHECK(daemonset::StatusPatch(ds, counts, false)["status"]["numberAvailable"].is_null());
}

}  // namespace
}  // namespace skiff::controllers
