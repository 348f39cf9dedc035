// One pass of a pod worker: compares a pod's spec (desired) with the agent's record of what
// runs (actual) and acts, kubelet's way:
//   - sandbox first; init containers one at a time, in order, each to success; then every app
//     container; exited containers restarted per restartPolicy with exponential backoff
//     (10s doubling to 5 minutes: CrashLoopBackOff, ImagePullBackOff);
//   - a pod being deleted (or gone from the API) has its containers stopped within the grace
//     period, its sandbox torn down, and then its API object removed;
//   - probes (Prober): a container whose liveness or startup probe failed is killed within
//     its grace period (a Killing event says why) and restarted by policy; readiness and
//     startup results make the container (and the pod) ready and started;
//   - lifecycle hooks: postStart right after a container starts (a failure kills it:
//     FailedPostStartHook), preStop before every kill, within the grace period;
//   - a pod the agent evicts (Evict: local storage over its limits, node pressure) gets an
//     Evicted event, its containers killed with kubelet's 2 s minimum grace period, and phase
//     Failed with reason Evicted; its sandbox is then torn down like any finished pod's;
//   - volumes and sandbox: a failed set-up (FailedMount, FailedCreatePodSandBox, one event per
//     attempt) is retried with kubelet's volume back-off, per pod: 500 ms doubling to 2m2s,
//     reset once the sandbox is up; a pass that comes sooner (a pod update) does not retry;
//   - admission: on a pod's first pass the admission hook (when set) may refuse it, as
//     kubelet's admit handlers do: a Warning event (reason Evicted) with the refusal, nothing
//     started, and phase Failed, reason Evicted, message "Pod was rejected: <refusal>";
//   - the status it computes is posted when it differs from the stored one.
// Not thread-safe per pod: the PodManager never runs two passes of one pod at once. Evict
// may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "events/event_recorder.h"
#include "pod_runtime.h"
#include "prober.h"
#include "skiff/client/client.h"
#include "skiff/node/agent_config.h"

namespace skiff::node {

struct SyncResult {
  // Look at the pod again after this long (0 = only on the next change).
  std::chrono::milliseconds requeue_after{0};
  // The pod is gone from this node: the worker's state can be forgotten.
  bool finished = false;
};

class PodWorker {
 public:
  // `exec` runs exec lifecycle hooks (empty: they fail).
  PodWorker(client::Client& client, PodRuntime& runtime, events::EventRecorder& events, Prober& prober,
            ContainerExec exec, const AgentConfig& config)
      : client_(client), runtime_(runtime), events_(events), prober_(prober),
        exec_(std::move(exec)), config_(config) {}

  // The refusal of a new pod ("" admits it).
  using Admission = std::function<std::string(const nlohmann::json& pod)>;

  // Set before the first Sync.
  void SetAdmission(Admission admission) { admission_ = std::move(admission); }
  // `pod` is the API object, or nullopt when it no longer exists (deleted with grace 0).
  SyncResult Sync(const std::string& uid, const std::optional<nlohmann::json>& pod);
  // Marks the pod for eviction with `message` (kubelet's wording); its next pass carries it
  // out. `disruption_target`: a node-pressure eviction, which kubelet marks with the
  // DisruptionTarget condition. The caller then pokes the pod.
  void Evict(const std::string& uid, const std::string& message, bool disruption_target = false);

 private:
  // Removes every container of the record (its task, rootfs and bundle); the first failure,
  // naming the container, once all were tried. Teardown retries rather than forget one.
  Status RemoveContainers(const std::string& pod_key, PodRecord* record);
  SyncResult Terminate(const std::string& uid, const std::optional<nlohmann::json>& pod,
                       PodRecord* record);
  // As kubelet's killContainer: a Killing event with `message` and the preStop hook (when
  // the pod is known), then the stop signal with what is left of `grace` (at least 2 s).
  void KillContainer(const nlohmann::json* pod, const PodRecord& record, const ContainerRecord& c,
                     std::chrono::seconds grace, const std::string& message);
  // Stops every running container within `grace`, all at once (Killing events when the pod
  // is known).
  void StopRunning(const std::optional<nlohmann::json>& pod, PodRecord* record,
                   std::chrono::seconds grace);
  struct Eviction {
    std::string event_message;   // "" when none
    std::string status_message;
    bool disruption_target = false;
  };
  // The pending eviction of `uid`, forgotten once taken.
  Eviction TakeEviction(const std::string& uid);
  // The admission hook's refusal of a pod on its first pass, as an eviction; none when admitted.
  Eviction Admit(const nlohmann::json& pod) const;
  // Starts or restarts what should run; returns the soonest backoff expiry (ms since epoch)
  // or 0.
  int64_t RunContainers(const nlohmann::json& pod, PodRecord* record);
  bool StartOne(const nlohmann::json& pod, const nlohmann::json& spec, PodRecord* record,
                ContainerRecord* c);
  void Observe(const nlohmann::json& pod, PodRecord* record);
  // Kills the running containers whose liveness or startup probe failed (they are then
  // restarted by policy), and copies what the probes say into the record.
  void ActOnProbes(const nlohmann::json& pod, PodRecord* record);
  void PostStatus(const nlohmann::json& pod, const PodRecord& record);
  // Records events about `pod` (which must outlive the sink).
  PodEventSink EventsAbout(const nlohmann::json& pod);

  client::Client& client_;
  PodRuntime& runtime_;
  events::EventRecorder& events_;
  Prober& prober_;
  const ContainerExec exec_;
  const AgentConfig& config_;
  Admission admission_;
  std::mutex evictions_mu_;
  std::map<std::string, Eviction> evictions_;  // by uid, until its next pass
  // Sandbox set-up back-off by uid: how long the last wait was, and when the next try is due
  // (ms since epoch). Different pods' passes run at once, hence the lock.
  struct SandboxBackoff {
    int64_t delay_ms = 0;
    int64_t next_try_ms = 0;
  };
  // Ms until the pod's next sandbox try (0: try now).
  int64_t SandboxWaitMs(const std::string& uid);
  // Records a failed try; returns the wait before the next.
  std::chrono::milliseconds SandboxFailed(const std::string& uid);
  void ForgetSandboxBackoff(const std::string& uid);
  std::mutex sandbox_backoff_mu_;
  std::map<std::string, SandboxBackoff> sandbox_backoff_;
};

// "spec.containers{name}" / "spec.initContainers{name}".
std::string ContainerFieldPath(const ContainerRecord& c);
int64_t NowMs();

}  // namespace skiff::node
