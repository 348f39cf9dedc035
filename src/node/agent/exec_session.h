// Processes in a running container, started through the pod's shim (Task.Exec) the way
// containerd's CRI starts them: a streaming session for pods/exec, and a one-shot run with
// captured output for exec probes and lifecycle hooks.
//
// A session's process gets the container's own OCI Process (user, env, cwd, capabilities,
// noNewPrivileges, apparmor: see ExecProcessSpec) with the command as args; its stdio goes
// through FIFOs under ExecTarget::fifo_parent, which the session removes when it ends.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/pod_io.h"
#include "exec_fifos.h"
#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"
#include "skiff/runtime/shim_client.h"

namespace skiff::node {

// Where an exec runs: a running container of a pod's shim.
struct ExecTarget {
  std::shared_ptr<runtime::ShimClient> shim;
  std::string container_id;
  std::string container_name;  // for messages
  std::string bundle;          // the container's bundle directory (holds config.json)
  std::string fifo_parent;     // each session's FIFOs go in <fifo_parent>/<exec id>/
  std::string attach_socket;   // pods/attach: the container's log driver's attach socket
};

// kNotFound unless the target's container (its init process) is running now; kUnavailable
// when the shim cannot be asked.
Status CheckRunning(const ExecTarget& target);

struct ExecOptions {
  std::vector<std::string> command;  // never empty
  bool stdin = false;
  bool stdout = true;  // false: the process's stdout is read and dropped
  bool stderr = true;  // likewise; ignored with tty (the terminal merges the two)
  bool tty = false;
};

// One exec'd process and its streams. Thread-safe: the ExecInput methods may be called from
// any thread, also after the session ended (they then do nothing). Stdin blocks while the
// process does not read (flow control), until the session ends.
//
// The session runs on a thread of its own (plus one pumping output): it waits for the exit,
// lets the output drain, deletes the process from the shim, removes the FIFOs, then calls
// output->Finish(exit code, "") once -- or Finish(1, message) when the shim could not tell
// the exit -- and finally `on_end`. An ExecOutput write returning false (the client is gone)
// kills the process; the rest of its output is dropped.
class ExecSession : public api::ExecInput, public std::enable_shared_from_this<ExecSession> {
 public:
  // Starts the process. On error nothing is left (no process, FIFOs, thread) and neither
  // `output` nor `on_end` is called: kNotFound when the container's config.json is missing,
  // kInvalidArgument when the runtime could not start the command, with containerd's
  // message (ExecStartFailure: `failed to exec in container: failed to start exec "ID": OCI
  // runtime exec failed: ...`), other codes for FIFO or shim failures.
  static Result<std::shared_ptr<ExecSession>> Start(const ExecTarget& target, ExecOptions options,
                                                    std::shared_ptr<api::ExecOutput> output,
                                                    std::function<void()> on_end = {});
  ~ExecSession() override;

  void Stdin(std::string_view data) override;
  // Closes the process's stdin (our FIFO end, once the shim has opened its reading end, then
  // the shim's writer: Task.CloseIO).
  void StdinClosed() override;
  // Task.ResizePty (tty sessions only).
  void Resize(int width, int height) override;
  // SIGKILLs the process; the session then ends as usual.
  void Cancel() override;

  const std::string& exec_id() const { return exec_id_; }
  bool ended() const { return ended_; }

 private:
  ExecSession(ExecTarget target, ExecOptions options, std::shared_ptr<api::ExecOutput> output,
              std::function<void()> on_end, std::string exec_id, std::unique_ptr<ExecFifos> fifos,
              UniqueFd wake);
  void Run();   // the session thread
  void Pump();  // the output thread
  void Wake();  // tells Stdin and Pump that the session is ending

  const ExecTarget target_;
  const ExecOptions options_;
  const std::shared_ptr<api::ExecOutput> output_;
  const std::function<void()> on_end_;
  const std::string exec_id_;
  const UniqueFd wake_;  // an eventfd, readable once the session ends (or drains)
  std::atomic<bool> ended_{false};
  std::atomic<bool> killed_{false};

  std::mutex stdin_mu_;  // serializes Stdin/StdinClosed; guards fifos_->stdin_fd and fifos_
  bool stdin_closed_ = false;
  std::unique_ptr<ExecFifos> fifos_;

  std::mutex pump_mu_;  // guards pump_done_
  std::condition_variable pump_cv_;
  bool pump_done_ = false;
};

// What a one-shot run gave.
struct ExecResult {
  int exit_code = 0;
  // stdout and stderr as the process wrote them, interleaved, cut at the run's output limit.
  std::string output;
  bool truncated = false;
  // The process outlived the timeout and was SIGKILLed (exit_code is then what the kill gave,
  // usually 137).
  bool timed_out = false;
};

// kubelet's limit on an exec probe's output (pkg/probe/exec: maxReadLength, 10 KiB).
inline constexpr size_t kProbeOutputLimit = 10 * 1024;

// Runs `command` (no stdin, no tty) to its end or `timeout`, whichever comes first; blocks the
// caller meanwhile. Errors: ExecSession::Start's, or kUnavailable when the shim lost track of
// the process.
Result<ExecResult> RunInTarget(const ExecTarget& target, const std::vector<std::string>& command,
                               std::chrono::milliseconds timeout,
                               size_t output_limit = kProbeOutputLimit);

}  // namespace skiff::node
