// The NoExecute taint manager: pods that do not tolerate a taint are deleted at once, those
// tolerating it for tolerationSeconds when that has passed since the taint was added, those
// tolerating it without a limit never; a taint removed in time cancels the eviction.
#include <catch2/catch.hpp>
#include <thread>

#include "controllers/node_taints.h"
#include "controllers/taint_eviction_controller.h"
#include "unit/controllers/node_fixture.h"

namespace skiff::controllers {
namespace {

using testing::At;
using testing::Eventually;
using testing::FakeClock;
using testing::NodeCluster;
using testing::Ok;
using testing::PodOn;
using testing::Toleration;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

void RequireOk(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

TaintEvictionControllerOptions Options(FakeClock& clock) {
  TaintEvictionControllerOptions o;
  o.clock = clock.Fn();
  return o;
}

json NoExecute(const std::string& key, const std::string& value, std::optional<testing::Time> at) {
  json t = {{"key", key}, {"effect", "NoExecute"}};
  if (!value.empty()) t["value"] = value;
  if (at) t["timeAdded"] = At(*at);
  return t;
}

void SetTaints(NodeCluster& c, const std::string& node, const std::vector<json>& taints) {
  json n = c.Node(node);
  n["spec"]["taints"] = taints;
  Ok(c.api().Update(client::Nodes(), "", n));
}

json GetPod(NodeCluster& c, const std::string& name) {
  return Ok(c.client->Get(client::Pods(), "default", name));
}
bool Deleting(NodeCluster& c, const std::string& name) {
  auto pod = c.client->Get(client::Pods(), "default", name);
  return !pod.ok() || (*pod)["metadata"].contains("deletionTimestamp");
}

std::string Marking(const std::string& pod) {
  return "Normal TaintManagerEviction: Marking for deletion Pod default/" + pod;
}

TEST_CASE("a pod that does not tolerate a NoExecute taint is deleted at once") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  c.CreateNode("edge-1");
  c.CreateNode("edge-2");
  SetTaints(c, "edge-1", {NoExecute("dedicated", "gpu", t0)});
  c.CreatePod("default", PodOn("intolerant", "edge-1"));
  c.CreatePod("default", PodOn("wrong-value", "edge-1",
                               {{{"key", "dedicated"},
                                 {"operator", "Equal"},
                                 {"value", "cpu"},
                                 {"effect", "NoExecute"}}}));
  c.CreatePod("default", PodOn("tolerant", "edge-1",
                               {{{"key", "dedicated"},
                                 {"operator", "Equal"},
                                 {"value", "gpu"},
                                 {"effect", "NoExecute"}}}));
  c.CreatePod("default", PodOn("elsewhere", "edge-2"));
  TaintEvictionController tec(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1", "edge-2"});

  RequireOk(tec.Sync("edge-1"));
  RequireOk(tec.Sync("edge-2"));
  for (const char* name : {"intolerant", "wrong-value"}) {
    INFO(name);
    const json pod = GetPod(c, name);
    CHECK(pod["metadata"].contains("deletionTimestamp"));
    const json* cond = FindCondition(pod, "DisruptionTarget");
    REQUIRE(cond);
    CHECK((*cond)["status"] == "True");
    CHECK((*cond)["reason"] == "DeletionByTaintManager");
    CHECK((*cond)["message"] == "Taint manager: deleting due to NoExecute taint");
    CHECK((*cond)["lastTransitionTime"] == At(t0));
    CHECK(c.EventsFor("default", name) == Strings{Marking(name)});
  }
  CHECK(c.EventSource("default", "TaintManagerEviction") == "taint-eviction-controller");
  for (const char* name : {"tolerant", "elsewhere"}) {
    INFO(name);
    const json pod = GetPod(c, name);
    CHECK_FALSE(pod["metadata"].contains("deletionTimestamp"));
    CHECK_FALSE(FindCondition(pod, "DisruptionTarget"));
    CHECK_FALSE(tec.ScheduledEviction(std::string("default/") + name));
  }

  // Pods on their way out are left alone: no second deletion, no second event.
  c.Settle({"edge-1"});
  RequireOk(tec.Sync("edge-1"));
  RequireOk(tec.Sync("default/intolerant"));
  CHECK(c.EventsFor("default", "intolerant") == Strings{Marking("intolerant")});
}

TEST_CASE("tolerationSeconds: deleted when the smallest has passed since the taint was added") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  c.CreateNode("edge-1");
  c.CreateNode("edge-2");
  SetTaints(c, "edge-1", {NoExecute(kTaintUnreachable, "", t0)});
  SetTaints(c, "edge-2",
            {NoExecute(kTaintUnreachable, "", t0), NoExecute("maintenance", "", t0 + 20s)});
  // Admission gives "defaulted" the not-ready and unreachable tolerations for 300 s.
  c.CreatePod("default", PodOn("defaulted", "edge-1"));
  c.CreatePod("default", PodOn("short", "edge-1", {Toleration(kTaintUnreachable, kNoExecute, 60)}));
  c.CreatePod("default", PodOn("forever", "edge-1", {Toleration(kTaintUnreachable, kNoExecute)}));
  c.CreatePod("default", PodOn("two", "edge-2",
                               {Toleration(kTaintUnreachable, kNoExecute, 100),
                                Toleration("maintenance", kNoExecute, 30)}));
  TaintEvictionController tec(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1", "edge-2"});

  clock.Advance(25s);
  RequireOk(tec.Sync("edge-1"));
  RequireOk(tec.Sync("edge-2"));
  CHECK(tec.ScheduledEviction("default/defaulted") == t0 + 300s);
  CHECK(tec.ScheduledEviction("default/short") == t0 + 60s);
  CHECK(tec.ScheduledEviction("default/two") == t0 + 50s);  // min(t0 + 100, t0 + 20 + 30)
  CHECK_FALSE(tec.ScheduledEviction("default/forever"));
  for (const char* name : {"defaulted", "short", "forever", "two"}) {
    CHECK_FALSE(Deleting(c, name));
  }

  clock.Set(t0 + 49s);
  RequireOk(tec.Sync("default/two"));
  CHECK_FALSE(Deleting(c, "two"));
  clock.Set(t0 + 50s);
  RequireOk(tec.Sync("default/two"));
  CHECK(Deleting(c, "two"));
  CHECK(c.EventsFor("default", "two") == Strings{Marking("two")});
  CHECK_FALSE(tec.ScheduledEviction("default/two"));

  clock.Set(t0 + 60s);
  RequireOk(tec.Sync("edge-1"));
  CHECK(Deleting(c, "short"));
  CHECK_FALSE(Deleting(c, "defaulted"));
  clock.Set(t0 + 299s);
  RequireOk(tec.Sync("default/defaulted"));
  CHECK_FALSE(Deleting(c, "defaulted"));
  clock.Set(t0 + 300s);
  RequireOk(tec.Sync("default/defaulted"));
  CHECK(Deleting(c, "defaulted"));

  clock.Set(t0 + 3600s);
  RequireOk(tec.Sync("edge-1"));
  CHECK_FALSE(Deleting(c, "forever"));
  CHECK(c.EventsFor("default", "forever").empty());
}

TEST_CASE("a taint removed before the deadline cancels the eviction") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  c.CreateNode("edge-1");
  SetTaints(c, "edge-1", {NoExecute(kTaintUnreachable, "", t0)});
  c.CreatePod("default",
              PodOn("patient", "edge-1", {Toleration(kTaintUnreachable, kNoExecute, 60)}));
  TaintEvictionController tec(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1"});

  RequireOk(tec.Sync("edge-1"));
  CHECK(tec.ScheduledEviction("default/patient") == t0 + 60s);

  clock.Advance(30s);
  SetTaints(c, "edge-1", {});
  c.Settle({"edge-1"});
  RequireOk(tec.Sync("edge-1"));
  CHECK_FALSE(tec.ScheduledEviction("default/patient"));
  CHECK(c.EventsFor("default", "patient") ==
        Strings{"Normal TaintManagerEviction: Cancelling deletion of Pod default/patient"});

  // The wake-up the first decision asked for finds nothing to do.
  clock.Advance(31s);
  RequireOk(tec.Sync("default/patient"));
  CHECK_FALSE(Deleting(c, "patient"));

  // A new taint starts a new count.
  SetTaints(c, "edge-1", {NoExecute(kTaintUnreachable, "", clock.Now())});
  c.Settle({"edge-1"});
  RequireOk(tec.Sync("edge-1"));
  CHECK(tec.ScheduledEviction("default/patient") == t0 + 61s + 60s);
}

TEST_CASE("a taint without timeAdded counts from when the controller first saw it") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  c.CreateNode("edge-1");
  SetTaints(c, "edge-1", {NoExecute("maintenance", "", std::nullopt)});
  c.CreatePod("default", PodOn("web", "edge-1", {Toleration("maintenance", kNoExecute, 30)}));
  TaintEvictionController tec(*c.client, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1"});

  RequireOk(tec.Sync("edge-1"));
  CHECK(tec.ScheduledEviction("default/web") == t0 + 30s);
  clock.Advance(10s);
  RequireOk(tec.Sync("edge-1"));
  CHECK(tec.ScheduledEviction("default/web") == t0 + 30s);
  // A timeAdded later than first seen (a skewed clock) does not postpone it.
  SetTaints(c, "edge-1", {NoExecute("maintenance", "", t0 + 3600s)});
  c.Settle({"edge-1"});
  RequireOk(tec.Sync("edge-1"));
  CHECK(tec.ScheduledEviction("default/web") == t0 + 30s);
}

TEST_CASE("the running controller evicts at once, after the toleration, or not at all") {
  NodeCluster c;
  TaintEvictionController tec(*c.client, c.informers);
  c.CreateNode("edge-1");
  c.CreatePod("default", PodOn("intolerant", "edge-1"));
  c.CreatePod("default", PodOn("brief", "edge-1", {Toleration("maintenance", kNoExecute, 1)}));
  c.CreatePod("default", PodOn("spared", "edge-1", {Toleration("maintenance", kNoExecute, 4)}));
  c.StartInformers();
  tec.Start();

  SetTaints(c, "edge-1", {NoExecute("maintenance", "", std::chrono::system_clock::now())});
  CHECK(Eventually([&] { return Deleting(c, "intolerant"); }));
  CHECK(Eventually([&] { return tec.ScheduledEviction("default/spared").has_value(); }));
  CHECK(Eventually([&] { return Deleting(c, "brief"); }));
  CHECK_FALSE(Deleting(c, "spared"));
  SetTaints(c, "edge-1", {});
  CHECK(Eventually([&] { return !tec.ScheduledEviction("default/spared").has_value(); }));
  std::this_thread::sleep_for(4500ms);  // past the cancelled deadline
  CHECK_FALSE(Deleting(c, "spared"));
  CHECK(c.EventsFor("default", "spared") ==
        Strings{"Normal TaintManagerEviction: Cancelling deletion of Pod default/spared"});
  CHECK(c.EventsFor("default", "brief") == Strings{Marking("brief")});
  tec.Stop();
}

}  // namespace
}  // namespace skiff::controllers
