// Which nodes should run a daemon pod and how the pod is pinned there (pure functions).
#include "controllers/daemonset_nodes.h"

#include <catch2/catch.hpp>

#include "unit/controllers/daemonset_fixture.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

using daemonset::DaemonPlacement;
using Fit = DaemonPlacement::Fit;

json Taint(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"effect", effect}};
}

Fit Check(const json& ds, const json& node) { return DaemonPlacement(ds).Check(node); }

TEST_CASE("nodes qualify by selector, affinity, template nodeName and tolerated taints") {
  const json ds = testing::AgentDaemonSet();
  const json edge = {{"role", "edge"}};
  const Fit run{true, true}, stay{false, true}, none{false, false};

  CHECK(Check(ds, testing::HollowNode("a", edge)) == run);
  CHECK(Check(ds, testing::HollowNode("a")) == none);  // nodeSelector
  // NoSchedule keeps what is there, NoExecute evicts, PreferNoSchedule does not matter.
  CHECK(Check(ds, testing::HollowNode("a", edge, json::array({Taint("x", "NoSchedule")}))) == stay);
  CHECK(Check(ds, testing::HollowNode("a", edge, json::array({Taint("x", "NoExecute")}))) == none);
  CHECK(Check(ds, testing::HollowNode("a", edge, json::array({Taint("x", "PreferNoSchedule")}))) ==
        run);
  CHECK(Check(ds, testing::HollowNode(
                      "a", edge, {Taint("x", "NoSchedule"), Taint("y", "NoExecute")})) == none);
  // The daemon tolerations.
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    CHECK(Check(ds, testing::HollowNode("a", edge, json::array({Taint(key, "NoExecute")}))) == run);
  }
  for (const char* key : {"node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                          "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"}) {
    CHECK(Check(ds, testing::HollowNode("a", edge, json::array({Taint(key, "NoSchedule")}))) ==
          run);
  }
  const json network = Taint("node.kubernetes.io/network-unavailable", "NoSchedule");
  CHECK(Check(ds, testing::HollowNode("a", edge, json::array({network}))) == stay);
  json host = ds;
  host["spec"]["template"]["spec"]["hostNetwork"] = true;
  CHECK(Check(host, testing::HollowNode("a", edge, json::array({network}))) == run);

  // The template's own tolerations count.
  json tolerant = ds;
  tolerant["spec"]["template"]["spec"]["tolerations"] = {{{"operator", "Exists"}}};
  CHECK(Check(tolerant, testing::HollowNode("a", edge, json::array({Taint("x", "NoExecute")}))) ==
        run);

  // A template pinned to a node name, and required node affinity.
  json pinned = ds;
  pinned["spec"]["template"]["spec"]["nodeName"] = "b";
  CHECK(Check(pinned, testing::HollowNode("a", edge)) == none);
  CHECK(Check(pinned, testing::HollowNode("b", edge)) == run);
  json affine = ds;
  affine["spec"]["template"]["spec"]["affinity"] = {
      {"nodeAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution",
         {{"nodeSelectorTerms",
           {{{"matchExpressions",
              {{{"key", "zone"}, {"operator", "In"}, {"values", {"z1", "z2"}}}}}}}}}}}}};
  CHECK(Check(affine, testing::HollowNode("a", {{"role", "edge"}, {"zone", "z2"}})) == run);
  CHECK(Check(affine, testing::HollowNode("a", {{"role", "edge"}, {"zone", "z3"}})) == none);
}

TEST_CASE("daemon tolerations replace a matching one in place and are appended otherwise") {
  json spec = {
      {"tolerations",
       {{{"key", "node.kubernetes.io/not-ready"},
         {"operator", "Exists"},
         {"effect", "NoExecute"},
         {"tolerationSeconds", 300}},
        {{"key", "app"}, {"operator", "Equal"}, {"value", "x"}, {"effect", "NoSchedule"}}}}};
  daemonset::AddDaemonPodTolerations(spec);
  const json& t = spec["tolerations"];
  REQUIRE(t.size() == 7);
  CHECK(t[0] == json{{"key", "node.kubernetes.io/not-ready"},
                     {"operator", "Exists"},
                     {"effect", "NoExecute"}});  // no tolerationSeconds any more
  CHECK(t[1]["key"] == "app");
  CHECK(t[2]["key"] == "node.kubernetes.io/unreachable");
  CHECK(t[6] == json{{"key", "node.kubernetes.io/unschedulable"},
                     {"operator", "Exists"},
                     {"effect", "NoSchedule"}});
  // Idempotent.
  json again = spec;
  daemonset::AddDaemonPodTolerations(again);
  CHECK(again == spec);
}

TEST_CASE("the node-name affinity replaces the required terms and keeps the rest") {
  json spec = {{"affinity",
                {{"nodeAffinity",
                  {{"requiredDuringSchedulingIgnoredDuringExecution",
                    {{"nodeSelectorTerms",
                      {{{"matchExpressions", {{{"key", "zone"}, {"operator", "Exists"}}}}}}}}},
                   {"preferredDuringSchedulingIgnoredDuringExecution",
                    {{{"weight", 1},
                      {"preference",
                       {{"matchExpressions", {{{"key", "ssd"}, {"operator", "Exists"}}}}}}}}}}},
                 {"podAntiAffinity", {{"x", 1}}}}}};
  daemonset::ReplaceNodeNameAffinity(spec, "edge-a");
  const json& na = spec["affinity"]["nodeAffinity"];
  CHECK(na["requiredDuringSchedulingIgnoredDuringExecution"] ==
        json{{"nodeSelectorTerms",
              {{{"matchFields",
                 {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"edge-a"}}}}}}}}});
  CHECK(na["preferredDuringSchedulingIgnoredDuringExecution"].size() == 1);
  CHECK(spec["affinity"]["podAntiAffinity"] == json{{"x", 1}});

  json pod = {{"spec", spec}};
  CHECK(daemonset::TargetNodeName(pod) == "edge-a");
  pod["spec"]["nodeName"] = "bound";
  CHECK(daemonset::TargetNodeName(pod) == "bound");
  CHECK(daemonset::TargetNodeName(json{{"spec", json::object()}}) == std::nullopt);
  json ambiguous = {{"spec", spec}};
  ambiguous["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
           ["nodeSelectorTerms"][0]["matchFields"][0]["values"] = {"a", "b"};
  CHECK(daemonset::TargetNodeName(ambiguous) == std::nullopt);
}

TEST_CASE("daemon pods order bound first, then by creation time, then by name") {
  auto pod = [](const std::string& name, const std::string& created, const std::string& node) {
    json p = {{"metadata", {{"name", name}, {"creationTimestamp", created}}},
              {"spec", json::object()}};
    if (!node.empty()) p["spec"]["nodeName"] = node;
    return std::make_shared<const json>(p);
  };
  daemonset::PodList pods = {
      pod("young", "2024-01-02T00:00:00Z", ""), pod("b-same", "2024-01-01T00:00:00Z", ""),
      pod("a-same", "2024-01-01T00:00:00Z", ""), pod("bound-young", "2024-01-03T00:00:00Z", "n")};
  daemonset::SortDaemonPods(pods);
  std::vector<std::string> names;
  for (const auto& p : pods) names.push_back((*p)["metadata"]["name"]);
  CHECK(names == std::vector<std::string>{"bound-young", "a-same", "b-same", "young"});
}

TEST_CASE("failed pods wait out their node's backoff before being replaced again") {
  json ds = testing::AgentDaemonSet();
  ds["metadata"]["uid"] = "u1";
  daemonset::FailedPodBackoff backoff(std::chrono::seconds(1), std::chrono::seconds(8));
  auto failed = std::make_shared<const json>(
      json{{"metadata", {{"name", "p1"}}}, {"status", {{"phase", "Failed"}}}});
  const daemonset::PodList pods = {failed};
  auto t0 = daemonset::FailedPodBackoff::Clock::now();
  auto plan_at = [&](std::chrono::milliseconds after) {
    return daemonset::PlanNode(daemonset::NodePlanInput{ds,
                                                        "edge-a",
                                                        {true, true},
                                                        &pods,
                                                        "h",
                                                        false,
                                                        std::chrono::system_clock::now(),
                                                        t0 + after},
                               backoff);
  };
  auto first = plan_at(std::chrono::milliseconds(0));
  CHECK(first.delete_pods == std::vector<std::string>{"p1"});
  CHECK(first.failed.size() == 1);
  auto soon = plan_at(std::chrono::milliseconds(500));
  CHECK(soon.delete_pods.empty());
  CHECK(soon.retry_after == std::chrono::milliseconds(1000));
  CHECK_FALSE(soon.needs_pod);
  // After the window: deleted again, and the window doubles.
  CHECK(plan_at(std::chrono::milliseconds(1100)).delete_pods.size() == 1);
  CHECK(backoff.Get(daemonset::FailedPodBackoffKey(ds, "edge-a")) == std::chrono::seconds(2));
}

}  // namespace
}  // namespace skiff::controllers
