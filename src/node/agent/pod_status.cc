#include "pod_status.h"

namespace skiff::node {
namespace {

using nlohmann::json;

json TerminatedJson(const Termination& t) {
  json j = {{"exitCode", t.exit_code}, {"reason", t.reason}, {"startedAt", t.started_at},
            {"finishedAt", t.finished_at}};
  if (t.signal) j["signal"] = t.signal;
  if (!t.message.empty()) j["message"] = t.message;
  if (!t.container_id.empty()) j["containerID"] = t.container_id;
  return j;
}

json ContainerStatusJson(const ContainerRecord& c) {
  json s = {{"name", c.name}, {"image", c.image}, {"imageID", c.image_id},
            {"restartCount", c.restart_count}};
  bool running = c.state == ContainerRecord::State::kRunning;
  switch (c.state) {
    case ContainerRecord::State::kRunning:
      s["state"] = {{"running", {{"startedAt", c.started_at}}}};
      break;
    case ContainerRecord::State::kTerminated:
      s["state"] = {{"terminated", c.terminated ? TerminatedJson(*c.terminated) : json::object()}};
      break;
    default: {
      json w = {{"reason", c.reason.empty() ? "ContainerCreating" : c.reason}};
      if (!c.message.empty()) w["message"] = c.message;
      s["state"] = {{"waiting", w}};
    }
  }
  s["lastState"] = c.last_terminated ? json{{"terminated", TerminatedJson(*c.last_terminated)}}
                                     : json::object();
  if (!c.id.empty() && c.state != ContainerRecord::State::kWaiting) {
    s["containerID"] = "containerd://" + c.id;
  }
  s["ready"] = running && c.probe_started && c.probe_ready;
  s["started"] = running && c.probe_started;
  return s;
}

bool InitSucceeded(const ContainerRecord& c) {
  return c.state == ContainerRecord::State::kTerminated && c.terminated &&
         c.terminated->exit_code == 0;
}

json Condition(const json& pod, const std::string& type, bool value, const std::string& reason,
               const std::string& message, const std::string& now) {
  const std::string status = value ? "True" : "False";
  std::string transition = now;
  if (pod.contains("status") && pod["status"].contains("conditions")) {
    for (const json& c : pod["status"]["conditions"]) {
      if (c.value("type", "") == type && c.value("status", "") == status) {
        transition = c.value("lastTransitionTime", now);
      }
    }
  }
  json c = {{"type", type}, {"status", status}, {"lastProbeTime", nullptr},
            {"lastTransitionTime", transition}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

std::string NameList(const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? " " : "") + names[i];
  return s + "]";
}

}  // namespace

std::string PodPhase(const json& pod, const PodRecord& record) {
  const std::string current = pod.contains("status") ? pod["status"].value("phase", "") : "";
  if (current == "Succeeded" || current == "Failed") return current;  // terminal
  if (!record.eviction_message.empty()) return "Failed";
  const std::string policy = pod["spec"].value("restartPolicy", "Always");
  int init_total = 0, init_done = 0;
  bool init_failed = false;
  int waiting = 0, running = 0, stopped = 0, succeeded = 0, failed = 0;
  for (const ContainerRecord& c : record.containers) {
    if (c.init) {
      ++init_total;
      if (InitSucceeded(c)) ++init_done;
      else if (c.state == ContainerRecord::State::kTerminated && policy == "Never") init_failed = true;
      continue;
    }
    switch (c.state) {
      case ContainerRecord::State::kRunning:
        ++running;
        break;
      case ContainerRecord::State::kTerminated:
        ++stopped;
        if (c.terminated && c.terminated->exit_code == 0) ++succeeded;
        else ++failed;
        break;
      default:
        if (c.last_terminated) {
          ++stopped;
          if (c.last_terminated->exit_code == 0) ++succeeded;
          else ++failed;
        } else {
          ++waiting;
        }
    }
  }
  if (init_failed) return "Failed";
  if (init_done < init_total) return "Pending";
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

json ComputePodStatus(const json& pod, const PodRecord& record, const std::string& host_ip,
                      const std::string& now) {
  json status = json::object();
  const std::string phase = PodPhase(pod, record);
  status["phase"] = phase;
  json init_statuses = json::array(), statuses = json::array();
  std::vector<std::string> incomplete_init, unready;
  for (const ContainerRecord& c : record.containers) {
    json s = ContainerStatusJson(c);
    if (c.init) {
      if (!InitSucceeded(c)) incomplete_init.push_back(c.name);
      s["ready"] = InitSucceeded(c);
      s["started"] = c.state == ContainerRecord::State::kRunning;
      init_statuses.push_back(std::move(s));
    } else {
      if (c.state != ContainerRecord::State::kRunning || !c.probe_started || !c.probe_ready) {
        unready.push_back(c.name);
      }
      statuses.push_back(std::move(s));
    }
  }
  const bool terminal = phase == "Succeeded" || phase == "Failed";
  const bool initialized = incomplete_init.empty() || terminal;
  const bool ready = unready.empty() && !terminal && initialized;
  std::string unready_reason = terminal ? "PodCompleted" : "ContainersNotReady";
  std::string unready_message =
      terminal ? "" : "containers with unready status: " + NameList(unready);
  if (!initialized) {
    unready_reason = "ContainersNotInitialized";
    unready_message = "containers with incomplete status: " + NameList(incomplete_init);
  }
  status["conditions"] = json::array(
      {Condition(pod, "PodReadyToStartContainers", record.sandbox_ready && !terminal, "", "", now),
       Condition(pod, "Initialized", initialized,
                 initialized ? (terminal && !incomplete_init.empty() ? "PodCompleted" : "")
                             : "ContainersNotInitialized",
                 initialized ? "" : "containers with incomplete status: " + NameList(incomplete_init),
                 now),
       Condition(pod, "Ready", ready, ready ? "" : unready_reason, ready ? "" : unready_message, now),
       Condition(pod, "ContainersReady", ready, ready ? "" : unready_reason,
                 ready ? "" : unready_message, now),
       Condition(pod, "PodScheduled", true, "", "", now)});
  if (record.disruption_target) {
    status["conditions"].push_back(Condition(pod, "DisruptionTarget", true, "TerminationByKubelet",
                                             record.eviction_message, now));
  }
  if (!record.eviction_message.empty()) {
    status["reason"] = "Evicted";
    status["message"] = record.eviction_message;
  }
  if (!init_statuses.empty()) status["initContainerStatuses"] = init_statuses;
  status["containerStatuses"] = statuses;
  if (!host_ip.empty()) {
    status["hostIP"] = host_ip;
    status["hostIPs"] = json::array({{{"ip", host_ip}}});
  }
  if (!record.pod_ips.empty()) {
    status["podIP"] = record.pod_ips.front();
    json ips = json::array();
    for (const std::string& ip : record.pod_ips) ips.push_back({{"ip", ip}});
    status["podIPs"] = ips;
  }
  if (!record.start_time.empty()) status["startTime"] = record.start_time;
  if (pod.contains("status") && pod["status"].contains("qosClass")) {
    status["qosClass"] = pod["status"]["qosClass"];
  }
  return status;
}

}  // namespace skiff::node
