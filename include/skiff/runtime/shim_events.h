// Receiving the task events shims publish: a ttrpc server for
// containerd.services.events.ttrpc.v1.Events/Forward on a unix socket (the shims' TTRPC_ADDRESS,
// see ShimLaunch::events_address).
//
// Each shim keeps one connection and forwards every event as an Envelope; the server decodes
// the task events (TaskCreate, TaskStart, TaskExit, TaskOOM, TaskDelete, TaskExecAdded,
// TaskExecStarted, TaskPaused, TaskResumed) into a ShimEvent, calls the callback, then replies
// with an empty message. Events are best effort: a shim retries a failed forward a few times
// with growing delays, then drops it, and retried events arrive out of order. Treat them as
// hints to look (State/Wait are the source of truth).
//
// Threading: one thread serves the listening socket and every connection; the callback runs
// on it, one event at a time, so it must be quick (enqueue, do not block). An event the server
// cannot decode is logged and answered with an error (the shim retries, then drops it).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "skiff/common/status.h"
#include "skiff/runtime/shim_types.h"

namespace skiff::runtime {

enum class ShimEventKind {
  kOther,  // a topic this decoder does not know (topic and type_url say which)
  kTaskCreate,
  kTaskStart,
  kTaskExit,
  kTaskOOM,
  kTaskDelete,
  kTaskExecAdded,
  kTaskExecStarted,
  kTaskPaused,
  kTaskResumed,
};

// "TaskCreate", "TaskExit" ... ("Other" for kOther).
std::string_view ShimEventKindName(ShimEventKind kind);

struct ShimEvent {
  ShimEventKind kind = ShimEventKind::kOther;
  std::string topic;     // e.g. "/tasks/exit"
  std::string ns;        // the shim's namespace
  std::string type_url;  // e.g. "containerd.events.TaskExit"
  ShimTime timestamp;    // when the shim published it
  std::string container_id;
  // TaskExit `id` (equals container_id for the init process), TaskDelete `id` ("" for the
  // init process), TaskExecAdded/TaskExecStarted `exec_id`.
  std::string exec_id;
  uint32_t pid = 0;          // TaskCreate, TaskStart, TaskExit, TaskDelete, TaskExecStarted
  uint32_t exit_status = 0;  // TaskExit, TaskDelete
  ShimTime exited_at;        // TaskExit, TaskDelete
  std::string bundle;        // TaskCreate
};

class ShimEventServer {
 public:
  using Callback = std::function<void(const ShimEvent&)>;

  // Listens on `socket_path` (a socket file already there is replaced, whether or not something
  // still listens on it; a file that is not a socket is refused with kAlreadyExists) and starts
  // serving. The path must fit a unix socket
  // address (107 bytes).
  static Result<std::unique_ptr<ShimEventServer>> Start(const std::string& socket_path,
                                                        Callback callback);

  // Stop()s.
  ~ShimEventServer();
  ShimEventServer(const ShimEventServer&) = delete;
  ShimEventServer& operator=(const ShimEventServer&) = delete;

  // Ends the serving thread, closes every connection and removes the socket file. Idempotent;
  // never call it from the callback.
  void Stop();

  const std::string& path() const { return path_; }

 private:
  class Impl;

  ShimEventServer(std::string path, std::unique_ptr<Impl> impl);
  const std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::runtime
