#include "log_server.h"

#include <unistd.h>

#include <thread>

#include "skiff/node/container_logs.h"

namespace skiff::node {

using nlohmann::json;

namespace {
constexpr size_t kMaxPending = 1 << 20;  // bytes queued for a slow client before we wait
}

void LogServer::StreamLog(const api::PodLogRequest& request,
                          std::shared_ptr<api::Responder> responder) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      api::ApiError e = api::ServiceUnavailable("the node agent is stopping");
      return responder->Send({e.code, "application/json", e.ToStatus().dump(), {}});
    }
    ++active_;
  }
  // Detached: Stop() waits for active_ to reach zero instead of joining.
  std::thread([this, request, responder] {
    Serve(request, responder);
    std::lock_guard lock(mu_);
    if (--active_ == 0) idle_.notify_all();
  }).detach();
}

bool LogServer::StillRunning(const api::PodLogRequest& request) {
  const json& meta = request.pod["metadata"];
  auto pod = client_.Get(client::Pods(), meta.value("namespace", ""), meta.value("name", ""));
  if (!pod.ok() || (*pod)["metadata"].value("uid", "") != meta.value("uid", "")) return false;
  const char* field = request.init_container ? "initContainerStatuses" : "containerStatuses";
  if (!(*pod).contains("status") || !(*pod)["status"].contains(field)) return false;
  for (const json& s : (*pod)["status"][field]) {
    if (s.value("name", "") != request.container) continue;
    return s.value("restartCount", 0) == request.restart_count && s.contains("state") &&
           s["state"].contains("running");
  }
  return false;
}

void LogServer::Serve(api::PodLogRequest request, std::shared_ptr<api::Responder> responder) {
  const json& meta = request.pod["metadata"];
  const std::string path = ContainerLogPath(
      PodLogsDir(pod_logs_dir_, meta.value("namespace", ""), meta.value("name", ""), meta.value("uid", "")),
      request.container, request.restart_count);
  LogOptions options;
  options.follow = request.follow && !request.previous;
  options.tail_lines = request.tail_lines;
  options.since_time = request.since_time;
  options.timestamps = request.timestamps;
  options.limit_bytes = request.limit_bytes;
  if (!options.follow) {
    // A whole answer: collect it, then send it with a length.
    std::string body;
    Status s = ReadContainerLog(
        path, options, [&](std::string_view chunk) { body.append(chunk); return true; },
        [] { return false; }, [this] { return stopping_.load(); });
    if (!s.ok() && s.code() != Code::kNotFound) {
      api::ApiError e = api::InternalError("cannot read the log of container \"" + request.container +
                                           "\": " + s.message());
      return responder->Send({e.code, "application/json", e.ToStatus().dump(), {}});
    }
    return responder->Send({200, "text/plain", std::move(body), {}});
  }
  auto stream = responder->Stream(200, "text/plain");
  auto last_check = std::chrono::steady_clock::now();
  bool running = StillRunning(request);
  (void)ReadContainerLog(
      path, options,
      [&](std::string_view chunk) {
        while (stream->pending() > kMaxPending && !stream->closed() && !stopping_) usleep(10000);
        if (stream->closed()) return false;
        stream->Write(std::string(chunk));
        return true;
      },
      [&] {
        // Asked on every poll; the API is asked at most twice a second.
        auto now = std::chrono::steady_clock::now();
        if (running && now - last_check > std::chrono::milliseconds(500)) {
          running = StillRunning(request);
          last_check = now;
        }
        return running;
      },
      [&] { return stopping_.load() || stream->closed(); });
  stream->Close();
}

void LogServer::Stop() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  idle_.wait(lock, [&] { return active_ == 0; });
}

}  // namespace skiff::node
