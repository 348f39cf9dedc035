// The node side of pods/exec: turns a checked PodExecRequest into an ExecSession on the
// pod's running container, and keeps track of the sessions so Stop() can end them.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "api/pod_io.h"
#include "attach_session.h"
#include "exec_session.h"

namespace skiff::node {

// Where exec'ing into container `container` (by name) of `pod` runs. kNotFound when the pod
// has no running container of that name on this node; other errors are the runtime's.
using ExecResolver =
    std::function<Result<ExecTarget>(const nlohmann::json& pod, const std::string& container)>;

class ExecServer {
 public:
  explicit ExecServer(ExecResolver resolver) : resolver_(std::move(resolver)) {}
  // Stop().
  ~ExecServer();
  ExecServer(const ExecServer&) = delete;
  ExecServer& operator=(const ExecServer&) = delete;

  // pods/exec (api::PodIo::Exec). Errors, before any output and in kubelet's words:
  //   a container that is not running: 500 InternalError `container not found ("NAME")`;
  //   a command the runtime cannot start: 500 InternalError `Internal error occurred: error
  //   executing command in container: failed to exec in container: failed to start exec
  //   "ID": OCI runtime exec failed: exec failed: unable to start container process: exec:
  //   "nosuch": executable file not found in $PATH: unknown` (containerd's CRI);
  //   after Stop(): 503.
  // pods/attach (request.attach) gives an AttachSession on the container's attach socket
  // (tty and stdin come from the container's spec, as kubelet takes them; stdin from a client
  // of a container without stdin is ignored). Errors: a container that is not running: 500
  // InternalError `container NAME not found in pod POD_NAMESPACE` (kubelet's GetAttach); a
  // container without an attach socket (started by a skiff without attach support): 500
  // InternalError naming the container and saying to restart it.
  api::ApiResult<std::shared_ptr<api::ExecInput>> Exec(const api::PodExecRequest& request,
                                                       std::shared_ptr<api::ExecOutput> output);

  // Kills every session's process (SIGKILL) and waits until each session has ended (its
  // output Finished). Later Execs get 503. Idempotent.
  void Stop();

  // Sessions running now.
  size_t active();

 private:
  api::ApiResult<std::shared_ptr<api::ExecInput>> Attach(const api::PodExecRequest& request,
                                                         std::shared_ptr<api::ExecOutput> output);
  // A session being started counts from here (Stop waits for it); nullopt once stopping.
  std::optional<uint64_t> Begin();
  // The session's on_end: forgets it and lets Stop go on when it was the last.
  std::function<void()> Releaser(uint64_t key);
  // Remembers a started session for Stop (unless it already `ended`), and cancels it when
  // Stop began meanwhile.
  void Track(uint64_t key, const std::shared_ptr<api::ExecInput>& session, bool ended);

  const ExecResolver resolver_;
  std::mutex mu_;  // guards everything below
  std::condition_variable idle_;
  bool stopping_ = false;
  uint64_t next_ = 0;
  std::map<uint64_t, std::weak_ptr<api::ExecInput>> sessions_;
  size_t active_ = 0;  // started sessions whose on_end has not run yet
};

}  // namespace skiff::node
