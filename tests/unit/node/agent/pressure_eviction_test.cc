// Node-pressure eviction: the signals and thresholds, the conditions held for the transition
// period, and the eviction loop against fake hooks.
#include "node/agent/pressure_eviction.h"

#include <catch2/catch.hpp>
#include <map>

using nlohmann::json;
using namespace skiff::node;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kMi = 1024 * 1024;

HostFacts Relaxed() {
  HostFacts f;
  f.memory_bytes = 8192 * kMi;
  f.memory_available_bytes = 4096 * kMi;
  f.disk_bytes = 10240 * kMi;
  f.disk_available_bytes = 5120 * kMi;
  f.disk_inodes = 1000000;
  f.disk_inodes_free = 500000;
  f.pids_max = 100000;
  f.pids_used = 100;
  return f;
}

skiff::apis::EvictionThresholds Thresholds(const char* flag) {
  auto t = skiff::apis::ParseEvictionHard(flag);
  REQUIRE(t.ok());
  return *t;
}

// A node and its pods as the hooks see them; what the loop did to them.
struct FakeNode {
  HostFacts facts = Relaxed();
  std::vector<json> pods;
  std::map<std::string, int64_t> usage;  // by pod name, of whatever is measured
  std::vector<std::string> evicted;      // "name: message"
  std::vector<EvictionResource> measured;
  int reclaims = 0;
  int64_t reclaim_frees = 0;  // disk bytes a reclaim makes available
  std::vector<std::string> node_events;

  void Add(const std::string& name, json requests = json::object(), int64_t priority = 0) {
    json c = {{"name", "app"}};
    if (!requests.empty()) c["resources"]["requests"] = requests;
    pods.push_back({{"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "u-" + name}}},
                    {"spec", {{"containers", json::array({c})}, {"priority", priority}}},
                    {"status", {{"phase", "Running"}}}});
  }
  // What the agent does once the eviction is carried out: the pod is Failed.
  void Finish(const std::string& name) {
    for (json& p : pods) {
      if (p["metadata"]["name"] == name) p["status"]["phase"] = "Failed";
    }
  }

  NodePressureEviction::Hooks Hooks() {
    NodePressureEviction::Hooks h;
    h.facts = [this] { return facts; };
    h.pods = [this] { return pods; };
    h.measure = [this](const json& pod, EvictionResource r) {
      measured.push_back(r);
      PodUsage u;
      u.total = usage[pod["metadata"]["name"]];
      u.containers["app"] = u.total;
      return u;
    };
    h.reclaim_disk = [this] {
      ++reclaims;
      facts.disk_available_bytes += reclaim_frees;
    };
    h.evict = [this](const std::string& uid, const std::string& message) {
      for (const json& p : pods) {
        if (p["metadata"]["uid"] == uid)
          evicted.push_back(p["metadata"]["name"].get<std::string>() + ": " + message);
      }
    };
    h.node_event = [this](const std::string& reason, const std::string& message) {
      node_events.push_back(reason + ": " + message);
    };
    return h;
  }
};

}  // namespace

TEST_CASE("the thresholds crossed come memory first, then in the order configured") {
  const auto thresholds =
      Thresholds("pid.available<1000,nodefs.available<1Gi,memory.available<100Mi");
  HostFacts f = Relaxed();
  CHECK(ThresholdsMet(thresholds, f).empty());
  f.pids_used = f.pids_max - 10;
  f.disk_available_bytes = 10 * kMi;
  f.memory_available_bytes = 10 * kMi;
  auto met = ThresholdsMet(thresholds, f);
  REQUIRE(met.size() == 3);
  CHECK(met[0].threshold.signal == skiff::apis::EvictionSignal::kMemoryAvailable);
  CHECK(met[0].amount == 100 * kMi);
  CHECK(met[0].observed.available == 10 * kMi);
  CHECK(met[1].threshold.signal == skiff::apis::EvictionSignal::kPidAvailable);
  CHECK(met[1].observed.available == 10);
  CHECK(met[2].threshold.signal == skiff::apis::EvictionSignal::kNodefsAvailable);
  CHECK(PressureFrom(met) == NodePressure{true, true, true});
  // An unread MemAvailable is unknown, not pressure.
  f = Relaxed();
  f.memory_available_bytes = 0;
  CHECK(ThresholdsMet(thresholds, f).empty());
}

TEST_CASE("pressure conditions stay for the transition period after the last observation") {
  PressureConditions conditions(5min);
  const auto t0 = PressureConditions::Clock::now();
  CHECK_FALSE(conditions.Current(t0).Any());
  CHECK(conditions.Observe({true, false, false}, t0) == NodePressure{true, false, false});
  // Gone from the signals, still reported.
  CHECK(conditions.Observe({}, t0 + 1min) == NodePressure{true, false, false});
  CHECK(conditions.Observe({false, true, false}, t0 + 4min) == NodePressure{true, true, false});
  CHECK(conditions.Current(t0 + 5min) == NodePressure{false, true, false});
  CHECK(conditions.Current(t0 + 9min - 1ms) == NodePressure{false, true, false});
  CHECK_FALSE(conditions.Current(t0 + 9min).Any());
  // With no transition period a condition is reported only as observed.
  PressureConditions none(0ms);
  CHECK(none.Observe({false, false, true}, t0) == NodePressure{false, false, true});
  CHECK_FALSE(none.Current(t0 + 1ms).Any());
}

TEST_CASE("no threshold crossed: nothing measured, reclaimed or evicted") {
  FakeNode node;
  node.Add("a");
  PressureConditions conditions(5min);
  NodePressureEviction eviction(Thresholds("memory.available<100Mi,nodefs.available<1Gi"),
                                conditions, node.Hooks(), 1h);
  CHECK(eviction.RunOnce().empty());
  CHECK(node.measured.empty());
  CHECK(node.reclaims == 0);
  CHECK(node.evicted.empty());
  CHECK(node.node_events.empty());
  CHECK_FALSE(conditions.Current(PressureConditions::Clock::now()).Any());
}

TEST_CASE("memory pressure evicts one pod per pass, best-effort first, waiting for each") {
  FakeNode node;
  node.Add("guaranteed", {{"memory", "512Mi"}, {"cpu", "1"}});
  node.Add("best-effort");
  node.Add("burstable", {{"memory", "100Mi"}});
  node.usage = {{"guaranteed", 300 * kMi}, {"best-effort", 600 * kMi}, {"burstable", 400 * kMi}};
  node.facts.memory_available_bytes = 50 * kMi;
  PressureConditions conditions(5min);
  NodePressureEviction eviction(Thresholds("memory.available<100Mi,nodefs.available<1Gi"),
                                conditions, node.Hooks(), 1h);

  CHECK(eviction.RunOnce() == "u-best-effort");
  REQUIRE(node.evicted.size() == 1);
  CHECK(node.evicted[0] ==
        "best-effort: The node was low on resource: memory. Threshold quantity: 100Mi, "
        "available: 50Mi. Container app was using 600Mi, request is 0, has larger consumption "
        "of memory. ");
  CHECK(node.node_events ==
        std::vector<std::string>{"EvictionThresholdMet: Attempting to reclaim memory"});
  CHECK(conditions.Current(PressureConditions::Clock::now()) == NodePressure{true, false, false});
  // Memory pressure reclaims no disk.
  CHECK(node.reclaims == 0);
  for (EvictionResource r : node.measured) CHECK(r == EvictionResource::kMemory);

  // The evicted pod is not cleaned up yet: the next pass waits for it.
  CHECK(eviction.RunOnce().empty());
  CHECK(node.evicted.size() == 1);
  // Once it is Failed, the next pod over its requests goes.
  node.Finish("best-effort");
  CHECK(eviction.RunOnce() == "u-burstable");
  node.Finish("burstable");
  CHECK(eviction.RunOnce() == "u-guaranteed");
  node.Finish("guaranteed");
  // Nothing left to evict.
  CHECK(eviction.RunOnce().empty());
  CHECK(node.evicted.size() == 3);
  // Relief: no more evictions, but the condition stays for the transition period.
  node.facts = Relaxed();
  CHECK(eviction.RunOnce().empty());
  CHECK(conditions.Current(PressureConditions::Clock::now()).memory);
}

TEST_CASE("disk pressure reclaims node resources first and evicts only when that is not enough") {
  FakeNode node;
  node.Add("writer");
  node.Add("reader", {{"ephemeral-storage", "1Gi"}});
  node.usage = {{"writer", 300 * kMi}, {"reader", 10 * kMi}};
  node.facts.disk_available_bytes = 100 * kMi;
  PressureConditions conditions(5min);
  NodePressureEviction eviction(Thresholds("memory.available<100Mi,nodefs.available<1Gi"),
                                conditions, node.Hooks(), 1h);

  // Unused images free enough: nobody is evicted, though the node was under pressure.
  node.reclaim_frees = 2048 * kMi;
  CHECK(eviction.RunOnce().empty());
  CHECK(node.reclaims == 1);
  CHECK(node.evicted.empty());
  CHECK(node.measured.empty());
  CHECK(conditions.Current(PressureConditions::Clock::now()).disk);

  // Not enough: the pod writing most beyond its requests goes.
  node.facts.disk_available_bytes = 100 * kMi;
  node.reclaim_frees = 10 * kMi;
  CHECK(eviction.RunOnce() == "u-writer");
  CHECK(node.reclaims == 2);
  REQUIRE(node.evicted.size() == 1);
  CHECK(node.evicted[0] ==
        "writer: The node was low on resource: ephemeral-storage. Threshold quantity: 1Gi, "
        "available: 100Mi. Container app was using 300Mi, request is 0, has larger consumption "
        "of ephemeral-storage. ");
  for (EvictionResource r : node.measured) CHECK(r == EvictionResource::kEphemeralStorage);
}

TEST_CASE("critical, finished and deleted pods are never evicted") {
  FakeNode node;
  node.Add("node-critical", json::object(), 2000001000);
  node.Add("done");
  node.Finish("done");
  node.Add("leaving");
  node.pods.back()["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  node.usage = {{"node-critical", 900 * kMi}, {"done", 900 * kMi}, {"leaving", 900 * kMi}};
  node.facts.pids_used = node.facts.pids_max - 5;
  PressureConditions conditions(5min);
  NodePressureEviction eviction(Thresholds("pid.available<1000"), conditions, node.Hooks(), 1h);
  CHECK(eviction.RunOnce().empty());
  CHECK(node.evicted.empty());
  CHECK(conditions.Current(PressureConditions::Clock::now()) == NodePressure{false, false, true});
  // A plain pod with fewer processes is the one that goes.
  node.Add("plain");
  node.usage["plain"] = 2;
  CHECK(eviction.RunOnce() == "u-plain");
  CHECK(node.evicted == std::vector<std::string>{
                            "plain: The node was low on resource: pids. Threshold quantity: 1k, "
                            "available: 5. "});
}

TEST_CASE("memory comes before disk when both are short") {
  FakeNode node;
  node.Add("a");
  node.usage = {{"a", 10 * kMi}};
  node.facts.memory_available_bytes = 10 * kMi;
  node.facts.disk_available_bytes = 10 * kMi;
  PressureConditions conditions(5min);
  NodePressureEviction eviction(Thresholds("nodefs.available<1Gi,memory.available<100Mi"),
                                conditions, node.Hooks(), 1h);
  CHECK(eviction.RunOnce() == "u-a");
  CHECK(node.reclaims == 0);
  CHECK_THAT(node.evicted.at(0), Catch::StartsWith("a: The node was low on resource: memory."));
  CHECK(conditions.Current(PressureConditions::Clock::now()) == NodePressure{true, true, false});
}
