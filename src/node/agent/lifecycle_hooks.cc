#include "lifecycle_hooks.h"

#include <thread>

namespace skiff::node {

ProbeOutcome RunLifecycleHandler(const nlohmann::json& handler, const PodRecord& record,
                                 const ContainerRecord& c, const nlohmann::json& spec,
                                 std::chrono::milliseconds timeout, const ContainerExec& exec) {
  if (!handler.is_object()) return {true, ""};
  if (auto it = handler.find("exec"); it != handler.end()) {
    if (!exec) return {false, "exec handlers are not available on this node"};
    return exec(record, c, it->value("command", std::vector<std::string>{}), timeout);
  }
  if (auto it = handler.find("httpGet"); it != handler.end()) {
    std::string error;
    auto action = HttpGetFrom(*it, spec, record.pod_ips.empty() ? "" : record.pod_ips.front(), &error);
    if (!action) return {false, error};
    ProbeOutcome got = RunHttpGet(*action, timeout);
    if (got.http_status != 0) return {true, "", got.http_status};  // any answer will do
    return got;
  }
  if (auto it = handler.find("sleep"); it != handler.end()) {
    const auto seconds = std::chrono::seconds(it->value("seconds", int64_t{0}));
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(seconds, timeout));
    return {true, ""};
  }
  return {true, ""};
}

}  // namespace skiff::node
