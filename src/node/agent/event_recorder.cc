#include "event_recorder.h"

#include <chrono>
#include <cstdio>

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace {
using nlohmann::json;
constexpr size_t kRemembered = 1024;
}  // namespace

void EventRecorder::Record(const json& pod, const std::string& field_path, const std::string& type,
                           const std::string& reason, const std::string& message) {
  const json& meta = pod["metadata"];
  const std::string ns = meta.value("namespace", "default");
  const std::string pod_name = meta.value("name", "");
  const std::string key = meta.value("uid", "") + "\n" + field_path + "\n" + reason + "\n" + message;
  const auto now = std::chrono::system_clock::now();
  const std::string ts = api::Rfc3339(now);

  std::string existing;
  {
    std::lock_guard lock(mu_);
    if (auto it = recent_.find(key); it != recent_.end()) existing = it->second;
  }
  if (!existing.empty()) {
    auto ev = client_.Get(client::Events(), ns, existing);
    if (ev.ok()) {
      (*ev)["count"] = (*ev).value("count", 1) + 1;
      (*ev)["lastTimestamp"] = ts;
      if (client_.Update(client::Events(), ns, *ev).ok()) return;
    }
  }
  char suffix[32];
  snprintf(suffix, sizeof suffix, ".%llx",
           static_cast<unsigned long long>(
               std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count()));
  json involved = {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"namespace", ns},
                   {"name", pod_name},
                   {"uid", meta.value("uid", "")},
                   {"resourceVersion", meta.value("resourceVersion", "")}};
  if (!field_path.empty()) involved["fieldPath"] = field_path;
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", pod_name + suffix}, {"namespace", ns}}},
                {"involvedObject", involved},
                {"reason", reason},
                {"message", message},
                {"type", type},
                {"source", {{"component", "kubelet"}, {"host", node_name_}}},
                {"reportingComponent", "kubelet"},
                {"reportingInstance", node_name_},
                {"firstTimestamp", ts},
                {"lastTimestamp", ts},
                {"count", 1}};
  auto created = client_.Create(client::Events(), ns, event);
  if (!created.ok()) {
    log::Debug("agent", "cannot record an event",
               {{"pod", ns + "/" + pod_name}, {"reason", reason}, {"error", created.status().message()}});
    return;
  }
  std::lock_guard lock(mu_);
  if (recent_.emplace(key, pod_name + suffix).second) {
    order_.push_front(key);
    if (order_.size() > kRemembered) {
      recent_.erase(order_.back());
      order_.pop_back();
    }
  }
}

}  // namespace skiff::node
