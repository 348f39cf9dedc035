// Protobuf encoding of the containerd.task.v2.Task requests and decoding of its replies (field
// numbers as in containerd 1.6's shim_messages.proto). Thread-safe free functions. Decoders
// return kInvalidArgument for malformed bytes; unknown fields are ignored.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/shim_types.h"

namespace skiff::runtime::shim {

inline constexpr std::string_view kTaskService = "containerd.task.v2.Task";
inline constexpr std::string_view kRuncOptionsType = "containerd.runc.v1.Options";
inline constexpr std::string_view kProcessSpecType =
    "types.containerd.io/opencontainers/runtime-spec/1/Process";
inline constexpr std::string_view kLinuxResourcesType =
    "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
inline constexpr std::string_view kCgroupV1MetricsType = "io.containerd.cgroups.v1.Metrics";

// containerd.runc.v1.Options, bare and wrapped in an Any.
std::string EncodeRuncOptions(const RuncOptions& options);
std::string EncodeRuncOptionsAny(const RuncOptions& options);

std::string EncodeCreateTask(const CreateTaskRequest& request);
// {1 id, 2 exec_id}: Start, State, Wait and Delete requests.
std::string EncodeTaskRef(const TaskRef& ref);
// {1 id}: Pids, Stats, Pause, Resume and Connect requests.
std::string EncodeTaskId(const std::string& id);
// kInvalidArgument when the process JSON cannot be serialized (e.g. invalid UTF-8).
Result<std::string> EncodeExec(const ExecProcessRequest& request);
std::string EncodeKill(const KillRequest& request);
Result<std::string> EncodeUpdate(const std::string& id, const nlohmann::json& linux_resources);
std::string EncodeShutdown(const std::string& id, bool now);
std::string EncodeCloseIO(const TaskRef& ref, bool stdin_close);
// ResizePtyRequest {1 id, 2 exec_id, 3 width, 4 height}.
std::string EncodeResizePty(const TaskRef& ref, uint32_t width, uint32_t height);

// {1 pid}: Create and Start replies.
Result<uint32_t> DecodePidReply(std::string_view bytes);
Result<TaskState> DecodeState(std::string_view bytes);
Result<ExitResult> DecodeWait(std::string_view bytes);
Result<ExitResult> DecodeDelete(std::string_view bytes);
Result<std::vector<ProcessInfo>> DecodePids(std::string_view bytes);
Result<ShimInfo> DecodeConnect(std::string_view bytes);
// StatsResponse {1 Any}: kUnimplemented for a metrics type other than cgroup v1's.
Result<TaskMetrics> DecodeStats(std::string_view bytes);
// io.containerd.cgroups.v1.Metrics itself.
Result<TaskMetrics> DecodeCgroupV1Metrics(std::string_view bytes);

}  // namespace skiff::runtime::shim
