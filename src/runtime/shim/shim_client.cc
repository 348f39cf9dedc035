#include "skiff/runtime/shim_client.h"

#include "runtime/shim/task_codec.h"
#include "runtime/shim/ttrpc_client.h"
#include "skiff/runtime/shim_launch.h"

namespace skiff::runtime {

std::string_view TaskStatusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::kUnknown:
      return "unknown";
    case TaskStatus::kCreated:
      return "created";
    case TaskStatus::kRunning:
      return "running";
    case TaskStatus::kStopped:
      return "stopped";
    case TaskStatus::kPaused:
      return "paused";
    case TaskStatus::kPausing:
      return "pausing";
  }
  return "unknown";
}

namespace {

std::string Object(const TaskRef& ref) {
  return ref.exec_id.empty() ? ref.id : ref.id + " exec " + ref.exec_id;
}

// Decodes a reply with `decode`, naming the method and shim in a decoding error.
template <class T, class Fn>
Result<T> DecodeReply(const Result<std::string>& reply, Fn decode, std::string_view context) {
  if (!reply.ok()) return reply.status();
  Result<T> decoded = decode(*reply);
  if (!decoded.ok()) {
    return InternalError(std::string(context) + ": bad reply: " + decoded.status().message());
  }
  return decoded;
}

// The 1.6 shim fails on an empty stdout or stderr beside a set one, and panics (losing every
// container's management) when stdout is a file:// or binary:// URI and stderr is empty.
Status CheckStdio(const std::string& out, const std::string& err, const std::string& object) {
  if (out.empty() != err.empty()) {
    return InvalidArgumentError(object + ": set both stdout and stderr or neither (stdout \"" +
                                out + "\", stderr \"" + err + "\")");
  }
  return Status::Ok();
}

Status ToStatus(const Result<std::string>& reply) {
  return reply.ok() ? Status::Ok() : reply.status();
}

}  // namespace

Result<std::unique_ptr<ShimClient>> ShimClient::Connect(const std::string& address,
                                                        std::chrono::milliseconds timeout,
                                                        ShimClientOptions options) {
  Result<std::unique_ptr<shim::TtrpcClient>> conn =
      shim::TtrpcClient::Connect(ShimSocketPath(address), timeout, options.on_peer_closed);
  if (!conn.ok()) {
    return Status(conn.status().code(), "shim " + address + ": " + conn.status().message());
  }
  return std::unique_ptr<ShimClient>(new ShimClient(address, std::move(conn).value(), options));
}

ShimClient::ShimClient(std::string address, std::unique_ptr<shim::TtrpcClient> conn,
                       ShimClientOptions options)
    : address_(std::move(address)), options_(options), conn_(std::move(conn)) {}

ShimClient::~ShimClient() { Close(); }

void ShimClient::Close() { conn_->Close(); }

Result<std::string> ShimClient::Call(std::string_view method, const std::string& object,
                                     std::string payload, std::chrono::milliseconds timeout) {
  const std::string context = "shim " + address_ + ": " + std::string(method) + " " + object;
  Result<shim::RpcResponse> response =
      conn_->Call(shim::kTaskService, method, std::move(payload), timeout);
  if (!response.ok()) {
    return Status(response.status().code(), context + ": " + response.status().message());
  }
  if (response->status.code != 0) return shim::StatusFromRpc(response->status, context);
  return std::move(response->payload);
}

Result<uint32_t> ShimClient::Create(const CreateTaskRequest& request) {
  if (Status s = CheckStdio(request.stdout_path, request.stderr_path, "Create " + request.id);
      !s.ok()) {
    return s;
  }
  return DecodeReply<uint32_t>(
      Call("Create", request.id, shim::EncodeCreateTask(request), options_.call_timeout),
      shim::DecodePidReply, "Create " + request.id);
}

Result<uint32_t> ShimClient::Start(const TaskRef& ref) {
  return DecodeReply<uint32_t>(
      Call("Start", Object(ref), shim::EncodeTaskRef(ref), options_.call_timeout),
      shim::DecodePidReply, "Start " + Object(ref));
}

Result<TaskState> ShimClient::State(const TaskRef& ref) {
  return DecodeReply<TaskState>(
      Call("State", Object(ref), shim::EncodeTaskRef(ref), options_.call_timeout),
      shim::DecodeState, "State " + Object(ref));
}

Status ShimClient::Exec(const ExecProcessRequest& request) {
  const std::string object = Object({request.id, request.exec_id});
  if (Status s = CheckStdio(request.stdout_path, request.stderr_path, "Exec " + object); !s.ok()) {
    return s;
  }
  Result<std::string> payload = shim::EncodeExec(request);
  if (!payload.ok()) return payload.status();
  return ToStatus(Call("Exec", object, std::move(payload).value(), options_.call_timeout));
}

Result<ExitResult> ShimClient::Wait(const TaskRef& ref, std::chrono::milliseconds timeout) {
  return DecodeReply<ExitResult>(Call("Wait", Object(ref), shim::EncodeTaskRef(ref), timeout),
                                 shim::DecodeWait, "Wait " + Object(ref));
}

Status ShimClient::Kill(const KillRequest& request) {
  return ToStatus(Call(
      "Kill", Object({request.id, request.exec_id}) + " signal " + std::to_string(request.signal),
      shim::EncodeKill(request), options_.call_timeout));
}

Result<ExitResult> ShimClient::Delete(const TaskRef& ref) {
  return DecodeReply<ExitResult>(
      Call("Delete", Object(ref), shim::EncodeTaskRef(ref), options_.call_timeout),
      shim::DecodeDelete, "Delete " + Object(ref));
}

Result<std::vector<ProcessInfo>> ShimClient::Pids(const std::string& id) {
  return DecodeReply<std::vector<ProcessInfo>>(
      Call("Pids", id, shim::EncodeTaskId(id), options_.call_timeout), shim::DecodePids,
      "Pids " + id);
}

Result<TaskMetrics> ShimClient::Stats(const std::string& id) {
  Result<std::string> reply = Call("Stats", id, shim::EncodeTaskId(id), options_.call_timeout);
  if (!reply.ok()) return reply.status();
  Result<TaskMetrics> metrics = shim::DecodeStats(*reply);
  if (!metrics.ok()) {
    return Status(
        metrics.status().code() == Code::kUnimplemented ? Code::kUnimplemented : Code::kInternal,
        "shim " + address_ + ": Stats " + id + ": " + metrics.status().message());
  }
  return metrics;
}

Status ShimClient::Update(const std::string& id, const nlohmann::json& linux_resources) {
  Result<std::string> payload = shim::EncodeUpdate(id, linux_resources);
  if (!payload.ok()) return payload.status();
  return ToStatus(Call("Update", id, std::move(payload).value(), options_.call_timeout));
}

Status ShimClient::Pause(const std::string& id) {
  return ToStatus(Call("Pause", id, shim::EncodeTaskId(id), options_.call_timeout));
}

Status ShimClient::Resume(const std::string& id) {
  return ToStatus(Call("Resume", id, shim::EncodeTaskId(id), options_.call_timeout));
}

Status ShimClient::CloseIO(const TaskRef& ref, bool stdin_close) {
  return ToStatus(
      Call("CloseIO", Object(ref), shim::EncodeCloseIO(ref, stdin_close), options_.call_timeout));
}

Status ShimClient::ResizePty(const TaskRef& ref, uint32_t width, uint32_t height) {
  return ToStatus(Call("ResizePty",
                       Object(ref) + " to " + std::to_string(width) + "x" + std::to_string(height),
                       shim::EncodeResizePty(ref, width, height), options_.call_timeout));
}

Result<ShimInfo> ShimClient::ConnectTask(const std::string& id) {
  return DecodeReply<ShimInfo>(Call("Connect", id, shim::EncodeTaskId(id), options_.call_timeout),
                               shim::DecodeConnect, "Connect " + id);
}

Status ShimClient::Shutdown(const std::string& id, bool now) {
  Result<std::string> reply =
      Call("Shutdown", id, shim::EncodeShutdown(id, now), options_.call_timeout);
  // The shim exits as it handles Shutdown and often closes the connection before replying.
  if (!reply.ok() && reply.status().code() == Code::kUnavailable && conn_->peer_closed()) {
    return Status::Ok();
  }
  return ToStatus(reply);
}

}  // namespace skiff::runtime
