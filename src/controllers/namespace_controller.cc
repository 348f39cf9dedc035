#include "namespace_controller.h"

#include "skiff/apis/conversion.h"
#include "skiff/common/log.h"

namespace skiff::controllers {

using api::json;

namespace {
constexpr auto kResync = std::chrono::seconds(5);
}

NamespaceController::NamespaceController(api::Resources& resources) : resources_(resources) {
  thread_ = std::thread([this] { Loop(); });
}

NamespaceController::~NamespaceController() { Stop(); }

void NamespaceController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NamespaceController::Loop() {
  const apis::ResourceType& nst = *resources_.registry().Find("", "v1", "namespaces");
  store::WatchOptions wo;
  wo.prefix = api::StoragePrefix(nst, "");
  wo.on_ready = [this] {
    {
      std::lock_guard lock(mu_);
      dirty_ = true;
    }
    cv_.notify_all();
  };
  auto watcher = resources_.store().Watch(wo);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kResync, [&] { return stopping_ || dirty_; });
      if (stopping_) break;
      dirty_ = false;
    }
    if (watcher.ok()) {
      std::vector<store::EventPtr> drained;
      if (!(*watcher)->Poll(&drained)) watcher = resources_.store().Watch(wo);
    }
    SyncAll();
  }
  if (watcher.ok()) (*watcher)->Close();
}

void NamespaceController::SyncAll() {
  const apis::ResourceType& nst = *resources_.registry().Find("", "v1", "namespaces");
  auto list = resources_.List(nst, "", {});
  if (!list.ok()) {
    log::Warning("namespaces", "cannot list namespaces", {{"error", list.error().message}});
    return;
  }
  for (const json& ns : (*list)["items"]) {
    const std::string name = api::GetString(ns, {"metadata", "name"});
    if (api::Find(ns, {"metadata", "deletionTimestamp"})) {
      if (Empty(name)) Finalize(name);
    } else {
      EnsureDefaultServiceAccount(name);
    }
  }
}

void NamespaceController::EnsureDefaultServiceAccount(const std::string& ns) {
  const apis::ResourceType& sat = *resources_.registry().Find("", "v1", "serviceaccounts");
  if (resources_.Get(sat, ns, "default").ok()) return;
  json sa = {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}};
  auto r = resources_.Create(sat, ns, sa, {}, nullptr);
  if (!r.ok() && r.error().code != 409 && r.error().code != 403) {
    log::Warning("namespaces", "cannot create the default service account",
                 {{"namespace", ns}, {"error", r.error().message}});
  }
}

bool NamespaceController::Empty(const std::string& ns) {
  bool empty = true;
  for (const apis::ResourceType& rt : resources_.registry().all()) {
    if (!rt.namespaced || !rt.HasVerb("delete")) continue;
    // Each object once: through its storage version only (autoscaling/v1 HPAs are the v2
    // ones, events.k8s.io Events the core ones).
    if (!apis::IsStorageVersion(rt.group, rt.version, rt.resource)) continue;
    auto list = resources_.List(rt, ns, {});
    if (!list.ok()) {
      empty = false;
      continue;
    }
    for (const json& item : (*list)["items"]) {
      empty = false;
      if (api::Find(item, {"metadata", "deletionTimestamp"})) continue;  // already going
      api::DeleteOptions o;
      o.propagation_policy = "Background";
      auto r = resources_.Delete(rt, ns, api::GetString(item, {"metadata", "name"}), o);
      if (!r.ok() && r.error().code != 404) {
        log::Warning("namespaces", "cannot delete an object of a terminating namespace",
                     {{"namespace", ns}, {"resource", rt.resource}, {"error", r.error().message}});
      }
    }
  }
  return empty;
}

void NamespaceController::Finalize(const std::string& ns) {
  const apis::ResourceType& nst = *resources_.registry().Find("", "v1", "namespaces");
  // spec.finalizers change only through the finalize subresource.
  auto r = resources_.GuaranteedUpdate(nst, "", ns, "finalize", [](json obj) -> api::ApiResult<json> {
    json& f = obj["spec"]["finalizers"];
    if (f.is_array()) {
      json kept = json::array();
      for (const json& x : f) {
        if (x != "kubernetes") kept.push_back(x);
      }
      f = kept;
    }
    return obj;
  });
  if (!r.ok() && r.error().code != 404) {
    log::Warning("namespaces", "cannot finalize namespace",
                 {{"namespace", ns}, {"error", r.error().message}});
    return;
  }
  // With its last finalizer gone, the update above deleted the namespace.
  if (!resources_.Get(nst, "", ns).ok()) log::Info("namespaces", "namespace deleted", {{"namespace", ns}});
}

}  // namespace skiff::controllers
