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

// kubelet's GetAttach: fmt.Errorf("container %s not found in pod %s", name, podFullName),
// podFullName being NAME_NAMESPACE; a 500.
api::ApiError AttachContainerNotFound(const api::PodExecRequest& request) {
  std::string pod, ns;
  if (request.pod.contains("metadata") && request.pod["metadata"].is_object()) {
    pod = request.pod["metadata"].value("name", "");
    ns = request.pod["metadata"].value("namespace", "");
  }
  api::ApiError e;
  e.code = 500;
  e.reason = "InternalError";
  e.message = "container " + request.container + " not found in pod " + pod + "_" + ns;
  return e;
}

// The container's spec (app or init container) by name; null when absent.
const nlohmann::json* ContainerSpec(const nlohmann::json& pod, const std::string& name) {
  if (!pod.contains("spec") || !pod["spec"].is_object()) return nullptr;
  for (const char* list : {"containers", "initContainers"}) {
    auto it = pod["spec"].find(list);
    if (it == pod["spec"].end() || !it->is_array()) continue;
    for (const auto& c : *it) {
      if (c.is_object() && c.value("name", "") == name) return &c;
    }
  }
  return nullptr;
}

bool Flag(const nlohmann::json& c, const char* key) {
  auto it = c.find(key);
  return it != c.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

ExecServer::~ExecServer() { Stop(); }

api::ApiResult<std::shared_ptr<api::ExecInput>> ExecServer::Attach(
    const api::PodExecRequest& request, std::shared_ptr<api::ExecOutput> output) {
  const nlohmann::json* spec = ContainerSpec(request.pod, request.container);
  if (!spec) return AttachContainerNotFound(request);
  auto key = Begin();
  if (!key) return api::ServiceUnavailable("the node agent is stopping");
  auto release = Releaser(*key);
  Result<ExecTarget> target = resolver_(request.pod, request.container);
  if (!target.ok()) {
    release();
    if (target.status().code() == Code::kNotFound) return AttachContainerNotFound(request);
    return api::InternalError("error attaching to container: " + target.status().message());
  }
  AttachOptions options;
  options.stdin = request.stdin;
  options.stdout = request.stdout;
  options.stderr = request.stderr;
  options.container_tty = Flag(*spec, "tty");
  options.container_stdin = Flag(*spec, "stdin");
  options.container_stdin_once = Flag(*spec, "stdinOnce");
  auto session = AttachSession::Start(*target, options, std::move(output), release);
  if (!session.ok()) {
    release();
    return api::InternalError("error attaching to container: " + session.status().message());
  }
  Track(*key, *session, (*session)->ended());
  return std::shared_ptr<api::ExecInput>(std::move(*session));
}

api::ApiResult<std::shared_ptr<api::ExecInput>> ExecServer::Exec(
    const api::PodExecRequest& request, std::shared_ptr<api::ExecOutput> output) {
  if (request.attach) return Attach(request, std::move(output));
  if (request.command.empty()) return api::BadRequest("you must specify at least one command");
  auto key = Begin();
  if (!key) return api::ServiceUnavailable("the node agent is stopping");
  auto release = Releaser(*key);
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
  Track(*key, *session, (*session)->ended());
  return std::shared_ptr<api::ExecInput>(std::move(*session));
}

std::optional<uint64_t> ExecServer::Begin() {
  std::lock_guard lock(mu_);
  if (stopping_) return std::nullopt;
  ++active_;  // held from here so Stop waits for a session being started
  return ++next_;
}

std::function<void()> ExecServer::Releaser(uint64_t key) {
  return [this, key] {
    std::lock_guard lock(mu_);
    sessions_.erase(key);
    if (--active_ == 0) idle_.notify_all();
  };
}

void ExecServer::Track(uint64_t key, const std::shared_ptr<api::ExecInput>& session, bool ended) {
  bool stop_now = false;
  {
    std::lock_guard lock(mu_);
    // The session may already have ended (and released its key): only track a live one.
    if (!ended) sessions_[key] = session;
    stop_now = stopping_;
  }
  if (stop_now) session->Cancel();
}

void ExecServer::Stop() {
  std::vector<std::shared_ptr<api::ExecInput>> live;
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
