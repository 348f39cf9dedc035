// NodeInfo: node fields, incremental pod accounting, ports, controller counts, generation.
#include "scheduler/node_info.h"

#include <catch2/catch.hpp>

#include "sched_test_util.h"

using nlohmann::json;
using sched_test::Node;
using sched_test::Owned;
using sched_test::Pod;
using skiff::scheduler::HostPort;
using skiff::scheduler::NodeInfo;

TEST_CASE("node info: fields from the Node object", "[scheduler][nodeinfo]") {
  json node = Node("n1", "3500m", "2Gi", 20);
  node["metadata"]["labels"]["zone"] = "a";
  node["spec"]["unschedulable"] = true;
  node["spec"]["taints"] = json::array({{{"key", "k"}, {"value", "v"}, {"effect", "NoSchedule"}}});
  NodeInfo ni(node);
  CHECK(ni.has_node());
  CHECK(ni.name() == "n1");
  CHECK(ni.labels() == json{{"kubernetes.io/hostname", "n1"}, {"zone", "a"}});
  CHECK(ni.unschedulable());
  REQUIRE(ni.taints().size() == 1);
  CHECK(ni.taints()[0] == skiff::scheduler::Taint{"k", "v", "NoSchedule"});
  CHECK(ni.allocatable().milli_cpu == 3500);
  CHECK(ni.allocatable().memory == 2LL * 1024 * 1024 * 1024);
  CHECK(ni.allocatable().allowed_pods == 20);
}

TEST_CASE("node info: capacity stands in for a missing allocatable", "[scheduler][nodeinfo]") {
  json node = Node("n1");
  node["status"] = {{"capacity", {{"cpu", "2"}, {"pods", "10"}}}};
  NodeInfo ni(node);
  CHECK(ni.allocatable().milli_cpu == 2000);
  CHECK(ni.allocatable().allowed_pods == 10);
  CHECK_FALSE(NodeInfo().has_node());
}

TEST_CASE("node info: requested and non-zero requested follow adds and removes",
          "[scheduler][nodeinfo]") {
  NodeInfo ni(Node("n1"));
  int64_t g0 = ni.generation();
  ni.AddPod(Pod("a", "500m", "1Gi"));
  ni.AddPod(Pod("b"));  // no requests: 100m / 200Mi for scoring only
  CHECK(ni.generation() == g0 + 2);
  CHECK(ni.pods().size() == 2);
  CHECK(ni.requested().milli_cpu == 500);
  CHECK(ni.requested().memory == 1024LL * 1024 * 1024);
  CHECK(ni.non_zero_milli_cpu() == 600);
  CHECK(ni.non_zero_memory() == (1024LL + 200) * 1024 * 1024);

  // An update is remove + add: re-adding the same uid replaces it.
  ni.AddPod(Pod("a", "1", "1Gi"));
  CHECK(ni.pods().size() == 2);
  CHECK(ni.requested().milli_cpu == 1000);

  CHECK(ni.RemovePod("uid-a"));
  CHECK_FALSE(ni.RemovePod("uid-a"));
  CHECK(ni.requested().milli_cpu == 0);
  CHECK(ni.non_zero_milli_cpu() == 100);
  CHECK(ni.RemovePod("uid-b"));
  CHECK(ni.non_zero_memory() == 0);
  CHECK(ni.requested() == skiff::scheduler::Resources());
}

TEST_CASE("node info: host ports are reference counted", "[scheduler][nodeinfo]") {
  json p = Pod("a");
  p["spec"]["containers"][0]["ports"] = json::array({{{"containerPort", 80}, {"hostPort", 8080}}});
  json q = p;
  q["metadata"]["uid"] = "uid-q";
  NodeInfo ni(Node("n1"));
  ni.AddPod(p);
  ni.AddPod(q);
  REQUIRE(ni.used_ports().size() == 1);
  CHECK(ni.used_ports()[0].port == HostPort{"TCP", "0.0.0.0", 8080});
  CHECK(ni.used_ports()[0].users == 2);
  ni.RemovePod("uid-a");
  CHECK(ni.PortConflicts(HostPort{"TCP", "0.0.0.0", 8080}));
  ni.RemovePod("uid-q");
  CHECK(ni.used_ports().empty());
  CHECK_FALSE(ni.PortConflicts(HostPort{"TCP", "0.0.0.0", 8080}));
}

TEST_CASE("node info: pods per controller exclude terminating pods and other namespaces",
          "[scheduler][nodeinfo]") {
  NodeInfo ni(Node("n1"));
  ni.AddPod(Owned(Pod("a"), "rs1"));
  ni.AddPod(Owned(Pod("b"), "rs1"));
  ni.AddPod(Owned(Pod("c"), "rs2"));
  json terminating = Owned(Pod("d"), "rs1");
  terminating["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  ni.AddPod(terminating);
  json other_ns = Owned(Pod("e"), "rs1");
  other_ns["metadata"]["namespace"] = "other";
  ni.AddPod(other_ns);
  auto hash = std::hash<std::string>{}("rs1");
  CHECK(ni.CountControlledBy(hash, "rs1", "default") == 2);
  CHECK(ni.CountControlledBy(hash, "rs1", "other") == 1);
  CHECK(ni.CountControlledBy(std::hash<std::string>{}("rs2"), "rs2", "default") == 1);
  ni.RemovePod("uid-a");
  CHECK(ni.CountControlledBy(hash, "rs1", "default") == 1);
}

TEST_CASE("node info: pods with affinity are tracked", "[scheduler][nodeinfo]") {
  json anti = Pod("anti");
  anti["spec"]["affinity"] = {{"podAntiAffinity",
                               {{"requiredDuringSchedulingIgnoredDuringExecution",
                                 json::array({{{"labelSelector", {{"matchLabels", {{"app", "x"}}}}},
                                               {"topologyKey", "kubernetes.io/hostname"}}})}}}};
  json pref = Pod("pref");
  pref["spec"]["affinity"] = {{"podAffinity", json::object()}};
  NodeInfo ni(Node("n1"));
  ni.AddPod(anti);
  ni.AddPod(pref);
  ni.AddPod(Pod("plain"));
  CHECK(ni.pods_with_affinity() == 2);
  REQUIRE(ni.pods_with_required_anti_affinity().size() == 1);
  CHECK(ni.pods_with_required_anti_affinity()[0]->name == "anti");
  NodeInfo copy = ni;  // snapshots share the parsed pods
  ni.RemovePod("uid-anti");
  CHECK(ni.pods_with_affinity() == 1);
  CHECK(ni.pods_with_required_anti_affinity().empty());
  CHECK(copy.pods_with_required_anti_affinity().size() == 1);
  CHECK(copy.generation() == ni.generation() - 1);
}
