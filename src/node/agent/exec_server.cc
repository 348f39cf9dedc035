#include "exec_server.h"

#include "skiff/common/log.h"

namespace skiff::node {

namespace {

api::ApiError ContainerNotFound(const std::string& name) {
  // kubelet's GetExec: fmt.Errorf("container not found (%q)", name), sent as a 500.
  api::ApiError e;
  e.code = 500;
  e.reason = "InternalError";
  e.message = "container not found (\"" + name + "\")";
  return e;
}

}  // namespace

ExecServer::~ExecServer() { Stop(); }

api::ApiResult<std::shared_ptr<api::ExecInput>> ExecServer::Exec(
    const api::PodExecRequest& request, std::shared_ptr<api::ExecOutput> output) {
  if (request.attach) {
    return api::ServiceUnavailable("pods/attach is not served by this node agent yet");
  }
  if (request.command.empty()) return api::BadRequest("you must specify at least one command");
  uint64_t key = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return api::ServiceUnavailable("the node agent is stopping");
    key = ++next_;
    ++active_;  // held from here so Stop waits for a session being started
  }
  auto release = [this, key] {
    std::lock_guard lock(mu_);
    sessions_.erase(key);
    if (--active_ == 0) idle_.notify_all();
  };
  Result<ExecTarget> target = resolver_(request.pod, request.container);
  if (!target.ok()) {
    release();
    if (target.status().code() == Code::kNotFound) return ContainerNotFound(request.container);
    return api::InternalError("error executing command in container: " + target.status().message());
  }
  ExecOptions options;
  options.command = request.command;
  options.stdin = request.stdin;
  options.stdout = request.stdout;
  options.stderr = request.stderr;
  options.tty = request.tty;
  auto session = ExecSession::Start(*target, std::move(options), std::move(output), release);
  if (!session.ok()) {
    release();
    if (session.status().code() == Code::kNotFound) return ContainerNotFound(request.container);
    return api::InternalError("error executing command in container: " +
                              session.status().message());
  }
  bool stop_now = false;
  {
    std::lock_guard lock(mu_);
    // The session may already have ended (and released its key): only track a live one.
    if (!(*session)->ended()) sessions_[key] = *session;
    stop_now = stopping_;
  }
  if (stop_now) (*session)->Cancel();
  return std::shared_ptr<api::ExecInput>(std::move(*session));
}

void ExecServer::Stop() {
  std::vector<std::shared_ptr<ExecSession>> live;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Cancel();
  live.clear();
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return active_ == 0; });
}

size_t ExecServer::active() {
  std::lock_guard lock(mu_);
  return active_;
}

}  // namespace skiff::node
