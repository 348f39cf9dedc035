// Score plugins: resource fit strategies, balanced allocation, taint toleration, normalization,
// and the weighted combination.
#include "scheduler/scores.h"

#include <catch2/catch.hpp>

#include "sched_test_util.h"
#include "scheduler/filter_status.h"

using nlohmann::json;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Pod;
using sched_test::Ptrs;
using skiff::scheduler::FitStrategy;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::ParsePodInfo;
using skiff::scheduler::PodInfo;

TEST_CASE("fit score: MostAllocated prefers the fuller node, LeastAllocated the emptier",
          "[scheduler][scores]") {
  NodeInfo busy = MakeNodeInfo(Node("busy", "4", "8Gi"), {Pod("a", "2", "4Gi")});
  NodeInfo idle = MakeNodeInfo(Node("idle", "4", "8Gi"));
  PodInfo pod = ParsePodInfo(Pod("p", "1", "1Gi"));
  // cpu 3000/4000 -> 75, memory 5Gi/8Gi -> 62; mean 68.
  CHECK(ScoreNodeResourcesFit(pod, busy, FitStrategy::kMostAllocated) == 68);
  // cpu 25, memory 12 -> 18.
  CHECK(ScoreNodeResourcesFit(pod, idle, FitStrategy::kMostAllocated) == 18);
  // Free share: cpu 25, memory 37 -> 31; cpu 75, memory 87 -> 81.
  CHECK(ScoreNodeResourcesFit(pod, busy, FitStrategy::kLeastAllocated) == 31);
  CHECK(ScoreNodeResourcesFit(pod, idle, FitStrategy::kLeastAllocated) == 81);
}

TEST_CASE("fit score: non-zero requests and over-commit", "[scheduler][scores]") {
  NodeInfo node = MakeNodeInfo(Node("n", "1", "1000Mi"), {Pod("a")});  // counts 100m / 200Mi
  PodInfo empty = ParsePodInfo(Pod("p"));
  // cpu 200/1000 -> 20, memory 400/1000 -> 40.
  CHECK(ScoreNodeResourcesFit(empty, node, FitStrategy::kMostAllocated) == 30);
  CHECK(ScoreNodeResourcesFit(empty, node, FitStrategy::kLeastAllocated) == 70);
  PodInfo huge = ParsePodInfo(Pod("h", "3", "3000Mi"));
  CHECK(ScoreNodeResourcesFit(huge, node, FitStrategy::kMostAllocated) == 100);
  CHECK(ScoreNodeResourcesFit(huge, node, FitStrategy::kLeastAllocated) == 0);
  NodeInfo no_memory = MakeNodeInfo(Node("m", "1", "0"));
  CHECK(ScoreNodeResourcesFit(ParsePodInfo(Pod("q", "500m")), no_memory,
                              FitStrategy::kMostAllocated) == 50);
}

TEST_CASE("balanced allocation: 1 - std deviation of the fractions", "[scheduler][scores]") {
  NodeInfo node = MakeNodeInfo(Node("n", "4", "8Gi"), {Pod("a", "2", "4Gi")});
  // cpu 3/4 = .75, memory 5/8 = .625: std .0625 -> 93.
  CHECK(ScoreBalancedAllocation(ParsePodInfo(Pod("p", "1", "1Gi")), node) == 93);
  NodeInfo even = MakeNodeInfo(Node("e", "4", "4Gi"));
  CHECK(ScoreBalancedAllocation(ParsePodInfo(Pod("p", "1", "1Gi")), even) == 100);
  // Fractions above 1 are capped: cpu 1, memory .25 -> std .375 -> 62.
  CHECK(ScoreBalancedAllocation(ParsePodInfo(Pod("p", "8", "1Gi")), even) == 62);
  CHECK(skiff::scheduler::BalancedAllocationSkips(ParsePodInfo(Pod("best-effort"))));
  CHECK_FALSE(skiff::scheduler::BalancedAllocationSkips(ParsePodInfo(Pod("p", "1m"))));
}

TEST_CASE("taint toleration score: fewer untolerated PreferNoSchedule taints win",
          "[scheduler][scores]") {
  auto tainted = [](const std::string& name, int n) {
    json node = Node(name);
    node["spec"]["taints"] = json::array();
    for (int i = 0; i < n; ++i) {
      node["spec"]["taints"].push_back(
          {{"key", "t" + std::to_string(i)}, {"effect", "PreferNoSchedule"}});
    }
    node["spec"]["taints"].push_back({{"key", "hard"}, {"effect", "NoSchedule"}});
    return MakeNodeInfo(node);
  };
  std::vector<NodeInfo> nodes = {tainted("n0", 0), tainted("n1", 1), tainted("n2", 2)};
  json pod = Pod("p");
  PodInfo info = ParsePodInfo(pod);
  std::vector<int64_t> raw;
  for (const auto& n : nodes) raw.push_back(TaintTolerationRawScore(info, n));
  CHECK(raw == std::vector<int64_t>{0, 1, 2});
  skiff::scheduler::NormalizeDefault(raw, true);
  CHECK(raw == std::vector<int64_t>{100, 50, 0});
  // A toleration for another effect does not count; one without effect does.
  pod["spec"]["tolerations"] =
      json::array({{{"key", "t0"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}});
  CHECK(TaintTolerationRawScore(ParsePodInfo(pod), nodes[2]) == 2);
  pod["spec"]["tolerations"] = json::array({{{"key", "t0"}, {"operator", "Exists"}}});
  CHECK(TaintTolerationRawScore(ParsePodInfo(pod), nodes[2]) == 1);
  std::vector<int64_t> zeros = {0, 0};
  skiff::scheduler::NormalizeDefault(zeros, true);
  CHECK(zeros == std::vector<int64_t>{100, 100});
  skiff::scheduler::NormalizeDefault(zeros = {0, 0}, false);
  CHECK(zeros == std::vector<int64_t>{0, 0});
}

TEST_CASE("score nodes: plugin weights and skips", "[scheduler][scores]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("busy", "4", "8Gi"), {Pod("a", "2", "4Gi")}),
                                 MakeNodeInfo(Node("idle", "4", "8Gi"))};
  auto ptrs = Ptrs(nodes);
  PodInfo pod = ParsePodInfo(Pod("p", "1", "1Gi"));
  skiff::scheduler::ScoreConfig config;
  auto plugins = ScoreNodes(pod, ptrs, ptrs, config);
  REQUIRE(plugins.size() == 6);
  std::vector<std::string> names;
  for (const auto& p : plugins) names.push_back(std::string(p.plugin) + (p.skipped ? "-" : "+"));
  CHECK(names == std::vector<std::string>{"TaintToleration+", "NodeAffinity-", "NodeResourcesFit+",
                                          "PodTopologySpread-", "InterPodAffinity-",
                                          "NodeResourcesBalancedAllocation+"});
  CHECK(plugins[0].weight == 3);
  // TaintToleration 100*3; fit 68 / 18; balanced 93 / 93.
  CHECK(TotalScores(plugins, 2) == std::vector<int64_t>{300 + 68 + 93, 300 + 18 + 93});
  config.fit_strategy = FitStrategy::kLeastAllocated;
  config.weight_node_resources_fit = 2;
  CHECK(TotalScores(ScoreNodes(pod, ptrs, ptrs, config), 2) ==
        std::vector<int64_t>{300 + 62 + 93, 300 + 162 + 93});
}
