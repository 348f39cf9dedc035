// Decide: node choice, tie-breaking, spreading, and kube-scheduler's FitError messages including
// the preemption diagnosis.
#include "scheduler/decide.h"

#include <catch2/catch.hpp>
#include <map>

#include "sched_test_util.h"

using nlohmann::json;
using sched_test::Labeled;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Owned;
using sched_test::Pod;
using sched_test::Ptrs;
using skiff::scheduler::Decide;
using skiff::scheduler::DecideOptions;
using skiff::scheduler::Decision;
using skiff::scheduler::FitStrategy;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::ScoreConfig;

namespace {

std::string Message(const Decision& d) {
  REQUIRE(d.status.ok());
  REQUIRE(d.fit_error);
  CHECK(d.node.empty());
  CHECK_FALSE(d.scheduled());
  return d.fit_error->Error();
}

json Prioritized(json pod, int priority) {
  pod["spec"]["priority"] = priority;
  return pod;
}

}  // namespace

TEST_CASE("decide: the issue's example over 3 nodes", "[scheduler][decide]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Labeled(Node("n1", "1"), {{"disk", "ssd"}})),
                                 MakeNodeInfo(Node("n2")), MakeNodeInfo(Node("n3"))};
  json pod = Pod("p", "2");
  pod["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  Decision d = Decide(pod, Ptrs(nodes), ScoreConfig());
  CHECK(Message(d) ==
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node "
        "affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found "
        "for incoming pod, 2 Preemption is not helpful for scheduling.");
  REQUIRE(d.fit_error->statuses.size() == 3);
  CHECK(d.fit_error->statuses[0].node == "n1");
  CHECK(d.fit_error->statuses[0].status.reasons == std::vector<std::string>{"Insufficient cpu"});
  CHECK(d.fit_error->statuses[1].status.plugin == "NodeAffinity");
  CHECK(d.evaluated_nodes == 3);
  CHECK(d.feasible_nodes == 0);

  // With a lower-priority pod on n1 that would not free enough cpu, preemption reports the
  // filter's reason after the dry run.
  nodes[0].AddPod(Prioritized(Pod("low", "200m"), -1));
  nodes[0].AddPod(Prioritized(Pod("high", "500m"), 10));
  Decision d2 = Decide(pod, Ptrs(nodes), ScoreConfig());
  CHECK(Message(d2) ==
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node "
        "affinity/selector. preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 Preemption "
        "is not helpful for scheduling.");
  CHECK_FALSE(d2.preemption);

  // Without the preemption diagnosis the message ends after the filters' histogram.
  DecideOptions no_preemption;
  no_preemption.preemption = false;
  CHECK(Message(Decide(pod, Ptrs(nodes), ScoreConfig(), no_preemption)) ==
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node "
        "affinity/selector.");
}

TEST_CASE("decide: every node unresolvable", "[scheduler][decide]") {
  json tainted = Node("n1");
  tainted["spec"]["taints"] =
      json::array({{{"key", "node-role.kubernetes.io/control-plane"}, {"effect", "NoSchedule"}}});
  json cordoned = Node("n2");
  cordoned["spec"]["unschedulable"] = true;
  std::vector<NodeInfo> nodes = {MakeNodeInfo(tainted), MakeNodeInfo(cordoned)};
  CHECK(Message(Decide(Pod("p"), Ptrs(nodes), ScoreConfig())) ==
        "0/2 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 1 node(s) were unschedulable. preemption: 0/2 "
        "nodes are available: 2 Preemption is not helpful for scheduling.");
}

TEST_CASE("decide: reasons histogram sorts as strings and counts every reason",
          "[scheduler][decide]") {
  std::vector<NodeInfo> nodes;
  for (int i = 0; i < 10; ++i)
    nodes.push_back(MakeNodeInfo(Node("m" + std::to_string(i), "4", "1Gi")));
  for (int i = 0; i < 2; ++i)
    nodes.push_back(MakeNodeInfo(Node("c" + std::to_string(i), "1", "8Gi")));
  nodes.push_back(MakeNodeInfo(Node("both", "1", "1Gi")));
  CHECK(Message(Decide(Pod("p", "2", "2Gi"), Ptrs(nodes), ScoreConfig())) ==
        "0/13 nodes are available: 11 Insufficient memory, 3 Insufficient cpu. preemption: 0/13 "
        "nodes are available: 13 No preemption victims found for incoming pod.");
}

TEST_CASE("decide: preemption candidates and preemptionPolicy Never", "[scheduler][decide]") {
  std::vector<NodeInfo> nodes = {
      MakeNodeInfo(Node("n1", "1"), {Prioritized(Pod("victim", "800m"), 0)})};
  json pod = Prioritized(Pod("p", "500m"), 1000);
  Decision d = Decide(pod, Ptrs(nodes), ScoreConfig());
  // DefaultPreemption would nominate n1, so kube's message has no preemption part.
  CHECK(Message(d) == "0/1 nodes are available: 1 Insufficient cpu.");
  REQUIRE(d.preemption);
  CHECK(d.preemption->node == "n1");
  REQUIRE(d.preemption->victims.size() == 1);
  CHECK(d.preemption->victims[0]->uid == "uid-victim");

  pod["spec"]["preemptionPolicy"] = "Never";
  Decision never = Decide(pod, Ptrs(nodes), ScoreConfig());
  CHECK(Message(never) ==
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to "
        "preemptionPolicy=Never.");
  CHECK_FALSE(never.preemption);

  // Equal priority is not lower: no victims.
  CHECK(Message(Decide(Prioritized(Pod("q", "500m"), 0), Ptrs(nodes), ScoreConfig())) ==
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No "
        "preemption victims found for incoming pod.");
}

TEST_CASE("decide: PreFilter rejections and pinned node names", "[scheduler][decide]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("n1", "1")), MakeNodeInfo(Node("n2")),
                                 MakeNodeInfo(Node("n3"))};
  auto pinned = [](const json& fields) {
    json pod = Pod("p", "2");
    pod["spec"]["affinity"] = {
        {"nodeAffinity",
         {{"requiredDuringSchedulingIgnoredDuringExecution",
           {{"nodeSelectorTerms", json::array({{{"matchFields", fields}}})}}}}}};
    return pod;
  };
  json conflict = pinned({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n1"}}},
                          {{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n2"}}}});
  CHECK(Message(Decide(conflict, Ptrs(nodes), ScoreConfig())) ==
        "0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are "
        "available: 3 Preemption is not helpful for scheduling.");

  json to_n1 = pinned({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n1"}}}});
  Decision d = Decide(to_n1, Ptrs(nodes), ScoreConfig());
  CHECK(Message(d) ==
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) "
        "[NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for "
        "incoming pod, 2 Preemption is not helpful for scheduling.");
  CHECK(d.evaluated_nodes == 1);

  json to_n2 = pinned({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n2"}}}});
  Decision ok = Decide(to_n2, Ptrs(nodes), ScoreConfig());
  CHECK(ok.scheduled());
  CHECK(ok.node == "n2");
}

TEST_CASE("decide: no nodes", "[scheduler][decide]") {
  Decision d = Decide(Pod("p"), {}, ScoreConfig());
  CHECK(d.status.code() == skiff::Code::kUnavailable);
  CHECK(d.status.message() == "no nodes available to schedule pods");
  NodeInfo nameless;  // pods arrived before the Node: not a node yet
  Decision d2 = Decide(Pod("p"), {&nameless}, ScoreConfig());
  CHECK(d2.status.message() == "no nodes available to schedule pods");
}

TEST_CASE("decide: MostAllocated packs, LeastAllocated spreads", "[scheduler][decide]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("idle", "4", "8Gi")),
                                 MakeNodeInfo(Node("busy", "4", "8Gi"), {Pod("a", "2", "4Gi")})};
  json pod = Pod("p", "1", "1Gi");
  Decision most = Decide(pod, Ptrs(nodes), ScoreConfig());
  CHECK(most.node == "busy");
  CHECK(most.feasible_nodes == 2);
  ScoreConfig least;
  least.fit_strategy = FitStrategy::kLeastAllocated;
  CHECK(Decide(pod, Ptrs(nodes), least).node == "idle");

  // Pods without a controller keep packing onto one node under MostAllocated.
  std::vector<NodeInfo> empty = {MakeNodeInfo(Node("a")), MakeNodeInfo(Node("b")),
                                 MakeNodeInfo(Node("c"))};
  for (int i = 0; i < 6; ++i) {
    json p = Pod("loose" + std::to_string(i), "100m", "128Mi");
    DecideOptions opt;
    opt.seed = static_cast<uint64_t>(i);
    Decision d = Decide(p, Ptrs(empty), ScoreConfig(), opt);
    REQUIRE(d.scheduled());
    for (auto& n : empty) {
      if (n.name() == d.node) n.AddPod(p);
    }
  }
  std::vector<size_t> counts;
  for (const auto& n : empty) counts.push_back(n.pods().size());
  std::sort(counts.begin(), counts.end());
  CHECK(counts == std::vector<size_t>{0, 0, 6});
}

TEST_CASE("decide: replicas of one controller spread over the nodes", "[scheduler][decide]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("a")), MakeNodeInfo(Node("b")),
                                 MakeNodeInfo(Node("c"))};
  std::map<std::string, int> placed;
  for (int i = 0; i < 6; ++i) {
    json p = Owned(Pod("web-" + std::to_string(i), "100m", "128Mi"), "rs-web");
    DecideOptions opt;
    opt.seed = static_cast<uint64_t>(i);
    Decision d = Decide(p, Ptrs(nodes), ScoreConfig(), opt);
    REQUIRE(d.scheduled());
    ++placed[d.node];
    for (auto& n : nodes) {
      if (n.name() == d.node) n.AddPod(p);
    }
    if (i == 2) CHECK(placed == std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}});
  }
  CHECK(placed == std::map<std::string, int>{{"a", 2}, {"b", 2}, {"c", 2}});
}

TEST_CASE("decide: ties rotate with the seed, one feasible node is taken as is",
          "[scheduler][decide]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("a")), MakeNodeInfo(Node("b")),
                                 MakeNodeInfo(Node("c"))};
  std::vector<std::string> picks;
  for (uint64_t seed = 0; seed < 4; ++seed) {
    DecideOptions opt;
    opt.seed = seed;
    picks.push_back(Decide(Pod("p"), Ptrs(nodes), ScoreConfig(), opt).node);
  }
  CHECK(picks == std::vector<std::string>{"a", "b", "c", "a"});

  json only_c = Pod("p");
  only_c["spec"]["nodeName"] = "c";
  Decision d = Decide(only_c, Ptrs(nodes), ScoreConfig());
  CHECK(d.node == "c");
  CHECK(d.feasible_nodes == 1);
  CHECK(d.evaluated_nodes == 3);
}

TEST_CASE("decide: preferences steer among feasible nodes", "[scheduler][decide]") {
  json soft = Node("soft");
  soft["spec"]["taints"] = json::array({{{"key", "spot"}, {"effect", "PreferNoSchedule"}}});
  std::vector<NodeInfo> nodes = {MakeNodeInfo(soft),
                                 MakeNodeInfo(Labeled(Node("ssd"), {{"disk", "ssd"}})),
                                 MakeNodeInfo(Node("plain"))};
  json pod = Pod("p");
  pod["spec"]["affinity"] = {
      {"nodeAffinity",
       {{"preferredDuringSchedulingIgnoredDuringExecution",
         json::array({{{"weight", 1},
                       {"preference",
                        {{"matchExpressions", json::array({{{"key", "disk"},
                                                            {"operator", "In"},
                                                            {"values", {"ssd"}}}})}}}}})}}}};
  for (uint64_t seed = 0; seed < 3; ++seed) {
    DecideOptions opt;
    opt.seed = seed;
    CHECK(Decide(pod, Ptrs(nodes), ScoreConfig(), opt).node == "ssd");
  }
  // Without the preference, the PreferNoSchedule node loses every tie.
  for (uint64_t seed = 0; seed < 3; ++seed) {
    DecideOptions opt;
    opt.seed = seed;
    CHECK(Decide(Pod("q"), Ptrs(nodes), ScoreConfig(), opt).node != "soft");
  }
}
