#include "controllers/endpoints_controller.h"

#include "api/object_util.h"
#include "controllers/endpoints_subsets.h"
#include "skiff/common/log.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "endpoint-controller";

json LabelsJson(const std::map<std::string, std::string>& labels) {
  json out = json::object();
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

// Sets metadata[field] to `values`, or removes it when empty.
void SetOrErase(json& meta, const char* field, const json& values) {
  if (values.empty()) {
    meta.erase(field);
  } else {
    meta[field] = values;
  }
}

}  // namespace

EndpointsController::EndpointsController(client::Client& client,
                                         client::SharedInformerFactory& informers,
                                         EndpointsControllerOptions options)
    : client_(client),
      service_informer_(informers.For(client::Services())),
      pod_informer_(informers.For(client::Pods())),
      endpoints_informer_(informers.For(client::Endpoints())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      loop_(ControllerLoopOptions{kComponent, options_.workers, options_.base_backoff,
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
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

  client::EventHandler endpoints;
  endpoints.on_delete = [this](const client::ObjectPtr& ep) {
    const std::string key = client::KeyOf(*ep);
    {
      std::lock_guard lock(mu_);
      written_.erase(key);
    }
    loop_.Enqueue(key);
  };
  endpoints_handler_ = endpoints_informer_.AddHandler(std::move(endpoints));
}

EndpointsController::~EndpointsController() { Stop(); }

void EndpointsController::Start() {
  loop_.Start();
  loop_.Enqueue(kLeftoverKey);
}

void EndpointsController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  service_informer_.RemoveHandler(service_handler_);
  pod_informer_.RemoveHandler(pod_handler_);
  endpoints_informer_.RemoveHandler(endpoints_handler_);
  loop_.Stop();
}

void EndpointsController::EnqueuePodServices(const std::set<std::string>& keys) {
  for (const auto& key : keys) {
    if (options_.batch_period.count() > 0) {
      loop_.EnqueueAfter(key, options_.batch_period);
    } else {
      loop_.Enqueue(key);
    }
  }
}

bool EndpointsController::IsStale(const std::string& key) {
  // Read before the cache: the informer applies a batch before it advances its version.
  const uint64_t seen = ResourceVersionNumber(endpoints_informer_.LastSyncResourceVersion());
  std::lock_guard lock(mu_);
  auto it = written_.find(key);
  return it != written_.end() && it->second > seen;
}

void EndpointsController::RecordWritten(const std::string& key, const json& written) {
  std::lock_guard lock(mu_);
  written_[key] = ResourceVersionNumber(written);
}

Status EndpointsController::Sync(const std::string& key) {
  if (key == kLeftoverKey) {
    if (!endpoints_informer_.HasSynced()) {
      return UnavailableError("the endpoints cache has not synced yet");
    }
    for (const auto& ep : endpoints_informer_.List()) {
      if (AnnotationMap(*ep).count(kAnnotationLeaderElection)) continue;
      loop_.Enqueue(client::KeyOf(*ep));
    }
    return Status::Ok();
  }
  if (!service_informer_.HasSynced() || !pod_informer_.HasSynced() ||
      !endpoints_informer_.HasSynced()) {
    return UnavailableError("the service, pod and endpoints caches have not synced yet");
  }
  return SyncService(key);
}

Status EndpointsController::SyncService(const std::string& key) {
  const auto [ns, name] = client::SplitKey(key);
  client::ObjectPtr service = service_informer_.Get(key);
  if (!service) {
    // The Service is gone: so is its Endpoints.
    Status deleted = client_.Delete(client::Endpoints(), ns, name, {});
    if (!deleted.ok() && deleted.code() != Code::kNotFound) return deleted;
    trigger_times_.Forget(key);
    std::lock_guard lock(mu_);
    written_.erase(key);
    return Status::Ok();
  }
  if (ns == "default" && name == "kubernetes") return Status::Ok();
  if (IsExternalNameService(*service)) return Status::Ok();
  const auto selector = ServiceSelector(*service);
  if (!selector) return Status::Ok();

  std::vector<client::ObjectPtr> pods;
  for (auto& pod : pod_informer_.ListNamespace(ns)) {
    if (selector->MatchesObject(*pod)) pods.push_back(std::move(pod));
  }
  // Computed even when nothing is written, so that the tracker's state stays current.
  const auto trigger_time = trigger_times_.Compute(*service, pods);
  DesiredSubsets desired = ComputeSubsets(*service, pods);
  const bool truncated = TruncateSubsets(desired.subsets, options_.max_capacity);

  if (IsStale(key)) {
    return UnavailableError("endpoints informer cache is out of date for endpoints " + key);
  }
  client::ObjectPtr current = endpoints_informer_.Get(key);

  const auto service_labels = LabelMap(*service);
  if (current) {
    auto compare_labels = LabelMap(*current);
    compare_labels.erase(kLabelHeadless);
    const json* subsets = api::Find(*current, {"subsets"});
    const bool annotated = AnnotationMap(*current).count(kAnnotationOverCapacity) > 0;
    if (SubsetsEqual(subsets ? *subsets : json::array(), desired.subsets) &&
        compare_labels == service_labels && annotated == truncated) {
      return Status::Ok();
    }
  }

  json endpoints = current ? *current : json{{"metadata", {{"name", name}, {"namespace", ns}}}};
  endpoints["apiVersion"] = "v1";
  endpoints["kind"] = "Endpoints";
  json& meta = endpoints["metadata"];
  auto labels = service_labels;
  if (IsServiceIPSet(*service)) {
    labels.erase(kLabelHeadless);
  } else {
    labels[kLabelHeadless] = "";
  }
  SetOrErase(meta, "labels", LabelsJson(labels));
  json annotations = meta.value("annotations", json::object());
  if (!annotations.is_object()) annotations = json::object();
  if (trigger_time) {
    annotations[kAnnotationTriggerTime] = FormatTriggerTime(*trigger_time);
  } else {
    annotations.erase(kAnnotationTriggerTime);
  }
  if (truncated) {
    annotations[kAnnotationOverCapacity] = "truncated";
  } else {
    annotations.erase(kAnnotationOverCapacity);
  }
  SetOrErase(meta, "annotations", annotations);
  if (desired.subsets.empty()) {
    endpoints.erase("subsets");
  } else {
    endpoints["subsets"] = desired.subsets;
  }

  log::Debug(kComponent, "update endpoints",
             {{"service", key},
              {"readyEndpoints", std::to_string(desired.ready)},
              {"notreadyEndpoints", std::to_string(desired.not_ready)}});
  auto written = current ? client_.Update(client::Endpoints(), ns, endpoints)
                         : client_.Create(client::Endpoints(), ns, endpoints);
  if (!written.ok()) {
    const std::string error = written.status().message();
    if (current) {
      recorder_.Record(endpoints, "", "Warning", "FailedToUpdateEndpoint",
                       "Failed to update endpoint " + key + ": " + error);
    } else {
      recorder_.Record(endpoints, "", "Warning", "FailedToCreateEndpoint",
                       "Failed to create endpoint for service " + key + ": " + error);
    }
    return written.status();
  }
  RecordWritten(key, *written);
  return Status::Ok();
}

}  // namespace skiff::controllers
