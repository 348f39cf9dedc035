// Serving a checked pods/exec or pods/attach request: the protocol decision (WebSocket
// channel protocols; SPDY/3.1 is refused with a message naming what works), the node's Exec,
// the upgrade, and the session that carries the process's streams over the channels.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "http_types.h"
#include "pod_io.h"
#include "stream_channels.h"

namespace skiff::api {

// What the API answers an `Upgrade: SPDY/3.1` exec or attach with (a 400 Status message).
extern const char kSpdyNotSupportedMessage[];

// The client side of one session, as the node sees it (ExecOutput): output and the exit
// Status become channel messages. Output given before Attach is kept and sent on Attach.
// Thread-safe.
class ExecChannelSession final : public ExecOutput {
 public:
  // How much output may wait unsent before Stdout/Stderr block.
  static constexpr size_t kMaxQueuedBytes = 256 * 1024;

  ExecChannelSession(ChannelProtocol protocol, PodExecRequest exec);

  bool Stdout(std::string_view data) override;
  bool Stderr(std::string_view data) override;
  void Finish(int exit_code, const std::string& error) override;

  // Hands the upgraded connection over: sends kubelet's opening empty message (on the
  // first output stream the client asked for, else the error channel) and what was kept.
  void Attach(std::shared_ptr<WebSocket> ws);
  // Delivers the client's messages to `input` until the connection closes; then, unless the
  // session had finished, cancels it. Blocks: run it on a thread of its own.
  void ServeInput(ExecInput& input);

 private:
  bool Write(StreamChannel channel, std::string_view data);

  const ChannelProtocol protocol_;
  const PodExecRequest exec_;
  std::mutex mu_;  // guards the fields below
  std::shared_ptr<WebSocket> ws_;
  std::vector<WebSocketMessage> kept_;  // before Attach
  bool finished_ = false;
  bool client_gone_ = false;
};

// Answers `request` (already checked by ParsePodExecRequest) through `responder`, on the
// calling worker thread, without blocking for the session's length: a 503 Status without
// `pod_io`; a 400 Status for SPDY, for a request that is not an upgrade, or when no offered
// channel protocol is supported; the node's error when its Exec refuses; otherwise a 101 and
// the session runs on a thread of its own (the client's input) and the node's threads (its
// output). `pod_io` is not owned and must outlive every session it starts.
void ServeExec(PodIo* pod_io, PodExecRequest exec, const HttpRequest& request,
               std::shared_ptr<Responder> responder);

}  // namespace skiff::api
