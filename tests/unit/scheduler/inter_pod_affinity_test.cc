// InterPodAffinity: required affinity/anti-affinity of the incoming pod, existing pods'
// anti-affinity, namespaces, the self-match rule, and the preferred-term score.
#include "scheduler/inter_pod_affinity.h"

#include <catch2/catch.hpp>

#include "sched_test_util.h"

using nlohmann::json;
using sched_test::Labeled;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Pod;
using sched_test::Ptrs;
using skiff::scheduler::FilterCode;
using skiff::scheduler::InterPodAffinityFilter;
using skiff::scheduler::InterPodAffinityScorer;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::ParsePodInfo;
using skiff::scheduler::PodInfo;

namespace {

const char* kHost = "kubernetes.io/hostname";
const char* kZone = "zone";

json Term(const json& match_labels, const std::string& topology_key) {
  return {{"labelSelector", {{"matchLabels", match_labels}}}, {"topologyKey", topology_key}};
}

json WithAffinity(json pod, const std::string& kind, const std::string& when, const json& terms) {
  pod["spec"]["affinity"][kind][when] = terms;
  return pod;
}

json Required(json pod, const std::string& kind, const json& term) {
  return WithAffinity(std::move(pod), kind, "requiredDuringSchedulingIgnoredDuringExecution",
                      json::array({term}));
}

json App(const std::string& name, const std::string& app) {
  return Labeled(Pod(name), {{"app", app}});
}

// n1, n2 in zone a; n3 in zone b; n4 without a zone label.
std::vector<NodeInfo> Cluster(const std::vector<std::vector<json>>& pods) {
  std::vector<NodeInfo> nodes;
  const char* zones[] = {"a", "a", "b", nullptr};
  for (int i = 0; i < 4; ++i) {
    json node = Node("n" + std::to_string(i + 1));
    if (zones[i]) node["metadata"]["labels"][kZone] = zones[i];
    nodes.push_back(
        MakeNodeInfo(node, i < static_cast<int>(pods.size()) ? pods[i] : std::vector<json>{}));
  }
  return nodes;
}

// The filter's verdict per node: "" for success, else the reason.
std::vector<std::string> Verdicts(const json& pod, const std::vector<NodeInfo>& nodes,
                                  const skiff::scheduler::NamespaceLabelsFn* ns = nullptr) {
  PodInfo info = ParsePodInfo(pod);
  auto f = InterPodAffinityFilter::Build(info, Ptrs(nodes), ns);
  std::vector<std::string> out;
  for (const NodeInfo& n : nodes) {
    auto s = f.Filter(n);
    out.push_back(s.ok() ? "" : s.reasons.at(0));
  }
  return out;
}

const std::string kAffinity = "node(s) didn't match pod affinity rules";
const std::string kAnti = "node(s) didn't match pod anti-affinity rules";
const std::string kExisting = "node(s) didn't satisfy existing pods anti-affinity rules";

}  // namespace

TEST_CASE("inter-pod affinity: required affinity needs a matching pod in the domain",
          "[scheduler][interpod]") {
  auto nodes = Cluster({{App("db", "db")}});
  json pod = Required(App("web", "web"), "podAffinity", Term({{"app", "db"}}, kZone));
  CHECK(Verdicts(pod, nodes) == std::vector<std::string>{"", "", kAffinity, kAffinity});

  PodInfo info = ParsePodInfo(pod);
  auto f = InterPodAffinityFilter::Build(info, Ptrs(nodes));
  CHECK_FALSE(f.skip());
  CHECK(f.Filter(nodes[2]).code == FilterCode::kUnschedulableAndUnresolvable);

  json host = Required(App("web", "web"), "podAffinity", Term({{"app", "db"}}, kHost));
  CHECK(Verdicts(host, nodes) == std::vector<std::string>{"", kAffinity, kAffinity, kAffinity});
}

TEST_CASE("inter-pod affinity: a pod may start its own group when nothing matches",
          "[scheduler][interpod]") {
  // No pod matches app=web anywhere, and the pod matches its own term: any node with the
  // topology key will do.
  json self = Required(App("web-1", "web"), "podAffinity", Term({{"app", "web"}}, kZone));
  CHECK(Verdicts(self, Cluster({})) == std::vector<std::string>{"", "", "", kAffinity});
  // Not when the pod does not match its own term.
  json other = Required(App("web-1", "web"), "podAffinity", Term({{"app", "cache"}}, kZone));
  CHECK(Verdicts(other, Cluster({})) ==
        std::vector<std::string>{kAffinity, kAffinity, kAffinity, kAffinity});
  // Not when a matching pod exists somewhere: then only its domain fits.
  auto nodes = Cluster({{}, {}, {App("web-0", "web")}});
  CHECK(Verdicts(self, nodes) == std::vector<std::string>{kAffinity, kAffinity, "", kAffinity});
}

TEST_CASE("inter-pod affinity: required anti-affinity of the incoming pod",
          "[scheduler][interpod]") {
  auto nodes = Cluster({{App("db", "db")}});
  json host = Required(App("web", "web"), "podAntiAffinity", Term({{"app", "db"}}, kHost));
  CHECK(Verdicts(host, nodes) == std::vector<std::string>{kAnti, "", "", ""});
  json zone = Required(App("web", "web"), "podAntiAffinity", Term({{"app", "db"}}, kZone));
  CHECK(Verdicts(zone, nodes) == std::vector<std::string>{kAnti, kAnti, "", ""});
  PodInfo info = ParsePodInfo(zone);
  CHECK(InterPodAffinityFilter::Build(info, Ptrs(nodes)).Filter(nodes[0]).code ==
        FilterCode::kUnschedulable);
}

TEST_CASE("inter-pod affinity: existing pods' required anti-affinity", "[scheduler][interpod]") {
  json guard = Required(App("guard", "guard"), "podAntiAffinity", Term({{"app", "web"}}, kZone));
  auto nodes = Cluster({{guard}});
  CHECK(Verdicts(App("web", "web"), nodes) ==
        std::vector<std::string>{kExisting, kExisting, "", ""});
  // Pods the term does not select are unaffected, and the filter is skipped entirely.
  PodInfo other = ParsePodInfo(App("api", "api"));
  auto f = InterPodAffinityFilter::Build(other, Ptrs(nodes));
  CHECK(f.skip());
  CHECK(f.Filter(nodes[0]).ok());
}

TEST_CASE("inter-pod affinity: namespaces and namespaceSelector", "[scheduler][interpod]") {
  json db_other = App("db", "db");
  db_other["metadata"]["namespace"] = "prod";
  auto nodes = Cluster({{db_other}});
  // By default a term selects pods in the pod's own namespace only.
  json pod = Required(App("web", "web"), "podAffinity", Term({{"app", "db"}}, kHost));
  CHECK(Verdicts(pod, nodes)[0] == kAffinity);
  json listed = pod;
  listed["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
        ["namespaces"] = {"prod"};
  CHECK(Verdicts(listed, nodes)[0] == "");
  json all_ns = pod;
  all_ns["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
        ["namespaceSelector"] = json::object();
  CHECK(Verdicts(all_ns, nodes)[0] == "");
  // Without namespace labels, a namespace carries kubernetes.io/metadata.name only.
  json by_name = pod;
  by_name["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
         ["namespaceSelector"] = {{"matchLabels", {{"kubernetes.io/metadata.name", "prod"}}}};
  CHECK(Verdicts(by_name, nodes)[0] == "");
  json by_team = pod;
  by_team["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
         ["namespaceSelector"] = {{"matchLabels", {{"team", "x"}}}};
  CHECK(Verdicts(by_team, nodes)[0] == kAffinity);
  json prod_labels = {{"team", "x"}};
  skiff::scheduler::NamespaceLabelsFn fn = [&](const std::string& ns) -> const json* {
    return ns == "prod" ? &prod_labels : nullptr;
  };
  CHECK(Verdicts(by_team, nodes, &fn)[0] == "");
}

TEST_CASE("inter-pod affinity: matchLabelKeys and a bad selector", "[scheduler][interpod]") {
  json v1 = Labeled(App("web-v1", "web"), {{"rev", "1"}});
  auto nodes = Cluster({{v1}});
  json term = Term({{"app", "web"}}, kHost);
  term["matchLabelKeys"] = {"rev"};
  json v2 = Required(Labeled(App("web-v2", "web"), {{"rev", "2"}}), "podAntiAffinity", term);
  // Only pods of the same revision repel each other.
  CHECK(Verdicts(v2, nodes)[0] == "");
  json v1b = Required(Labeled(App("web-v1b", "web"), {{"rev", "1"}}), "podAntiAffinity", term);
  CHECK(Verdicts(v1b, nodes)[0] == kAnti);

  json bad =
      Required(App("x", "x"), "podAffinity",
               {{"labelSelector", {{"matchExpressions", {{{"key", "a"}, {"operator", "Foo"}}}}}},
                {"topologyKey", kHost}});
  PodInfo info = ParsePodInfo(bad);
  auto f = InterPodAffinityFilter::Build(info, Ptrs(nodes));
  REQUIRE(f.pre_filter_rejection());
  CHECK(f.pre_filter_rejection()->code == FilterCode::kUnschedulableAndUnresolvable);
  CHECK(f.pre_filter_rejection()->reasons.at(0).rfind("parsing pod: ", 0) == 0);
}

TEST_CASE("inter-pod affinity score: preferred terms on both sides", "[scheduler][interpod]") {
  auto score = [](const json& pod, const std::vector<NodeInfo>& nodes) {
    PodInfo info = ParsePodInfo(pod);
    auto s = InterPodAffinityScorer::Build(info, Ptrs(nodes));
    std::vector<int64_t> raw;
    for (const NodeInfo& n : nodes) raw.push_back(s.RawScore(n));
    return std::make_pair(s.skip(), raw);
  };
  auto nodes = Cluster({{App("db", "db")}, {}, {App("cache", "cache")}});
  json pod = WithAffinity(
      App("web", "web"), "podAffinity", "preferredDuringSchedulingIgnoredDuringExecution",
      json::array({{{"weight", 10}, {"podAffinityTerm", Term({{"app", "db"}}, kZone)}}}));
  pod = WithAffinity(
      pod, "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution",
      json::array({{{"weight", 4}, {"podAffinityTerm", Term({{"app", "db"}}, kHost)}},
                   {{"weight", 7}, {"podAffinityTerm", Term({{"app", "cache"}}, kZone)}}}));
  auto [skipped, raw] = score(pod, nodes);
  CHECK_FALSE(skipped);
  CHECK(raw == std::vector<int64_t>{6, 10, -7, 0});
  skiff::scheduler::NormalizeMinMax(raw);
  CHECK(raw == std::vector<int64_t>{76, 100, 0, 41});

  // Without terms of its own, the pod is scored by placed pods' terms that select it: required
  // affinity with weight 1, preferred affinity and anti-affinity with their weights.
  json fan = Required(App("fan", "fan"), "podAffinity", Term({{"app", "web"}}, kHost));
  json hater = WithAffinity(
      App("hater", "hater"), "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution",
      json::array({{{"weight", 3}, {"podAffinityTerm", Term({{"app", "web"}}, kZone)}}}));
  auto placed = Cluster({{fan}, {}, {hater}});
  auto [skipped2, raw2] = score(App("web", "web"), placed);
  CHECK_FALSE(skipped2);
  CHECK(raw2 == std::vector<int64_t>{1, 0, -3, 0});
  // Nothing matches at all: the plugin is skipped.
  CHECK(score(App("lonely", "lonely"), placed).first);
}

TEST_CASE("normalize min-max", "[scheduler][interpod]") {
  std::vector<int64_t> s = {5, 0, -5};
  skiff::scheduler::NormalizeMinMax(s);
  CHECK(s == std::vector<int64_t>{100, 50, 0});
  std::vector<int64_t> same = {3, 3};
  skiff::scheduler::NormalizeMinMax(same);
  CHECK(same == std::vector<int64_t>{0, 0});
}
