#include "node/agent/pod_status.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using skiff::node::ComputePodStatus;
using skiff::node::ContainerRecord;
using skiff::node::PodPhase;
using skiff::node::PodRecord;
using skiff::node::Termination;

namespace {

json Pod(const std::string& policy) {
  return {{"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u1"}}},
          {"spec", {{"restartPolicy", policy}, {"containers", json::array({{{"name", "a"}}, {{"name", "b"}}})}}},
          {"status", {{"phase", "Pending"}, {"qosClass", "BestEffort"}}}};
}

ContainerRecord Running(const std::string& name) {
  ContainerRecord c;
  c.name = name;
  c.id = "abc";
  c.state = ContainerRecord::State::kRunning;
  c.started_at = "2026-11-28T10:00:00Z";
  return c;
}

ContainerRecord Exited(const std::string& name, int code, bool init = false) {
  ContainerRecord c;
  c.name = name;
  c.init = init;
  c.id = "def";
  c.state = ContainerRecord::State::kTerminated;
  Termination t;
  t.exit_code = code;
  t.reason = code == 0 ? "Completed" : "Error";
  c.terminated = t;
  return c;
}

ContainerRecord Waiting(const std::string& name, const std::string& reason, bool init = false) {
  ContainerRecord c;
  c.name = name;
  c.init = init;
  c.reason = reason;
  return c;
}

}  // namespace

TEST_CASE("pod phase follows kubelet's rules") {
  PodRecord r;
  r.containers = {Running("a"), Waiting("b", "ContainerCreating")};
  CHECK(PodPhase(Pod("Always"), r) == "Pending");
  r.containers = {Running("a"), Running("b")};
  CHECK(PodPhase(Pod("Always"), r) == "Running");
  r.containers = {Exited("a", 0), Exited("b", 0)};
  CHECK(PodPhase(Pod("Never"), r) == "Succeeded");
  CHECK(PodPhase(Pod("OnFailure"), r) == "Succeeded");
  CHECK(PodPhase(Pod("Always"), r) == "Running");
  r.containers = {Exited("a", 0), Exited("b", 2)};
  CHECK(PodPhase(Pod("Never"), r) == "Failed");
  CHECK(PodPhase(Pod("OnFailure"), r) == "Running");
  // A container backing off after a crash counts as stopped, not pending.
  ContainerRecord backoff = Waiting("b", "CrashLoopBackOff");
  backoff.last_terminated = Termination{1, 0, "Error", "", "", "", ""};
  r.containers = {Running("a"), backoff};
  CHECK(PodPhase(Pod("Always"), r) == "Running");
  // Init containers gate everything; a failed one with Never fails the pod.
  r.containers = {Exited("i", 1, true), Waiting("a", "PodInitializing"), Waiting("b", "PodInitializing")};
  CHECK(PodPhase(Pod("Never"), r) == "Failed");
  CHECK(PodPhase(Pod("Always"), r) == "Pending");
  // A terminal phase never changes.
  json done = Pod("Never");
  done["status"]["phase"] = "Succeeded";
  r.containers = {Running("a"), Running("b")};
  CHECK(PodPhase(done, r) == "Succeeded");
}

TEST_CASE("pod status carries conditions, container states, IPs and keeps transition times") {
  PodRecord r;
  r.sandbox_ready = true;
  r.pod_ips = {"10.42.0.7"};
  r.start_time = "2026-11-28T10:00:00Z";
  r.containers = {Running("a"), Waiting("b", "ErrImagePull")};
  r.containers[1].message = "not found";
  json pod = Pod("Always");
  json st = ComputePodStatus(pod, r, "192.168.1.5", "2026-11-28T10:00:05Z");
  CHECK(st["phase"] == "Pending");
  CHECK(st["podIP"] == "10.42.0.7");
  CHECK(st["podIPs"] == json::array({{{"ip", "10.42.0.7"}}}));
  CHECK(st["hostIP"] == "192.168.1.5");
  CHECK(st["startTime"] == "2026-11-28T10:00:00Z");
  CHECK(st["qosClass"] == "BestEffort");
  json conds;
  for (const json& c : st["conditions"]) conds[c["type"].get<std::string>()] = c;
  CHECK(conds["Ready"]["status"] == "False");
  CHECK(conds["Ready"]["reason"] == "ContainersNotReady");
  CHECK(conds["Ready"]["message"] == "containers with unready status: [b]");
  CHECK(conds["PodScheduled"]["status"] == "True");
  CHECK(conds["PodReadyToStartContainers"]["status"] == "True");
  const json& a = st["containerStatuses"][0];
  CHECK(a["state"]["running"]["startedAt"] == "2026-11-28T10:00:00Z");
  CHECK(a["ready"] == true);
  CHECK(a["containerID"] == "containerd://abc");
  const json& b = st["containerStatuses"][1];
  CHECK(b["state"]["waiting"] == json{{"reason", "ErrImagePull"}, {"message", "not found"}});
  CHECK(b["ready"] == false);
  CHECK_FALSE(b.contains("containerID"));

  // Unchanged condition statuses keep their lastTransitionTime.
  pod["status"] = st;
  json later = ComputePodStatus(pod, r, "192.168.1.5", "2026-11-28T10:09:00Z");
  CHECK(later == st);
  r.containers[1] = Running("b");
  json ready = ComputePodStatus(pod, r, "192.168.1.5", "2026-11-28T10:10:00Z");
  for (const json& c : ready["conditions"]) {
    if (c["type"] == "Ready") {
      CHECK(c["status"] == "True");
      CHECK(c["lastTransitionTime"] == "2026-11-28T10:10:00Z");
    }
    if (c["type"] == "PodScheduled") CHECK(c["lastTransitionTime"] == "2026-11-28T10:00:05Z");
  }
}

TEST_CASE("pod status shows incomplete init containers") {
  PodRecord r;
  r.sandbox_ready = true;
  r.containers = {Exited("i1", 0, true), Running("i2"), Waiting("a", "PodInitializing")};
  r.containers[1].init = true;
  json pod = Pod("Always");
  pod["spec"]["initContainers"] = json::array({{{"name", "i1"}}, {{"name", "i2"}}});
  json st = ComputePodStatus(pod, r, "", "2026-11-28T10:00:00Z");
  CHECK(st["phase"] == "Pending");
  REQUIRE(st["initContainerStatuses"].size() == 2);
  CHECK(st["initContainerStatuses"][0]["ready"] == true);
  CHECK(st["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed");
  for (const json& c : st["conditions"]) {
    if (c["type"] == "Initialized") {
      CHECK(c["status"] == "False");
      CHECK(c["message"] == "containers with incomplete status: [i2]");
    }
  }
}

TEST_CASE("an evicted pod is Failed with reason Evicted and the eviction message") {
  PodRecord r;
  r.sandbox_ready = true;
  r.containers = {Exited("a", 137), Exited("b", 137)};
  r.eviction_message = "Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ";
  CHECK(PodPhase(Pod("Always"), r) == "Failed");
  json st = ComputePodStatus(Pod("Always"), r, "10.0.0.1", "2026-11-28T10:00:00Z");
  CHECK(st["phase"] == "Failed");
  CHECK(st["reason"] == "Evicted");
  CHECK(st["message"] == r.eviction_message);
  // Not ready, as every finished pod.
  for (const json& c : st["conditions"]) {
    if (c["type"] == "Ready") CHECK(c["status"] == "False");
  }
  // Running containers of a pod being evicted do not make it Running.
  r.containers = {Running("a"), Running("b")};
  CHECK(PodPhase(Pod("Always"), r) == "Failed");
  r.eviction_message.clear();
  CHECK(PodPhase(Pod("Always"), r) == "Running");
  CHECK_FALSE(ComputePodStatus(Pod("Always"), r, "10.0.0.1", "2026-11-28T10:00:00Z").contains("reason"));
}

TEST_CASE("a node-pressure eviction adds kubelet's DisruptionTarget condition") {
  PodRecord r;
  r.containers = {Exited("a", 137)};
  r.eviction_message = "The node was low on resource: memory. ";
  auto disruption = [](const json& status) {
    for (const json& c : status["conditions"]) {
      if (c["type"] == "DisruptionTarget") return c;
    }
    return json();
  };
  // A local storage eviction has none (kubelet passes no condition there).
  CHECK(disruption(ComputePodStatus(Pod("Always"), r, "", "2026-11-28T10:00:00Z")).is_null());
  r.disruption_target = true;
  json c = disruption(ComputePodStatus(Pod("Always"), r, "", "2026-11-28T10:00:00Z"));
  CHECK(c["status"] == "True");
  CHECK(c["reason"] == "TerminationByKubelet");
  CHECK(c["message"] == r.eviction_message);
  CHECK(c["lastTransitionTime"] == "2026-11-28T10:00:00Z");
  // It survives the pod record's round trip.
  auto back = skiff::node::RecordFromJson(skiff::node::RecordToJson(r));
  REQUIRE(back.ok());
  CHECK(back->disruption_target);
}
