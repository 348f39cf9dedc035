#include "controllers/node_lifecycle_controller.h"

#include <algorithm>

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "node-controller";
// tryUpdateNodeHealth attempts per node (scheduler.NodeHealthUpdateRetry).
constexpr int kHealthUpdateAttempts = 5;

std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string Uid(const json& obj) { return api::GetString(obj, {"metadata", "uid"}); }
std::string NodeNameOf(const json& pod) { return api::GetString(pod, {"spec", "nodeName"}); }

void RecordNodeEvent(events::EventRecorder& recorder, const std::string& name,
                     const std::string& uid, const std::string& reason, const std::string& what) {
  recorder.Record(ObjectRef("Node", "", name, uid), "", "Normal", reason,
                  "Node " + name + " event: " + what);
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(client::Client& client,
                                                 client::SharedInformerFactory& informers,
                                                 NodeLifecycleControllerOptions options)
    : client_(client),
      node_informer_(informers.For(client::Nodes())),
      lease_informer_(informers.For(client::Leases())),
      pod_informer_(informers.For(client::Pods())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      health_(options_.grace_period, options_.startup_grace_period),
      loop_(ControllerLoopOptions{kComponent, 1, options_.base_backoff, options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  EnsurePodNodeNameIndex(pod_informer_, kComponent);

  client::EventHandler node_handler;
  node_handler.on_add = [this](const client::ObjectPtr& node) { loop_.Enqueue(Name(*node)); };
  node_handler.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& node) {
    loop_.Enqueue(Name(*node));
  };
  node_handler.on_delete = [this](const client::ObjectPtr&) { loop_.Enqueue(kMonitorKey); };
  node_handler_ = node_informer_.AddHandler(std::move(node_handler));

  client::EventHandler lease_handler;
  auto lease_changed = [this](const client::ObjectPtr& lease) {
    if (api::GetString(*lease, {"metadata", "namespace"}) == kNodeLeaseNamespace) {
      loop_.Enqueue(Name(*lease));
    }
  };
  lease_handler.on_add = lease_changed;
  lease_handler.on_update = [lease_changed](const client::ObjectPtr&,
                                            const client::ObjectPtr& lease) {
    lease_changed(lease);
  };
  lease_handler_ = lease_informer_.AddHandler(std::move(lease_handler));

  client::EventHandler pod_handler;
  pod_handler.on_add = [this](const client::ObjectPtr& pod) {
    if (!NodeNameOf(*pod).empty()) loop_.Enqueue(client::KeyOf(*pod));
  };
  pod_handler.on_update = [this](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    const std::string node = NodeNameOf(*pod);
    if (!node.empty() && node != NodeNameOf(*old_pod)) loop_.Enqueue(client::KeyOf(*pod));
  };
  pod_handler_ = pod_informer_.AddHandler(std::move(pod_handler));
}

NodeLifecycleController::~NodeLifecycleController() { Stop(); }

void NodeLifecycleController::Start() {
  loop_.Start();
  loop_.Enqueue(kMonitorKey);
}

void NodeLifecycleController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  node_informer_.RemoveHandler(node_handler_);
  lease_informer_.RemoveHandler(lease_handler_);
  pod_informer_.RemoveHandler(pod_handler_);
  loop_.Stop();
}

std::chrono::system_clock::time_point NodeLifecycleController::Now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

Status NodeLifecycleController::Sync(const std::string& key) {
  std::lock_guard pass(pass_mu_);
  if (key == kMonitorKey) loop_.EnqueueAfter(kMonitorKey, options_.monitor_period);
  if (!node_informer_.HasSynced() || !lease_informer_.HasSynced() || !pod_informer_.HasSynced()) {
    return UnavailableError("the node, lease and pod caches have not synced yet");
  }
  const auto now = Now();
  if (key == kMonitorKey) return MonitorAll(now);
  if (key.find('/') != std::string::npos) return SyncPod(key, now);
  return SyncNode(key, now);
}

Status NodeLifecycleController::MonitorAll(std::chrono::system_clock::time_point now) {
  std::vector<client::ObjectPtr> nodes = node_informer_.List();
  std::sort(nodes.begin(), nodes.end(), [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    return Name(*a) < Name(*b);
  });
  std::set<std::string> present;
  for (const auto& node : nodes) {
    const std::string name = Name(*node);
    present.insert(name);
    if (known_nodes_.count(name)) continue;
    log::Info(kComponent, "controller observed a new node", {{"node", name}});
    RecordNodeEvent(recorder_, name, Uid(*node), "RegisteredNode",
                    "Registered Node " + name + " in Controller");
    known_nodes_[name] = Uid(*node);
  }
  for (auto it = known_nodes_.begin(); it != known_nodes_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    log::Info(kComponent, "controller observed a node deletion", {{"node", it->first}});
    RecordNodeEvent(recorder_, it->first, it->second, "RemovingNode",
                    "Removing Node " + it->first + " from Controller");
    health_.Forget(it->first);
    nodes_to_retry_.erase(it->first);
    it = known_nodes_.erase(it);
  }

  Status first;
  std::vector<Judged> judged;
  for (const auto& node : nodes) {
    auto j = JudgeNode(*node, now);
    if (!j.ok()) {
      if (j.status().code() == Code::kNotFound) continue;
      log::Warning(kComponent, "cannot update the health of a node; no pods will be evicted",
                   {{"node", Name(*node)}, {"error", j.status().message()}});
      if (first.ok()) first = j.status();
      continue;
    }
    judged.push_back(std::move(j).value());
  }
  HandleDisruption(now);
  for (Judged& j : judged) {
    Status s = ActOnNode(std::move(j), now);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

Status NodeLifecycleController::SyncNode(const std::string& name,
                                         std::chrono::system_clock::time_point now) {
  client::ObjectPtr node = node_informer_.Get(name);
  if (!node) return Status::Ok();  // the monitor pass forgets it
  auto judged = JudgeNode(*node, now);
  if (!judged.ok()) {
    return judged.status().code() == Code::kNotFound ? Status::Ok() : judged.status();
  }
  HandleDisruption(now);
  return ActOnNode(std::move(judged).value(), now);
}

Status NodeLifecycleController::SyncPod(const std::string& key,
                                        std::chrono::system_clock::time_point now) {
  client::ObjectPtr pod = pod_informer_.Get(key);
  if (!pod) return Status::Ok();
  const std::string node = NodeNameOf(*pod);
  if (node.empty() || !node_informer_.Get(node)) return Status::Ok();
  // Only nodes already judged: one not yet seen is handled with all its pods when it is.
  const auto ready = health_.ReadyStatus(node);
  if (!ready || ready->empty() || *ready == "True") return Status::Ok();
  return MarkPodsNotReady({pod}, node, now);
}

Result<NodeLifecycleController::Judged> NodeLifecycleController::JudgeNode(
    const json& cached, std::chrono::system_clock::time_point now) {
  const std::string name = Name(cached);
  json node = cached;
  Status last;
  for (int attempt = 0; attempt < kHealthUpdateAttempts; ++attempt) {
    client::ObjectPtr lease = lease_informer_.Get(kNodeLeaseNamespace, name);
    NodeHealthVerdict v = health_.Observe(node, lease.get(), now);
    if (!v.write) return Judged{std::move(node), v.observed_ready, v.current_ready};
    auto written = client_.Update(client::Nodes(), "", v.node, "status");
    if (written.ok()) {
      health_.Written(v);
      return Judged{std::move(written).value(), v.observed_ready, v.current_ready};
    }
    last = written.status();
    if (last.code() != Code::kConflict) return last;
    auto fresh = client_.Get(client::Nodes(), "", name);
    if (!fresh.ok()) return fresh.status();
    node = std::move(fresh).value();
  }
  return last;
}

Status NodeLifecycleController::ActOnNode(Judged judged,
                                          std::chrono::system_clock::time_point now) {
  const std::string name = Name(judged.node);
  Status first;
  if (judged.current_ready.is_object()) {
    const std::string observed = judged.observed_ready.value("status", "");
    const std::string current = judged.current_ready.value("status", "");
    first = ProcessTaintBasedEviction(judged.node, current, now);
    bool mark = false;
    if (current != "True" && observed == "True") {
      log::Info(kComponent, "node is not ready", {{"node", name}, {"ready", current}});
      recorder_.Record(ObjectRef("Node", "", name, Uid(judged.node)), "", "Normal", "NodeNotReady",
                       "Node " + name + " status is now: NodeNotReady");
      mark = true;
    } else if (nodes_to_retry_.count(name) && observed != "True") {
      mark = true;
    }
    if (mark) {
      Status marked = MarkPodsNotReady(pod_informer_.ByIndex(kPodNodeNameIndex, name), name, now);
      if (!marked.ok()) {
        nodes_to_retry_.insert(name);
        if (first.ok()) first = marked;
      } else {
        nodes_to_retry_.erase(name);
      }
    } else {
      nodes_to_retry_.erase(name);
    }
  } else {
    nodes_to_retry_.erase(name);
  }
  Status tainted = NoScheduleTaintPass(judged.node, now);
  if (first.ok() && !tainted.ok()) first = tainted;
  return first;
}

}  // namespace skiff::controllers
