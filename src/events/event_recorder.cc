#include "events/event_recorder.h"

#include <chrono>
#include <cstdio>

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::events {
namespace {
using nlohmann::json;
constexpr size_t kRemembered = 1024;
}  // namespace

void EventRecorder::Record(const json& object, const std::string& field_path,
                           const std::string& type, const std::string& reason,
                           const std::string& message) {
  const json& meta = object["metadata"];
  const std::string object_ns = meta.value("namespace", "");
  const std::string ns = object_ns.empty() ? "default" : object_ns;
  const std::string name = meta.value("name", "");
  const std::string kind = object.value("kind", "");
  const std::string key = meta.value("uid", "") + "\n" + field_path + "\n" + type + "\n" + reason +
                          "\n" + message;
  const auto now = std::chrono::system_clock::now();
  const std::string ts = api::Rfc3339(now);

  std::string existing;
  {
    std::lock_guard lock(mu_);
    if (auto it = recent_.find(key); it != recent_.end()) existing = it->second.second;
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
  const std::string event_name = name + suffix;
  json involved = {{"apiVersion", object.value("apiVersion", "v1")},
                   {"kind", kind},
                   {"name", name},
                   {"uid", meta.value("uid", "")},
                   {"resourceVersion", meta.value("resourceVersion", "")}};
  if (!object_ns.empty()) involved["namespace"] = object_ns;
  if (!field_path.empty()) involved["fieldPath"] = field_path;
  json source = {{"component", source_.component}};
  if (!source_.host.empty()) source["host"] = source_.host;
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", event_name}, {"namespace", ns}}},
                {"involvedObject", involved},
                {"reason", reason},
                {"message", message},
                {"type", type},
                {"source", source},
                {"reportingComponent", source_.component},
                {"reportingInstance", source_.host.empty() ? source_.component : source_.host},
                {"firstTimestamp", ts},
                {"lastTimestamp", ts},
                {"count", 1}};
  auto created = client_.Create(client::Events(), ns, event);
  if (!created.ok()) {
    log::Debug(source_.component, "cannot record an event",
               {{"object", kind + " " + ns + "/" + name},
                {"reason", reason},
                {"error", created.status().message()}});
    return;
  }
  std::lock_guard lock(mu_);
  if (recent_.emplace(key, std::make_pair(ns, event_name)).second) {
    order_.push_front(key);
    if (order_.size() > kRemembered) {
      recent_.erase(order_.back());
      order_.pop_back();
    }
  }
}

}  // namespace skiff::events
