// DaemonSet updates: RollingUpdate within maxUnavailable, with maxSurge, OnDelete, and the
// ControllerRevisions behind them.
#include "controllers/daemonset_update.h"

#include <catch2/catch.hpp>

#include "unit/controllers/daemonset_fixture.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

using testing::AgentDaemonSet;
using testing::DaemonSetCluster;
using testing::Ok;
using testing::TestOptions;

constexpr char kHashLabel[] = "controller-revision-hash";

// node -> the hashes of its daemon pods (sorted).
std::map<std::string, std::vector<std::string>> HashesByNode(DaemonSetCluster& c) {
  std::map<std::string, std::vector<std::string>> out;
  for (const json& pod : c.DaemonPods()) {
    out[daemonset::TargetNodeName(pod).value_or("?")].push_back(
        pod["metadata"]["labels"].value(kHashLabel, ""));
  }
  for (auto& [node, hashes] : out) std::sort(hashes.begin(), hashes.end());
  return out;
}

// Marks every daemon pod ready (since a while, so minReadySeconds does not matter).
void AllReady(DaemonSetCluster& c) {
  for (const json& pod : c.DaemonPods()) {
    c.MarkReady("default", pod["metadata"]["name"], true, "2020-01-01T00:00:00Z");
  }
}

std::string CurrentHash(DaemonSetCluster& c) {
  auto revisions = c.Revisions();
  REQUIRE_FALSE(revisions.empty());
  return revisions.back()["metadata"]["labels"][kHashLabel];
}

void CreateEdgeNodes(DaemonSetCluster& c, int n) {
  for (int i = 0; i < n; ++i) c.CreateNode("edge-" + std::to_string(i), {{"role", "edge"}});
}

TEST_CASE("a rolling update replaces pods node by node, never more than maxUnavailable down") {
  DaemonSetCluster c;
  CreateEdgeNodes(c, 3);
  c.CreateDaemonSet(AgentDaemonSet());  // maxUnavailable defaults to 1
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  REQUIRE(c.DaemonPods().size() == 3);
  const std::string old_hash = CurrentHash(c);
  AllReady(c);
  c.SyncNow(ctl);
  CHECK(c.GetDaemonSet()["status"]["numberAvailable"] == 3);

  c.SetImage("busybox:1.37");
  c.SyncNow(ctl);
  const std::string new_hash = CurrentHash(c);
  REQUIRE(new_hash != old_hash);
  CHECK(c.Revisions().size() == 2);
  CHECK(c.Revisions()[1]["revision"] == 2);

  // Each round: one old pod deleted, its replacement created, made ready; then the next.
  int rounds = 0;
  for (; rounds < 10; ++rounds) {
    auto hashes = HashesByNode(c);
    int old_pods = 0, new_pods = 0, nodes_without = 0;
    for (int i = 0; i < 3; ++i) {
      auto it = hashes.find("edge-" + std::to_string(i));
      if (it == hashes.end()) {
        ++nodes_without;
        continue;
      }
      REQUIRE(it->second.size() == 1);
      (it->second[0] == new_hash ? new_pods : old_pods)++;
    }
    INFO("round " << rounds);
    CHECK(nodes_without <= 1);
    if (new_pods == 3) break;
    // The core loop fills the gap, the rolling update opens the next one once all are ready.
    c.SyncNow(ctl);
    AllReady(c);
    c.SyncNow(ctl);
  }
  CHECK(rounds <= 6);
  CHECK(HashesByNode(c) == std::map<std::string, std::vector<std::string>>{{"edge-0", {new_hash}},
                                                                           {"edge-1", {new_hash}},
                                                                           {"edge-2", {new_hash}}});
  c.SyncNow(ctl);
  json status = c.GetDaemonSet()["status"];
  CHECK(status["updatedNumberScheduled"] == 3);
  CHECK(status["numberAvailable"] == 3);
  CHECK_FALSE(status.contains("numberUnavailable"));
  CHECK(c.EventMessages("SuccessfulDelete").size() == 3);
  CHECK(c.EventMessages("SuccessfulCreate").size() == 6);
}

TEST_CASE("one pass deletes exactly as many available old pods as maxUnavailable allows") {
  DaemonSetCluster c;
  CreateEdgeNodes(c, 3);
  json ds = AgentDaemonSet();
  std::string max_unavailable;
  int expected = 0;
  SECTION("an integer") {
    ds["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                    {"rollingUpdate", {{"maxUnavailable", 2}}}};
    expected = 2;
  }
  SECTION("a percentage, rounded up") {
    ds["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                    {"rollingUpdate", {{"maxUnavailable", "34%"}}}};
    expected = 2;  // 34% of 3 = 1.02 -> 2
  }
  SECTION("the default") { expected = 1; }
  c.CreateDaemonSet(ds);
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  AllReady(c);
  c.SetImage("busybox:1.37");
  c.SyncNow(ctl);
  CHECK(c.DaemonPods().size() == static_cast<size_t>(3 - expected));
  // Nothing more until the replacements are available.
  c.SyncNow(ctl);
  c.SyncNow(ctl);
  CHECK(c.DaemonPods().size() == 3);
  CHECK(c.EventMessages("SuccessfulDelete").size() == static_cast<size_t>(expected));
  json status = c.GetDaemonSet()["status"];
  CHECK(status["updatedNumberScheduled"] == expected);
  CHECK(status["numberUnavailable"] == expected);
}

TEST_CASE("with maxSurge the new pod starts beside the old one, which goes once it is available") {
  DaemonSetCluster c;
  CreateEdgeNodes(c, 2);
  json ds = AgentDaemonSet();
  ds["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                  {"rollingUpdate", {{"maxUnavailable", 0}, {"maxSurge", 1}}}};
  c.CreateDaemonSet(ds);
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  AllReady(c);
  const std::string old_hash = CurrentHash(c);
  c.SetImage("busybox:1.37");
  c.SyncNow(ctl);
  const std::string new_hash = CurrentHash(c);

  using Hashes = std::map<std::string, std::vector<std::string>>;
  auto both = [&](const std::string& a, const std::string& b) {
    std::vector<std::string> v{a, b};
    std::sort(v.begin(), v.end());
    return v;
  };
  // One node surges (maxSurge 1); nothing is deleted while the new pod is not ready.
  CHECK(HashesByNode(c) == Hashes{{"edge-0", both(old_hash, new_hash)}, {"edge-1", {old_hash}}});
  c.SyncNow(ctl);
  CHECK(HashesByNode(c) == Hashes{{"edge-0", both(old_hash, new_hash)}, {"edge-1", {old_hash}}});

  AllReady(c);
  c.SyncNow(ctl);  // the old pod on edge-0 goes, edge-1 surges
  c.SyncNow(ctl);
  CHECK(HashesByNode(c) == Hashes{{"edge-0", {new_hash}}, {"edge-1", both(old_hash, new_hash)}});
  AllReady(c);
  c.SyncNow(ctl);
  c.SyncNow(ctl);
  CHECK(HashesByNode(c) == Hashes{{"edge-0", {new_hash}}, {"edge-1", {new_hash}}});
}

TEST_CASE("OnDelete keeps old pods until someone deletes them") {
  DaemonSetCluster c;
  CreateEdgeNodes(c, 2);
  json ds = AgentDaemonSet();
  ds["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  c.CreateDaemonSet(ds);
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  AllReady(c);
  const std::string old_hash = CurrentHash(c);
  c.SetImage("busybox:1.37");
  c.SyncNow(ctl);
  c.SyncNow(ctl);
  const std::string new_hash = CurrentHash(c);
  using Hashes = std::map<std::string, std::vector<std::string>>;
  CHECK(HashesByNode(c) == Hashes{{"edge-0", {old_hash}}, {"edge-1", {old_hash}}});
  CHECK(c.GetDaemonSet()["status"].value("updatedNumberScheduled", 0) == 0);

  c.DeletePod("default", c.PodsByNode()["edge-1"][0]);
  c.SyncNow(ctl);
  CHECK(HashesByNode(c) == Hashes{{"edge-0", {old_hash}}, {"edge-1", {new_hash}}});
  c.SyncNow(ctl);
  CHECK(c.GetDaemonSet()["status"]["updatedNumberScheduled"] == 1);
}

TEST_CASE(
    "revisions: a rollback reuses its revision, and old ones beyond the limit go unless in use") {
  DaemonSetCluster c;
  CreateEdgeNodes(c, 1);
  json ds = AgentDaemonSet();
  ds["spec"]["updateStrategy"] = {{"type", "OnDelete"}};  // pods keep revision 1
  ds["spec"]["revisionHistoryLimit"] = 1;
  c.CreateDaemonSet(ds);
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  const std::string v1 = CurrentHash(c);

  c.SetImage("busybox:1.37");
  c.SyncNow(ctl);
  const std::string v2 = CurrentHash(c);
  c.SetImage("busybox:1.36");  // back to the first template
  c.SyncNow(ctl);
  std::vector<json> revisions = c.Revisions();
  REQUIRE(revisions.size() == 2);
  CHECK(revisions[0]["metadata"]["name"] == "agent-" + v2);
  CHECK(revisions[0]["revision"] == 2);
  CHECK(revisions[1]["metadata"]["name"] == "agent-" + v1);
  CHECK(revisions[1]["revision"] == 3);

  c.SetImage("busybox:1.38");
  c.SyncNow(ctl);
  const std::string v3 = CurrentHash(c);
  // Old: v2 (unused) and v1 (the pod's); the limit keeps one, the pod keeps v1.
  revisions = c.Revisions();
  REQUIRE(revisions.size() == 2);
  CHECK(revisions[0]["metadata"]["name"] == "agent-" + v1);
  CHECK(revisions[1]["metadata"]["name"] == "agent-" + v3);
  CHECK(revisions[1]["revision"] == 4);
}

TEST_CASE("maxUnavailable and maxSurge scale against the nodes, percentages rounded up") {
  json ds = AgentDaemonSet();
  ds["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                  {"rollingUpdate", {{"maxUnavailable", "10%"}, {"maxSurge", 0}}}};
  CHECK(*daemonset::UnavailableCount(ds, 25) == 3);
  CHECK(*daemonset::SurgeCount(ds, 25) == 0);
  CHECK_FALSE(daemonset::AllowsSurge(ds));
  ds["spec"]["updateStrategy"]["rollingUpdate"]["maxSurge"] = "1%";
  CHECK(daemonset::AllowsSurge(ds));
  ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] = "ten";
  auto bad = daemonset::UnavailableCount(ds, 25);
  CHECK(bad.status().message() == "invalid type: string is not a percentage");
  ds["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  CHECK(*daemonset::UnavailableCount(ds, 25) == 0);
  CHECK_FALSE(daemonset::AllowsSurge(ds));
  const json down = "50%";
  CHECK(*daemonset::ScaledIntOrPercent(&down, 3, false) == 1);
  CHECK(*daemonset::ScaledIntOrPercent(&down, 3, true) == 2);
}

}  // namespace
}  // namespace skiff::controllers
