#include "runtime/shim/task_codec.h"

#include "runtime/shim/proto_fields.h"
#include "skiff/common/proto_wire.h"

namespace skiff::runtime::shim {

namespace {

Result<std::string> DumpJson(const nlohmann::json& value, std::string_view what) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string(what) + " cannot be serialized as JSON: " + e.what());
  }
}

// Decodes a Timestamp field into *out, remembering the first error.
void TakeTime(const Field& f, ShimTime* out, Status* error) {
  if (!f.is_bytes()) return;
  Result<ShimTime> t = DecodeTimestamp(f.bytes);
  if (t.ok()) {
    *out = *t;
  } else if (error->ok()) {
    *error = t.status();
  }
}

}  // namespace

std::string EncodeRuncOptions(const RuncOptions& options) {
  protowire::Writer w;
  w.String(3, options.shim_cgroup);
  w.String(6, options.binary_name);
  w.String(7, options.root);
  w.Bool(9, options.systemd_cgroup);
  return w.Take();
}

std::string EncodeRuncOptionsAny(const RuncOptions& options) {
  return EncodeAny(kRuncOptionsType, EncodeRuncOptions(options));
}

std::string EncodeCreateTask(const CreateTaskRequest& request) {
  protowire::Writer w;
  w.String(1, request.id);
  w.String(2, request.bundle);
  for (const Mount& m : request.rootfs) {
    protowire::Writer mount;
    mount.String(1, m.type);
    mount.String(2, m.source);
    mount.String(3, m.target);
    for (const std::string& option : m.options) mount.RepeatedString(4, option);
    w.Message(3, mount);
  }
  w.Bool(4, request.terminal);
  w.String(5, request.stdin_path);
  w.String(6, request.stdout_path);
  w.String(7, request.stderr_path);
  if (request.options) w.Message(10, EncodeRuncOptionsAny(*request.options));
  return w.Take();
}

std::string EncodeTaskRef(const TaskRef& ref) {
  protowire::Writer w;
  w.String(1, ref.id);
  w.String(2, ref.exec_id);
  return w.Take();
}

std::string EncodeTaskId(const std::string& id) {
  protowire::Writer w;
  w.String(1, id);
  return w.Take();
}

Result<std::string> EncodeExec(const ExecProcessRequest& request) {
  Result<std::string> spec = DumpJson(
      request.process, "the process spec of exec " + request.exec_id + " in " + request.id);
  if (!spec.ok()) return spec.status();
  protowire::Writer w;
  w.String(1, request.id);
  w.String(2, request.exec_id);
  w.Bool(3, request.terminal);
  w.String(4, request.stdin_path);
  w.String(5, request.stdout_path);
  w.String(6, request.stderr_path);
  w.Message(7, EncodeAny(kProcessSpecType, *spec));
  return w.Take();
}

std::string EncodeKill(const KillRequest& request) {
  protowire::Writer w;
  w.String(1, request.id);
  w.String(2, request.exec_id);
  w.Uint32(3, request.signal);
  w.Bool(4, request.all);
  return w.Take();
}

Result<std::string> EncodeUpdate(const std::string& id, const nlohmann::json& linux_resources) {
  Result<std::string> resources = DumpJson(linux_resources, "the resources update of " + id);
  if (!resources.ok()) return resources.status();
  protowire::Writer w;
  w.String(1, id);
  w.Message(2, EncodeAny(kLinuxResourcesType, *resources));
  return w.Take();
}

std::string EncodeShutdown(const std::string& id, bool now) {
  protowire::Writer w;
  w.String(1, id);
  w.Bool(2, now);
  return w.Take();
}

std::string EncodeCloseIO(const TaskRef& ref, bool stdin_close) {
  protowire::Writer w;
  w.String(1, ref.id);
  w.String(2, ref.exec_id);
  w.Bool(3, stdin_close);
  return w.Take();
}

std::string EncodeResizePty(const TaskRef& ref, uint32_t width, uint32_t height) {
  protowire::Writer w;
  w.String(1, ref.id);
  w.String(2, ref.exec_id);
  w.Uint32(3, width);
  w.Uint32(4, height);
  return w.Take();
}

Result<uint32_t> DecodePidReply(std::string_view bytes) {
  uint32_t pid = 0;
  Status s = ForEachField(bytes, "pid reply", [&](const Field& f) {
    if (f.number == 1) pid = f.u32();
  });
  if (!s.ok()) return s;
  return pid;
}

Result<TaskState> DecodeState(std::string_view bytes) {
  TaskState state;
  Status time_error;
  Status s = ForEachField(bytes, "StateResponse", [&](const Field& f) {
    switch (f.number) {
      case 1:
        state.id = f.str();
        break;
      case 2:
        state.bundle = f.str();
        break;
      case 3:
        state.pid = f.u32();
        break;
      case 4: {
        const uint32_t v = f.u32();
        state.status = v <= 5 ? static_cast<TaskStatus>(v) : TaskStatus::kUnknown;
        break;
      }
      case 5:
        state.stdin_path = f.str();
        break;
      case 6:
        state.stdout_path = f.str();
        break;
      case 7:
        state.stderr_path = f.str();
        break;
      case 8:
        state.terminal = f.boolean();
        break;
      case 9:
        state.exit_status = f.u32();
        break;
      case 10:
        TakeTime(f, &state.exited_at, &time_error);
        break;
      default:
        break;
    }
  });
  if (!s.ok()) return s;
  if (!time_error.ok()) return time_error;
  return state;
}

Result<ExitResult> DecodeWait(std::string_view bytes) {
  ExitResult exit;
  Status time_error;
  Status s = ForEachField(bytes, "WaitResponse", [&](const Field& f) {
    if (f.number == 1) exit.exit_status = f.u32();
    if (f.number == 2) TakeTime(f, &exit.exited_at, &time_error);
  });
  if (!s.ok()) return s;
  if (!time_error.ok()) return time_error;
  return exit;
}

Result<ExitResult> DecodeDelete(std::string_view bytes) {
  ExitResult exit;
  Status time_error;
  Status s = ForEachField(bytes, "DeleteResponse", [&](const Field& f) {
    if (f.number == 1) exit.pid = f.u32();
    if (f.number == 2) exit.exit_status = f.u32();
    if (f.number == 3) TakeTime(f, &exit.exited_at, &time_error);
  });
  if (!s.ok()) return s;
  if (!time_error.ok()) return time_error;
  return exit;
}

Result<std::vector<ProcessInfo>> DecodePids(std::string_view bytes) {
  std::vector<std::string_view> entries;
  Status s = ForEachField(bytes, "PidsResponse", [&](const Field& f) {
    if (f.number == 1 && f.is_bytes()) entries.push_back(f.bytes);
  });
  if (!s.ok()) return s;
  std::vector<ProcessInfo> processes;
  for (std::string_view entry : entries) {
    ProcessInfo info;
    std::string_view any;
    s = ForEachField(entry, "ProcessInfo", [&](const Field& f) {
      if (f.number == 1) info.pid = f.u32();
      if (f.number == 2 && f.is_bytes()) any = f.bytes;
    });
    if (!s.ok()) return s;
    if (!any.empty()) {
      Result<Any> decoded = DecodeAny(any);
      if (!decoded.ok()) return decoded.status();
      info.info_type_url = decoded->type_url;
      info.info_value = decoded->value;
    }
    processes.push_back(std::move(info));
  }
  return processes;
}

Result<ShimInfo> DecodeConnect(std::string_view bytes) {
  ShimInfo info;
  Status s = ForEachField(bytes, "ConnectResponse", [&](const Field& f) {
    if (f.number == 1) info.shim_pid = f.u32();
    if (f.number == 2) info.task_pid = f.u32();
    if (f.number == 3) info.version = f.str();
  });
  if (!s.ok()) return s;
  return info;
}

Result<TaskMetrics> DecodeStats(std::string_view bytes) {
  std::string_view any_bytes;
  Status s = ForEachField(bytes, "StatsResponse", [&](const Field& f) {
    if (f.number == 1 && f.is_bytes()) any_bytes = f.bytes;
  });
  if (!s.ok()) return s;
  Result<Any> any = DecodeAny(any_bytes);
  if (!any.ok()) return any.status();
  if (any->type_url != kCgroupV1MetricsType) {
    return UnimplementedError("stats of type \"" + any->type_url + "\" are not decoded (only " +
                              std::string(kCgroupV1MetricsType) + ")");
  }
  return DecodeCgroupV1Metrics(any->value);
}

}  // namespace skiff::runtime::shim
