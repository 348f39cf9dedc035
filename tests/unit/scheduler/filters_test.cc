// NodeName, NodeResourcesFit and NodePorts filters, and the filter order of RunFilters.
#include "scheduler/filters.h"

#include <catch2/catch.hpp>

#include "sched_test_util.h"

using nlohmann::json;
using sched_test::MakeNodeInfo;
using sched_test::Node;
using sched_test::Pod;
using skiff::scheduler::ClusterFilters;
using skiff::scheduler::FilterCode;
using skiff::scheduler::NodeInfo;
using skiff::scheduler::ParsePodInfo;
using Reasons = std::vector<std::string>;

namespace {

json WithPorts(json pod, const json& ports) {
  pod["spec"]["containers"][0]["ports"] = ports;
  return pod;
}

json Port(int host_port, const std::string& protocol = "", const std::string& host_ip = "") {
  json p = {{"containerPort", 80}, {"hostPort", host_port}};
  if (!protocol.empty()) p["protocol"] = protocol;
  if (!host_ip.empty()) p["hostIP"] = host_ip;
  return p;
}

bool PortsFit(const json& existing_ports, const json& wanted_ports) {
  NodeInfo node = MakeNodeInfo(Node("n1"), {WithPorts(Pod("old"), existing_ports)});
  return FilterNodePorts(ParsePodInfo(WithPorts(Pod("new"), wanted_ports)), node).ok();
}

}  // namespace

TEST_CASE("node name filter", "[scheduler][filters]") {
  json pod = Pod("p");
  NodeInfo n1 = MakeNodeInfo(Node("n1"));
  CHECK(FilterNodeName(ParsePodInfo(pod), n1).ok());
  pod["spec"]["nodeName"] = "n1";
  CHECK(FilterNodeName(ParsePodInfo(pod), n1).ok());
  pod["spec"]["nodeName"] = "n2";
  auto s = FilterNodeName(ParsePodInfo(pod), n1);
  CHECK(s.code == FilterCode::kUnschedulableAndUnresolvable);
  CHECK(s.plugin == "NodeName");
  CHECK(s.reasons == Reasons{"node(s) didn't match the requested node name"});
}

TEST_CASE("resources fit: every insufficient resource is reported in order",
          "[scheduler][filters]") {
  NodeInfo node = MakeNodeInfo(Node("n1", "1", "1Gi", 1), {Pod("existing", "100m", "100Mi")});
  json pod = Pod("p", "2", "2Gi");
  pod["spec"]["containers"][0]["resources"]["requests"]["ephemeral-storage"] = "200Gi";
  pod["spec"]["containers"][0]["resources"]["requests"]["example.com/gpu"] = "1";
  auto s = FilterNodeResourcesFit(ParsePodInfo(pod), node);
  CHECK(s.code == FilterCode::kUnschedulable);
  CHECK(s.plugin == "NodeResourcesFit");
  CHECK(s.reasons == Reasons{"Too many pods", "Insufficient cpu", "Insufficient memory",
                             "Insufficient ephemeral-storage", "Insufficient example.com/gpu"});
}

TEST_CASE("resources fit: exact fit, existing requests and zero-request pods",
          "[scheduler][filters]") {
  NodeInfo node = MakeNodeInfo(Node("n1", "2", "2Gi", 3), {Pod("a", "1500m", "1Gi")});
  CHECK(FilterNodeResourcesFit(ParsePodInfo(Pod("fits", "500m", "1Gi")), node).ok());
  CHECK(FilterNodeResourcesFit(ParsePodInfo(Pod("cpu", "501m")), node).reasons ==
        Reasons{"Insufficient cpu"});
  CHECK(FilterNodeResourcesFit(ParsePodInfo(Pod("mem", "", "1025Mi")), node).reasons ==
        Reasons{"Insufficient memory"});
  // Pods without requests only need a pod slot (non-zero defaults are for scoring only).
  NodeInfo full = MakeNodeInfo(Node("n2", "1", "1Gi", 2), {Pod("x", "1", "1Gi")});
  CHECK(FilterNodeResourcesFit(ParsePodInfo(Pod("free")), full).ok());
  full.AddPod(Pod("y"));
  CHECK(FilterNodeResourcesFit(ParsePodInfo(Pod("free")), full).reasons ==
        Reasons{"Too many pods"});
}

TEST_CASE("resources fit: init containers and overhead count", "[scheduler][filters]") {
  NodeInfo node = MakeNodeInfo(Node("n1", "1"));
  json pod = Pod("p", "500m");
  pod["spec"]["initContainers"] = json::array(
      {{{"name", "init"}, {"image", "x"}, {"resources", {{"requests", {{"cpu", "1100m"}}}}}}});
  CHECK(FilterNodeResourcesFit(ParsePodInfo(pod), node).reasons == Reasons{"Insufficient cpu"});
  json overhead = Pod("o", "900m");
  overhead["spec"]["overhead"] = {{"cpu", "101m"}};
  CHECK(FilterNodeResourcesFit(ParsePodInfo(overhead), node).reasons ==
        Reasons{"Insufficient cpu"});
  overhead["spec"]["overhead"] = {{"cpu", "100m"}};
  CHECK(FilterNodeResourcesFit(ParsePodInfo(overhead), node).ok());
}

TEST_CASE("resources fit: extended resources", "[scheduler][filters]") {
  json node = Node("n1");
  node["status"]["allocatable"]["example.com/gpu"] = "2";
  json user = Pod("user");
  user["spec"]["containers"][0]["resources"] = {{"requests", {{"example.com/gpu", "1"}}}};
  NodeInfo ni = MakeNodeInfo(node, {user});
  json pod = Pod("p");
  pod["spec"]["containers"][0]["resources"] = {{"requests", {{"example.com/gpu", "1"}}}};
  CHECK(FilterNodeResourcesFit(ParsePodInfo(pod), ni).ok());
  pod["spec"]["containers"][0]["resources"]["requests"]["example.com/gpu"] = "2";
  CHECK(FilterNodeResourcesFit(ParsePodInfo(pod), ni).reasons ==
        Reasons{"Insufficient example.com/gpu"});
}

TEST_CASE("node ports: protocols and host IPs", "[scheduler][filters]") {
  auto any = json::array({Port(8080)});  // TCP on 0.0.0.0
  CHECK_FALSE(PortsFit(any, json::array({Port(8080)})));
  CHECK_FALSE(PortsFit(any, json::array({Port(8080, "TCP", "127.0.0.1")})));
  CHECK(PortsFit(any, json::array({Port(8080, "UDP")})));
  CHECK(PortsFit(any, json::array({Port(8081)})));

  auto specific = json::array({Port(80, "TCP", "10.0.0.1")});
  CHECK(PortsFit(specific, json::array({Port(80, "TCP", "10.0.0.2")})));
  CHECK_FALSE(PortsFit(specific, json::array({Port(80, "TCP", "10.0.0.1")})));
  CHECK_FALSE(PortsFit(specific, json::array({Port(80)})));  // 0.0.0.0 conflicts with any IP
  CHECK(PortsFit(specific, json::array({Port(80, "SCTP", "10.0.0.1")})));

  NodeInfo node = MakeNodeInfo(Node("n1"), {WithPorts(Pod("old"), any)});
  auto s = FilterNodePorts(ParsePodInfo(WithPorts(Pod("new"), any)), node);
  CHECK(s.code == FilterCode::kUnschedulable);
  CHECK(s.plugin == "NodePorts");
  CHECK(s.reasons == Reasons{"node(s) didn't have free ports for the requested pod ports"});
  // Container ports without a host port take nothing on the node.
  CHECK(PortsFit(json::array({{{"containerPort", 8080}}}), any));
}

TEST_CASE("node ports: sidecars hold ports, plain init containers do not, hostNetwork",
          "[scheduler][filters]") {
  json pod = Pod("p");
  pod["spec"]["initContainers"] = json::array(
      {{{"name", "side"}, {"image", "x"}, {"restartPolicy", "Always"}, {"ports", {Port(9000)}}},
       {{"name", "init"}, {"image", "x"}, {"ports", {Port(9001)}}}});
  auto info = ParsePodInfo(pod);
  REQUIRE(info.host_ports.size() == 1);
  CHECK(info.host_ports[0] == skiff::scheduler::HostPort{"TCP", "0.0.0.0", 9000});

  json host = Pod("h");
  host["spec"]["hostNetwork"] = true;
  host["spec"]["containers"][0]["ports"] =
      json::array({{{"containerPort", 53}, {"protocol", "UDP"}}});
  auto hinfo = ParsePodInfo(host);
  REQUIRE(hinfo.host_ports.size() == 1);
  CHECK(hinfo.host_ports[0] == skiff::scheduler::HostPort{"UDP", "0.0.0.0", 53});
}

TEST_CASE("run filters: the first failing plugin in kube's order wins", "[scheduler][filters]") {
  json node = Node("n1", "1");
  node["spec"]["unschedulable"] = true;
  node["spec"]["taints"] = json::array({{{"key", "k"}, {"effect", "NoSchedule"}}});
  NodeInfo ni = MakeNodeInfo(node);
  std::vector<const NodeInfo*> all = {&ni};
  json pod = Pod("p", "2");
  pod["spec"]["nodeName"] = "other";
  auto check = [&](const std::string& plugin) {
    auto info = ParsePodInfo(pod);
    auto cluster = ClusterFilters::Build(info, all);
    auto s = RunFilters(info, ni, cluster);
    CHECK(s.plugin == plugin);
  };
  check("NodeUnschedulable");
  pod["spec"]["tolerations"] =
      json::array({{{"operator", "Exists"}, {"key", "node.kubernetes.io/unschedulable"}}});
  check("NodeName");
  pod["spec"].erase("nodeName");
  check("TaintToleration");
  pod["spec"]["tolerations"] = json::array({{{"operator", "Exists"}}});
  pod["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  check("NodeAffinity");
  pod["spec"].erase("nodeSelector");
  check("NodeResourcesFit");
  auto info = ParsePodInfo(Pod("small", "100m"));
  info.tolerations = {{"", "Exists", "", ""}};
  CHECK(RunFilters(info, ni, ClusterFilters::Build(info, all)).ok());
}
