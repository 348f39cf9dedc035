// A client of one containerd shim v2 (containerd-shim-runc-v2) over ttrpc: the Task service.
//
// One ShimClient holds one unix-socket connection. It is thread-safe: any method from any
// thread, many calls in flight at once (a reader thread matches replies to calls by ttrpc stream
// id), so a blocking Wait can sit beside State, Kill or Exec on the same connection.
//
// Timeouts: every call has a client-side deadline (the shim enforces none). Calls use
// ShimClientOptions::call_timeout; Wait, which lasts as long as the process runs, takes its
// own timeout. A call that times out returns kUnavailable; the shim may still carry it out.
//
// Errors: the shim's google.rpc codes map to skiff codes, keeping the shim's message:
// NotFound (5) -> kNotFound (e.g. Kill or Wait of a process that already finished),
// InvalidArgument (3) -> kInvalidArgument, AlreadyExists (6) -> kAlreadyExists,
// ResourceExhausted (8) -> kResourceExhausted, Unimplemented (12) -> kUnimplemented,
// Unavailable (14) / DeadlineExceeded (4) / Cancelled (1) -> kUnavailable, everything else
// (Unknown (2) for runc failures, Internal (13), FailedPrecondition (9) ...) -> kInternal.
// A lost connection, a timeout or Close() give kUnavailable. Messages name the shim address,
// the method and the container.
//
// The client never restarts a shim and never reconnects by itself: after kUnavailable from a
// lost connection, Connect() again (the shim and its containers outlive the connection).
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/shim_types.h"

namespace skiff::runtime {

namespace shim {
class TtrpcClient;  // src/runtime/shim/ttrpc_client.h
}

struct ShimClientOptions {
  // Deadline of every call but Wait.
  std::chrono::milliseconds call_timeout{10000};
  // Runs once, on the connection's reader thread, when the shim closes the connection (it
  // died, or exited after Shutdown); never after Close(). It must not Close or destroy the
  // client.
  std::function<void()> on_peer_closed;
};

class ShimClient {
 public:
  // Connects to a shim's socket: "unix:///run/containerd/s/<hex>" (as StartShim returns and the
  // bundle's `address` file holds) or a plain socket path. kNotFound when no socket is there,
  // kUnavailable when nothing listens on it (a dead shim's stale socket) or the connection
  // does not complete within `timeout`.
  static Result<std::unique_ptr<ShimClient>> Connect(const std::string& address,
                                                     std::chrono::milliseconds timeout,
                                                     ShimClientOptions options = {});

  // Closes the connection (see Close()).
  ~ShimClient();
  ShimClient(const ShimClient&) = delete;
  ShimClient& operator=(const ShimClient&) = delete;

  // The address given to Connect.
  const std::string& address() const { return address_; }

  // Task.Create: creates the container (runc create); returns its init pid. Never create the
  // same id twice in one shim: the shim accepts it and orphans the first container.
  // kInvalidArgument, before anything is sent, when only one of stdout/stderr is set.
  Result<uint32_t> Create(const CreateTaskRequest& request);
  // Task.Start: starts the init process (exec_id "") or an exec; returns its pid.
  Result<uint32_t> Start(const TaskRef& ref);
  Result<TaskState> State(const TaskRef& ref);
  // Task.Exec: adds an exec process (then Start it with its exec_id).
  Status Exec(const ExecProcessRequest& request);
  // Task.Wait: blocks until the process exits or `timeout` passes (kUnavailable), or Close()
  // (kUnavailable). The reply has no pid.
  Result<ExitResult> Wait(const TaskRef& ref, std::chrono::milliseconds timeout);
  // Task.Kill. kNotFound when the process already exited.
  Status Kill(const KillRequest& request);
  // Task.Delete: removes a stopped process (runc delete for the init process, which also
  // undoes the rootfs mounts and removes the cgroup). Deleting a running process fails. The
  // shim copies a process's output asynchronously: it is complete only once Delete returned
  // (not yet when Wait did).
  Result<ExitResult> Delete(const TaskRef& ref);
  // Task.Pids: the processes in the container.
  Result<std::vector<ProcessInfo>> Pids(const std::string& id);
  // Task.Stats, decoded from io.containerd.cgroups.v1.Metrics. kUnimplemented (naming the type)
  // when the shim sends another metrics type (e.g. cgroup v2's).
  Result<TaskMetrics> Stats(const std::string& id);
  // Task.Update: new OCI LinuxResources (e.g. {"memory":{"limit":...},"cpu":{"quota":...}}).
  Status Update(const std::string& id, const nlohmann::json& linux_resources);
  // Task.Pause / Task.Resume: freeze and thaw every process of the container.
  Status Pause(const std::string& id);
  Status Resume(const std::string& id);
  // Task.CloseIO: closes the process's stdin (when `stdin_close` is true).
  Status CloseIO(const TaskRef& ref, bool stdin_close = true);
  // Task.ResizePty: sets the terminal size (columns, rows) of a process started with a
  // terminal. kNotFound when the process is gone; the shim fails it (kInternal) for a process
  // without a terminal.
  Status ResizePty(const TaskRef& ref, uint32_t width, uint32_t height);
  // Task.Connect: the shim's pid, the task's pid and the shim's version.
  Result<ShimInfo> ConnectTask(const std::string& id);
  // Task.Shutdown: asks the shim to exit. A no-op while any container of the shim is not
  // deleted; after the last Delete the shim exits and removes its socket. The shim often exits
  // before replying: a connection closed by the shim counts as success.
  Status Shutdown(const std::string& id, bool now = false);

  // Closes the connection: every call in flight, and every later call, returns kUnavailable.
  // Idempotent; blocks until the reader thread has ended. The shim and its containers live on.
  void Close();

 private:
  ShimClient(std::string address, std::unique_ptr<shim::TtrpcClient> conn,
             ShimClientOptions options);
  Result<std::string> Call(std::string_view method, const std::string& object, std::string payload,
                           std::chrono::milliseconds timeout);

  const std::string address_;
  const ShimClientOptions options_;
  std::unique_ptr<shim::TtrpcClient> conn_;
};

}  // namespace skiff::runtime
