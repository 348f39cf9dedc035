// PodTopologySpread: DoNotSchedule constraints as a filter, ScheduleAnyway constraints and the
// default (same controller) spreading as a score.
#include "scheduler/topology_spread.h"

#include <catch2/catch.hpp>

#include "sched_test_util.h"

using nlohmann::json;
using sched_test::Labeled;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Owned;
using sched_test::Pod;
using sched_test::Ptrs;
using skiff::scheduler::FilterCode;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::ParsePodInfo;
using skiff::scheduler::PodInfo;
using skiff::scheduler::TopologySpreadFilter;
using skiff::scheduler::TopologySpreadScorer;

namespace {

const std::string kSkew = "node(s) didn't match pod topology spread constraints";
const std::string kMissing =
    "node(s) didn't match pod topology spread constraints (missing required label)";

json Web(const std::string& name) { return Labeled(Pod(name), {{"app", "web"}}); }

json Constraint(const std::string& key, int max_skew, bool hard) {
  return {{"maxSkew", max_skew},
          {"topologyKey", key},
          {"whenUnsatisfiable", hard ? "DoNotSchedule" : "ScheduleAnyway"},
          {"labelSelector", {{"matchLabels", {{"app", "web"}}}}}};
}

// (A std::vector: a braced single json argument would be copied, not made an array.)
json WithConstraints(json pod, const std::vector<json>& constraints) {
  pod["spec"]["topologySpreadConstraints"] = constraints;
  return pod;
}

std::vector<json> Webs(const std::string& prefix, int n) {
  std::vector<json> out;
  for (int i = 0; i < n; ++i) out.push_back(Web(prefix + std::to_string(i)));
  return out;
}

std::vector<std::string> Verdicts(const json& pod, const std::vector<NodeInfo>& nodes) {
  PodInfo info = ParsePodInfo(pod);
  auto f = TopologySpreadFilter::Build(info, Ptrs(nodes));
  std::vector<std::string> out;
  for (const NodeInfo& n : nodes) {
    auto s = f.Filter(n);
    out.push_back(s.ok() ? "" : s.reasons.at(0));
  }
  return out;
}

json ZoneNode(const std::string& name, const char* zone) {
  json n = Node(name);
  if (zone) n["metadata"]["labels"]["zone"] = zone;
  return n;
}

}  // namespace

TEST_CASE("spread filter: hostname maxSkew against the global minimum", "[scheduler][spread]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("n1"), Webs("a", 2)),
                                 MakeNodeInfo(Node("n2"), Webs("b", 1)),
                                 MakeNodeInfo(Node("n3"), Webs("c", 1))};
  json pod = WithConstraints(Web("new"), {Constraint("kubernetes.io/hostname", 1, true)});
  CHECK(Verdicts(pod, nodes) == std::vector<std::string>{kSkew, "", ""});
  PodInfo info = ParsePodInfo(pod);
  CHECK(TopologySpreadFilter::Build(info, Ptrs(nodes)).Filter(nodes[0]).code ==
        FilterCode::kUnschedulable);
  // A pod the selector does not match does not add to the skew.
  json other = WithConstraints(Labeled(Pod("x"), {{"app", "db"}}),
                               {Constraint("kubernetes.io/hostname", 1, true)});
  CHECK(Verdicts(other, nodes) == std::vector<std::string>{"", "", ""});
  // Soft constraints do not filter.
  json soft = WithConstraints(Web("new"), {Constraint("kubernetes.io/hostname", 1, false)});
  PodInfo soft_info = ParsePodInfo(soft);
  CHECK(TopologySpreadFilter::Build(soft_info, Ptrs(nodes)).skip());
}

TEST_CASE("spread filter: nodes without the topology key", "[scheduler][spread]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(ZoneNode("n1", "a"), Webs("a", 1)),
                                 MakeNodeInfo(ZoneNode("n2", "b")),
                                 MakeNodeInfo(ZoneNode("n3", nullptr), Webs("c", 5))};
  json pod = WithConstraints(Web("new"), {Constraint("zone", 1, true)});
  // n3's pods are not counted (no zone); zone b has the minimum 0.
  CHECK(Verdicts(pod, nodes) == std::vector<std::string>{kSkew, "", kMissing});
  PodInfo info = ParsePodInfo(pod);
  CHECK(TopologySpreadFilter::Build(info, Ptrs(nodes)).Filter(nodes[2]).code ==
        FilterCode::kUnschedulableAndUnresolvable);
}

TEST_CASE("spread filter: minDomains treats the minimum as 0", "[scheduler][spread]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(ZoneNode("n1", "a"), Webs("a", 1)),
                                 MakeNodeInfo(ZoneNode("n2", "b"), Webs("b", 1))};
  json c = Constraint("zone", 1, true);
  CHECK(Verdicts(WithConstraints(Web("new"), {c}), nodes) == std::vector<std::string>{"", ""});
  c["minDomains"] = 3;
  CHECK(Verdicts(WithConstraints(Web("new"), {c}), nodes) ==
        std::vector<std::string>{kSkew, kSkew});
}

TEST_CASE("spread filter: nodeAffinityPolicy decides which nodes count", "[scheduler][spread]") {
  // n1 (zone a, empty) does not match the pod's nodeSelector; zones b and c hold one pod each.
  std::vector<NodeInfo> nodes = {
      MakeNodeInfo(Labeled(ZoneNode("n1", "a"), {{"pool", "x"}})),
      MakeNodeInfo(Labeled(ZoneNode("n2", "b"), {{"pool", "y"}}), Webs("b", 1)),
      MakeNodeInfo(Labeled(ZoneNode("n3", "c"), {{"pool", "y"}}), Webs("c", 1))};
  json pod = WithConstraints(Web("new"), {Constraint("zone", 1, true)});
  pod["spec"]["nodeSelector"] = {{"pool", "y"}};
  // Honor (default): zone a is not eligible, the minimum is 1.
  CHECK(Verdicts(pod, nodes)[1] == "");
  pod["spec"]["topologySpreadConstraints"][0]["nodeAffinityPolicy"] = "Ignore";
  CHECK(Verdicts(pod, nodes)[1] == kSkew);
}

TEST_CASE("spread filter: terminating pods and other namespaces are not counted",
          "[scheduler][spread]") {
  json gone = Web("gone");
  gone["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  json elsewhere = Web("elsewhere");
  elsewhere["metadata"]["namespace"] = "other";
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("n1"), {gone, elsewhere}),
                                 MakeNodeInfo(Node("n2"))};
  json pod = WithConstraints(Web("new"), {Constraint("kubernetes.io/hostname", 1, true)});
  auto info = ParsePodInfo(pod);
  auto f = TopologySpreadFilter::Build(info, Ptrs(nodes));
  CHECK(f.Filter(nodes[0]).ok());
}

TEST_CASE("spread score: ScheduleAnyway constraint", "[scheduler][spread]") {
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("n1"), Webs("a", 2)), MakeNodeInfo(Node("n2")),
                                 MakeNodeInfo(Node("n3"), Webs("c", 1))};
  json pod = WithConstraints(Web("new"), {Constraint("kubernetes.io/hostname", 1, false)});
  PodInfo info = ParsePodInfo(pod);
  auto all = Ptrs(nodes);
  auto s = TopologySpreadScorer::Build(info, all, all);
  CHECK_FALSE(s.skip());
  // raw = round(count * ln(3 + 2)): 3, 0, 2; normalized 100 * (max + min - raw) / max.
  CHECK(s.Scores(all) == std::vector<int64_t>{0, 100, 33});

  // A node missing the key of an explicit constraint scores 0.
  nodes.push_back(MakeNodeInfo(ZoneNode("n4", "a")));
  json zone = WithConstraints(Web("new"), {Constraint("zone", 1, false)});
  PodInfo zinfo = ParsePodInfo(zone);
  auto zall = Ptrs(nodes);
  auto zs = TopologySpreadScorer::Build(zinfo, zall, zall);
  CHECK(zs.Scores(zall) == std::vector<int64_t>{0, 0, 0, 100});
}

TEST_CASE("spread score: default spreading by controller", "[scheduler][spread]") {
  json rs1_a = Owned(Pod("a"), "rs1");
  json rs1_b = Owned(Pod("b"), "rs1");
  json rs2_c = Owned(Pod("c"), "rs2");
  std::vector<NodeInfo> nodes = {MakeNodeInfo(Node("n1"), {rs1_a, rs1_b}),
                                 MakeNodeInfo(Node("n2"), {rs2_c}), MakeNodeInfo(Node("n3"))};
  auto all = Ptrs(nodes);
  PodInfo replica = ParsePodInfo(Owned(Pod("new"), "rs1"));
  auto s = TopologySpreadScorer::Build(replica, all, all);
  CHECK_FALSE(s.skip());
  // hostname maxSkew 3: raw = round(count * ln(5) + 2) = 5, 2, 2 -> 100 * (7 - raw) / 5.
  CHECK(s.Scores(all) == std::vector<int64_t>{40, 100, 100});
  // A pod without a controller (and no Services) is not spread.
  PodInfo loose = ParsePodInfo(Pod("loose"));
  CHECK(TopologySpreadScorer::Build(loose, all, all).skip());
  // The Services' selector alone also spreads.
  auto sel = skiff::apis::LabelSelectorFromJson({{"matchLabels", {{"app", "web"}}}});
  REQUIRE(sel.ok());
  std::vector<NodeInfo> webs = {MakeNodeInfo(Node("n1"), Webs("a", 1)), MakeNodeInfo(Node("n2"))};
  auto wall = Ptrs(webs);
  PodInfo web = ParsePodInfo(Web("new"));
  auto ws = TopologySpreadScorer::Build(web, wall, wall, &sel.value());
  // raw = round(1 * ln(4) + 2) = 3 and 2.
  CHECK(ws.Scores(wall) == std::vector<int64_t>{66, 100});
}

TEST_CASE("spread score: default zone spreading uses the zone label", "[scheduler][spread]") {
  std::vector<NodeInfo> nodes = {
      MakeNodeInfo(Labeled(Node("n1"), {{"topology.kubernetes.io/zone", "a"}}),
                   {Owned(Pod("a"), "rs1")}),
      MakeNodeInfo(Labeled(Node("n2"), {{"topology.kubernetes.io/zone", "a"}})),
      MakeNodeInfo(Labeled(Node("n3"), {{"topology.kubernetes.io/zone", "b"}}))};
  auto all = Ptrs(nodes);
  PodInfo replica = ParsePodInfo(Owned(Pod("new"), "rs1"));
  auto s = TopologySpreadScorer::Build(replica, all, all);
  // hostname: 1*ln(5)+2, 2, 2; zone (weight ln(4), maxSkew 5): 1*ln(4)+4 for zone a, 4 for b.
  // raw: round(3.609 + 5.386) = 9, round(2 + 5.386) = 7, round(2 + 4) = 6.
  CHECK(s.Scores(all) == std::vector<int64_t>{66, 88, 100});
}
