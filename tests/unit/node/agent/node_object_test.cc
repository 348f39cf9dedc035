#include "node/agent/node_object.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using namespace skiff::node;

namespace {
HostFacts Facts() {
  HostFacts f;
  f.cpus = 4;
  f.memory_bytes = 8LL << 30;
  f.memory_available_bytes = 4LL << 30;
  f.disk_bytes = 100LL << 30;
  f.disk_available_bytes = 50LL << 30;
  f.pids_max = 4194304;
  f.pids_used = 300;
  f.machine_id = "m";
  f.system_uuid = "s";
  f.boot_id = "b";
  f.kernel_version = "6.1.0";
  f.os_image = "Debian GNU/Linux 12 (bookworm)";
  f.architecture = "amd64";
  return f;
}
AgentConfig Config() {
  AgentConfig c;
  c.node_name = "edge-1";
  c.node_ip = "192.168.1.5";
  c.hostname = "edge-1";
  c.pod_cidr = "10.42.0.0/24";
  return c;
}
}  // namespace

TEST_CASE("node object has capacity, allocatable, nodeInfo, labels and pod CIDR") {
  json n = BuildNode(Config(), Facts(), std::chrono::system_clock::from_time_t(1800000000));
  CHECK(n["metadata"]["labels"]["kubernetes.io/hostname"] == "edge-1");
  CHECK(n["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] == "true");
  CHECK(n["spec"]["podCIDR"] == "10.42.0.0/24");
  const json& st = n["status"];
  CHECK(st["capacity"]["cpu"] == "4");
  CHECK(st["capacity"]["memory"] == "8388608Ki");
  CHECK(st["allocatable"]["memory"] == "8286208Ki");  // 100Mi eviction threshold held back
  CHECK(st["capacity"]["pods"] == "110");
  CHECK(st["allocatable"]["ephemeral-storage"] == std::to_string((100LL << 30) / 10 * 9));
  CHECK(st["nodeInfo"]["osImage"] == "Debian GNU/Linux 12 (bookworm)");
  CHECK(st["nodeInfo"]["kubeletVersion"] == "v1.32.0+skiff");
  CHECK(st["nodeInfo"].size() == 10);
  CHECK(st["addresses"][0] == json{{"type", "InternalIP"}, {"address", "192.168.1.5"}});
  CHECK(st["conditions"].size() == 4);
  CHECK(st["conditions"][3]["type"] == "Ready");
  CHECK(st["conditions"][3]["status"] == "True");
}

TEST_CASE("node conditions report pressure and keep transition times") {
  HostFacts f = Facts();
  f.memory_available_bytes = 50LL << 20;
  f.disk_available_bytes = 5LL << 30;
  auto t0 = std::chrono::system_clock::from_time_t(1800000000);
  json st = BuildNodeStatus(Config(), f, json(), t0);
  CHECK(st["conditions"][0]["status"] == "True");
  CHECK(st["conditions"][0]["reason"] == "KubeletHasInsufficientMemory");
  CHECK(st["conditions"][1]["status"] == "True");
  CHECK(st["conditions"][2]["status"] == "False");
  json later = BuildNodeStatus(Config(), f, st, t0 + std::chrono::minutes(1));
  CHECK(later["conditions"][0]["lastTransitionTime"] == st["conditions"][0]["lastTransitionTime"]);
  CHECK(later["conditions"][0]["lastHeartbeatTime"] != st["conditions"][0]["lastHeartbeatTime"]);
  f.memory_available_bytes = 4LL << 30;
  json relieved = BuildNodeStatus(Config(), f, later, t0 + std::chrono::minutes(2));
  CHECK(relieved["conditions"][0]["status"] == "False");
  CHECK(relieved["conditions"][0]["lastTransitionTime"] != st["conditions"][0]["lastTransitionTime"]);
}

TEST_CASE("the hard eviction thresholds set the pressure conditions and what allocatable holds back") {
  AgentConfig c = Config();
  c.eviction_hard = *skiff::apis::ParseEvictionHard(
      "memory.available<1Gi,nodefs.available<500Mi,imagefs.inodesFree<10%,pid.available<1000");
  HostFacts f = Facts();
  f.disk_inodes = 1000000;
  f.disk_inodes_free = 500000;
  auto t0 = std::chrono::system_clock::from_time_t(1800000000);
  json st = BuildNodeStatus(c, f, json(), t0);
  CHECK(st["allocatable"]["memory"] == std::to_string(((8LL << 30) - (1LL << 30)) / 1024) + "Ki");
  CHECK(st["allocatable"]["ephemeral-storage"] == std::to_string((100LL << 30) - (500LL << 20)));
  CHECK(st["conditions"][0]["status"] == "False");
  CHECK(st["conditions"][1]["status"] == "False");
  CHECK(st["conditions"][2]["status"] == "False");

  // 3% of the disk free is under pressure by the default (10%), not by 500Mi.
  f.disk_available_bytes = 3LL << 30;
  CHECK(BuildNodeStatus(c, f, json(), t0)["conditions"][1]["status"] == "False");
  CHECK(BuildNodeStatus(Config(), f, json(), t0)["conditions"][1]["status"] == "True");
  // Free inodes count for disk pressure; process ids for PID pressure.
  f.disk_inodes_free = 99999;
  json inodes = BuildNodeStatus(c, f, json(), t0);
  CHECK(inodes["conditions"][1]["status"] == "True");
  CHECK(inodes["conditions"][1]["reason"] == "KubeletHasDiskPressure");
  f.disk_inodes_free = 500000;
  f.pids_used = f.pids_max - 999;
  json pids = BuildNodeStatus(c, f, json(), t0);
  CHECK(pids["conditions"][2]["status"] == "True");
  CHECK(pids["conditions"][2]["reason"] == "KubeletHasInsufficientPID");
  CHECK(pids["conditions"][0]["status"] == "False");
  // Memory pressure by its own threshold.
  f.memory_available_bytes = (1LL << 30) - 1;
  CHECK(BuildNodeStatus(c, f, json(), t0)["conditions"][0]["status"] == "True");
}

TEST_CASE("the default imagefs threshold puts a shared disk under pressure at 15% free") {
  HostFacts f = Facts();
  f.disk_available_bytes = 14LL << 30;
  CHECK(BuildNodeStatus(Config(), f, json(), std::chrono::system_clock::now())["conditions"][1]
                       ["status"] == "True");
  f.disk_available_bytes = 16LL << 30;
  CHECK(BuildNodeStatus(Config(), f, json(), std::chrono::system_clock::now())["conditions"][1]
                       ["status"] == "False");
}

TEST_CASE("no thresholds: no pressure and the whole capacity is allocatable") {
  AgentConfig c = Config();
  c.eviction_hard.clear();
  HostFacts f = Facts();
  f.memory_available_bytes = 1;
  f.disk_available_bytes = 1;
  json st = BuildNodeStatus(c, f, json(), std::chrono::system_clock::now());
  CHECK(st["allocatable"]["memory"] == st["capacity"]["memory"]);
  CHECK(st["allocatable"]["ephemeral-storage"] == std::to_string(100LL << 30));
  for (int i = 0; i < 3; ++i) CHECK(st["conditions"][i]["status"] == "False");
}
