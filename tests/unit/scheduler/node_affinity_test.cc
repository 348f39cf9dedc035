// NodeAffinity: nodeSelector, required terms and operators, matchFields, preferred terms.
#include <catch2/catch.hpp>

#include "sched_test_util.h"
#include "scheduler/filters.h"
#include "scheduler/scores.h"

using nlohmann::json;
using sched_test::Labeled;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Pod;
using skiff::scheduler::FilterCode;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::ParsePodInfo;

namespace {

json Expr(const std::string& key, const std::string& op, const json& values = nullptr) {
  json e = {{"key", key}, {"operator", op}};
  if (!values.is_null()) e["values"] = values;
  return e;
}

// (std::vector parameters: a braced single json argument would copy it, not make an array.)
json Term(const std::vector<json>& exprs, const std::vector<json>& fields = {}) {
  json t = {{"matchExpressions", exprs}};
  if (!fields.empty()) t["matchFields"] = fields;
  return t;
}

json WithRequired(const std::vector<json>& terms) {
  json pod = Pod("p");
  pod["spec"]["affinity"] = {
      {"nodeAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution", {{"nodeSelectorTerms", json(terms)}}}}}};
  return pod;
}

bool Fits(const json& pod, const NodeInfo& node) {
  return FilterNodeAffinity(ParsePodInfo(pod), node).ok();
}

NodeInfo LabeledNode(const std::string& name, const json& labels) {
  return MakeNodeInfo(Labeled(Node(name), labels));
}

}  // namespace

TEST_CASE("node affinity: nodeSelector needs every label equal", "[scheduler][nodeaffinity]") {
  json pod = Pod("p");
  pod["spec"]["nodeSelector"] = {{"disk", "ssd"}, {"zone", "a"}};
  CHECK(Fits(pod, LabeledNode("n1", {{"disk", "ssd"}, {"zone", "a"}, {"x", "y"}})));
  CHECK_FALSE(Fits(pod, LabeledNode("n2", {{"disk", "ssd"}})));
  auto s =
      FilterNodeAffinity(ParsePodInfo(pod), LabeledNode("n3", {{"disk", "hdd"}, {"zone", "a"}}));
  CHECK(s.code == FilterCode::kUnschedulableAndUnresolvable);
  CHECK(s.plugin == "NodeAffinity");
  CHECK(s.reasons == std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
  json empty_value = Pod("q");
  empty_value["spec"]["nodeSelector"] = {{"edge", ""}};
  CHECK(Fits(empty_value, LabeledNode("n4", {{"edge", ""}})));
  CHECK_FALSE(Fits(empty_value, LabeledNode("n5", json::object())));
}

TEST_CASE("node affinity: operators", "[scheduler][nodeaffinity]") {
  NodeInfo node = LabeledNode("n1", {{"disk", "ssd"}, {"cores", "8"}});
  auto fits = [&](const json& expr) { return Fits(WithRequired({Term({expr})}), node); };
  CHECK(fits(Expr("disk", "In", {"hdd", "ssd"})));
  CHECK_FALSE(fits(Expr("disk", "In", {"hdd"})));
  CHECK_FALSE(fits(Expr("missing", "In", {"x"})));
  CHECK(fits(Expr("disk", "NotIn", {"hdd"})));
  CHECK_FALSE(fits(Expr("disk", "NotIn", {"ssd"})));
  CHECK(fits(Expr("missing", "NotIn", {"x"})));
  CHECK(fits(Expr("disk", "Exists")));
  CHECK_FALSE(fits(Expr("missing", "Exists")));
  CHECK(fits(Expr("missing", "DoesNotExist")));
  CHECK_FALSE(fits(Expr("disk", "DoesNotExist")));
  CHECK(fits(Expr("cores", "Gt", {"4"})));
  CHECK_FALSE(fits(Expr("cores", "Gt", {"8"})));
  CHECK(fits(Expr("cores", "Lt", {"16"})));
  CHECK_FALSE(fits(Expr("cores", "Lt", {"8"})));
  CHECK_FALSE(fits(Expr("disk", "Gt", {"1"})));     // non-integer label value
  CHECK_FALSE(fits(Expr("missing", "Lt", {"1"})));  // absent label
}

TEST_CASE("node affinity: terms are ORed, expressions ANDed", "[scheduler][nodeaffinity]") {
  json pod = WithRequired({Term({Expr("disk", "In", {"ssd"}), Expr("zone", "In", {"a"})}),
                           Term({Expr("gpu", "Exists")})});
  CHECK(Fits(pod, LabeledNode("n1", {{"disk", "ssd"}, {"zone", "a"}})));
  CHECK_FALSE(Fits(pod, LabeledNode("n2", {{"disk", "ssd"}, {"zone", "b"}})));
  CHECK(Fits(pod, LabeledNode("n3", {{"gpu", "1"}})));
  // nodeSelector and affinity must both hold.
  pod["spec"]["nodeSelector"] = {{"tier", "edge"}};
  CHECK_FALSE(Fits(pod, LabeledNode("n4", {{"gpu", "1"}})));
  CHECK(Fits(pod, LabeledNode("n5", {{"gpu", "1"}, {"tier", "edge"}})));
}

TEST_CASE("node affinity: empty and invalid terms match nothing", "[scheduler][nodeaffinity]") {
  NodeInfo node = LabeledNode("n1", {{"disk", "ssd"}});
  CHECK_FALSE(Fits(WithRequired({}), node));
  CHECK_FALSE(Fits(WithRequired({json::object()}), node));
  // A bad operator or a bad Gt value drops that term; the remaining terms still count.
  CHECK_FALSE(Fits(WithRequired({Term({Expr("disk", "Like", {"ssd"})})}), node));
  CHECK_FALSE(Fits(WithRequired({Term({Expr("disk", "Gt", {"x"})})}), node));
  CHECK_FALSE(Fits(WithRequired({Term({Expr("disk", "Exists", {"ssd"})})}), node));
  auto info = ParsePodInfo(
      WithRequired({Term({Expr("disk", "Like", {"ssd"})}), Term({Expr("disk", "Exists")})}));
  CHECK(FilterNodeAffinity(info, node).ok());
  CHECK(info.parse_errors ==
        std::vector<std::string>{"\"Like\" is not a valid node selector operator"});
}

TEST_CASE("node affinity: matchFields on metadata.name", "[scheduler][nodeaffinity]") {
  json fields_in = WithRequired({{{"matchFields", {Expr("metadata.name", "In", {"n1"})}}}});
  CHECK(Fits(fields_in, LabeledNode("n1", json::object())));
  CHECK_FALSE(Fits(fields_in, LabeledNode("n2", json::object())));
  json fields_not_in = WithRequired({{{"matchFields", {Expr("metadata.name", "NotIn", {"n1"})}}}});
  CHECK_FALSE(Fits(fields_not_in, LabeledNode("n1", json::object())));
  CHECK(Fits(fields_not_in, LabeledNode("n2", json::object())));
  // Exactly one value is required; other operators are not supported.
  CHECK_FALSE(Fits(WithRequired({{{"matchFields", {Expr("metadata.name", "In", {"n1", "n2"})}}}}),
                   LabeledNode("n1", json::object())));
  CHECK_FALSE(Fits(WithRequired({{{"matchFields", {Expr("metadata.name", "Exists")}}}}),
                   LabeledNode("n1", json::object())));
  // Labels and fields in one term are ANDed.
  json both =
      WithRequired({Term({Expr("disk", "In", {"ssd"})}, {Expr("metadata.name", "In", {"n1"})})});
  CHECK(Fits(both, LabeledNode("n1", {{"disk", "ssd"}})));
  CHECK_FALSE(Fits(both, LabeledNode("n1", {{"disk", "hdd"}})));
}

TEST_CASE("node affinity: names pinned by matchFields for the PreFilter",
          "[scheduler][nodeaffinity]") {
  auto pinned = [](const json& terms) {
    return ParsePodInfo(WithRequired(terms)).required_node_affinity.pinned_node_names();
  };
  auto names = pinned({{{"matchFields", {Expr("metadata.name", "In", {"n1"})}}},
                       {{"matchFields", {Expr("metadata.name", "In", {"n2"})}}}});
  REQUIRE(names);
  CHECK(*names == std::set<std::string>{"n1", "n2"});
  // One term without a name pin leaves every node eligible.
  CHECK_FALSE(pinned(
      {{{"matchFields", {Expr("metadata.name", "In", {"n1"})}}}, Term({Expr("disk", "Exists")})}));
  // Conflicting pins within a term: the empty set.
  auto conflict =
      pinned({{{"matchFields",
                {Expr("metadata.name", "In", {"n1"}), Expr("metadata.name", "In", {"n2"})}}}});
  REQUIRE(conflict);
  CHECK(conflict->empty());
}

TEST_CASE("node affinity: preferred terms score the sum of matching weights",
          "[scheduler][nodeaffinity]") {
  json pod = Pod("p");
  pod["spec"]["affinity"] = {
      {"nodeAffinity",
       {{"preferredDuringSchedulingIgnoredDuringExecution",
         json::array({{{"weight", 20}, {"preference", Term({Expr("disk", "In", {"ssd"})})}},
                      {{"weight", 30}, {"preference", Term({Expr("zone", "In", {"a"})})}},
                      {{"weight", 0}, {"preference", Term({Expr("zone", "Exists")})}}})}}}};
  auto info = ParsePodInfo(pod);
  CHECK_FALSE(info.preferred_node_affinity.Empty());
  NodeInfo both = LabeledNode("n1", {{"disk", "ssd"}, {"zone", "a"}});
  NodeInfo zone = LabeledNode("n2", {{"zone", "a"}});
  NodeInfo none = LabeledNode("n3", {{"zone", "b"}});
  std::vector<int64_t> raw = {skiff::scheduler::NodeAffinityRawScore(info, both),
                              skiff::scheduler::NodeAffinityRawScore(info, zone),
                              skiff::scheduler::NodeAffinityRawScore(info, none)};
  CHECK(raw == std::vector<int64_t>{50, 30, 0});
  skiff::scheduler::NormalizeDefault(raw, false);
  CHECK(raw == std::vector<int64_t>{100, 60, 0});
  CHECK(ParsePodInfo(Pod("q")).preferred_node_affinity.Empty());
}
