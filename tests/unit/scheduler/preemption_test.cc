// DefaultPreemption through Decide: the fewest victims, the choice among candidate nodes,
// PodDisruptionBudgets, nominated pods holding their space, and when a pod may not preempt.
#include "scheduler/preemption.h"

#include <catch2/catch.hpp>

#include "scheduler/decide.h"
#include "sched_test_util.h"

using nlohmann::json;
using sched_test::Labeled;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Pod;
using sched_test::Ptrs;
using skiff::scheduler::Decide;
using skiff::scheduler::DecideOptions;
using skiff::scheduler::Decision;
using skiff::scheduler::DisruptionBudget;
using skiff::scheduler::MakePodInfo;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::NominatedPods;
using skiff::scheduler::ParseDisruptionBudget;
using skiff::scheduler::ParsePodInfo;
using skiff::scheduler::ScoreConfig;

namespace {

json P(const std::string& name, const std::string& cpu, int priority,
       const std::string& started = "") {
  json pod = Pod(name, cpu);
  pod["spec"]["priority"] = priority;
  if (!started.empty()) pod["status"]["startTime"] = started;
  return pod;
}

std::vector<std::string> VictimNames(const Decision& d) {
  std::vector<std::string> out;
  if (d.preemption) {
    for (const auto& v : d.preemption->victims) out.push_back(v->name);
  }
  return out;
}

}  // namespace

TEST_CASE("preemption: the fewest victims, reprieving the most important first",
          "[scheduler][preemption]") {
  // 4 cpu, all used: evicting low3 alone frees the 2 cpu the pod needs; low2 and low1 (more
  // important) are reprieved first and keep their place.
  std::vector<NodeInfo> nodes = {MakeNodeInfo(
      Node("n1", "4"), {P("low1", "1", 1), P("low2", "1", 2), P("low3", "2", 0)})};
  Decision d = Decide(P("p", "2", 100), Ptrs(nodes), ScoreConfig());
  REQUIRE(d.fit_error);
  CHECK(d.fit_error->Error() == "0/1 nodes are available: 1 Insufficient cpu.");
  REQUIRE(d.preemption);
  CHECK(d.preemption->node == "n1");
  CHECK(VictimNames(d) == std::vector<std::string>{"low3"});
  CHECK(d.preemption->pdb_violations == 0);

  // Needing 3 cpu: low2 (priority 2) is reprieved, low1 and low3 go, most important first.
  Decision d3 = Decide(P("p", "3", 100), Ptrs(nodes), ScoreConfig());
  CHECK(VictimNames(d3) == std::vector<std::string>{"low1", "low3"});

  // Pods of equal or higher priority are never victims.
  Decision none = Decide(P("p", "2", 1), Ptrs(nodes), ScoreConfig());
  REQUIRE(none.preemption);
  CHECK(VictimNames(none) == std::vector<std::string>{"low3"});
  Decision not_enough = Decide(P("p", "3", 1), Ptrs(nodes), ScoreConfig());
  CHECK_FALSE(not_enough.preemption);
  CHECK(not_enough.fit_error->Error() ==
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 "
        "Insufficient cpu.");
}

TEST_CASE("preemption: choosing among candidate nodes", "[scheduler][preemption]") {
  SECTION("the lowest highest-priority victim") {
    std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("a", "1"), {P("a1", "1", 50)}),
                                   MakeNodeInfo(Node("b", "1"), {P("b1", "1", 10)})};
    Decision d = Decide(P("p", "1", 100), Ptrs(nodes), ScoreConfig());
    REQUIRE(d.preemption);
    CHECK(d.preemption->node == "b");
  }
  SECTION("the lowest sum of priorities, then the fewest victims") {
    std::vector<NodeInfo> nodes = {
        MakeNodeInfo(Node("a", "2"), {P("a1", "1", 10), P("a2", "1", 10)}),
        MakeNodeInfo(Node("b", "2"), {P("b1", "1", 10), P("b2", "1", 5)}),
        MakeNodeInfo(Node("c", "2"), {P("c1", "2", 10)})};
    // 2 cpu needed: a and b lose two pods each (b's sum is lower), c loses one pod of 10.
    // Highest victim: 10 everywhere. Sums: a 20, b 15, c 10 -> c.
    Decision d = Decide(P("p", "2", 100), Ptrs(nodes), ScoreConfig());
    REQUIRE(d.preemption);
    CHECK(d.preemption->node == "c");
    CHECK(VictimNames(d) == std::vector<std::string>{"c1"});
  }
  SECTION("the latest start among the highest-priority victims") {
    std::vector<NodeInfo> nodes = {
        MakeNodeInfo(Node("a", "1"), {P("a1", "1", 10, "2026-01-01T00:00:00Z")}),
        MakeNodeInfo(Node("b", "1"), {P("b1", "1", 10, "2026-06-01T00:00:00Z")}),
        MakeNodeInfo(Node("c", "1"), {P("c1", "1", 10, "2026-03-01T00:00:00Z")})};
    Decision d = Decide(P("p", "1", 100), Ptrs(nodes), ScoreConfig());
    REQUIRE(d.preemption);
    CHECK(d.preemption->node == "b");
  }
  SECTION("nodes no eviction helps are left out; unresolvable ones are never tried") {
    json tainted = Node("t", "8");
    tainted["spec"]["taints"] = json::array({{{"key", "k"}, {"effect", "NoSchedule"}}});
    std::vector<NodeInfo> nodes = {MakeNodeInfo(tainted, {P("t1", "8", 0)}),
                                   MakeNodeInfo(Node("small", "1"), {P("s1", "1", 0)}),
                                   MakeNodeInfo(Node("ok", "2"), {P("o1", "2", 0)})};
    Decision d = Decide(P("p", "2", 100), Ptrs(nodes), ScoreConfig());
    REQUIRE(d.preemption);
    CHECK(d.preemption->node == "ok");
  }
}

TEST_CASE("preemption: PodDisruptionBudgets", "[scheduler][preemption]") {
  json budget = {{"metadata", {{"name", "guard"}, {"namespace", "default"}}},
                 {"spec", {{"selector", {{"matchLabels", {{"app", "db"}}}}}}},
                 {"status", {{"disruptionsAllowed", 0}}}};
  std::vector<DisruptionBudget> budgets = {ParseDisruptionBudget(budget)};
  DecideOptions options;
  options.budgets = &budgets;

  // On one node: the protected pod is reprieved first, so the unprotected one is the victim
  // even though it is more important.
  std::vector<NodeInfo> one = {MakeNodeInfo(
      Node("n1", "2"), {Labeled(P("db", "1", 1), {{"app", "db"}}), P("web", "1", 5)})};
  Decision d = Decide(P("p", "1", 100), Ptrs(one), ScoreConfig(), options);
  CHECK(VictimNames(d) == std::vector<std::string>{"web"});
  CHECK(d.preemption->pdb_violations == 0);

  // Across nodes: the node whose victims no budget protects wins, whatever their priority.
  std::vector<NodeInfo> two = {
      MakeNodeInfo(Node("a", "1"), {Labeled(P("db", "1", 1), {{"app", "db"}})}),
      MakeNodeInfo(Node("b", "1"), {P("web", "1", 50)})};
  Decision d2 = Decide(P("p", "1", 100), Ptrs(two), ScoreConfig(), options);
  REQUIRE(d2.preemption);
  CHECK(d2.preemption->node == "b");
  // When only the protected pod can make room it is still evicted, counted as a violation.
  two.pop_back();
  Decision d3 = Decide(P("p", "1", 100), Ptrs(two), ScoreConfig(), options);
  REQUIRE(d3.preemption);
  CHECK(VictimNames(d3) == std::vector<std::string>{"db"});
  CHECK(d3.preemption->pdb_violations == 1);
  // A pod already in disruptedPods is not counted against the budget.
  budget["status"]["disruptedPods"] = {{"db", "2026-11-29T00:00:00Z"}};
  budgets = {ParseDisruptionBudget(budget)};
  CHECK(Decide(P("p", "1", 100), Ptrs(two), ScoreConfig(), options).preemption->pdb_violations ==
        0);
  // A budget with an empty selector protects nothing.
  budget["spec"]["selector"] = json::object();
  CHECK(ParseDisruptionBudget(budget).selector.MatchesNothing());
}

TEST_CASE("preemption: nominated pods hold their node's space", "[scheduler][preemption]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("a", "2")), MakeNodeInfo(Node("b", "2"))};
  json waiting = P("waiting", "2", 50);
  waiting["status"]["nominatedNodeName"] = "a";
  NominatedPods nominated = {{"a", {MakePodInfo(waiting)}}};
  DecideOptions options;
  options.nominated = &nominated;

  // Lower or equal priority: a is taken by the nominated pod, so the pod goes to b.
  for (int priority : {10, 50}) {
    Decision d = Decide(P("p", "1", priority), Ptrs(nodes), ScoreConfig(), options);
    REQUIRE(d.scheduled());
    CHECK(d.node == "b");
  }
  // Higher priority ignores the nomination; binpacking ties break by node order (seed 0).
  Decision high = Decide(P("p", "1", 60), Ptrs(nodes), ScoreConfig(), options);
  CHECK(high.feasible_nodes == 2);
  // The nominated pod itself is not blocked by its own nomination, and takes its node first
  // even where scoring would pick another.
  nodes[1].AddPod(P("other", "1", 0));  // binpacking now prefers b
  Decision own = Decide(waiting, Ptrs(nodes), ScoreConfig(), options);
  REQUIRE(own.scheduled());
  CHECK(own.node == "a");
  CHECK(own.evaluated_nodes == 1);
}

TEST_CASE("preemption: eligibility and stale nominations", "[scheduler][preemption]") {
  // A victim already terminating for this pod: no second round of evictions.
  json victim = P("victim", "2", 0);
  victim["metadata"]["deletionTimestamp"] = "2026-11-29T00:00:00Z";
  victim["status"]["conditions"] = json::array({{{"type", "DisruptionTarget"},
                                                 {"status", "True"},
                                                 {"reason", "PreemptionByScheduler"}}});
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("a", "2"), {victim, P("more", "0", 0)}),
                                 MakeNodeInfo(Node("b", "2"), {P("b1", "2", 0)})};
  json pod = P("p", "2", 100);
  pod["status"]["nominatedNodeName"] = "a";
  Decision d = Decide(pod, Ptrs(nodes), ScoreConfig());
  CHECK_FALSE(d.preemption);
  CHECK(d.fit_error->Error() ==
        "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to a "
        "terminating pod on the nominated node.");

  // Without the nomination the pod may preempt (b: its victim is not terminating... both nodes
  // are candidates; a's terminating pod is still a lower-priority pod there).
  pod["status"].erase("nominatedNodeName");
  CHECK(Decide(pod, Ptrs(nodes), ScoreConfig()).preemption);

  // Nominated, but no node can be helped any more: the nomination is to be cleared.
  json cordoned = Node("a", "2");
  cordoned["spec"]["unschedulable"] = true;
  std::vector<NodeInfo> gone = {MakeNodeInfo(cordoned)};
  pod["status"]["nominatedNodeName"] = "a";
  Decision stale = Decide(pod, Ptrs(gone), ScoreConfig());
  CHECK(stale.clear_nomination);
  CHECK_FALSE(stale.preemption);
  CHECK(stale.fit_error->Error() ==
        "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are "
        "available: 1 Preemption is not helpful for scheduling.");
}

TEST_CASE("preemption: MoreImportantPod", "[scheduler][preemption]") {
  using skiff::scheduler::internal::MoreImportantPod;
  auto early = ParsePodInfo(P("e", "1", 5, "2026-01-01T00:00:00Z"));
  auto late = ParsePodInfo(P("l", "1", 5, "2026-02-01T00:00:00Z"));
  auto unstarted = ParsePodInfo(P("u", "1", 5));
  auto high = ParsePodInfo(P("h", "1", 6));
  CHECK(MoreImportantPod(high, early));
  CHECK(MoreImportantPod(early, late));
  CHECK(MoreImportantPod(late, unstarted));
  CHECK_FALSE(MoreImportantPod(late, early));
}
