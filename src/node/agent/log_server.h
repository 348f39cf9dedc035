// The node side of pods/log: streams a container's log file (kubectl logs, -f, --tail,
// --since, --timestamps, --limit-bytes, -p) into the API response. Each request runs on a
// thread of its own (a followed log lasts as long as the client or the container); Stop() ends
// them all. Composed with the exec server into the agent's api::PodIo by PodIoImpl.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "api/pod_io.h"
#include "skiff/client/client.h"

namespace skiff::node {

class LogServer {
 public:
  LogServer(client::Client& client, std::string pod_logs_dir)
      : client_(client), pod_logs_dir_(std::move(pod_logs_dir)) {}
  ~LogServer() { Stop(); }

  // api::PodIo::StreamLog.
  void StreamLog(const api::PodLogRequest& request, std::shared_ptr<api::Responder> responder);
  void Stop();

 private:
  void Serve(api::PodLogRequest request, std::shared_ptr<api::Responder> responder);
  bool StillRunning(const api::PodLogRequest& request);

  client::Client& client_;
  const std::string pod_logs_dir_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;  // guards active_
  std::condition_variable idle_;
  int active_ = 0;  // streams being served (each on a detached thread)
};

}  // namespace skiff::node
