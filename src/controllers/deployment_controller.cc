// The Deployment controller's loop and informer handlers (deployment_controller.go); one pass
// is a DeploymentSync (deployment_sync.h).
#include "controllers/deployment_controller.h"

#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/controller_ref.h"
#include "controllers/deployment_sync.h"
#include "events/event_recorder.h"
#include "skiff/apis/selector.h"

namespace skiff::controllers {

using deployment::StrAt;
using nlohmann::json;

struct DeploymentController::Impl {
  Impl(client::Client& c, client::SharedInformerFactory& f, DeploymentControllerOptions o)
      : client(c),
        options(std::move(o)),
        recorder(c, {"deployment-controller", ""}),
        deployments(f.For(client::Deployments())),
        replicasets(f.For(client::ReplicaSets())),
        pods(f.For(client::Pods())),
        env{client,
            recorder,
            replicasets,
            pods,
            options.now ? options.now : [] { return std::chrono::system_clock::now(); },
            [this](const std::string& key, std::chrono::milliseconds delay) {
              loop.EnqueueAfter(key, delay);
            }},
        loop({"deployment-controller", options.workers, options.base_backoff, options.max_backoff},
             [this](const std::string& key) { return SyncKey(key); }) {}

  Status SyncKey(const std::string& key);
  void Register();

  // The Deployment a controller reference names, if it is that Deployment (same uid).
  client::ObjectPtr ResolveControllerRef(const std::string& ns, const json* ref) const;
  // Every Deployment of rs's namespace whose (non-empty) selector matches rs's labels.
  std::vector<client::ObjectPtr> DeploymentsSelecting(const json& rs) const;
  void EnqueueDeployment(const client::ObjectPtr& d) { loop.Enqueue(client::KeyOf(*d)); }

  void OnReplicaSetAdd(const client::ObjectPtr& rs);
  void OnReplicaSetUpdate(const client::ObjectPtr& old_rs, const client::ObjectPtr& cur_rs);
  void OnReplicaSetDelete(const client::ObjectPtr& rs);
  void OnPodDelete(const client::ObjectPtr& pod);

  client::Client& client;
  const DeploymentControllerOptions options;
  events::EventRecorder recorder;
  client::Informer& deployments;
  client::Informer& replicasets;
  client::Informer& pods;
  deployment::SyncEnv env;
  ControllerLoop loop;
  std::vector<std::pair<client::Informer*, client::HandlerId>> handlers;
};

Status DeploymentController::Impl::SyncKey(const std::string& key) {
  client::ObjectPtr d = deployments.Get(key);
  if (!d) return Status::Ok();  // deleted: its ReplicaSets go by garbage collection
  try {
    return deployment::DeploymentSync(env, *d).Run();
  } catch (const std::exception& e) {
    return InternalError("deployment " + key + ": " + e.what());
  }
}

client::ObjectPtr DeploymentController::Impl::ResolveControllerRef(const std::string& ns,
                                                                   const json* ref) const {
  if (!ref || ref->value("kind", "") != "Deployment") return nullptr;
  client::ObjectPtr d = deployments.Get(ns, ref->value("name", ""));
  if (!d || StrAt(*d, {"metadata", "uid"}) != ref->value("uid", "")) return nullptr;
  return d;
}

std::vector<client::ObjectPtr> DeploymentController::Impl::DeploymentsSelecting(
    const json& rs) const {
  std::vector<client::ObjectPtr> out;
  for (const client::ObjectPtr& d :
       deployments.ListNamespace(StrAt(rs, {"metadata", "namespace"}))) {
    const json* spec = d->contains("spec") ? &(*d)["spec"] : nullptr;
    if (!spec || !spec->is_object()) continue;
    auto selector = apis::LabelSelectorFromJson(spec->value("selector", json()));
    if (!selector.ok() || selector->Empty() || !selector->MatchesObject(rs)) continue;
    out.push_back(d);
  }
  return out;
}

void DeploymentController::Impl::OnReplicaSetAdd(const client::ObjectPtr& rs) {
  if (IsBeingDeleted(*rs)) {
    OnReplicaSetDelete(rs);
    return;
  }
  const std::string ns = StrAt(*rs, {"metadata", "namespace"});
  if (const json* ref = ControllerRefOf(*rs)) {
    if (auto d = ResolveControllerRef(ns, ref)) EnqueueDeployment(d);
    return;
  }
  // An orphan: every Deployment that may want to adopt it looks.
  for (const auto& d : DeploymentsSelecting(*rs)) EnqueueDeployment(d);
}

void DeploymentController::Impl::OnReplicaSetUpdate(const client::ObjectPtr& old_rs,
                                                    const client::ObjectPtr& cur_rs) {
  if (StrAt(*old_rs, {"metadata", "resourceVersion"}) ==
      StrAt(*cur_rs, {"metadata", "resourceVersion"})) {
    return;
  }
  const std::string ns = StrAt(*cur_rs, {"metadata", "namespace"});
  const json* old_ref = ControllerRefOf(*old_rs);
  const json* cur_ref = ControllerRefOf(*cur_rs);
  const bool ref_changed =
      (old_ref == nullptr) != (cur_ref == nullptr) || (old_ref && cur_ref && *old_ref != *cur_ref);
  // The former owner must hear that it lost the ReplicaSet.
  if (ref_changed && old_ref) {
    if (auto d = ResolveControllerRef(ns, old_ref)) EnqueueDeployment(d);
  }
  if (cur_ref) {
    if (auto d = ResolveControllerRef(ns, cur_ref)) EnqueueDeployment(d);
    return;
  }
  const json none = json::object();
  const json& old_labels = (*old_rs)["metadata"].value("labels", none);
  const json& cur_labels = (*cur_rs)["metadata"].value("labels", none);
  if (old_labels != cur_labels || ref_changed) {
    for (const auto& d : DeploymentsSelecting(*cur_rs)) EnqueueDeployment(d);
  }
}

void DeploymentController::Impl::OnReplicaSetDelete(const client::ObjectPtr& rs) {
  if (auto d = ResolveControllerRef(StrAt(*rs, {"metadata", "namespace"}), ControllerRefOf(*rs))) {
    EnqueueDeployment(d);
  }
}

void DeploymentController::Impl::OnPodDelete(const client::ObjectPtr& pod) {
  // Only a Recreate Deployment waits for pods, and only for the last one to go.
  const json* ref = ControllerRefOf(*pod);
  if (!ref || ref->value("kind", "") != "ReplicaSet") return;
  const std::string ns = StrAt(*pod, {"metadata", "namespace"});
  client::ObjectPtr rs = replicasets.Get(ns, ref->value("name", ""));
  if (!rs || StrAt(*rs, {"metadata", "uid"}) != ref->value("uid", "")) return;
  client::ObjectPtr d = ResolveControllerRef(ns, ControllerRefOf(*rs));
  if (!d || StrAt(*d, {"spec", "strategy", "type"}) != "Recreate") return;
  for (const auto& owned :
       replicasets.ByIndex(deployment::kControllerUidIndex, StrAt(*d, {"metadata", "uid"}))) {
    for (const auto& p :
         pods.ByIndex(deployment::kControllerUidIndex, StrAt(*owned, {"metadata", "uid"}))) {
      if (StrAt(*p, {"metadata", "namespace"}) == ns) return;  // pods remain
    }
  }
  EnqueueDeployment(d);
}

void DeploymentController::Impl::Register() {
  for (client::Informer* inf : {&replicasets, &pods}) {
    // Another controller may have added the same index already.
    (void)inf->AddIndex(deployment::kControllerUidIndex, client::IndexByControllerUid);
  }
  client::EventHandler dh;
  dh.on_add = [this](const client::ObjectPtr& d) { EnqueueDeployment(d); };
  dh.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& d) {
    EnqueueDeployment(d);
  };
  dh.on_delete = [this](const client::ObjectPtr& d) { EnqueueDeployment(d); };
  handlers.emplace_back(&deployments, deployments.AddHandler(std::move(dh)));

  client::EventHandler rh;
  rh.on_add = [this](const client::ObjectPtr& rs) { OnReplicaSetAdd(rs); };
  rh.on_update = [this](const client::ObjectPtr& o, const client::ObjectPtr& c) {
    OnReplicaSetUpdate(o, c);
  };
  rh.on_delete = [this](const client::ObjectPtr& rs) { OnReplicaSetDelete(rs); };
  handlers.emplace_back(&replicasets, replicasets.AddHandler(std::move(rh)));

  client::EventHandler ph;
  ph.on_delete = [this](const client::ObjectPtr& pod) { OnPodDelete(pod); };
  handlers.emplace_back(&pods, pods.AddHandler(std::move(ph)));
}

DeploymentController::DeploymentController(client::Client& client,
                                           client::SharedInformerFactory& informers,
                                           DeploymentControllerOptions options)
    : impl_(std::make_unique<Impl>(client, informers, std::move(options))) {
  impl_->Register();
}

DeploymentController::~DeploymentController() {
  for (auto& [informer, id] : impl_->handlers) informer->RemoveHandler(id);
  Stop();
}

void DeploymentController::Start() { impl_->loop.Start(); }
void DeploymentController::Stop() { impl_->loop.Stop(); }
Status DeploymentController::Sync(const std::string& key) { return impl_->SyncKey(key); }
uint64_t DeploymentController::syncs() const { return impl_->loop.syncs(); }

}  // namespace skiff::controllers
