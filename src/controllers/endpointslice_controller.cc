#include "controllers/endpointslice_controller.h"

#include <algorithm>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/endpointslice_endpoints.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "endpoint-slice-controller";

std::string ServiceLabel(const json& slice) {
  return api::GetString(slice, {"metadata", "labels", kLabelServiceName});
}

}  // namespace

EndpointSliceController::EndpointSliceController(client::Client& client,
                                                 client::SharedInformerFactory& informers,
                                                 EndpointSliceControllerOptions options)
    : client_(client),
      service_informer_(informers.For(client::Services())),
      pod_informer_(informers.For(client::Pods())),
      node_informer_(informers.For(client::Nodes())),
      slice_informer_(informers.For(client::EndpointSlices())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      reconciler_(
          client, [this](const std::string& name) { return node_informer_.Get(name); }, tracker_,
          options_.max_endpoints_per_slice, kEndpointSliceControllerName),
      loop_(ControllerLoopOptions{kComponent, options_.workers, options_.base_backoff,
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  EnsureSliceServiceIndex(slice_informer_, kComponent);

  client::EventHandler services;
  services.on_add = [this](const client::ObjectPtr& svc) {
    selectors_.Upsert(*svc);
    loop_.Enqueue(client::KeyOf(*svc));
  };
  services.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& svc) {
    selectors_.Upsert(*svc);
    loop_.Enqueue(client::KeyOf(*svc));
  };
  services.on_delete = [this](const client::ObjectPtr& svc) {
    selectors_.Remove(*svc);
    loop_.Enqueue(client::KeyOf(*svc));
  };
  service_handler_ = service_informer_.AddHandler(std::move(services));

  client::EventHandler pods;
  pods.on_add = [this](const client::ObjectPtr& pod) {
    EnqueuePodServices(selectors_.ServicesForPod(*pod));
  };
  pods.on_update = [this](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    EnqueuePodServices(selectors_.ServicesForPodUpdate(*old_pod, *pod));
  };
  pods.on_delete = [this](const client::ObjectPtr& pod) {
    EnqueuePodServices(selectors_.ServicesForPod(*pod));
  };
  pod_handler_ = pod_informer_.AddHandler(std::move(pods));

  client::EventHandler slices;
  slices.on_add = [this](const client::ObjectPtr& slice) {
    if (Managed(*slice) && tracker_.ShouldSync(*slice)) EnqueueSliceService(*slice);
  };
  slices.on_update = [this](const client::ObjectPtr& old_slice, const client::ObjectPtr& slice) {
    if (ServiceLabel(*old_slice) != ServiceLabel(*slice)) {
      EnqueueSliceService(*slice);
      EnqueueSliceService(*old_slice);
      return;
    }
    if (Managed(*old_slice) != Managed(*slice) ||
        (Managed(*slice) && tracker_.ShouldSync(*slice))) {
      EnqueueSliceService(*slice);
    }
  };
  slices.on_delete = [this](const client::ObjectPtr& slice) {
    if (Managed(*slice) && tracker_.Has(*slice) && !tracker_.HandleDeletion(*slice)) {
      EnqueueSliceService(*slice);
    }
  };
  slice_handler_ = slice_informer_.AddHandler(std::move(slices));
}

EndpointSliceController::~EndpointSliceController() { Stop(); }

void EndpointSliceController::Start() { loop_.Start(); }

void EndpointSliceController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  service_informer_.RemoveHandler(service_handler_);
  pod_informer_.RemoveHandler(pod_handler_);
  slice_informer_.RemoveHandler(slice_handler_);
  loop_.Stop();
}

bool EndpointSliceController::Managed(const json& slice) const {
  return api::GetString(slice, {"metadata", "labels", kLabelManagedBy}) ==
         kEndpointSliceControllerName;
}

void EndpointSliceController::EnqueuePodServices(const std::set<std::string>& keys) {
  for (const auto& key : keys) {
    if (options_.batch_period.count() > 0) {
      loop_.EnqueueAfter(key, options_.batch_period);
    } else {
      loop_.Enqueue(key);
    }
  }
}

void EndpointSliceController::EnqueueSliceService(const json& slice) {
  const std::string service = ServiceLabel(slice);
  if (service.empty()) return;
  const auto delay = std::max(options_.slice_change_min_sync_delay, options_.batch_period);
  loop_.EnqueueAfter(NamespaceOf(slice) + "/" + service, delay);
}

std::vector<client::ObjectPtr> EndpointSliceController::ManagedSlices(
    const std::string& key) const {
  std::vector<client::ObjectPtr> out;
  for (auto& slice : slice_informer_.ByIndex(kSliceServiceIndex, key)) {
    if (Managed(*slice) && !IsBeingDeleted(*slice)) out.push_back(std::move(slice));
  }
  return out;
}

Status EndpointSliceController::Sync(const std::string& key) {
  if (!service_informer_.HasSynced() || !pod_informer_.HasSynced() || !node_informer_.HasSynced() ||
      !slice_informer_.HasSynced()) {
    return UnavailableError("the service, pod, node and endpointslice caches have not synced yet");
  }
  const auto [ns, name] = client::SplitKey(key);
  client::ObjectPtr service = service_informer_.Get(key);
  if (!service) {
    // Its slices go with it: the garbage collector follows their ownerReference.
    trigger_times_.Forget(key);
    tracker_.DeleteService(key);
    return Status::Ok();
  }
  const uint64_t cache_version = ResourceVersionNumber(slice_informer_.LastSyncResourceVersion());
  const std::vector<client::ObjectPtr> slices = ManagedSlices(key);
  if (tracker_.StaleSlices(*service, slices, cache_version)) {
    return UnavailableError("EndpointSlice informer cache is out of date");
  }
  const auto selector = ServiceSelector(*service);
  if (!selector || IsExternalNameService(*service)) {
    // This controller no longer manages the Service's endpoints: remove what it made.
    trigger_times_.Forget(key);
    return reconciler_.DeleteSlices(ns, slices);
  }

  std::vector<client::ObjectPtr> pods;
  for (auto& pod : pod_informer_.ListNamespace(ns)) {
    if (selector->MatchesObject(*pod)) pods.push_back(std::move(pod));
  }
  // Computed even when nothing is written, so that the tracker's state stays current.
  const auto trigger_time = trigger_times_.Compute(*service, pods);
  Status reconciled = reconciler_.Reconcile(
      *service, pods, slices, trigger_time ? FormatTriggerTime(*trigger_time) : std::string());
  if (!reconciled.ok()) {
    recorder_.Record(
        *service, "", "Warning", "FailedToUpdateEndpointSlices",
        "Error updating Endpoint Slices for Service " + key + ": " + reconciled.message());
    return reconciled;
  }
  return Status::Ok();
}

}  // namespace skiff::controllers
