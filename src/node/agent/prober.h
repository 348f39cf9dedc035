// Kubelet's container probes: startup, liveness and readiness, with exec, httpGet, tcpSocket
// and grpc actions.
//
// Each running container attempt (by container id) gets a worker per probe it has. A worker
// probes first initialDelaySeconds after the container started, then every periodSeconds,
// each probe bounded by timeoutSeconds; a result counts once it repeats successThreshold
// (success) or failureThreshold (failure) times in a row, as kubelet counts. Until a startup
// probe succeeds the other two do not run. Every failed probe records a Warning Unhealthy
// event ("Liveness probe failed: <output>"). Readiness starts false (true without a readiness
// probe); liveness and startup start healthy and, once failed, stay failed for that attempt:
// the pod worker kills the container and restarts it by policy (a new attempt, new workers).
// Any change the pod worker must act on pokes the pod.
//
// Probes run on a few threads of the prober's own; a probe that blocks holds up only its own
// worker. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/event_recorder.h"
#include "pod_record.h"
#include "probe_actions.h"

namespace skiff::node {

enum class ProbeKind { kStartup, kLiveness, kReadiness };
// "Startup", "Liveness", "Readiness".
const char* ProbeKindName(ProbeKind kind);

class Prober {
 public:
  struct Hooks {
    // Runs exec probes. Empty: exec probes fail.
    ContainerExec exec;
    // Something the pod worker must act on changed for this pod.
    std::function<void(const std::string& uid)> poke;
    events::EventRecorder* events = nullptr;  // Unhealthy events; null: none
  };
  explicit Prober(Hooks hooks, int threads = 4);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;
  void Stop();

  // Makes the workers follow `pod`'s containers as `record` says: a running attempt gets
  // workers for its probes (started at its startedAt); attempts no longer running lose theirs.
  void Sync(const nlohmann::json& pod, const PodRecord& record);
  // Drops every worker of the pod.
  void Forget(const std::string& uid);

  // The current attempt's state. An id the prober does not follow: started and ready when
  // the container spec has no such probe, else not.
  bool Started(const std::string& container_id) const;
  bool Ready(const std::string& container_id) const;
  // The liveness or startup probe that failed past its threshold, with its last output.
  struct Failure {
    ProbeKind kind;
    std::string message;
  };
  std::optional<Failure> Failed(const std::string& container_id) const;

 private:
  struct Worker;
  struct Attempt;
  void Schedule();
  void Run();
  void Probe(const std::shared_ptr<Worker>& worker);
  ProbeOutcome Act(const Worker& worker);

  const Hooks hooks_;
  mutable std::mutex mu_;
  std::condition_variable wake_;       // the scheduler: new workers, or Stop
  std::condition_variable work_;       // the runners: due workers queued, or Stop
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Attempt>> attempts_;  // by container id
  std::vector<std::shared_ptr<Worker>> due_;                  // for the runners
  std::thread scheduler_;
  std::vector<std::thread> runners_;
};

}  // namespace skiff::node
