// What the agent knows about a pod it runs, kept as <state_dir>/pods/<uid>/record.json so a
// restarted skiff finds its sandboxes, shims and containers again. Written atomically.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skiff/common/status.h"

namespace skiff::node {

struct Termination {
  int exit_code = 0;
  int signal = 0;
  std::string reason;   // Completed, Error, OOMKilled, ContainerCannotRun...
  std::string message;  // the termination message, if any
  std::string started_at, finished_at;
  std::string container_id;  // "containerd://<id>"
};

struct ContainerRecord {
  std::string name;
  bool init = false;
  std::string id;  // runtime id of the current attempt; "" before the first create
  int restart_count = 0;
  std::string image;     // as in the spec
  std::string image_id;  // "<repo>@sha256:..." once pulled
  enum class State { kWaiting, kRunning, kTerminated };
  State state = State::kWaiting;
  std::string reason;   // waiting: ContainerCreating, ErrImagePull, ImagePullBackOff,
                        // CreateContainerConfigError, CreateContainerError, CrashLoopBackOff
  std::string message;
  std::string started_at;
  std::optional<Termination> terminated;       // state kTerminated
  std::optional<Termination> last_terminated;  // the attempt before this one
  // What the probes say of the running attempt (not saved: probes start anew after a
  // restart of skiff): started (startup probe passed) and ready (readiness probe passed).
  // Without probes both are true; the status shows them only while the container runs.
  bool probe_started = true;
  bool probe_ready = true;
  // Backoff bookkeeping (not shown): when the next attempt may start, and the current delay.
  int64_t retry_at_ms = 0;
  int64_t backoff_ms = 0;
};

struct PodRecord {
  std::string uid, ns, name;
  std::string sandbox_id;  // also the shim id
  std::string netns_path;  // "" for hostNetwork pods
  std::vector<std::string> pod_ips;
  std::string shim_address;
  std::string start_time;
  bool sandbox_ready = false;
  bool network_ready = false;
  // Why the agent evicted the pod (e.g. an emptyDir over its sizeLimit) or refused it; ""
  // when it did neither. Such a pod is Failed with reason Evicted and this message.
  std::string eviction_message;
  // A node-pressure eviction: the pod also carries the DisruptionTarget condition.
  bool disruption_target = false;
  std::vector<ContainerRecord> containers;  // init containers first, in spec order

  ContainerRecord* Find(const std::string& name, bool init);
};

nlohmann::json RecordToJson(const PodRecord& r);
Result<PodRecord> RecordFromJson(const nlohmann::json& j);

// <pod_dir>/record.json
Status SaveRecord(const std::string& pod_dir, const PodRecord& r);
// A record.json that is missing, not JSON or not a record (a disk that lost data, a cut before
// the first save finished) is replaced by record.json.spare when that one is whole: SaveRecord
// leaves the previous record there (or, cut before its first exchange, the record it wrote).
// The fallback is logged with both paths and the cause, and sets *from_spare (when given) so
// that the caller writing the pod's record saves it again. Otherwise the error of record.json
// (kNotFound, kCorrupt); damaged files are left as they are (the next save replaces them).
Result<PodRecord> LoadRecord(const std::string& pod_dir, bool* from_spare = nullptr);

}  // namespace skiff::node
