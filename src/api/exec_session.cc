#include "exec_session.h"

#include <chrono>
#include <system_error>
#include <thread>

#include "api_error.h"
#include "codec.h"
#include "skiff/common/log.h"

namespace skiff::api {

const char kSpdyNotSupportedMessage[] =
    "this server does not support SPDY/3.1 for pods/exec and pods/attach; it speaks the "
    "WebSocket protocols v5.channel.k8s.io and v4.channel.k8s.io: use kubectl 1.30 or newer "
    "(kubectl 1.29 and older speak only SPDY for exec and attach)";

ExecChannelSession::ExecChannelSession(ChannelProtocol protocol, PodExecRequest exec)
    : protocol_(protocol), exec_(std::move(exec)) {}

bool ExecChannelSession::Stdout(std::string_view data) {
  if (!exec_.stdout) return true;
  return Write(StreamChannel::kStdout, data);
}

bool ExecChannelSession::Stderr(std::string_view data) {
  // With a terminal, the process's stderr is the terminal too; without a stderr stream
  // asked for, the output is dropped (kubelet passes no writer).
  if (exec_.tty || !exec_.stderr) return true;
  return Write(StreamChannel::kStderr, data);
}

bool ExecChannelSession::Write(StreamChannel channel, std::string_view data) {
  std::shared_ptr<WebSocket> ws;
  {
    std::lock_guard lock(mu_);
    if (finished_ || client_gone_) return false;
    if (data.empty()) return true;
    WebSocketMessage m = EncodeChannelMessage(protocol_, channel, data);
    if (!ws_) {
      kept_.push_back(std::move(m));
      return true;
    }
    // Sent under the lock so messages keep their order against Finish and Attach.
    if (!ws_->Send(std::move(m.data), m.binary)) return false;
    ws = ws_;
  }
  return ws->WaitQueuedAtMost(kMaxQueuedBytes);
}

void ExecChannelSession::Finish(int exit_code, const std::string& error) {
  std::lock_guard lock(mu_);
  if (finished_) return;
  finished_ = true;
  std::string payload = ExitStatusPayload(protocol_, exit_code, error, exec_.command);
  if (!payload.empty()) {
    WebSocketMessage m = EncodeChannelMessage(protocol_, StreamChannel::kError, payload);
    if (ws_) {
      ws_->Send(std::move(m.data), m.binary);
    } else {
      kept_.push_back(std::move(m));
    }
  }
  if (ws_) ws_->Close();
}

void ExecChannelSession::Attach(std::shared_ptr<WebSocket> ws) {
  std::lock_guard lock(mu_);
  ws_ = std::move(ws);
  // kubelet tells the client the streams are ready with an empty message.
  StreamChannel first = exec_.stdout   ? StreamChannel::kStdout
                        : exec_.stderr ? StreamChannel::kStderr
                                       : StreamChannel::kError;
  WebSocketMessage hello = EncodeChannelMessage(protocol_, first, "");
  ws_->Send(std::move(hello.data), hello.binary);
  for (WebSocketMessage& m : kept_) ws_->Send(std::move(m.data), m.binary);
  kept_.clear();
  if (finished_) ws_->Close();
}

void ExecChannelSession::ServeInput(ExecInput& input) {
  std::shared_ptr<WebSocket> ws;
  {
    std::lock_guard lock(mu_);
    ws = ws_;
  }
  bool stdin_open = exec_.stdin;
  while (ws) {
    auto message = ws->Receive();
    if (!message) break;
    auto decoded = DecodeChannelMessage(protocol_, *message);
    if (!decoded) continue;
    switch (decoded->channel) {
      case static_cast<uint8_t>(StreamChannel::kStdin):
        if (stdin_open && !decoded->data.empty()) input.Stdin(decoded->data);
        break;
      case static_cast<uint8_t>(StreamChannel::kResize):
        if (exec_.tty) {
          if (auto size = ParseTerminalSize(decoded->data)) input.Resize(size->width, size->height);
        }
        break;
      case static_cast<uint8_t>(StreamChannel::kClose):
        // v5: [255, stream]; only stdin is the client's to close.
        if (protocol_ == ChannelProtocol::kV5 && decoded->data.size() == 1 &&
            decoded->data[0] == static_cast<char>(StreamChannel::kStdin) && stdin_open) {
          stdin_open = false;
          input.StdinClosed();
        }
        break;
      default:
        break;
    }
  }
  bool finished;
  {
    std::lock_guard lock(mu_);
    client_gone_ = true;
    finished = finished_;
    ws_.reset();  // the connection is done with, whoever still holds the session
  }
  if (!finished) input.Cancel();
}

namespace {
constexpr auto kClientSettle = std::chrono::milliseconds(20);
}  // namespace

void ServeExec(PodIo* pod_io, PodExecRequest exec, const HttpRequest& request,
               std::shared_ptr<Responder> responder) {
  const std::string what = exec.attach ? "pods/attach" : "pods/exec";
  if (!pod_io) {
    return responder->Send(ErrorResponse(ServiceUnavailable(
        what + " is served by the node agent, which is not running on this server")));
  }
  std::string upgrade = request.Header("upgrade");
  for (char& c : upgrade) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (upgrade.find("spdy/") != std::string::npos) {
    return responder->Send(ErrorResponse(BadRequest(kSpdyNotSupportedMessage)));
  }
  if (!IsWebSocketUpgrade(request)) {
    return responder->Send(ErrorResponse(BadRequest("Upgrade request required")));
  }
  const std::string offered = request.Header("sec-websocket-protocol");
  auto negotiated = NegotiateChannelProtocol(offered);
  if (!negotiated) {
    std::string supported;
    for (const std::string& p : SupportedChannelProtocols()) {
      supported += (supported.empty() ? "" : " ") + p;
    }
    return responder->Send(ErrorResponse(BadRequest("requested protocol(s) are not supported: [" +
                                                    offered + "]; supports [" + supported + "]")));
  }
  auto session = std::make_shared<ExecChannelSession>(negotiated->protocol, exec);
  auto input = pod_io->Exec(exec, session);
  if (!input.ok()) return responder->Send(ErrorResponse(input.error()));
  std::shared_ptr<ExecInput> in = std::move(*input);
  auto ws = responder->UpgradeWebSocket(negotiated->name);
  if (!ws) {
    // Not reachable for a WebSocket upgrade request; the node's session must not linger.
    in->Cancel();
    return responder->Send(ErrorResponse(InternalError("the connection could not be upgraded")));
  }
  // The client's input needs a thread that may block (the node's Stdin can wait for the
  // process); it ends when the connection closes, holding the session until then.
  // client-go's WebSocket executor (kubectl 1.30-1.32 at least) reads frames before it has
  // made its streams and drops what comes first ("Unknown stream id 1, discarding
  // message"): output is held back for a moment after the upgrade (kept by the session
  // meanwhile; 20 ms is plenty for client-go, and the README's exec figure includes it),
  // about what kube-apiserver's own relay to kubelet takes before the first byte.
  try {
    std::thread([session, in, ws = std::move(ws)]() mutable {
      std::this_thread::sleep_for(kClientSettle);
      session->Attach(std::move(ws));
      session->ServeInput(*in);
    }).detach();
  } catch (const std::system_error& e) {
    log::Warning("api", "cannot start an exec session's input thread", {{"error", e.what()}});
    in->Cancel();
  }
}

}  // namespace skiff::api
