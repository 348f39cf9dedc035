// The node lifecycle controller's effect on pods: MarkPodsNotReady.
#include "api/object_util.h"
#include "controllers/node_lifecycle_controller.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {
constexpr char kComponent[] = "node-controller";
}  // namespace

Status NodeLifecycleController::MarkPodsNotReady(const std::vector<client::ObjectPtr>& pods,
                                                 const std::string& node,
                                                 std::chrono::system_clock::time_point now) {
  Status first;
  for (const auto& cached : pods) {
    if (api::GetString(*cached, {"spec", "nodeName"}) != node) continue;
    const json* ready = FindCondition(*cached, "Ready");
    if (!ready) continue;
    json pod = *cached;
    json condition = *ready;
    condition["status"] = "False";
    if (!UpdatePodCondition(pod["status"], condition, now)) continue;
    const std::string ns = api::GetString(pod, {"metadata", "namespace"});
    auto written = client_.Update(client::Pods(), ns, pod, "status");
    if (!written.ok()) {
      if (written.status().code() == Code::kNotFound) continue;  // already gone
      log::Warning(kComponent, "cannot mark a pod not ready",
                   {{"pod", client::KeyOf(pod)}, {"error", written.status().message()}});
      if (first.ok()) first = written.status();
    }
    recorder_.Record(pod, "", "Warning", "NodeNotReady", "Node is not ready");
  }
  return first;
}

}  // namespace skiff::controllers
