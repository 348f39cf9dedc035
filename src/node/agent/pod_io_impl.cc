#include "pod_io_impl.h"

namespace skiff::node {

void PodIoImpl::StreamLog(const api::PodLogRequest& request,
                          std::shared_ptr<api::Responder> responder) {
  logs_->StreamLog(request, std::move(responder));
}

api::ApiResult<std::shared_ptr<api::ExecInput>> PodIoImpl::Exec(
    const api::PodExecRequest& request, std::shared_ptr<api::ExecOutput> output) {
  return exec_->Exec(request, std::move(output));
}

void PodIoImpl::Stop() {
  exec_->Stop();
  logs_->Stop();
}

}  // namespace skiff::node
