// kube-controller-manager's EndpointSlice controller (pkg/controller/endpointslice, 1.32): for
// every Service with a selector, EndpointSlices (discovery.k8s.io/v1) labelled
// kubernetes.io/service-name=<service> and endpointslice.kubernetes.io/managed-by=
// endpointslice-controller.k8s.io, owned by the Service, listing the pods that back it
// (endpointslice_reconciler.h has the placement rules).
//
// Informers (from the factory): Services, Pods, Nodes (zones; a pod whose node is unknown is
// left out), EndpointSlices (indexed by service, kSliceServiceIndex). Service notifications
// enqueue the Service; pod notifications enqueue the Services whose selector matches the pod
// (ServiceSelectorCache; on an update only when PodEndpointsChanged); a change to one of the
// controller's slices that is not the echo of its own write (EndpointSliceTracker) enqueues the
// slice's Service after `slice_change_min_sync_delay`, as does an unexpected deletion.
//
// Sync(key), level-triggered:
//   - Service gone: nothing to do (the garbage collector removes its slices through their
//     ownerReference); the trackers forget it.
//   - Service without a selector, or of type ExternalName: the slices this controller made for
//     it are deleted (Kubernetes 1.32 leaves them behind, kubernetes#118376; skiff's proxy and
//     DNS read slices only, so stale ones would keep routing to the old pods).
//   - If the slice cache lags behind this controller's writes: kUnavailable, nothing done.
//   - Otherwise the reconciler writes the slices, with endpoints.kubernetes.io/
//     last-change-trigger-time from TriggerTimeTracker. On failure a Warning Event
//     FailedToUpdateEndpointSlices "Error updating Endpoint Slices for Service <ns>/<name>:
//     <error>" is recorded on the Service and the error returned (the loop retries).
//
// Thread-safe. `client` and `informers` must outlive the controller. Handlers are registered by
// the constructor; the caller starts the informer factory, then calls Start(). Stop() (also the
// destructor) removes the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/endpoint_util.h"
#include "controllers/endpointslice_reconciler.h"
#include "controllers/endpointslice_tracker.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct EndpointSliceControllerOptions {
  int workers = 2;                    // --concurrent-service-endpoint-syncs (Kubernetes: 5)
  int max_endpoints_per_slice = 100;  // --max-endpoints-per-slice
  // --endpoint-updates-batch-period: delay of syncs triggered by pod changes (0 = at once).
  std::chrono::milliseconds batch_period{0};
  // endpointSliceChangeMinSyncDelay: delay of syncs triggered by slice changes.
  std::chrono::milliseconds slice_change_min_sync_delay{std::chrono::seconds(1)};
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class EndpointSliceController {
 public:
  EndpointSliceController(client::Client& client, client::SharedInformerFactory& informers,
                          EndpointSliceControllerOptions options = {});
  ~EndpointSliceController();
  EndpointSliceController(const EndpointSliceController&) = delete;
  EndpointSliceController& operator=(const EndpointSliceController&) = delete;

  void Start();
  void Stop();

  // One pass over the Service `key` ("namespace/name").
  Status Sync(const std::string& key);

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  void EnqueuePodServices(const std::set<std::string>& keys);
  void EnqueueSliceService(const json& slice);
  bool Managed(const json& slice) const;
  // The controller's slices of the Service `key`, not being deleted.
  std::vector<client::ObjectPtr> ManagedSlices(const std::string& key) const;

  client::Client& client_;
  client::Informer& service_informer_;
  client::Informer& pod_informer_;
  client::Informer& node_informer_;
  client::Informer& slice_informer_;
  const EndpointSliceControllerOptions options_;
  events::EventRecorder recorder_;
  ServiceSelectorCache selectors_;
  TriggerTimeTracker trigger_times_;
  EndpointSliceTracker tracker_;
  EndpointSliceReconciler reconciler_;
  ControllerLoop loop_;
  std::mutex mu_;  // guards stopped_
  bool stopped_ = false;
  client::HandlerId service_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
  client::HandlerId slice_handler_ = 0;
};

}  // namespace skiff::controllers
