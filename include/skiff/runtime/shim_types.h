// The typed requests and replies of containerd's shim v2 Task service
// (containerd.task.v2.Task, as served by containerd-shim-runc-v2 1.6), as ShimClient takes and
// returns them. Plain values: copy and move freely; no behaviour.
//
// Field names follow the protocol (see /work/shared/reference/shim-v2-protocol.md). The stdio
// members are named *_path because stdin/stdout/stderr are macros in <cstdio>.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::runtime {

// Wall-clock instants as the shim reports them (google.protobuf.Timestamp). An absent
// timestamp, or Go's zero time (seconds -62135596800, which the shim sends for "never"), is
// std::nullopt.
using ShimTime = std::optional<std::chrono::system_clock::time_point>;

// One process of a task: the container's init process when exec_id is empty, else the exec
// with that id.
struct TaskRef {
  std::string id;       // container id
  std::string exec_id;  // "" = the init process
};

// containerd.types.Mount: one rootfs mount the shim performs at <bundle>/rootfs before
// creating the container (and undoes on Delete). Leave Create's list empty when config.json's
// root.path already points at a prepared rootfs.
struct Mount {
  std::string type;  // e.g. "overlay", "bind"
  std::string source;
  std::string target;  // usually "" (the rootfs itself)
  std::vector<std::string> options;
};

// containerd.runc.v1.Options, sent as Create's options (and as the `start` action's stdin).
struct RuncOptions {
  std::string binary_name;  // runc binary; "" = "runc" from PATH
  // Where runc keeps container state: the shim runs runc --root <root>/<namespace>.
  // "" = /run/containerd/runc.
  std::string root;
  std::string shim_cgroup;  // cgroup to move the shim into (only read by the start action)
  bool systemd_cgroup = false;
};

struct CreateTaskRequest {
  std::string id;
  std::string bundle;  // directory holding config.json (absolute)
  std::vector<Mount> rootfs;
  bool terminal = false;
  // Each: "" (none), a path (FIFO or existing regular file), "file:///path" (stdout and
  // stderr both appended to that file) or "binary:///path?k=v" (a log program). Set both
  // stdout and stderr or neither: the 1.6 shim fails Create on an empty one, and crashes
  // when stdout is a URI and stderr is empty, so ShimClient refuses that with
  // kInvalidArgument.
  std::string stdin_path;
  std::string stdout_path;
  std::string stderr_path;
  std::optional<RuncOptions> options;
};

struct ExecProcessRequest {
  std::string id;       // container id
  std::string exec_id;  // new, unique within the container
  bool terminal = false;
  std::string stdin_path;
  std::string stdout_path;  // as in CreateTaskRequest: both or neither
  std::string stderr_path;
  // The OCI runtime-spec Process object (args, env, cwd, user, capabilities ...), sent as JSON.
  nlohmann::json process;
};

struct KillRequest {
  std::string id;
  std::string exec_id;
  uint32_t signal = 15;
  bool all = false;  // signal every process of the container, not only its init
};

// containerd.v1.types.Status.
enum class TaskStatus {
  kUnknown = 0,
  kCreated = 1,
  kRunning = 2,
  kStopped = 3,
  kPaused = 4,
  kPausing = 5
};

// "unknown", "created", "running", "stopped", "paused", "pausing".
std::string_view TaskStatusName(TaskStatus status);

struct TaskState {
  std::string id;
  std::string bundle;
  uint32_t pid = 0;
  TaskStatus status = TaskStatus::kUnknown;
  std::string stdin_path;
  std::string stdout_path;
  std::string stderr_path;
  bool terminal = false;
  uint32_t exit_status = 0;  // meaningful once status is kStopped
  ShimTime exited_at;
};

// Reply of Wait, and of Delete (which adds the pid).
struct ExitResult {
  uint32_t pid = 0;  // Delete only
  uint32_t exit_status = 0;
  ShimTime exited_at;
};

struct ProcessInfo {
  uint32_t pid = 0;
  std::string info_type_url;  // the optional Any the shim attaches ("" when absent)
  std::string info_value;
};

// The cgroup v1 figures of Stats (io.containerd.cgroups.v1.Metrics). Zero when the shim left a
// figure out (proto3 omits zeros).
struct TaskMetrics {
  uint64_t pids_current = 0;
  uint64_t pids_limit = 0;
  uint64_t cpu_usage_total_ns = 0;
  uint64_t cpu_usage_kernel_ns = 0;
  uint64_t cpu_usage_user_ns = 0;
  uint64_t cpu_throttled_periods = 0;
  uint64_t cpu_throttled_time_ns = 0;
  uint64_t memory_usage_bytes = 0;
  uint64_t memory_limit_bytes = 0;
  uint64_t memory_max_usage_bytes = 0;
  uint64_t memory_failcnt = 0;
  uint64_t memory_rss_bytes = 0;
  uint64_t memory_cache_bytes = 0;
  uint64_t memory_total_inactive_file_bytes = 0;  // usage minus this = working set
  uint64_t oom_kill = 0;                          // OOM kills in the container's memory cgroup
  bool under_oom = false;
};

// Reply of Task.Connect.
struct ShimInfo {
  uint32_t shim_pid = 0;
  uint32_t task_pid = 0;
  std::string version;
};

}  // namespace skiff::runtime
