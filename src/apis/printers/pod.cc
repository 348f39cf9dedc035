// core/v1 Pod: READY, the kubelet-visible STATUS, RESTARTS with the age of the last restart,
// and the wide IP / NODE / NOMINATED NODE / READINESS GATES columns (Kubernetes' printPod).
#include <map>
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

Timestamp GoZeroTime() { return Timestamp{-62135596800, 0}; }

// lastState.terminated.finishedAt of a container status; nullopt when it has no last
// termination, Go's zero time when the termination carries no (valid) finish time.
std::optional<Timestamp> LastTerminationFinish(const json& status) {
  const json* terminated = Find(status, {"lastState", "terminated"});
  if (!terminated) return std::nullopt;
  const json* finished = Find(*terminated, {"finishedAt"});
  auto t = finished ? ParseTimestamp(*finished) : std::nullopt;
  return t.value_or(GoZeroTime());
}

void KeepLatest(Timestamp& latest, const std::optional<Timestamp>& t) {
  if (t && latest.Before(*t)) latest = *t;
}

// The first condition of this type decides, as in Kubernetes' helpers.
bool FirstConditionTrue(const json& pod, std::string_view type) {
  for (const json& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == type) return Str(c, {"status"}) == "True";
  }
  return false;
}

bool AnyConditionTrue(const json& pod, std::string_view type) {
  for (const json& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == type && Str(c, {"status"}) == "True") return true;
  }
  return false;
}

std::string ExitText(const json& terminated, const char* prefix) {
  std::int64_t signal = Int(terminated, {"signal"});
  if (signal != 0) return std::string(prefix) + "Signal:" + std::to_string(signal);
  return std::string(prefix) + "ExitCode:" + std::to_string(Int(terminated, {"exitCode"}));
}

std::string ReadinessGates(const json& pod) {
  const json& gates = Arr(pod, {"spec", "readinessGates"});
  if (gates.empty()) return "<none>";
  int true_conditions = 0;
  for (const json& gate : gates) {
    std::string type = Str(gate, {"conditionType"});
    for (const json& c : Arr(pod, {"status", "conditions"})) {
      if (Str(c, {"type"}) == type) {
        if (Str(c, {"status"}) == "True") ++true_conditions;
        break;
      }
    }
  }
  return std::to_string(true_conditions) + "/" + std::to_string(gates.size());
}

std::string OrNone(std::string s) {
  if (s.empty()) return "<none>";
  return s;
}

std::vector<json> PodCells(const json& pod, TableClock::time_point now) {
  std::int64_t restarts = 0;
  std::int64_t restartable_init_restarts = 0;
  std::int64_t total_containers =
      static_cast<std::int64_t>(Arr(pod, {"spec", "containers"}).size());
  std::int64_t ready_containers = 0;
  Timestamp last_restart = GoZeroTime();
  Timestamp last_restartable_init_restart = GoZeroTime();

  const std::string phase = Str(pod, {"status", "phase"});
  const std::string status_reason = Str(pod, {"status", "reason"});
  std::string reason = status_reason.empty() ? phase : status_reason;
  for (const json& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == "PodScheduled" && Str(c, {"reason"}) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }

  // Sidecars (init containers with restartPolicy Always) count as containers of the pod.
  const json& init_specs = Arr(pod, {"spec", "initContainers"});
  std::map<std::string, bool> restartable_init;
  for (const json& c : init_specs) {
    bool restartable = Str(c, {"restartPolicy"}) == "Always";
    restartable_init[Str(c, {"name"})] = restartable;
    if (restartable) ++total_containers;
  }
  auto is_restartable = [&](const std::string& name) {
    auto it = restartable_init.find(name);
    return it != restartable_init.end() && it->second;
  };

  bool initializing = false;
  const json& init_statuses = Arr(pod, {"status", "initContainerStatuses"});
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json& c = init_statuses[i];
    std::int64_t count = Int(c, {"restartCount"});
    restarts += count;
    auto finished = LastTerminationFinish(c);
    KeepLatest(last_restart, finished);
    const bool restartable = is_restartable(Str(c, {"name"}));
    if (restartable) {
      restartable_init_restarts += count;
      KeepLatest(last_restartable_init_restart, finished);
    }
    const json* terminated = Find(c, {"state", "terminated"});
    const json* waiting = Find(c, {"state", "waiting"});
    if (terminated && Int(*terminated, {"exitCode"}) == 0) continue;
    if (restartable && Bool(c, {"started"})) {
      if (Bool(c, {"ready"})) ++ready_containers;
      continue;
    }
    if (terminated) {
      std::string r = Str(*terminated, {"reason"});
      reason = r.empty() ? ExitText(*terminated, "Init:") : "Init:" + r;
    } else if (waiting && !Str(*waiting, {"reason"}).empty() &&
               Str(*waiting, {"reason"}) != "PodInitializing") {
      reason = "Init:" + Str(*waiting, {"reason"});
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || FirstConditionTrue(pod, "Initialized")) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const json& statuses = Arr(pod, {"status", "containerStatuses"});
    for (size_t k = statuses.size(); k-- > 0;) {
      const json& c = statuses[k];
      restarts += Int(c, {"restartCount"});
      KeepLatest(last_restart, LastTerminationFinish(c));
      const json* waiting = Find(c, {"state", "waiting"});
      const json* terminated = Find(c, {"state", "terminated"});
      if (waiting && !Str(*waiting, {"reason"}).empty()) {
        reason = Str(*waiting, {"reason"});
      } else if (terminated && !Str(*terminated, {"reason"}).empty()) {
        reason = Str(*terminated, {"reason"});
      } else if (terminated) {
        reason = ExitText(*terminated, "");
      } else if (Bool(c, {"ready"}) && Has(c, {"state", "running"})) {
        has_running = true;
        ++ready_containers;
      }
    }
    // A pod whose last-listed container completed still runs while another one does.
    if (reason == "Completed" && has_running) {
      reason = AnyConditionTrue(pod, "Ready") ? "Running" : "NotReady";
    }
  }

  if (Has(pod, {"metadata", "deletionTimestamp"})) {
    if (status_reason == "NodeLost") {
      reason = "Unknown";
    } else if (phase != "Succeeded" && phase != "Failed") {
      reason = "Terminating";
    }
  }

  std::string restarts_text = std::to_string(restarts);
  if (restarts != 0 && !last_restart.IsGoZero()) {
    restarts_text += " (" + HumanDuration(Sub(FromTimePoint(now), last_restart)) + " ago)";
  }

  // The internal PodStatus fills podIPs from podIP when only the latter is set.
  std::string pod_ip;
  const json& pod_ips = Arr(pod, {"status", "podIPs"});
  if (!pod_ips.empty()) {
    pod_ip = Str(pod_ips[0], {"ip"});
  } else {
    pod_ip = Str(pod, {"status", "podIP"});
  }

  return {Str(pod, {"metadata", "name"}),
          std::to_string(ready_containers) + "/" + std::to_string(total_containers),
          reason,
          restarts_text,
          Age(pod, now),
          OrNone(pod_ip),
          OrNone(Str(pod, {"spec", "nodeName"})),
          OrNone(Str(pod, {"status", "nominatedNodeName"})),
          ReadinessGates(pod)};
}

json PodRowConditions(const json& pod) noexcept {
  try {
    std::string phase = Str(pod, {"status", "phase"});
    if (phase == "Succeeded") {
      return json::array({{{"type", "Completed"},
                           {"status", "True"},
                           {"reason", "Succeeded"},
                           {"message", "The pod has completed successfully."}}});
    }
    if (phase == "Failed") {
      return json::array({{{"type", "Completed"},
                           {"status", "True"},
                           {"reason", "Failed"},
                           {"message", "The pod failed."}}});
    }
  } catch (...) {
  }
  return nullptr;
}

}  // namespace

const TablePrinter& PodPrinter() {
  static const TablePrinter kPrinter{
      {NameColumn(),
       Column("Ready", "string",
              "The aggregate readiness state of this pod for accepting traffic."),
       Column("Status", "string", "The aggregate status of the containers in this pod."),
       Column("Restarts", "string",
              "The number of times the containers in this pod have been restarted and when the "
              "last container in this pod has restarted."),
       AgeColumn(), Column("IP", "string", desc::kPodStatusPodIP, 1),
       Column("Node", "string", desc::kPodSpecNodeName, 1),
       Column("Nominated Node", "string", desc::kPodStatusNominatedNodeName, 1),
       Column("Readiness Gates", "string", desc::kPodSpecReadinessGates, 1)},
      &Guarded<PodCells>,
      &PodRowConditions};
  return kPrinter;
}

}  // namespace skiff::apis::printers
