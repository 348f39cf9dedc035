// The operations a pod worker needs from the machine: sandboxes (network, files, volumes,
// the pod's shim), images, and containers. The real implementation (RuntimeImpl) composes the
// shim client, CNI, the image store, the OCI spec builder, volumes and the log writer; the
// pod worker's decisions (what to start, restart, kill, report) stay apart from them.
//
// Every operation is idempotent where it can be (SetUpSandbox of a ready sandbox, Stop of a
// stopped container, TearDown of a removed sandbox), so a worker that crashed halfway simply
// runs again. Implementations are thread-safe across pods; one pod is only ever handled by one
// worker at a time.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "pod_record.h"
#include "skiff/common/status.h"

namespace skiff::node {

// Emits an event about the pod: (field path, type, reason, message).
using PodEventSink = std::function<void(const std::string& field_path, const std::string& type,
                                        const std::string& reason, const std::string& message)>;

// What a container start failed on, in Kubernetes' words: the waiting reason to show
// (ErrImagePull, ErrImageNeverPull, CreateContainerConfigError, CreateContainerError) or a
// terminated StartError when the process itself could not run.
struct StartFailure {
  std::string reason;
  std::string message;
  bool terminated = false;  // the attempt counts as a run that ended (StartError, exit 128)
  bool image_missing = false;  // the image does not exist: back off as ImagePullBackOff
};

struct ObservedTask {
  bool running = false;
  bool exists = true;  // false: the runtime has no such container (lost across a crash)
  int exit_code = 0;
  bool oom_killed = false;
  std::string finished_at;  // RFC 3339
  std::string termination_message;  // what the container wrote to terminationMessagePath
};

class PodRuntime {
 public:
  virtual ~PodRuntime() = default;

  // Creates what the pod's containers share: volumes, pod directory, network namespace and
  // CNI attachment, /etc/hosts, /etc/resolv.conf, /etc/hostname, the shim. Fills
  // record->sandbox_id, netns_path, pod_ips, shim_address, sandbox_ready. On failure it has
  // emitted the event kubelet would (FailedMount for a volume, FailedCreatePodSandBox else).
  virtual Status SetUpSandbox(const nlohmann::json& pod, PodRecord* record,
                              const PodEventSink& events) = 0;
  // Brings configMap/secret/downwardAPI/projected volume contents up to date.
  virtual Status RefreshVolumes(const nlohmann::json& pod, const PodRecord& record) = 0;
  // Pulls (per imagePullPolicy) and starts one container as a new attempt; on success fills
  // c->id, image_id, started_at and state running. On failure returns the StartFailure.
  virtual std::optional<StartFailure> StartContainer(const nlohmann::json& pod,
                                                     const nlohmann::json& container,
                                                     PodRecord* record, ContainerRecord* c,
                                                     const PodEventSink& events) = 0;
  virtual ObservedTask Inspect(const PodRecord& record, const ContainerRecord& c) = 0;
  // SIGTERM (or the image's stop signal), `grace`, then SIGKILL; waits for the exit.
  virtual Status StopContainer(const PodRecord& record, const ContainerRecord& c,
                               std::chrono::seconds grace) = 0;
  // Deletes the container's task, unmounts its rootfs and removes its bundle (logs stay).
  virtual Status RemoveContainer(const PodRecord& record, const ContainerRecord& c) = 0;
  // Stops the shim, CNI DEL, removes the netns, unmounts volumes, removes the pod directory
  // (and, when remove_logs, the pod's log directory).
  virtual Status TearDownSandbox(PodRecord* record, bool remove_logs) = 0;

  // The pod's directory (record.json lives there).
  virtual std::string PodDir(const std::string& uid) const = 0;
};

}  // namespace skiff::node
