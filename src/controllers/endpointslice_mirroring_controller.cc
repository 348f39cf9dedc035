#include "controllers/endpointslice_mirroring_controller.h"

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/endpointslice_endpoints.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "endpoint-slice-mirroring-controller";

std::string ServiceLabel(const json& slice) {
  return api::GetString(slice, {"metadata", "labels", kLabelServiceName});
}

// shouldMirror: not labelled skip-mirror "true", no leader-election annotation.
bool ShouldMirror(const json& endpoints) {
  return LabelMap(endpoints)[kLabelSkipMirror] != "true" &&
         !AnnotationMap(endpoints).count(kAnnotationLeaderElection);
}

bool HasSelector(const json& service) { return ServiceSelector(service).has_value(); }

Status WriteError(const Status& cause, const std::string& message) {
  return Status(cause.code(), message + ": " + cause.message());
}

}  // namespace

EndpointSliceMirroringController::EndpointSliceMirroringController(
    client::Client& client, client::SharedInformerFactory& informers,
    EndpointSliceMirroringControllerOptions options)
    : client_(client),
      service_informer_(informers.For(client::Services())),
      endpoints_informer_(informers.For(client::Endpoints())),
      slice_informer_(informers.For(client::EndpointSlices())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      loop_(ControllerLoopOptions{kComponent, options_.workers, options_.base_backoff,
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  EnsureSliceServiceIndex(slice_informer_, kComponent);

  client::EventHandler services;
  services.on_add = [this](const client::ObjectPtr& svc) {
    if (!HasSelector(*svc)) loop_.Enqueue(client::KeyOf(*svc));
  };
  services.on_update = [this](const client::ObjectPtr& old_svc, const client::ObjectPtr& svc) {
    if (HasSelector(*old_svc) != HasSelector(*svc)) loop_.Enqueue(client::KeyOf(*svc));
  };
  services.on_delete = [this](const client::ObjectPtr& svc) {
    if (!HasSelector(*svc)) loop_.Enqueue(client::KeyOf(*svc));
  };
  service_handler_ = service_informer_.AddHandler(std::move(services));

  client::EventHandler endpoints;
  endpoints.on_add = [this](const client::ObjectPtr& ep) {
    if (ShouldMirror(*ep)) loop_.Enqueue(client::KeyOf(*ep));
  };
  endpoints.on_update = [this](const client::ObjectPtr& old_ep, const client::ObjectPtr& ep) {
    if (ShouldMirror(*ep) || ShouldMirror(*old_ep)) loop_.Enqueue(client::KeyOf(*ep));
  };
  endpoints.on_delete = [this](const client::ObjectPtr& ep) {
    if (ShouldMirror(*ep)) loop_.Enqueue(client::KeyOf(*ep));
  };
  endpoints_handler_ = endpoints_informer_.AddHandler(std::move(endpoints));

  client::EventHandler slices;
  slices.on_add = [this](const client::ObjectPtr& slice) {
    if (Managed(*slice) && tracker_.ShouldSync(*slice)) EnqueueSliceEndpoints(*slice);
  };
  slices.on_update = [this](const client::ObjectPtr& old_slice, const client::ObjectPtr& slice) {
    if (ServiceLabel(*old_slice) != ServiceLabel(*slice)) {
      EnqueueSliceEndpoints(*slice);
      EnqueueSliceEndpoints(*old_slice);
      return;
    }
    if (Managed(*old_slice) != Managed(*slice) ||
        (Managed(*slice) && tracker_.ShouldSync(*slice))) {
      EnqueueSliceEndpoints(*slice);
    }
  };
  slices.on_delete = [this](const client::ObjectPtr& slice) {
    if (Managed(*slice) && tracker_.Has(*slice) && !tracker_.HandleDeletion(*slice)) {
      EnqueueSliceEndpoints(*slice);
    }
  };
  slice_handler_ = slice_informer_.AddHandler(std::move(slices));
}

EndpointSliceMirroringController::~EndpointSliceMirroringController() { Stop(); }

void EndpointSliceMirroringController::Start() { loop_.Start(); }

void EndpointSliceMirroringController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  service_informer_.RemoveHandler(service_handler_);
  endpoints_informer_.RemoveHandler(endpoints_handler_);
  slice_informer_.RemoveHandler(slice_handler_);
  loop_.Stop();
}

bool EndpointSliceMirroringController::Managed(const json& slice) const {
  return api::GetString(slice, {"metadata", "labels", kLabelManagedBy}) == kMirroringControllerName;
}

void EndpointSliceMirroringController::EnqueueSliceEndpoints(const json& slice) {
  const std::string name = ServiceLabel(slice);
  if (name.empty()) return;
  loop_.EnqueueAfter(NamespaceOf(slice) + "/" + name, options_.batch_period);
}

std::vector<client::ObjectPtr> EndpointSliceMirroringController::MirroredSlices(
    const std::string& key) const {
  std::vector<client::ObjectPtr> out;
  for (auto& slice : slice_informer_.ByIndex(kSliceServiceIndex, key)) {
    if (Managed(*slice)) out.push_back(std::move(slice));
  }
  return out;
}

Status EndpointSliceMirroringController::DeleteMirroredSlices(const std::string& key) {
  const auto [ns, name] = client::SplitKey(key);
  tracker_.DeleteService(key);
  std::vector<std::string> errors;
  Code code = Code::kOk;
  const auto slices = MirroredSlices(key);
  for (const auto& slice : slices) {
    Status s = client_.Delete(client::EndpointSlices(), ns, NameOf(*slice), {});
    if (s.ok() || s.code() == Code::kNotFound) continue;
    if (code == Code::kOk) code = s.code();
    errors.push_back(s.message());
  }
  if (errors.empty()) return Status::Ok();
  return Status(code, "Error(s) deleting " + std::to_string(errors.size()) + "/" +
                          std::to_string(slices.size()) + " EndpointSlices for " + key +
                          " Endpoints, including: " + errors.front());
}

Status EndpointSliceMirroringController::Sync(const std::string& key) {
  if (!service_informer_.HasSynced() || !endpoints_informer_.HasSynced() ||
      !slice_informer_.HasSynced()) {
    return UnavailableError("the service, endpoints and endpointslice caches have not synced yet");
  }
  client::ObjectPtr endpoints = endpoints_informer_.Get(key);
  if (!endpoints || !ShouldMirror(*endpoints)) return DeleteMirroredSlices(key);
  client::ObjectPtr service = service_informer_.Get(key);
  if (!service || HasSelector(*service)) return DeleteMirroredSlices(key);

  const uint64_t cache_version = ResourceVersionNumber(slice_informer_.LastSyncResourceVersion());
  const auto slices = MirroredSlices(key);
  if (tracker_.StaleSlices(*service, slices, cache_version)) {
    return UnavailableError("EndpointSlice informer cache is out of date");
  }
  MirrorPlan plan = PlanMirroredSlices(*endpoints, slices, options_.max_endpoints_per_subset);
  if (plan.invalid_addresses > 0) {
    recorder_.Record(*endpoints, "", "Warning", "InvalidIPAddress",
                     "Skipped " + std::to_string(plan.invalid_addresses) +
                         " invalid IP addresses when mirroring to EndpointSlices");
  }
  if (plan.skipped_addresses > plan.invalid_addresses) {
    recorder_.Record(*endpoints, "", "Warning", "TooManyAddressesToMirror",
                     "A max of " + std::to_string(options_.max_endpoints_per_subset) +
                         " addresses can be mirrored to EndpointSlices per Endpoints subset. " +
                         std::to_string(plan.skipped_addresses) + " addresses were skipped");
  }
  return Apply(*endpoints, plan);
}

Status EndpointSliceMirroringController::Apply(const json& endpoints, MirrorPlan& plan) {
  const std::string ns = NamespaceOf(endpoints);
  const std::string key = ns + "/" + NameOf(endpoints);
  if (!IsBeingDeleted(endpoints)) {
    for (const json& slice : plan.create) {
      auto created = client_.Create(client::EndpointSlices(), ns, slice);
      if (!created.ok()) {
        return WriteError(created.status(), "failed to create EndpointSlice for Endpoints " + key);
      }
      tracker_.Update(*created);
    }
  }
  for (const json& slice : plan.update) {
    auto updated = client_.Update(client::EndpointSlices(), ns, slice);
    if (!updated.ok()) {
      return WriteError(updated.status(), "failed to update " + NameOf(slice) +
                                              " EndpointSlice for Endpoints " + key);
    }
    tracker_.Update(*updated);
  }
  for (const json& slice : plan.remove) {
    Status s = client_.Delete(client::EndpointSlices(), ns, NameOf(slice), {});
    if (!s.ok()) {
      return WriteError(
          s, "failed to delete " + NameOf(slice) + " EndpointSlice for Endpoints " + key);
    }
    tracker_.ExpectDeletion(slice);
  }
  return Status::Ok();
}

}  // namespace skiff::controllers
