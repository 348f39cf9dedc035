// io.containerd.cgroups.v1.Metrics (github.com/containerd/cgroups stats/v1/metrics.proto): the
// figures TaskMetrics keeps.
#include "runtime/shim/proto_fields.h"
#include "runtime/shim/task_codec.h"

namespace skiff::runtime::shim {

namespace {

// Decodes each length-delimited field `number` of `message` with `fn`, keeping the first error.
Status ForEachSubmessage(std::string_view message, std::string_view what, int number,
                         const std::function<void(const Field&)>& fn) {
  std::vector<std::string_view> parts;
  Status s = ForEachField(message, what, [&](const Field& f) {
    if (f.number == number && f.is_bytes()) parts.push_back(f.bytes);
  });
  if (!s.ok()) return s;
  for (std::string_view part : parts) {
    s = ForEachField(part, what, fn);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status DecodeCpu(std::string_view cpu, TaskMetrics* m) {
  Status s = ForEachSubmessage(cpu, "CPUStat.usage", 1, [&](const Field& f) {
    if (f.number == 1) m->cpu_usage_total_ns = f.varint;
    if (f.number == 2) m->cpu_usage_kernel_ns = f.varint;
    if (f.number == 3) m->cpu_usage_user_ns = f.varint;
  });
  if (!s.ok()) return s;
  return ForEachSubmessage(cpu, "CPUStat.throttling", 2, [&](const Field& f) {
    if (f.number == 2) m->cpu_throttled_periods = f.varint;
    if (f.number == 3) m->cpu_throttled_time_ns = f.varint;
  });
}

Status DecodeMemory(std::string_view memory, TaskMetrics* m) {
  Status s = ForEachField(memory, "MemoryStat", [&](const Field& f) {
    if (!f.is_number()) return;
    if (f.number == 1) m->memory_cache_bytes = f.varint;
    if (f.number == 2) m->memory_rss_bytes = f.varint;
    if (f.number == 30) m->memory_total_inactive_file_bytes = f.varint;
  });
  if (!s.ok()) return s;
  return ForEachSubmessage(memory, "MemoryStat.usage", 33, [&](const Field& f) {
    if (f.number == 1) m->memory_limit_bytes = f.varint;
    if (f.number == 2) m->memory_usage_bytes = f.varint;
    if (f.number == 3) m->memory_max_usage_bytes = f.varint;
    if (f.number == 4) m->memory_failcnt = f.varint;
  });
}

}  // namespace

Result<TaskMetrics> DecodeCgroupV1Metrics(std::string_view bytes) {
  TaskMetrics m;
  std::string_view cpu;
  std::string_view memory;
  Status s = ForEachSubmessage(bytes, "Metrics.pids", 2, [&](const Field& f) {
    if (f.number == 1) m.pids_current = f.varint;
    if (f.number == 2) m.pids_limit = f.varint;
  });
  if (s.ok()) {
    s = ForEachField(bytes, "Metrics", [&](const Field& f) {
      if (f.number == 3 && f.is_bytes()) cpu = f.bytes;
      if (f.number == 4 && f.is_bytes()) memory = f.bytes;
    });
  }
  if (s.ok()) s = DecodeCpu(cpu, &m);
  if (s.ok()) s = DecodeMemory(memory, &m);
  if (s.ok()) {
    s = ForEachSubmessage(bytes, "Metrics.memory_oom_control", 9, [&](const Field& f) {
      if (f.number == 2) m.under_oom = f.varint != 0;
      if (f.number == 3) m.oom_kill = f.varint;
    });
  }
  if (!s.ok()) return s;
  return m;
}

}  // namespace skiff::runtime::shim
