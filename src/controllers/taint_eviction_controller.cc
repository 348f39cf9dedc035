#include "controllers/taint_eviction_controller.h"

#include <set>

#include "api/object_util.h"
#include "controllers/node_taints.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "taint-eviction-controller";

std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string NodeNameOf(const json& pod) { return api::GetString(pod, {"spec", "nodeName"}); }

json Tolerations(const json& pod) {
  const json* t = api::Find(pod, {"spec", "tolerations"});
  return t && t->is_array() ? *t : json::array();
}

// A taint's identity for first-seen bookkeeping: "key=value:effect".
std::string TaintId(const json& taint) {
  return taint.value("key", "") + "=" + taint.value("value", "") + ":" + taint.value("effect", "");
}

}  // namespace

TaintEvictionController::TaintEvictionController(client::Client& client,
                                                 client::SharedInformerFactory& informers,
                                                 TaintEvictionControllerOptions options)
    : client_(client),
      node_informer_(informers.For(client::Nodes())),
      pod_informer_(informers.For(client::Pods())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      loop_(ControllerLoopOptions{kComponent, 1, options_.base_backoff, options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  EnsurePodNodeNameIndex(pod_informer_, kComponent);

  client::EventHandler node_handler;
  node_handler.on_add = [this](const client::ObjectPtr& node) { loop_.Enqueue(Name(*node)); };
  node_handler.on_update = [this](const client::ObjectPtr& old_node,
                                  const client::ObjectPtr& node) {
    if (TaintsWithEffect(*old_node, kNoExecute) != TaintsWithEffect(*node, kNoExecute)) {
      loop_.Enqueue(Name(*node));
    }
  };
  node_handler.on_delete = [this](const client::ObjectPtr& node) { loop_.Enqueue(Name(*node)); };
  node_handler_ = node_informer_.AddHandler(std::move(node_handler));

  client::EventHandler pod_handler;
  pod_handler.on_add = [this](const client::ObjectPtr& pod) { loop_.Enqueue(client::KeyOf(*pod)); };
  pod_handler.on_update = [this](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    if (NodeNameOf(*old_pod) != NodeNameOf(*pod) || Tolerations(*old_pod) != Tolerations(*pod)) {
      loop_.Enqueue(client::KeyOf(*pod));
    }
  };
  pod_handler.on_delete = [this](const client::ObjectPtr& pod) {
    loop_.Enqueue(client::KeyOf(*pod));
  };
  pod_handler_ = pod_informer_.AddHandler(std::move(pod_handler));
}

TaintEvictionController::~TaintEvictionController() { Stop(); }

void TaintEvictionController::Start() { loop_.Start(); }

void TaintEvictionController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  node_informer_.RemoveHandler(node_handler_);
  pod_informer_.RemoveHandler(pod_handler_);
  loop_.Stop();
}

std::optional<std::chrono::system_clock::time_point> TaintEvictionController::ScheduledEviction(
    const std::string& pod_key) const {
  std::lock_guard lock(state_mu_);
  auto it = scheduled_.find(pod_key);
  if (it == scheduled_.end()) return std::nullopt;
  return it->second;
}

Status TaintEvictionController::Sync(const std::string& key) {
  if (!node_informer_.HasSynced() || !pod_informer_.HasSynced()) {
    return UnavailableError("the node and pod caches have not synced yet");
  }
  const Time now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  if (key.find('/') == std::string::npos) return SyncNode(key, now);
  client::ObjectPtr pod = pod_informer_.Get(key);
  client::ObjectPtr node;
  if (pod && !NodeNameOf(*pod).empty()) node = node_informer_.Get(NodeNameOf(*pod));
  return ProcessPod(key, pod, node, now);
}

Status TaintEvictionController::SyncNode(const std::string& name, Time now) {
  client::ObjectPtr node = node_informer_.Get(name);
  const std::vector<json> taints = node ? TaintsWithEffect(*node, kNoExecute) : std::vector<json>{};
  ForgetNodeTaints(name, taints);
  for (const json& taint : taints) TaintAddedAt(name, taint, now);
  Status first;
  for (const auto& pod : pod_informer_.ByIndex(kPodNodeNameIndex, name)) {
    Status s = ProcessPod(client::KeyOf(*pod), pod, node, now);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

TaintEvictionController::Time TaintEvictionController::TaintAddedAt(const std::string& node,
                                                                    const json& taint, Time now) {
  Time seen;
  {
    std::lock_guard lock(state_mu_);
    seen = first_seen_[node].emplace(TaintId(taint), now).first->second;
  }
  const json* added = api::Find(taint, {"timeAdded"});
  auto at = added && added->is_string() ? ParseTime(added->get<std::string>()) : std::nullopt;
  return at && *at < seen ? *at : seen;
}

void TaintEvictionController::ForgetNodeTaints(const std::string& node,
                                               const std::vector<json>& current) {
  std::set<std::string> ids;
  for (const json& t : current) ids.insert(TaintId(t));
  std::lock_guard lock(state_mu_);
  if (ids.empty()) {
    first_seen_.erase(node);
    return;
  }
  auto& seen = first_seen_[node];
  for (auto it = seen.begin(); it != seen.end();) {
    it = ids.count(it->first) ? std::next(it) : seen.erase(it);
  }
}

Status TaintEvictionController::ProcessPod(const std::string& key, const client::ObjectPtr& pod,
                                           const client::ObjectPtr& node, Time now) {
  if (!pod) {
    Cancel(key, nullptr);
    return Status::Ok();
  }
  if (api::Find(*pod, {"metadata", "deletionTimestamp"})) {
    std::lock_guard lock(state_mu_);
    scheduled_.erase(key);  // on its way out already
    return Status::Ok();
  }
  const std::vector<json> taints = node ? TaintsWithEffect(*node, kNoExecute) : std::vector<json>{};
  if (taints.empty()) {
    Cancel(key, pod.get());
    return Status::Ok();
  }
  const TolerationMatch match = MatchTolerations(taints, Tolerations(*pod));
  if (!match.all_tolerated) {
    log::Info(kComponent, "not all NoExecute taints are tolerated",
              {{"pod", key}, {"node", Name(*node)}});
    Cancel(key, pod.get());
    return EvictNow(key, *pod, now);
  }
  std::optional<Time> deadline;
  for (size_t i = 0; i < taints.size(); ++i) {
    const json* seconds = api::Find(match.used[i], {"tolerationSeconds"});
    if (!seconds || !seconds->is_number_integer()) continue;
    const Time at = TaintAddedAt(Name(*node), taints[i], now) +
                    std::chrono::seconds(std::max<int64_t>(0, seconds->get<int64_t>()));
    if (!deadline || at < *deadline) deadline = at;
  }
  if (!deadline) {
    Cancel(key, pod.get());  // tolerated forever
    return Status::Ok();
  }
  if (now >= *deadline) return EvictNow(key, *pod, now);
  {
    std::lock_guard lock(state_mu_);
    scheduled_[key] = *deadline;
  }
  loop_.EnqueueAfter(key, std::chrono::ceil<std::chrono::milliseconds>(*deadline - now));
  return Status::Ok();
}

void TaintEvictionController::Cancel(const std::string& key, const json* pod) {
  {
    std::lock_guard lock(state_mu_);
    if (scheduled_.erase(key) == 0) return;
  }
  auto [ns, name] = client::SplitKey(key);
  recorder_.Record(pod ? *pod : ObjectRef("Pod", ns, name, ""), "", "Normal",
                   "TaintManagerEviction", "Cancelling deletion of Pod " + key);
}

Status TaintEvictionController::EvictNow(const std::string& key, const json& pod, Time now) {
  {
    std::lock_guard lock(state_mu_);
    scheduled_.erase(key);
  }
  auto [ns, name] = client::SplitKey(key);
  log::Info(kComponent, "deleting pod", {{"pod", key}});
  recorder_.Record(pod, "", "Normal", "TaintManagerEviction", "Marking for deletion Pod " + key);
  auto fresh = client_.Get(client::Pods(), ns, name);
  if (!fresh.ok()) {
    return fresh.status().code() == Code::kNotFound ? Status::Ok() : fresh.status();
  }
  const std::string uid = api::GetString(pod, {"metadata", "uid"});
  if (api::GetString(*fresh, {"metadata", "uid"}) != uid) return Status::Ok();  // replaced
  json& status = (*fresh)["status"];
  if (UpdatePodCondition(status,
                         {{"type", "DisruptionTarget"},
                          {"status", "True"},
                          {"reason", "DeletionByTaintManager"},
                          {"message", "Taint manager: deleting due to NoExecute taint"}},
                         now)) {
    auto written = client_.Update(client::Pods(), ns, *fresh, "status");
    if (!written.ok()) {
      return written.status().code() == Code::kNotFound ? Status::Ok() : written.status();
    }
  }
  client::Client::DeleteOptions options;
  options.precondition_uid = uid;
  Status deleted = client_.Delete(client::Pods(), ns, name, options);
  return deleted.ok() || deleted.code() == Code::kNotFound ? Status::Ok() : deleted;
}

}  // namespace skiff::controllers
