// How node pressure judges pods: kubelet's ranking, messages, critical pods and admission,
// on fabricated pods and usages.
#include "node/agent/pressure_pods.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using namespace skiff::node;

namespace {

constexpr int64_t kMi = 1024 * 1024;

// A pod named `name` whose one container "app" requests `requests` (a ResourceList).
json Pod(const std::string& name, json requests = json::object(), int64_t priority = 0) {
  json container = {{"name", "app"}, {"image", "busybox"}};
  if (!requests.empty()) container["resources"]["requests"] = requests;
  json pod = {{"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
              {"spec", {{"containers", json::array({container})}}}};
  if (priority != 0) pod["spec"]["priority"] = priority;
  return pod;
}

EvictionCandidate Using(json pod, int64_t total) {
  PodUsage usage;
  usage.total = total;
  usage.containers["app"] = total;
  return {std::move(pod), usage};
}

std::vector<std::string> Names(const std::vector<EvictionCandidate>& ranked) {
  std::vector<std::string> names;
  for (const EvictionCandidate& c : ranked) names.push_back(c.pod["metadata"]["name"]);
  return names;
}

ThresholdMet Met(const char* flag, int64_t available, int64_t capacity) {
  auto thresholds = skiff::apis::ParseEvictionHard(flag);
  REQUIRE(thresholds.ok());
  ThresholdMet met;
  met.threshold = thresholds->front();
  met.observed = {available, capacity, true};
  met.amount = met.threshold.Amount(capacity);
  return met;
}

}  // namespace

TEST_CASE("memory pressure ranks pods over their requests first, then by priority, then usage") {
  std::vector<EvictionCandidate> pods = {
      Using(Pod("guaranteed", {{"memory", "200Mi"}, {"cpu", "100m"}}), 100 * kMi),
      Using(Pod("burstable", {{"memory", "100Mi"}}), 300 * kMi),
      Using(Pod("small-best-effort"), 50 * kMi),
      Using(Pod("big-best-effort"), 400 * kMi),
      Using(Pod("important-best-effort", json::object(), 1000), 900 * kMi),
      Using(Pod("idle-best-effort"), 0),
  };
  RankForEviction(EvictionResource::kMemory, pods);
  // Over requests: the lower priority ones by how far over (400Mi, 200Mi, 50Mi), then the
  // higher priority one; then those within their requests (0 above 0 is not over).
  CHECK(Names(pods) == std::vector<std::string>{"big-best-effort", "burstable", "small-best-effort",
                                                "important-best-effort", "idle-best-effort",
                                                "guaranteed"});
}

TEST_CASE("within their requests, lower priority goes first, then the least headroom") {
  std::vector<EvictionCandidate> pods = {
      Using(Pod("roomy", {{"memory", "1Gi"}}), 100 * kMi),
      Using(Pod("tight", {{"memory", "200Mi"}}), 190 * kMi),
      Using(Pod("low", {{"memory", "1Gi"}}, -5), 10 * kMi),
  };
  RankForEviction(EvictionResource::kMemory, pods);
  CHECK(Names(pods) == std::vector<std::string>{"low", "tight", "roomy"});
}

TEST_CASE("disk pressure ranks by ephemeral-storage use against its requests") {
  std::vector<EvictionCandidate> pods = {
      Using(Pod("requested", {{"ephemeral-storage", "1Gi"}}), 500 * kMi),
      Using(Pod("writer"), 200 * kMi),
      Using(Pod("quiet"), 1 * kMi),
  };
  RankForEviction(EvictionResource::kEphemeralStorage, pods);
  CHECK(Names(pods) == std::vector<std::string>{"writer", "quiet", "requested"});
  // Inodes have no requests: every pod holding any is over them.
  pods = {Using(Pod("requested", {{"ephemeral-storage", "1Gi"}}), 500), Using(Pod("writer"), 200),
          Using(Pod("empty"), 0)};
  RankForEviction(EvictionResource::kInodes, pods);
  CHECK(Names(pods) == std::vector<std::string>{"requested", "writer", "empty"});
}

TEST_CASE("PID pressure ranks by priority, then by processes") {
  std::vector<EvictionCandidate> pods = {
      Using(Pod("few"), 3),
      Using(Pod("many"), 300),
      Using(Pod("important", json::object(), 100), 5000),
      Using(Pod("unimportant", json::object(), -1), 1),
  };
  RankForEviction(EvictionResource::kPids, pods);
  CHECK(Names(pods) == std::vector<std::string>{"unimportant", "many", "few", "important"});
}

TEST_CASE("critical pods: system priorities, static and mirror pods") {
  CHECK_FALSE(IsCriticalPod(Pod("plain")));
  CHECK_FALSE(IsCriticalPod(Pod("high", json::object(), 1999999999)));
  CHECK(IsCriticalPod(Pod("cluster-critical", json::object(), 2000000000)));
  CHECK(IsCriticalPod(Pod("node-critical", json::object(), 2000001000)));
  json mirror = Pod("mirror");
  mirror["metadata"]["annotations"] = {{"kubernetes.io/config.mirror", "abc"}};
  CHECK(IsCriticalPod(mirror));
  json file = Pod("static");
  file["metadata"]["annotations"] = {{"kubernetes.io/config.source", "file"}};
  CHECK(IsCriticalPod(file));
  file["metadata"]["annotations"]["kubernetes.io/config.source"] = "api";
  CHECK_FALSE(IsCriticalPod(file));
}

TEST_CASE("the memory eviction message is kubelet's") {
  // (kubelet prints quantities in the largest binary unit that divides them.)
  const ThresholdMet met = Met("memory.available<100Mi", 50 * kMi + 4096, 8192 * kMi);
  json pod = Pod("hog");
  PodUsage usage;
  usage.total = 600 * kMi;
  usage.containers = {{"app", 600 * kMi}};
  CHECK(EvictionMessage(met, pod, usage) ==
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51204Ki. "
        "Container app was using 600Mi, request is 0, has larger consumption of memory. ");
  // Containers within their requests are not named; init containers are, after app ones.
  pod["spec"]["containers"].push_back(
      {{"name", "sidecar"}, {"resources", {{"requests", {{"memory", "64Mi"}}}}}});
  pod["spec"]["initContainers"] = json::array({{{"name", "setup"}}});
  usage.containers = {{"app", 600 * kMi}, {"sidecar", 10 * kMi}, {"setup", 4096}};
  CHECK(EvictionMessage(met, pod, usage) ==
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51204Ki. "
        "Container app was using 600Mi, request is 0, has larger consumption of memory. "
        "Container setup was using 4Ki, request is 0, has larger consumption of memory. ");
  usage.containers["sidecar"] = 100 * kMi;
  CHECK_THAT(EvictionMessage(met, pod, usage),
             Catch::Contains("Container sidecar was using 100Mi, request is 64Mi, has larger "
                             "consumption of memory. "));
}

TEST_CASE("disk, inode and PID eviction messages") {
  // A percentage threshold prints in binary units, as kubelet computes it from the capacity.
  const ThresholdMet disk = Met("nodefs.available<10%", 3 * 1024 * kMi, 40 * 1024 * kMi);
  json pod = Pod("writer", {{"ephemeral-storage", "100Mi"}});
  PodUsage usage;
  usage.total = 300 * kMi;
  usage.containers = {{"app", 200 * kMi}};
  CHECK(EvictionMessage(disk, pod, usage) ==
        "The node was low on resource: ephemeral-storage. Threshold quantity: 4Gi, available: "
        "3Gi. Container app was using 200Mi, request is 100Mi, has larger consumption of "
        "ephemeral-storage. ");
  // imagefs is the same disk: the same resource.
  CHECK_THAT(EvictionMessage(Met("imagefs.available<1Gi", 1000 * kMi, 40 * 1024 * kMi), pod, usage),
             Catch::StartsWith("The node was low on resource: ephemeral-storage. Threshold "
                               "quantity: 1Gi, available: 1000Mi. "));
  // Counts print in decimal units, and no container is blamed.
  CHECK(EvictionMessage(Met("nodefs.inodesFree<5%", 12000, 1000000), pod, usage) ==
        "The node was low on resource: inodes. Threshold quantity: 50000, available: 12k. ");
  CHECK(EvictionMessage(Met("pid.available<1000", 999, 4194304), pod, usage) ==
        "The node was low on resource: pids. Threshold quantity: 1k, available: 999. ");
  // A decimal quantity keeps its decimal units.
  CHECK_THAT(EvictionMessage(Met("memory.available<500M", 1, 1000 * kMi), pod, usage),
             Catch::StartsWith("The node was low on resource: memory. Threshold quantity: 500M, "
                               "available: 1. "));
}

TEST_CASE("a node under memory pressure alone turns away BestEffort pods only") {
  const NodePressure memory{true, false, false};
  json best_effort = Pod("be");
  CHECK(AdmissionRefusal(memory, best_effort) == "The node had condition: [MemoryPressure]. ");
  CHECK(AdmissionRefusal(NodePressure{}, best_effort).empty());
  CHECK(AdmissionRefusal(memory, Pod("burstable", {{"memory", "64Mi"}})).empty());
  // A BestEffort pod tolerating the memory-pressure taint is let in; other tolerations not.
  json tolerant = best_effort;
  tolerant["spec"]["tolerations"] = json::array({{{"key", "node.kubernetes.io/memory-pressure"},
                                                  {"operator", "Exists"},
                                                  {"effect", "NoSchedule"}}});
  CHECK(AdmissionRefusal(memory, tolerant).empty());
  json other = best_effort;
  other["spec"]["tolerations"] =
      json::array({{{"key", "node.kubernetes.io/disk-pressure"}, {"operator", "Exists"}}});
  CHECK_FALSE(AdmissionRefusal(memory, other).empty());
  // Critical pods always get in.
  CHECK(AdmissionRefusal(memory, Pod("critical", json::object(), 2000001000)).empty());
}

TEST_CASE("a node under disk or PID pressure turns away every pod but critical ones") {
  json burstable = Pod("burstable", {{"memory", "64Mi"}});
  CHECK(AdmissionRefusal({false, true, false}, burstable) ==
        "The node had condition: [DiskPressure]. ");
  CHECK(AdmissionRefusal({true, true, true}, burstable) ==
        "The node had condition: [MemoryPressure DiskPressure PIDPressure]. ");
  // Memory pressure with another: the toleration of memory pressure is not enough.
  json tolerant = Pod("be");
  tolerant["spec"]["tolerations"] = json::array({{{"operator", "Exists"}}});
  CHECK(AdmissionRefusal({true, false, true}, tolerant) ==
        "The node had condition: [MemoryPressure PIDPressure]. ");
  CHECK(AdmissionRefusal({false, true, true}, Pod("critical", json::object(), 2000000000)).empty());
}
