// Records core/v1 Events about pods as kubelet does (source.component "kubelet", the node as
// host), folding repeats of the same (object, field path, reason, message) into one Event whose
// count and lastTimestamp grow. Failures to record are logged, never returned: events are
// best effort. Thread-safe.
#pragma once

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "skiff/client/client.h"

namespace skiff::node {

class EventRecorder {
 public:
  EventRecorder(client::Client& client, std::string node_name)
      : client_(client), node_name_(std::move(node_name)) {}

  // type is "Normal" or "Warning"; field_path e.g. "spec.containers{web}" or "".
  void Record(const nlohmann::json& pod, const std::string& field_path, const std::string& type,
              const std::string& reason, const std::string& message);

 private:
  client::Client& client_;
  const std::string node_name_;
  std::mutex mu_;  // guards recent_, order_
  // key -> event name, most recent first in order_ (bounded).
  std::unordered_map<std::string, std::string> recent_;
  std::list<std::string> order_;
};

}  // namespace skiff::node
