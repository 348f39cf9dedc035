// Toleration matching and the TaintToleration / NodeUnschedulable filters.
#include "scheduler/taints.h"

#include <catch2/catch.hpp>

#include "sched_test_util.h"
#include "scheduler/filters.h"

using nlohmann::json;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Pod;
using skiff::scheduler::FilterCode;
using skiff::scheduler::ParsePodInfo;
using skiff::scheduler::Taint;
using skiff::scheduler::ToleratesTaint;
using skiff::scheduler::Toleration;

TEST_CASE("tolerations: operators, keys, values and effects", "[scheduler][taints]") {
  Taint t{"dedicated", "gpu", "NoSchedule"};
  CHECK(ToleratesTaint({"dedicated", "Equal", "gpu", "NoSchedule"}, t));
  CHECK(ToleratesTaint({"dedicated", "", "gpu", "NoSchedule"}, t));  // "" means Equal
  CHECK_FALSE(ToleratesTaint({"dedicated", "Equal", "cpu", "NoSchedule"}, t));
  CHECK(ToleratesTaint({"dedicated", "Exists", "", "NoSchedule"}, t));
  CHECK(ToleratesTaint({"dedicated", "Exists", "", ""}, t));  // empty effect: all effects
  CHECK_FALSE(ToleratesTaint({"dedicated", "Exists", "", "NoExecute"}, t));
  CHECK(ToleratesTaint({"", "Exists", "", ""}, t));  // empty key + Exists: everything
  CHECK(ToleratesTaint({"", "Exists", "", "NoSchedule"}, t));
  CHECK_FALSE(ToleratesTaint({"", "Exists", "", "PreferNoSchedule"}, t));
  CHECK_FALSE(ToleratesTaint({"other", "Exists", "", ""}, t));
  CHECK_FALSE(ToleratesTaint({"dedicated", "Gt", "gpu", ""}, t));  // unknown operator
  CHECK(ToleratesTaint({"k", "Equal", "", ""}, Taint{"k", "", "NoExecute"}));
}

TEST_CASE("taint filter: the first untolerated NoSchedule/NoExecute taint is reported",
          "[scheduler][taints]") {
  json node = Node("n1");
  node["spec"]["taints"] = json::array({{{"key", "soft"}, {"effect", "PreferNoSchedule"}},
                                        {{"key", "ok"}, {"value", "1"}, {"effect", "NoSchedule"}},
                                        {{"key", "b"}, {"value", "v"}, {"effect", "NoExecute"}},
                                        {{"key", "c"}, {"effect", "NoSchedule"}}});
  auto ni = MakeNodeInfo(node);
  json pod = Pod("p");
  pod["spec"]["tolerations"] = json::array({{{"key", "ok"}, {"operator", "Exists"}}});
  auto s = FilterTaintToleration(ParsePodInfo(pod), ni);
  CHECK(s.code == FilterCode::kUnschedulableAndUnresolvable);
  CHECK(s.plugin == "TaintToleration");
  CHECK(s.reasons == std::vector<std::string>{"node(s) had untolerated taint {b: v}"});

  pod["spec"]["tolerations"].push_back({{"key", "b"}, {"operator", "Equal"}, {"value", "v"}});
  CHECK(FilterTaintToleration(ParsePodInfo(pod), ni).reasons ==
        std::vector<std::string>{"node(s) had untolerated taint {c: }"});

  pod["spec"]["tolerations"] = json::array({{{"operator", "Exists"}}});
  CHECK(FilterTaintToleration(ParsePodInfo(pod), ni).ok());
}

TEST_CASE("unschedulable filter: cordoned nodes unless the taint is tolerated",
          "[scheduler][taints]") {
  json node = Node("n1");
  node["spec"]["unschedulable"] = true;
  auto ni = MakeNodeInfo(node);
  json pod = Pod("p");
  auto s = FilterNodeUnschedulable(ParsePodInfo(pod), ni);
  CHECK(s.code == FilterCode::kUnschedulableAndUnresolvable);
  CHECK(s.reasons == std::vector<std::string>{"node(s) were unschedulable"});

  pod["spec"]["tolerations"] = json::array({{{"key", "node.kubernetes.io/unschedulable"},
                                             {"operator", "Exists"},
                                             {"effect", "NoExecute"}}});
  CHECK_FALSE(FilterNodeUnschedulable(ParsePodInfo(pod), ni).ok());
  pod["spec"]["tolerations"] = json::array({{{"key", "node.kubernetes.io/unschedulable"},
                                             {"operator", "Exists"},
                                             {"effect", "NoSchedule"}}});
  CHECK(FilterNodeUnschedulable(ParsePodInfo(pod), ni).ok());
  CHECK(FilterNodeUnschedulable(ParsePodInfo(Pod("q")), MakeNodeInfo(Node("n2"))).ok());
}
