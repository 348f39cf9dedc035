#include "runtime/shim/event_codec.h"

#include <array>
#include <utility>

#include "runtime/shim/proto_fields.h"

namespace skiff::runtime::shim {

namespace {

constexpr std::string_view kTypePrefix = "containerd.events.";

constexpr std::array<std::pair<ShimEventKind, std::string_view>, 9> kKinds = {{
    {ShimEventKind::kTaskCreate, "TaskCreate"},
    {ShimEventKind::kTaskStart, "TaskStart"},
    {ShimEventKind::kTaskExit, "TaskExit"},
    {ShimEventKind::kTaskOOM, "TaskOOM"},
    {ShimEventKind::kTaskDelete, "TaskDelete"},
    {ShimEventKind::kTaskExecAdded, "TaskExecAdded"},
    {ShimEventKind::kTaskExecStarted, "TaskExecStarted"},
    {ShimEventKind::kTaskPaused, "TaskPaused"},
    {ShimEventKind::kTaskResumed, "TaskResumed"},
}};

ShimEventKind KindOf(std::string_view type_url) {
  // Type URLs are bare names here; accept a "host/" prefix too.
  const size_t slash = type_url.rfind('/');
  if (slash != std::string_view::npos) type_url.remove_prefix(slash + 1);
  if (type_url.substr(0, kTypePrefix.size()) != kTypePrefix) return ShimEventKind::kOther;
  type_url.remove_prefix(kTypePrefix.size());
  for (const auto& [kind, name] : kKinds) {
    if (name == type_url) return kind;
  }
  return ShimEventKind::kOther;
}

// Fills the event-specific fields of *event from the event message.
Status DecodeTaskEvent(std::string_view bytes, ShimEvent* event) {
  Status time_error;
  auto take_time = [&](const Field& f) {
    if (!f.is_bytes()) return;
    Result<ShimTime> t = DecodeTimestamp(f.bytes);
    if (t.ok()) {
      event->exited_at = *t;
    } else if (time_error.ok()) {
      time_error = t.status();
    }
  };
  const std::string what = "event " + event->type_url;
  Status s = ForEachField(bytes, what, [&](const Field& f) {
    if (f.number == 1) event->container_id = f.str();  // every task event
    switch (event->kind) {
      case ShimEventKind::kTaskCreate:
        if (f.number == 2) event->bundle = f.str();
        if (f.number == 6) event->pid = f.u32();
        break;
      case ShimEventKind::kTaskStart:
        if (f.number == 2) event->pid = f.u32();
        break;
      case ShimEventKind::kTaskExit:
        if (f.number == 2) event->exec_id = f.str();
        if (f.number == 3) event->pid = f.u32();
        if (f.number == 4) event->exit_status = f.u32();
        if (f.number == 5) take_time(f);
        break;
      case ShimEventKind::kTaskDelete:
        if (f.number == 2) event->pid = f.u32();
        if (f.number == 3) event->exit_status = f.u32();
        if (f.number == 4) take_time(f);
        if (f.number == 5) event->exec_id = f.str();
        break;
      case ShimEventKind::kTaskExecAdded:
        if (f.number == 2) event->exec_id = f.str();
        break;
      case ShimEventKind::kTaskExecStarted:
        if (f.number == 2) event->exec_id = f.str();
        if (f.number == 3) event->pid = f.u32();
        break;
      default:
        break;
    }
  });
  if (!s.ok()) return s;
  return time_error;
}

}  // namespace

Result<ShimEvent> DecodeForwardRequest(std::string_view bytes) {
  std::string_view envelope;
  Status s = ForEachField(bytes, "ForwardRequest", [&](const Field& f) {
    if (f.number == 1 && f.is_bytes()) envelope = f.bytes;
  });
  if (!s.ok()) return s;

  ShimEvent event;
  std::string_view timestamp;
  std::string_view any;
  s = ForEachField(envelope, "Envelope", [&](const Field& f) {
    if (f.number == 1 && f.is_bytes()) timestamp = f.bytes;
    if (f.number == 2) event.ns = f.str();
    if (f.number == 3) event.topic = f.str();
    if (f.number == 4 && f.is_bytes()) any = f.bytes;
  });
  if (!s.ok()) return s;
  if (!timestamp.empty()) {
    Result<ShimTime> t = DecodeTimestamp(timestamp);
    if (!t.ok()) return t.status();
    event.timestamp = *t;
  }
  Result<Any> payload = DecodeAny(any);
  if (!payload.ok()) return payload.status();
  event.type_url = payload->type_url;
  event.kind = KindOf(event.type_url);
  if (event.kind == ShimEventKind::kOther) return event;
  s = DecodeTaskEvent(payload->value, &event);
  if (!s.ok()) return s;
  return event;
}

}  // namespace skiff::runtime::shim

namespace skiff::runtime {

std::string_view ShimEventKindName(ShimEventKind kind) {
  for (const auto& [k, name] : shim::kKinds) {
    if (k == kind) return name;
  }
  return "Other";
}

}  // namespace skiff::runtime
