// kube-controller-manager's endpoint controller (pkg/controller/endpoint, 1.32): for every
// Service with a selector, an Endpoints object of the same name listing the pods that back it.
//
// Informers (from the factory): Services, Pods, Endpoints. Service notifications enqueue the
// Service; pod notifications enqueue the Services whose selector matches the pod (old and new
// labels on an update, via a per-namespace cache of parsed selectors, ServiceSelectorCache),
// only when something an endpoint shows changed (PodEndpointsChanged); an Endpoints deletion
// enqueues its name. Start() also enqueues every Endpoints once the caches have synced
// (checkLeftoverEndpoints), so that Endpoints of Services deleted while the controller was down
// are removed.
//
// Sync(key), level-triggered:
//   - Service gone: its Endpoints is deleted (NotFound ignored).
//   - ExternalName Services, Services without a selector and default/kubernetes (skiff's
//     bootstrap owns it) are left alone: their Endpoints are written by others.
//   - Otherwise the desired subsets (endpoints_subsets.h) of the selected pods; over
//     `max_capacity` addresses they are truncated and annotated
//     endpoints.kubernetes.io/over-capacity: truncated (the annotation is removed otherwise).
//     Labels are the Service's, plus service.kubernetes.io/headless: "" for a headless Service.
//     endpoints.kubernetes.io/last-change-trigger-time is set from TriggerTimeTracker (cleared
//     when nothing triggered). Nothing is written when subsets, labels (the headless label
//     aside) and the over-capacity annotation already match. Otherwise the Endpoints is
//     created, or updated (pinned to the cached resourceVersion).
//   - A failed write records a Warning Event on the Endpoints: FailedToCreateEndpoint "Failed to
//     create endpoint for service <ns>/<name>: <error>" or FailedToUpdateEndpoint "Failed to
//     update endpoint <ns>/<name>: <error>", and is returned (the loop retries).
//   - If the Endpoints cache has not yet caught up with this controller's last write of the
//     key, Sync returns kUnavailable without acting (the loop retries; never a duplicate create
//     or an update against a stale resourceVersion).
//
// Thread-safe. `client` and `informers` must outlive the controller. Handlers are registered by
// the constructor; the caller starts the informer factory, then calls Start(). Stop() (also the
// destructor) removes the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/endpoint_util.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct EndpointsControllerOptions {
  int workers = 2;             // --concurrent-endpoint-syncs (Kubernetes: 5)
  size_t max_capacity = 1000;  // addresses an Endpoints holds at most
  // --endpoint-updates-batch-period: delay of syncs triggered by pod changes (0 = at once).
  std::chrono::milliseconds batch_period{0};
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class EndpointsController {
 public:
  EndpointsController(client::Client& client, client::SharedInformerFactory& informers,
                      EndpointsControllerOptions options = {});
  ~EndpointsController();
  EndpointsController(const EndpointsController&) = delete;
  EndpointsController& operator=(const EndpointsController&) = delete;

  void Start();
  void Stop();

  // One pass over the Service `key` ("namespace/name"). kLeftoverKey enqueues every cached
  // Endpoints instead.
  Status Sync(const std::string& key);
  static constexpr char kLeftoverKey[] = "\x01leftover-endpoints";

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  void EnqueuePodServices(const std::set<std::string>& keys);
  Status SyncService(const std::string& key);
  // True when the Endpoints informer has not yet caught up with the last write of this
  // controller to `key` (its LastSyncResourceVersion is older than the write's).
  bool IsStale(const std::string& key);
  void RecordWritten(const std::string& key, const json& written);

  client::Client& client_;
  client::Informer& service_informer_;
  client::Informer& pod_informer_;
  client::Informer& endpoints_informer_;
  const EndpointsControllerOptions options_;
  events::EventRecorder recorder_;
  ServiceSelectorCache selectors_;
  TriggerTimeTracker trigger_times_;
  ControllerLoop loop_;
  std::mutex mu_;  // guards stopped_, written_
  bool stopped_ = false;
  // Endpoints key -> the resourceVersion this controller last wrote.
  std::unordered_map<std::string, uint64_t> written_;
  client::HandlerId service_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
  client::HandlerId endpoints_handler_ = 0;
};

}  // namespace skiff::controllers
