// pods/log, exec and attach: the API side checks the request the way
// kube-apiserver and kubelet do -- the pod exists, the container is named (or the pod has
// only one), it has started, the parameters are valid -- and hands a checked request to the
// node that runs the pod (PodIo), which streams the answer.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_types.h"
#include "resources.h"

namespace skiff::api {

struct PodLogRequest {
  json pod;
  std::string container;
  bool init_container = false;
  // The attempt whose log is wanted (the newest, or with `previous` the one before it).
  int restart_count = 0;
  bool previous = false;
  bool follow = false;
  bool timestamps = false;
  std::optional<int64_t> tail_lines;
  std::optional<int64_t> limit_bytes;
  std::optional<std::chrono::system_clock::time_point> since_time;
};

// pods/exec (a new process in a running container) and pods/attach (the container's own
// process), checked by the API side as kube-apiserver and kubelet check them.
struct PodExecRequest {
  json pod;
  std::string container;
  std::vector<std::string> command;  // exec: never empty; attach: empty
  bool attach = false;               // pods/attach rather than pods/exec
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;  // ignored with tty (the terminal merges the two)
  bool tty = false;
};

// The client side of a running exec or attach, as the node sees it. Implemented by the API
// server's stream protocol (WebSocket channels); called by the node from its own threads.
class ExecOutput {
 public:
  virtual ~ExecOutput() = default;
  // The process's output. Blocks while the client is slow to read (flow control reaches the
  // process); false once the client is gone (the node should then stop the session).
  virtual bool Stdout(std::string_view data) = 0;
  virtual bool Stderr(std::string_view data) = 0;
  // Ends the session, once: exit code 0 is Status Success; another code is Status Failure
  // with reason NonZeroExitCode and an ExitCode cause (what kubectl turns into its own exit
  // code); a non-empty `error` (the process could not run) is a Failure with that message.
  virtual void Finish(int exit_code, const std::string& error) = 0;
};

// What the client sends during the session, delivered by the stream protocol from its
// thread. Implemented by the node.
class ExecInput {
 public:
  virtual ~ExecInput() = default;
  virtual void Stdin(std::string_view data) = 0;
  // The client closed its stdin (v5.channel.k8s.io close frame, or end of the stream).
  virtual void StdinClosed() = 0;
  // A terminal size change (tty sessions).
  virtual void Resize(int width, int height) = 0;
  // The client went away: stop the exec'd process (attach: just detach).
  virtual void Cancel() = 0;
};

// Implemented by the node agent. Answers through the responder, from any thread.
class PodIo {
 public:
  virtual ~PodIo() = default;
  virtual void StreamLog(const PodLogRequest& request, std::shared_ptr<Responder> responder) = 0;
  // Starts an exec or attach whose output goes to `output`. An error (the container is not
  // running, the command cannot start...) comes back before any output, as the Status the
  // client should see (kubelet's wording); the caller then calls nothing on `output`.
  // Otherwise the node calls output->Finish exactly once, from any thread.
  virtual ApiResult<std::shared_ptr<ExecInput>> Exec(const PodExecRequest& request,
                                                     std::shared_ptr<ExecOutput> output) = 0;
};

// Reads and checks a GET .../pods/NAME/log request (query: container, previous, follow,
// timestamps, tailLines, limitBytes, sinceSeconds, sinceTime). Errors are kube-apiserver's
// 400s and 404s.
ApiResult<PodLogRequest> ParsePodLogRequest(Resources& resources, const std::string& ns,
                                            const std::string& name, const HttpRequest& request);

}  // namespace skiff::api
