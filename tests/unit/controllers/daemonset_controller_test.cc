// The DaemonSet controller against a real store: which nodes get a pod and how it is made,
// nodes coming and going, extra, failed and misplaced pods, and the running controller.
#include <catch2/catch.hpp>

#include "unit/controllers/daemonset_fixture.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

using testing::AgentDaemonSet;
using testing::CreateThreeNodes;
using testing::DaemonSetCluster;
using testing::Eventually;
using testing::Ok;
using testing::TestOptions;
using namespace std::chrono_literals;

const json kDaemonTolerations = json::array({
    {{"key", "node.kubernetes.io/not-ready"}, {"operator", "Exists"}, {"effect", "NoExecute"}},
    {{"key", "node.kubernetes.io/unreachable"}, {"operator", "Exists"}, {"effect", "NoExecute"}},
    {{"key", "node.kubernetes.io/disk-pressure"}, {"operator", "Exists"}, {"effect", "NoSchedule"}},
    {{"key", "node.kubernetes.io/memory-pressure"},
     {"operator", "Exists"},
     {"effect", "NoSchedule"}},
    {{"key", "node.kubernetes.io/pid-pressure"}, {"operator", "Exists"}, {"effect", "NoSchedule"}},
    {{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"}, {"effect", "NoSchedule"}},
});

json PinnedTo(const std::string& node) {
  return {{"nodeAffinity",
           {{"requiredDuringSchedulingIgnoredDuringExecution",
             {{"nodeSelectorTerms",
               {{{"matchFields",
                  {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {node}}}}}}}}}}}}};
}

// An orphan pod that the DaemonSet's selector matches, meant for `node`.
json StrayPod(const std::string& name, const std::string& node) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"labels", {{"app", "agent"}}}}},
              {"spec",
               {{"affinity", PinnedTo(node)},
                {"containers", {{{"name", "agent"}, {"image", "busybox:1.36"}}}}}}};
  return pod;
}

TEST_CASE(
    "a DaemonSet runs one pod on each eligible node, pinned by affinity, with the daemon "
    "tolerations") {
  DaemonSetCluster c;
  CreateThreeNodes(c);
  json ds = c.CreateDaemonSet(AgentDaemonSet());
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);

  // edge-b's taint is not tolerated and core-c lacks role=edge: only edge-a.
  std::vector<json> pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  const json& pod = pods[0];
  const std::string name = pod["metadata"]["name"];
  CHECK(name.rfind("agent-", 0) == 0);
  CHECK(pod["metadata"]["generateName"] == "agent-");
  CHECK_FALSE(pod["spec"].contains("nodeName"));
  CHECK(pod["spec"]["affinity"] == PinnedTo("edge-a"));
  CHECK(pod["spec"]["tolerations"] == kDaemonTolerations);
  CHECK(pod["spec"]["nodeSelector"] == json{{"role", "edge"}});
  const json& ref = pod["metadata"]["ownerReferences"][0];
  CHECK(ref == json{{"apiVersion", "apps/v1"},
                    {"kind", "DaemonSet"},
                    {"name", "agent"},
                    {"uid", ds["metadata"]["uid"]},
                    {"controller", true},
                    {"blockOwnerDeletion", true}});

  // The current ControllerRevision names the hash the pod carries.
  std::vector<json> revisions = c.Revisions();
  REQUIRE(revisions.size() == 1);
  const std::string hash = revisions[0]["metadata"]["labels"]["controller-revision-hash"];
  CHECK(revisions[0]["metadata"]["name"] == "agent-" + hash);
  CHECK(revisions[0]["revision"] == 1);
  CHECK(revisions[0]["metadata"]["labels"]["app"] == "agent");
  CHECK(revisions[0]["data"]["spec"]["template"]["$patch"] == "replace");
  CHECK(revisions[0]["data"]["spec"]["template"]["spec"]["containers"][0]["image"] ==
        "busybox:1.36");
  CHECK(pod["metadata"]["labels"] == json{{"app", "agent"}, {"controller-revision-hash", hash}});

  CHECK(c.EventMessages("SuccessfulCreate") == std::vector<std::string>{"Created pod: " + name});

  // Once the cache has the pod, another pass changes nothing.
  c.SyncNow(ctl);
  CHECK(c.PodsByNode() == std::map<std::string, std::vector<std::string>>{{"edge-a", {name}}});
  CHECK(c.Revisions().size() == 1);

  // A toleration in the template lets edge-b in too (a new template: a new revision). edge-a's
  // pod, ready and so available, is not replaced while edge-b's new pod is unavailable
  // (maxUnavailable 1); an unavailable one would be replaced at once.
  c.MarkReady("default", name, true, "2020-01-01T00:00:00Z");
  json patch = {{"spec",
                 {{"template",
                   {{"spec",
                     {{"tolerations",
                       {{{"key", "dedicated"},
                         {"operator", "Equal"},
                         {"value", "db"},
                         {"effect", "NoSchedule"}}}}}}}}}}};
  c.PatchDaemonSet(patch);
  c.SyncNow(ctl);
  auto by_node = c.PodsByNode();
  CHECK(by_node.size() == 2);
  CHECK(by_node.count("edge-a") == 1);
  REQUIRE(by_node.count("edge-b") == 1);
  json on_b = Ok(c.client->Get(client::Pods(), "default", by_node["edge-b"][0]));
  json expected = kDaemonTolerations;
  expected.insert(
      expected.begin(),
      json{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "db"}, {"effect", "NoSchedule"}});
  CHECK(on_b["spec"]["tolerations"] == expected);
  CHECK(on_b["spec"]["affinity"] == PinnedTo("edge-b"));
  CHECK(c.Revisions().size() == 2);
}

TEST_CASE("hostNetwork daemon pods also tolerate network-unavailable") {
  DaemonSetCluster c;
  c.CreateNode("edge-a", {{"role", "edge"}},
               {{{"key", "node.kubernetes.io/network-unavailable"}, {"effect", "NoSchedule"}}});
  json ds = AgentDaemonSet();
  ds["spec"]["template"]["spec"]["hostNetwork"] = true;
  c.CreateDaemonSet(ds);
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);

  std::vector<json> pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  json expected = kDaemonTolerations;
  expected.push_back({{"key", "node.kubernetes.io/network-unavailable"},
                      {"operator", "Exists"},
                      {"effect", "NoSchedule"}});
  CHECK(pods[0]["spec"]["tolerations"] == expected);
}

TEST_CASE(
    "the running controller follows nodes: added nodes get a pod, deleted or relabeled "
    "ones lose it") {
  DaemonSetCluster c;
  CreateThreeNodes(c);
  c.CreateDaemonSet(AgentDaemonSet());
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  ctl.Start();

  auto nodes_with_pods = [&] {
    std::vector<std::string> out;
    for (const auto& [node, pods] : c.PodsByNode()) {
      if (pods.size() == 1) out.push_back(node);
    }
    return out;
  };
  using Names = std::vector<std::string>;
  REQUIRE(Eventually([&] { return nodes_with_pods() == Names{"edge-a"}; }));

  // A node added later, and a node that gains the label.
  c.CreateNode("edge-d", {{"role", "edge"}});
  c.PatchNode("core-c", {{"metadata", {{"labels", {{"role", "edge"}}}}}});
  REQUIRE(Eventually([&] { return nodes_with_pods() == Names{"core-c", "edge-a", "edge-d"}; }));
  CHECK(Eventually(
      [&] { return c.GetDaemonSet()["status"].value("desiredNumberScheduled", 0) == 3; }));

  // A node deleted: its pod (never bound: no scheduler here) goes with it.
  const std::string on_d = c.PodsByNode()["edge-d"][0];
  c.DeleteNode("edge-d");
  REQUIRE(Eventually([&] { return nodes_with_pods() == Names{"core-c", "edge-a"}; }));
  CHECK(c.client->Get(client::Pods(), "default", on_d).status().code() == Code::kNotFound);
  CHECK(Eventually([&] {
    const auto deleted = c.EventMessages("SuccessfulDelete");
    return std::find(deleted.begin(), deleted.end(), "Deleted pod: " + on_d) != deleted.end();
  }));

  // A node that loses the label loses its pod.
  c.PatchNode("core-c", {{"metadata", {{"labels", {{"role", nullptr}}}}}});
  REQUIRE(Eventually([&] { return nodes_with_pods() == Names{"edge-a"}; }));
  CHECK(Eventually([&] {
    json status = c.GetDaemonSet()["status"];
    return status.value("desiredNumberScheduled", -1) == 1 &&
           status.value("currentNumberScheduled", -1) == 1;
  }));
  ctl.Stop();
}

TEST_CASE("extra pods on a node are deleted keeping the oldest") {
  DaemonSetCluster c;
  c.CreateNode("edge-a", {{"role", "edge"}});
  c.CreateDaemonSet(AgentDaemonSet());
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  std::vector<json> pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  const std::string first = pods[0]["metadata"]["name"];

  // A matching orphan for the same node is adopted, then pruned as the younger (or, created in
  // the same second, the later name).
  c.CreatePod("default", StrayPod("zz-extra", "edge-a"));
  c.SyncNow(ctl);
  CHECK(c.PodsByNode() == std::map<std::string, std::vector<std::string>>{{"edge-a", {first}}});
  CHECK(c.client->Get(client::Pods(), "default", "zz-extra").status().code() == Code::kNotFound);
  CHECK(c.EventMessages("SuccessfulDelete") == std::vector<std::string>{"Deleted pod: zz-extra"});
}

TEST_CASE("failed daemon pods are deleted and replaced, at most once per backoff window") {
  DaemonSetCluster c;
  c.CreateNode("edge-a", {{"role", "edge"}});
  c.CreateDaemonSet(AgentDaemonSet());
  DaemonSetControllerOptions o = TestOptions();
  o.failed_pod_backoff = 1h;  // the second failure stays within the window
  DaemonSetController ctl(*c.client, c.informers, o);
  c.StartInformers();
  c.SyncNow(ctl);
  std::vector<json> pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  const std::string first = pods[0]["metadata"]["name"];

  c.MarkPhase("default", first, "Failed");
  c.SyncNow(ctl);
  CHECK(c.client->Get(client::Pods(), "default", first).status().code() == Code::kNotFound);
  CHECK(c.EventMessages("FailedDaemonPod") ==
        std::vector<std::string>{"Found failed daemon pod default/" + first +
                                 " on node edge-a, will try to kill it"});
  c.SyncNow(ctl);  // the replacement
  pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  const std::string second = pods[0]["metadata"]["name"];
  CHECK(second != first);

  // It fails too: within the node's backoff it is left alone.
  c.MarkPhase("default", second, "Failed");
  c.SyncNow(ctl);
  c.SyncNow(ctl);
  pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]["metadata"]["name"] == second);
  CHECK(c.EventMessages("FailedDaemonPod").size() == 1);
}

TEST_CASE("a bound pod stays on a node tainted NoSchedule and is evicted by NoExecute") {
  DaemonSetCluster c;
  c.CreateNode("edge-a", {{"role", "edge"}});
  c.CreateDaemonSet(AgentDaemonSet());
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  c.StartInformers();
  c.SyncNow(ctl);
  std::vector<json> pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  const std::string name = pods[0]["metadata"]["name"];
  // Play the scheduler: bind it.
  Ok(c.client->CreateSubresource(client::Pods(), "default", name, "binding",
                                 {{"apiVersion", "v1"},
                                  {"kind", "Binding"},
                                  {"metadata", {{"name", name}}},
                                  {"target", {{"kind", "Node"}, {"name", "edge-a"}}}}));

  c.PatchNode("edge-a",
              {{"spec", {{"taints", {{{"key", "maintenance"}, {"effect", "NoSchedule"}}}}}}});
  c.SyncNow(ctl);
  pods = c.DaemonPods();
  REQUIRE(pods.size() == 1);
  CHECK(pods[0]["metadata"]["name"] == name);
  json status = c.GetDaemonSet()["status"];
  CHECK(status["desiredNumberScheduled"] == 0);
  CHECK(status["numberMisscheduled"] == 1);

  c.PatchNode("edge-a",
              {{"spec", {{"taints", {{{"key", "maintenance"}, {"effect", "NoExecute"}}}}}}});
  c.SyncNow(ctl);
  // Bound pods stop gracefully: the kubelet would remove it after its grace period.
  CHECK(c.DaemonPods().empty());
  json gone = Ok(c.client->Get(client::Pods(), "default", name));
  CHECK(gone["metadata"].contains("deletionTimestamp"));
  CHECK(c.EventMessages("SuccessfulDelete") == std::vector<std::string>{"Deleted pod: " + name});
}

TEST_CASE("a pass waits for the caches, and a DaemonSet that is gone needs nothing") {
  DaemonSetCluster c;
  c.CreateNode("edge-a", {{"role", "edge"}});
  DaemonSetController ctl(*c.client, c.informers, TestOptions());
  Status early = ctl.Sync("default/agent");
  CHECK(early.code() == Code::kUnavailable);
  CHECK(early.message() ==
        "the daemonset, controllerrevision, pod and node caches have not synced yet");
  c.StartInformers();
  CHECK(ctl.Sync("default/agent").ok());
  CHECK(Ok(c.client->List(client::Pods(), "default", {}))["items"].empty());
}

}  // namespace
}  // namespace skiff::controllers
