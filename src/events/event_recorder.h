// Records core/v1 Events about any object, as client-go's event recorder does for kubelet,
// kube-scheduler and the controllers: the source (component, and host for node components)
// is fixed per recorder; repeats of the same (object uid, field path, type, reason, message)
// fold into one Event whose count and lastTimestamp grow (firstTimestamp stays). Events of
// cluster-scoped objects (a Node) go to the "default" namespace, as Kubernetes puts them.
// Recording is best effort: failures are logged, never returned. Events expire by the API
// server's --event-ttl. Thread-safe.
#pragma once

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "skiff/client/client.h"

namespace skiff::events {

struct Source {
  std::string component;  // "kubelet", "default-scheduler", "replicaset-controller", ...
  std::string host;       // the node, for node components; "" otherwise
};

class EventRecorder {
 public:
  EventRecorder(client::Client& client, Source source)
      : client_(client), source_(std::move(source)) {}

  // `object` is the involved object as the API serves it (apiVersion, kind, metadata);
  // type is "Normal" or "Warning"; field_path e.g. "spec.containers{web}" or "".
  void Record(const nlohmann::json& object, const std::string& field_path, const std::string& type,
              const std::string& reason, const std::string& message);

 private:
  client::Client& client_;
  const Source source_;
  std::mutex mu_;  // guards recent_, order_
  // key -> (namespace, event name), most recent first in order_ (bounded).
  std::unordered_map<std::string, std::pair<std::string, std::string>> recent_;
  std::list<std::string> order_;
};

}  // namespace skiff::events
