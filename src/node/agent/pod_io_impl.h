// The node agent's api::PodIo: pods/log through the LogServer, pods/exec through the
// ExecServer. Owns both; thread-safe.
#pragma once

#include <memory>

#include "api/pod_io.h"
#include "exec_server.h"
#include "log_server.h"

namespace skiff::node {

class PodIoImpl : public api::PodIo {
 public:
  PodIoImpl(std::unique_ptr<LogServer> logs, std::unique_ptr<ExecServer> exec)
      : logs_(std::move(logs)), exec_(std::move(exec)) {}
  ~PodIoImpl() override { Stop(); }

  void StreamLog(const api::PodLogRequest& request,
                 std::shared_ptr<api::Responder> responder) override;
  api::ApiResult<std::shared_ptr<api::ExecInput>> Exec(
      const api::PodExecRequest& request, std::shared_ptr<api::ExecOutput> output) override;
  // Ends every log stream and exec session (see LogServer::Stop, ExecServer::Stop).
  void Stop();

 private:
  const std::unique_ptr<LogServer> logs_;
  const std::unique_ptr<ExecServer> exec_;
};

}  // namespace skiff::node
