// The node lifecycle controller: node health from Leases and status heartbeats, the Unknown
// conditions, NoSchedule and NoExecute taints, pods marked not ready, events, zone pacing and
// the all-nodes-down disruption mode. Single passes run on an injected clock.
#include "controllers/node_lifecycle_controller.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "controllers/node_taints.h"
#include "unit/controllers/node_fixture.h"

namespace skiff::controllers {
namespace {

using testing::At;
using testing::Eventually;
using testing::FakeClock;
using testing::NodeCluster;
using testing::Ok;
using testing::PodOn;
using namespace std::chrono_literals;

constexpr const char* kMonitor = NodeLifecycleController::kMonitorKey;
const std::string kUnreachableNoExecute = "node.kubernetes.io/unreachable:NoExecute";
const std::string kUnreachableNoSchedule = "node.kubernetes.io/unreachable:NoSchedule";
const std::string kNotReadyNoExecute = "node.kubernetes.io/not-ready:NoExecute";
const std::string kNotReadyNoSchedule = "node.kubernetes.io/not-ready:NoSchedule";

using Strings = std::vector<std::string>;

NodeLifecycleControllerOptions Options(FakeClock& clock) {
  NodeLifecycleControllerOptions o;
  o.clock = clock.Fn();
  return o;
}

void RequireOk(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

json Condition(NodeCluster& c, const std::string& node, const std::string& type) {
  const json n = c.Node(node);
  const json* cond = FindCondition(n, type);
  return cond ? *cond : json(nullptr);
}

json PodCondition(NodeCluster& c, const std::string& pod, const std::string& type) {
  const json p = Ok(c.client->Get(client::Pods(), "default", pod));
  const json* cond = FindCondition(p, type);
  return cond ? *cond : json(nullptr);
}

void Healthy(NodeCluster& c, const std::string& node, testing::Time at) {
  c.PostStatus(node, "True", at);
  c.RenewLease(node, at);
}

std::string Registered(const std::string& node) {
  return "Normal RegisteredNode: Node " + node + " event: Registered Node " + node +
         " in Controller";
}
std::string NotReadyEvent(const std::string& node) {
  return "Normal NodeNotReady: Node " + node + " status is now: NodeNotReady";
}

TEST_CASE("a node whose lease stops renewing becomes Unknown and unreachable, then recovers") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  c.CreateNode("edge-1");
  c.CreateNode("edge-2");
  Healthy(c, "edge-1", t0);
  Healthy(c, "edge-2", t0);
  c.CreatePod("default", PodOn("web", "edge-1"));
  c.MarkReady("default", "web", true, At(t0));
  NodeLifecycleController nlc(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1", "edge-2"});

  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.EventsFor("default", "edge-1") == Strings{Registered("edge-1")});
  CHECK(c.EventSource("default", "RegisteredNode") == "node-controller");

  // 50 s of silence is the grace period: not yet.
  clock.Advance(50s);
  c.RenewLease("edge-2", clock.Now());
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(Condition(c, "edge-1", "Ready")["status"] == "True");
  CHECK(c.Taints("edge-1").empty());

  clock.Advance(1s);
  const auto t51 = clock.Now();
  c.RenewLease("edge-2", t51);
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    INFO(type);
    const json cond = Condition(c, "edge-1", type);
    CHECK(cond["status"] == "Unknown");
    CHECK(cond["reason"] == "NodeStatusUnknown");
    CHECK(cond["message"] == "Kubelet stopped posting node status.");
    CHECK(cond["lastTransitionTime"] == At(t51));
    CHECK(cond["lastHeartbeatTime"] == At(t0));
  }
  CHECK(c.Taints("edge-1") == Strings{kUnreachableNoExecute, kUnreachableNoSchedule});
  CHECK(c.TaintAdded("edge-1", kTaintUnreachable, kNoExecute) == At(t51));
  CHECK(c.TaintAdded("edge-1", kTaintUnreachable, kNoSchedule) == At(t51));
  CHECK(c.EventsFor("default", "edge-1") == Strings{NotReadyEvent("edge-1"), Registered("edge-1")});
  // Its pods are not ready any more; ContainersReady is the kubelet's.
  CHECK(PodCondition(c, "web", "Ready")["status"] == "False");
  CHECK(PodCondition(c, "web", "Ready")["lastTransitionTime"] == At(t51));
  CHECK(PodCondition(c, "web", "ContainersReady")["status"] == "True");
  CHECK(c.EventsFor("default", "web") == Strings{"Warning NodeNotReady: Node is not ready"});
  // The other node is untouched.
  CHECK(Condition(c, "edge-2", "Ready")["status"] == "True");
  CHECK(c.Taints("edge-2").empty());

  // Another pass changes nothing and records nothing more.
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.EventsFor("default", "edge-1") == Strings{NotReadyEvent("edge-1"), Registered("edge-1")});
  CHECK(c.EventsFor("default", "web") == Strings{"Warning NodeNotReady: Node is not ready"});

  // The lease resumes: the node is heard from again, but only its status can say Ready.
  clock.Advance(9s);
  c.RenewLease("edge-1", clock.Now());
  c.RenewLease("edge-2", clock.Now());
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync("edge-1"));
  CHECK(Condition(c, "edge-1", "Ready")["status"] == "Unknown");
  CHECK(c.Taints("edge-1") == Strings{kUnreachableNoExecute, kUnreachableNoSchedule});

  clock.Advance(1s);
  c.PostStatus("edge-1", "True", clock.Now());
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync("edge-1"));
  CHECK(Condition(c, "edge-1", "Ready")["status"] == "True");
  CHECK(c.Taints("edge-1").empty());

  // Heard from at t0+61 by its status: 50 s later it is still fine.
  clock.Advance(50s);
  c.RenewLease("edge-2", clock.Now());
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(Condition(c, "edge-1", "Ready")["status"] == "True");
}

TEST_CASE("a node reporting Ready False is tainted not-ready, then unreachable when silent") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  c.CreateNode("edge-1");
  c.CreateNode("edge-2");
  c.PostStatus("edge-1", "False", t0);
  c.RenewLease("edge-1", t0);
  Healthy(c, "edge-2", t0);
  c.CreatePod("default", PodOn("web", "edge-1"));
  c.MarkReady("default", "web", true, At(t0));
  NodeLifecycleController nlc(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1", "edge-2"});

  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.Taints("edge-1") == Strings{kNotReadyNoExecute, kNotReadyNoSchedule});
  CHECK(c.TaintAdded("edge-1", kTaintNotReady, kNoExecute) == At(t0));
  // The kubelet reported it: the controller marks no pods and records no NodeNotReady.
  CHECK(PodCondition(c, "web", "Ready")["status"] == "True");
  CHECK(c.EventsFor("default", "edge-1") == Strings{Registered("edge-1")});

  clock.Advance(51s);
  c.RenewLease("edge-2", clock.Now());
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(Condition(c, "edge-1", "Ready")["status"] == "Unknown");
  // The two NoExecute taints swap at once (no pacing), the NoSchedule ones follow.
  CHECK(c.Taints("edge-1") == Strings{kUnreachableNoExecute, kUnreachableNoSchedule});
  CHECK(c.TaintAdded("edge-1", kTaintUnreachable, kNoExecute) == At(clock.Now()));
  CHECK(c.EventsFor("default", "edge-1") == Strings{Registered("edge-1")});
}

TEST_CASE("unschedulable and pressure conditions become NoSchedule taints, other taints stay") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  c.CreateNode("edge-1");
  json node = c.Node("edge-1");
  node["spec"]["unschedulable"] = true;
  node["spec"]["taints"] = {
      {{"key", "example.com/dedicated"}, {"value", "gpu"}, {"effect", "NoSchedule"}}};
  Ok(c.api().Update(client::Nodes(), "", node));
  c.PostStatus("edge-1", "True", t0, "MemoryPressure");
  c.RenewLease("edge-1", t0);
  NodeLifecycleController nlc(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1"});

  RequireOk(nlc.Sync("edge-1"));
  CHECK(c.Taints("edge-1") == Strings{"example.com/dedicated:NoSchedule",
                                      "node.kubernetes.io/memory-pressure:NoSchedule",
                                      "node.kubernetes.io/unschedulable:NoSchedule"});
  CHECK(c.TaintAdded("edge-1", kTaintUnschedulable, kNoSchedule) == At(t0));
  CHECK(c.TaintAdded("edge-1", "example.com/dedicated", kNoSchedule) == "");

  clock.Advance(10s);
  c.PostStatus("edge-1", "True", clock.Now(), "DiskPressure");
  c.Settle({"edge-1"});
  RequireOk(nlc.Sync("edge-1"));
  CHECK(c.Taints("edge-1") == Strings{"example.com/dedicated:NoSchedule",
                                      "node.kubernetes.io/unschedulable:NoSchedule",
                                      "node.kubernetes.io/disk-pressure:NoSchedule"});

  node = c.Node("edge-1");
  node["spec"]["unschedulable"] = false;
  Ok(c.api().Update(client::Nodes(), "", node));
  c.PostStatus("edge-1", "True", clock.Now());
  c.Settle({"edge-1"});
  RequireOk(nlc.Sync("edge-1"));
  CHECK(c.Taints("edge-1") == Strings{"example.com/dedicated:NoSchedule"});
}

TEST_CASE("a node that never posted its status is Unknown after the startup grace period") {
  NodeCluster c;
  FakeClock clock;
  const json created = c.CreateNode("silent");
  c.CreateNode("leased");
  testing::Time born;
  REQUIRE(api::ParseRfc3339(created["metadata"]["creationTimestamp"], &born));
  clock.Set(born);
  NodeLifecycleController nlc(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"silent", "leased"});
  RequireOk(nlc.Sync(kMonitor));

  // A Lease alone keeps a node from being marked, even without a status.
  clock.Advance(30s);
  c.RenewLease("leased", clock.Now());
  c.Settle({"silent", "leased"});
  RequireOk(nlc.Sync(kMonitor));

  clock.Advance(30s);  // 60 s after creation: the startup grace period
  RequireOk(nlc.Sync(kMonitor));
  CHECK(Condition(c, "silent", "Ready").is_null());

  clock.Advance(1s);
  RequireOk(nlc.Sync(kMonitor));
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    INFO(type);
    const json cond = Condition(c, "silent", type);
    CHECK(cond["status"] == "Unknown");
    CHECK(cond["reason"] == "NodeStatusNeverUpdated");
    CHECK(cond["message"] == "Kubelet never posted node status.");
    CHECK(cond["lastHeartbeatTime"] == created["metadata"]["creationTimestamp"]);
    CHECK(cond["lastTransitionTime"] == At(clock.Now()));
  }
  CHECK(Condition(c, "leased", "Ready").is_null());
  CHECK(c.EventsFor("default", "silent") == Strings{Registered("silent")});
  // Neither node is Ready: no NoExecute taint (disruption mode), the NoSchedule one only.
  CHECK(c.Taints("silent") == Strings{kUnreachableNoSchedule});
  CHECK(c.Taints("leased").empty());
}

TEST_CASE("with every node down the controller adds no NoExecute taint (disruption mode)") {
  NodeCluster c;
  FakeClock clock;
  c.CreateNode("edge-1");
  Healthy(c, "edge-1", clock.Now());
  c.CreatePod("default", PodOn("web", "edge-1"));
  c.MarkReady("default", "web", true, At(clock.Now()));
  NodeLifecycleController nlc(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1"});
  RequireOk(nlc.Sync(kMonitor));

  clock.Advance(51s);
  RequireOk(nlc.Sync(kMonitor));
  CHECK(Condition(c, "edge-1", "Ready")["status"] == "Unknown");
  CHECK(c.Taints("edge-1") == Strings{kUnreachableNoSchedule});
  CHECK(c.EventsFor("default", "edge-1") == Strings{NotReadyEvent("edge-1"), Registered("edge-1")});
  CHECK(PodCondition(c, "web", "Ready")["status"] == "False");

  // A pod bound to the node afterwards is marked not ready too.
  c.CreatePod("default", PodOn("late", "edge-1"));
  c.MarkReady("default", "late", true, At(clock.Now()));
  c.Settle({"edge-1"});
  RequireOk(nlc.Sync("default/late"));
  CHECK(PodCondition(c, "late", "Ready")["status"] == "False");
  CHECK(c.EventsFor("default", "late") == Strings{"Warning NodeNotReady: Node is not ready"});

  // A healthy node ends the disruption mode; tainting resumes at the zone's pace (the bucket
  // starts empty: 10 s at 0.1 nodes per second).
  c.CreateNode("edge-2");
  Healthy(c, "edge-2", clock.Now());
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.Taints("edge-1") == Strings{kUnreachableNoSchedule});
  clock.Advance(10s);
  c.RenewLease("edge-2", clock.Now());
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.Taints("edge-1") == Strings{kUnreachableNoSchedule, kUnreachableNoExecute});
  CHECK(c.TaintAdded("edge-1", kTaintUnreachable, kNoExecute) == At(clock.Now()));

  // Entering the mode again removes the NoExecute taints.
  clock.Advance(51s);
  c.Settle({"edge-1", "edge-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.Taints("edge-1") == Strings{kUnreachableNoSchedule});
  CHECK(c.Taints("edge-2") == Strings{kUnreachableNoSchedule});

  // A deleted node is forgotten.
  RequireOk(c.client->Delete(client::Nodes(), "", "edge-2", {}));
  REQUIRE(Eventually([&] { return !c.informers.For(client::Nodes()).Get("edge-2"); }));
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.EventsFor("default", "edge-2") ==
        Strings{NotReadyEvent("edge-2"), Registered("edge-2"),
                "Normal RemovingNode: Node edge-2 event: Removing Node edge-2 from Controller"});
}

TEST_CASE("NoExecute tainting is paced per zone and stops in a partially disrupted zone") {
  NodeCluster c;
  FakeClock clock;
  const json east = {{"topology.kubernetes.io/region", "eu"},
                     {"topology.kubernetes.io/zone", "east"}};
  for (const char* n : {"a", "b", "c", "d"}) c.CreateNode(n);
  for (const char* n : {"east-1", "east-2"}) c.CreateNode(n, east);
  const Strings all = {"a", "b", "c", "d", "east-1", "east-2"};
  for (const auto& n : all) Healthy(c, n, clock.Now());
  NodeLifecycleController nlc(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle(all);
  RequireOk(nlc.Sync(kMonitor));

  auto renew = [&](const Strings& nodes) {
    for (const auto& n : nodes) c.RenewLease(n, clock.Now());
    c.Settle(all);
  };
  // a, b and east-1 go silent.
  clock.Advance(51s);
  renew({"c", "d", "east-2"});
  RequireOk(nlc.Sync(kMonitor));
  // One node per zone at once (burst 1), the next after 1 / 0.1 s.
  CHECK(c.Taints("a") == Strings{kUnreachableNoExecute, kUnreachableNoSchedule});
  CHECK(c.Taints("b") == Strings{kUnreachableNoSchedule});
  CHECK(c.Taints("east-1") == Strings{kUnreachableNoExecute, kUnreachableNoSchedule});
  clock.Advance(9s);
  renew({"c", "d", "east-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.Taints("b") == Strings{kUnreachableNoSchedule});
  clock.Advance(1s);
  renew({"c", "d", "east-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.Taints("b") == Strings{kUnreachableNoSchedule, kUnreachableNoExecute});
  CHECK(c.TaintAdded("b", kTaintUnreachable, kNoExecute) == At(clock.Now()));

  // c goes silent too: 3 of 4 nodes in the zone (>= 55%) is a partial disruption, and a zone
  // of at most 50 nodes then taints no more.
  clock.Advance(51s);
  renew({"d", "east-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(Condition(c, "c", "Ready")["status"] == "Unknown");
  CHECK(c.Taints("c") == Strings{kUnreachableNoSchedule});
  clock.Advance(30s);
  renew({"d", "east-2"});
  RequireOk(nlc.Sync(kMonitor));
  CHECK(c.Taints("c") == Strings{kUnreachableNoSchedule});
}

TEST_CASE("the running controller marks a silent node and clears it when it is back") {
  NodeCluster c;
  NodeLifecycleControllerOptions o;
  o.monitor_period = 100ms;
  o.grace_period = 1s;
  NodeLifecycleController nlc(*c.client, c.informers, o);
  c.CreateNode("edge-1");
  c.CreateNode("edge-2");
  const auto start = std::chrono::system_clock::now();
  Healthy(c, "edge-1", start);
  Healthy(c, "edge-2", start);
  c.StartInformers();
  nlc.Start();

  // The test plays both agents: edge-2 keeps renewing, edge-1 only while `alive`.
  std::atomic<bool> alive{false}, done{false};
  std::thread agents([&] {
    while (!done) {
      for (const char* n : {"edge-1", "edge-2"}) {
        if (std::string(n) == "edge-1" && !alive) continue;
        auto lease = c.client->Get(client::Leases(), kNodeLeaseNamespace, n);
        if (!lease.ok()) continue;
        (*lease)["spec"]["renewTime"] = testing::MicroAt(std::chrono::system_clock::now());
        (void)c.api().Update(client::Leases(), kNodeLeaseNamespace, *lease);
      }
      std::this_thread::sleep_for(100ms);
    }
  });

  const bool down = Eventually([&] {
    return Condition(c, "edge-1", "Ready")["status"] == "Unknown" &&
           c.Taints("edge-1") == Strings{kUnreachableNoExecute, kUnreachableNoSchedule};
  });
  CHECK(down);
  CHECK(Condition(c, "edge-2", "Ready")["status"] == "True");
  CHECK(c.EventsFor("default", "edge-1") == Strings{NotReadyEvent("edge-1"), Registered("edge-1")});

  alive = true;
  c.PostStatus("edge-1", "True", std::chrono::system_clock::now());
  const bool back = Eventually([&] {
    return Condition(c, "edge-1", "Ready")["status"] == "True" && c.Taints("edge-1").empty();
  });
  CHECK(back);
  done = true;
  agents.join();
  nlc.Stop();
  CHECK(nlc.syncs() > 0);
}

}  // namespace
}  // namespace skiff::controllers
