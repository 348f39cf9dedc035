// The DaemonSet controller's wiring: informers, notification handlers, the loop
// (daemon_controller.go NewDaemonSetsController and the add/update/delete handlers).
#include "controllers/daemonset_controller.h"

#include <exception>
#include <set>

#include "controllers/controller_ref.h"
#include "controllers/daemonset_nodes.h"
#include "controllers/daemonset_sync.h"
#include "controllers/pod_util.h"
#include "skiff/apis/selector.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "daemonset-controller";
using daemonset::At;
using daemonset::LabelsOf;
using daemonset::ResourceVersionOf;
using json = nlohmann::json;

json ControllerRefCopy(const json& obj) {
  const json* ref = ControllerRefOf(obj);
  return ref ? *ref : json(nullptr);
}

// nodeInSameCondition: the same condition types are True in both.
bool SameTrueConditions(const json& a, const json& b) {
  auto true_types = [](const json& node) {
    std::set<std::string> out;
    const json* conds = At(node, {"status", "conditions"});
    if (!conds || !conds->is_array()) return out;
    for (const json& c : *conds) {
      if (daemonset::StrAt(c, {"status"}) == "True") out.insert(daemonset::StrAt(c, {"type"}));
    }
    return out;
  };
  return true_types(a) == true_types(b);
}

// shouldIgnoreNodeUpdate: only the resourceVersion or condition details (heartbeats) changed.
bool IgnorableNodeUpdate(const json& old_node, const json& node) {
  if (!SameTrueConditions(old_node, node)) return false;
  json a = old_node, b = node;
  for (json* n : {&a, &b}) {
    if ((*n)["metadata"].is_object()) (*n)["metadata"].erase("resourceVersion");
    if ((*n)["status"].is_object()) (*n)["status"].erase("conditions");
  }
  return a == b;
}

}  // namespace

DaemonSetController::DaemonSetController(client::Client& client,
                                         client::SharedInformerFactory& informers,
                                         DaemonSetControllerOptions options)
    : client_(client),
      ds_informer_(informers.For(client::DaemonSets())),
      history_informer_(informers.For(client::ControllerRevisions())),
      pod_informer_(informers.For(client::Pods())),
      node_informer_(informers.For(client::Nodes())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      expectations_(options_.expectations_timeout),
      failed_backoff_(std::make_unique<daemonset::FailedPodBackoff>(
          options_.failed_pod_backoff, options_.max_failed_pod_backoff)),
      loop_(ControllerLoopOptions{kComponent, options_.workers, options_.base_backoff,
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  env_ = std::make_unique<daemonset::Env>(
      daemonset::Env{client_, ds_informer_, history_informer_, pod_informer_, node_informer_,
                     recorder_, expectations_, *failed_backoff_, options_,
                     [this](const std::string& key, std::chrono::milliseconds delay) {
                       loop_.EnqueueAfter(key, delay);
                     }});

  client::EventHandler ds_handler;
  ds_handler.on_add = [this](const client::ObjectPtr& ds) { loop_.Enqueue(client::KeyOf(*ds)); };
  ds_handler.on_update = [this](const client::ObjectPtr& old_ds, const client::ObjectPtr& ds) {
    // Deleted and created again under the same name between two notifications.
    if (UidOf(*old_ds) != UidOf(*ds)) OnDaemonSetDelete(old_ds);
    loop_.Enqueue(client::KeyOf(*ds));
  };
  ds_handler.on_delete = [this](const client::ObjectPtr& ds) { OnDaemonSetDelete(ds); };
  ds_handler_ = ds_informer_.AddHandler(std::move(ds_handler));

  client::EventHandler history_handler;
  history_handler.on_add = [this](const client::ObjectPtr& h) { OnHistoryAdd(h); };
  history_handler.on_update = [this](const client::ObjectPtr& old_h, const client::ObjectPtr& h) {
    OnHistoryUpdate(old_h, h);
  };
  history_handler.on_delete = [this](const client::ObjectPtr& h) { OnHistoryDelete(h); };
  history_handler_ = history_informer_.AddHandler(std::move(history_handler));

  client::EventHandler pod_handler;
  pod_handler.on_add = [this](const client::ObjectPtr& pod) { OnPodAdd(pod); };
  pod_handler.on_update = [this](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    OnPodUpdate(old_pod, pod);
  };
  pod_handler.on_delete = [this](const client::ObjectPtr& pod) { OnPodDelete(pod); };
  pod_handler_ = pod_informer_.AddHandler(std::move(pod_handler));

  client::EventHandler node_handler;
  node_handler.on_add = [this](const client::ObjectPtr& node) { OnNodeAdd(node); };
  node_handler.on_update = [this](const client::ObjectPtr& old_node,
                                  const client::ObjectPtr& node) { OnNodeUpdate(old_node, node); };
  node_handler.on_delete = [this](const client::ObjectPtr& node) { OnNodeDelete(node); };
  node_handler_ = node_informer_.AddHandler(std::move(node_handler));
}

DaemonSetController::~DaemonSetController() { Stop(); }

void DaemonSetController::Start() { loop_.Start(); }

void DaemonSetController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  ds_informer_.RemoveHandler(ds_handler_);
  history_informer_.RemoveHandler(history_handler_);
  pod_informer_.RemoveHandler(pod_handler_);
  node_informer_.RemoveHandler(node_handler_);
  loop_.Stop();
}

Status DaemonSetController::Sync(const std::string& key) {
  if (!ds_informer_.HasSynced() || !history_informer_.HasSynced() || !pod_informer_.HasSynced() ||
      !node_informer_.HasSynced()) {
    return UnavailableError(
        "the daemonset, controllerrevision, pod and node caches have not synced yet");
  }
  client::ObjectPtr ds = ds_informer_.Get(key);
  if (!ds) {
    env_->ForgetExpectations(key);
    return Status::Ok();
  }
  // Forget failed-pod backoffs nobody has touched for a while (kube's BackoffGCInterval).
  failed_backoff_->GC(daemonset::FailedPodBackoff::Clock::now());
  try {
    return daemonset::SyncPass(*env_, key, std::move(ds)).Run();
  } catch (const std::exception& e) {
    // Objects the API served have the shapes read here; anything else is a bug to report, not
    // to crash a worker over.
    return InternalError(std::string("daemon set ") + key + ": " + e.what());
  }
}

void DaemonSetController::OnDaemonSetDelete(const client::ObjectPtr& ds) {
  const std::string key = client::KeyOf(*ds);
  // One created again under this name starts clean.
  env_->ForgetExpectations(key);
  loop_.Enqueue(key);
}

client::ObjectPtr DaemonSetController::ResolveControllerRef(const std::string& ns,
                                                            const json& ref) const {
  if (!ref.is_object() || ref.value("kind", "") != "DaemonSet") return nullptr;
  client::ObjectPtr ds = ds_informer_.Get(ns, ref.value("name", ""));
  if (!ds || UidOf(*ds) != ref.value("uid", "")) return nullptr;
  return ds;
}

std::vector<client::ObjectPtr> DaemonSetController::MatchingDaemonSets(const json& obj) const {
  std::vector<client::ObjectPtr> out;
  if (LabelsOf(obj).empty()) return out;
  for (const auto& ds : ds_informer_.ListNamespace(NamespaceOf(obj))) {
    const json* selector_json = At(*ds, {"spec", "selector"});
    auto selector = apis::LabelSelectorFromJson(selector_json ? *selector_json : json(nullptr));
    if (!selector.ok() || selector->Empty() || !selector->MatchesObject(obj)) continue;
    out.push_back(ds);
  }
  return out;
}

void DaemonSetController::EnqueueAll() {
  for (const auto& ds : ds_informer_.List()) loop_.Enqueue(client::KeyOf(*ds));
}

void DaemonSetController::OnPodAdd(const client::ObjectPtr& pod) {
  if (IsBeingDeleted(*pod)) {
    // First seen already being deleted (after a restart): never a creation.
    OnPodDelete(pod);
    return;
  }
  if (const json* ref = ControllerRefOf(*pod)) {
    client::ObjectPtr ds = ResolveControllerRef(NamespaceOf(*pod), *ref);
    if (!ds) return;
    const std::string key = client::KeyOf(*ds);
    expectations_.CreationObserved(key);
    loop_.Enqueue(key);
    return;
  }
  // An orphan: whoever matches may adopt it. No controller waits for an orphan's creation.
  for (const auto& ds : MatchingDaemonSets(*pod)) loop_.Enqueue(client::KeyOf(*ds));
}

void DaemonSetController::OnPodUpdate(const client::ObjectPtr& old_pod,
                                      const client::ObjectPtr& pod) {
  if (ResourceVersionOf(*old_pod) == ResourceVersionOf(*pod)) return;
  if (IsBeingDeleted(*pod)) {
    // A graceful delete: replace the pod now rather than when the kubelet removed it.
    OnPodDelete(pod);
    return;
  }
  const std::string ns = NamespaceOf(*pod);
  const json old_ref = ControllerRefCopy(*old_pod);
  const json ref = ControllerRefCopy(*pod);
  const bool ref_changed = old_ref != ref;
  if (ref_changed && !old_ref.is_null()) {
    if (auto old_ds = ResolveControllerRef(ns, old_ref)) loop_.Enqueue(client::KeyOf(*old_ds));
  }
  if (!ref.is_null()) {
    client::ObjectPtr ds = ResolveControllerRef(ns, ref);
    if (!ds) return;
    const std::string key = client::KeyOf(*ds);
    loop_.Enqueue(key);
    const int64_t min_ready = daemonset::MinReadySeconds(*ds);
    if (!IsPodReady(*old_pod) && IsPodReady(*pod) && min_ready > 0) {
      // A second more against clock skew.
      loop_.EnqueueAfter(key, std::chrono::seconds(min_ready + 1));
    }
    return;
  }
  if (LabelsOf(*old_pod) != LabelsOf(*pod) || ref_changed) {
    for (const auto& ds : MatchingDaemonSets(*pod)) loop_.Enqueue(client::KeyOf(*ds));
  }
}

void DaemonSetController::OnPodDelete(const client::ObjectPtr& pod) {
  const json* ref = ControllerRefOf(*pod);
  if (!ref) return;  // nobody waits for an orphan's deletion
  client::ObjectPtr ds = ResolveControllerRef(NamespaceOf(*pod), *ref);
  if (!ds) return;
  const std::string key = client::KeyOf(*ds);
  expectations_.DeletionObservedOf(daemonset::DeletionsKey(key), client::KeyOf(*pod));
  loop_.Enqueue(key);
}

void DaemonSetController::OnHistoryAdd(const client::ObjectPtr& history) {
  if (IsBeingDeleted(*history)) {
    OnHistoryDelete(history);
    return;
  }
  // One with a controller reference was made by its DaemonSet: nothing to do (as Kubernetes).
  if (ControllerRefOf(*history)) return;
  for (const auto& ds : MatchingDaemonSets(*history)) loop_.Enqueue(client::KeyOf(*ds));
}

void DaemonSetController::OnHistoryUpdate(const client::ObjectPtr& old_history,
                                          const client::ObjectPtr& history) {
  if (ResourceVersionOf(*old_history) == ResourceVersionOf(*history)) return;
  const std::string ns = NamespaceOf(*history);
  const json old_ref = ControllerRefCopy(*old_history);
  const json ref = ControllerRefCopy(*history);
  const bool ref_changed = old_ref != ref;
  if (ref_changed && !old_ref.is_null()) {
    if (auto old_ds = ResolveControllerRef(ns, old_ref)) loop_.Enqueue(client::KeyOf(*old_ds));
  }
  if (!ref.is_null()) {
    if (auto ds = ResolveControllerRef(ns, ref)) loop_.Enqueue(client::KeyOf(*ds));
    return;
  }
  if (LabelsOf(*old_history) != LabelsOf(*history) || ref_changed) {
    for (const auto& ds : MatchingDaemonSets(*history)) loop_.Enqueue(client::KeyOf(*ds));
  }
}

void DaemonSetController::OnHistoryDelete(const client::ObjectPtr& history) {
  const json* ref = ControllerRefOf(*history);
  if (!ref) return;
  if (auto ds = ResolveControllerRef(NamespaceOf(*history), *ref)) {
    loop_.Enqueue(client::KeyOf(*ds));
  }
}

void DaemonSetController::OnNodeAdd(const client::ObjectPtr& node) {
  for (const auto& ds : ds_informer_.List()) {
    if (daemonset::DaemonPlacement(*ds).Check(*node).should_run) {
      loop_.Enqueue(client::KeyOf(*ds));
    }
  }
}

void DaemonSetController::OnNodeUpdate(const client::ObjectPtr& old_node,
                                       const client::ObjectPtr& node) {
  if (IgnorableNodeUpdate(*old_node, *node)) return;
  for (const auto& ds : ds_informer_.List()) {
    const daemonset::DaemonPlacement placement(*ds);
    if (!(placement.Check(*old_node) == placement.Check(*node))) {
      loop_.Enqueue(client::KeyOf(*ds));
    }
  }
}

void DaemonSetController::OnNodeDelete(const client::ObjectPtr& node) {
  (void)node;
  EnqueueAll();
}

}  // namespace skiff::controllers
