// The node side of pods/attach: a session attached to a running container's own process
// through the attach socket of the container's log driver (see RunLogDriver in
// include/skiff/node/container_logs.h and src/node/logs/attach_frames.h).
//
// The container keeps running when a session ends: detaching never signals it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/pod_io.h"
#include "exec_session.h"
#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"

namespace skiff::node {

// Where the node keeps a container's attach socket and stdin FIFO (<dir>/<id>.sock,
// <dir>/<id>.stdin; FIFO-mode output pipes <id>.out and <id>.err). 64-hex-digit ids keep the
// socket path well under the 108-byte sun_path limit.
inline constexpr const char* kAttachDir = "/run/skiff/attach";
std::string AttachSocketPath(const std::string& dir, const std::string& container_id);
std::string AttachStdinPath(const std::string& dir, const std::string& container_id);

struct AttachOptions {
  bool stdin = false;  // the client sends stdin (used only when the container has stdin)
  bool stdout = true;
  bool stderr = true;
  // From the container's spec, not the request (as kubelet does): a tty container's output
  // is all stdout and Resize reaches its console.
  bool container_tty = false;
  bool container_stdin = false;
  // stdinOnce without tty: when this session used stdin and closes it or ends, the
  // container's stdin is closed for good (the driver closes its end, the session asks the
  // shim: Task.CloseIO) and the output goes on until the container ends. Otherwise (as
  // containerd's CRI attach does) the client closing its stdin ends the session.
  bool container_stdin_once = false;
};

// Thread-safe: the ExecInput methods may be called from any thread, also after the session
// ended (they then do nothing). Stdin blocks while the driver does not take the bytes (its
// FIFO is full: flow control reaches the client), until the session ends.
//
// A thread of its own reads the driver's frames: stdout frames go to output->Stdout, stderr
// frames to output->Stderr (each only when requested). When the driver closes the socket
// (the container's output ended) or after Cancel, the session calls output->Finish(0, "")
// once and then `on_end`. An ExecOutput write returning false detaches the session.
class AttachSession : public api::ExecInput, public std::enable_shared_from_this<AttachSession> {
 public:
  // Connects to target.attach_socket and says hello. On error nothing is left and neither
  // `output` nor `on_end` is called: kUnimplemented when the container has no attach
  // socket (started by a skiff without attach support, or its driver is gone), naming the
  // container; kUnavailable for other socket errors.
  static Result<std::shared_ptr<AttachSession>> Start(const ExecTarget& target,
                                                      AttachOptions options,
                                                      std::shared_ptr<api::ExecOutput> output,
                                                      std::function<void()> on_end = {});
  ~AttachSession() override;

  void Stdin(std::string_view data) override;
  // The client closed its stdin: see AttachOptions::container_stdin_once.
  void StdinClosed() override;
  // Task.ResizePty of the container's own process (tty containers only).
  void Resize(int width, int height) override;
  // Detaches; the session then ends as usual. The container keeps running.
  void Cancel() override;

  bool ended() const { return ended_; }

 private:
  AttachSession(ExecTarget target, AttachOptions options, std::shared_ptr<api::ExecOutput> output,
                std::function<void()> on_end, UniqueFd sock, UniqueFd wake);
  void Run();  // the session thread
  bool Send(const std::string& frame);
  void Wake();
  bool CloseOnStdinEnd() const;  // stdinOnce and no tty
  void CloseContainerStdin();    // when CloseOnStdinEnd()

  const ExecTarget target_;
  const AttachOptions options_;
  const std::shared_ptr<api::ExecOutput> output_;
  const std::function<void()> on_end_;
  const UniqueFd sock_;
  const UniqueFd wake_;  // an eventfd, readable once the session is cancelled or ends
  std::atomic<bool> ended_{false};
  std::atomic<bool> cancelled_{false};
  std::mutex send_mu_;  // serializes frames to the driver
  bool stdin_closed_ = false;
};

}  // namespace skiff::node
