// kube-controller-manager's EndpointSlice-mirroring controller (pkg/controller/
// endpointslicemirroring, 1.32): for every Service without a selector, the Endpoints object of
// the same name (written by hand, or left by the endpoint controller when the selector was
// removed) is mirrored into EndpointSlices managed by endpointslicemirroring-controller.k8s.io
// (endpointslice_mirroring.h has the rules), so that consumers that read only EndpointSlices
// (skiff's service proxy and DNS) see its backends.
//
// Informers (from the factory): Services, Endpoints, EndpointSlices (indexed by service,
// kSliceServiceIndex). Keys are Endpoints keys ("ns/name", the Service's too). Enqueued: an
// Endpoints that should be mirrored when added, updated or deleted; a Service without a
// selector when added or deleted, and one whose selector appeared or disappeared; a change to
// one of the controller's slices that is not the echo of its own write.
//
// Sync(key), level-triggered: the controller's slices for the key are deleted when the
// Endpoints is gone, carries endpointslice.kubernetes.io/skip-mirror: "true" or a
// leader-election annotation, when the Service is gone, or when it has a selector; otherwise
// (unless the slice cache lags behind this controller's writes: kUnavailable) they are made to
// mirror the Endpoints: creates (not while the Endpoints is being deleted), updates, deletes.
// Warning Events on the Endpoints: InvalidIPAddress "Skipped <n> invalid IP addresses when
// mirroring to EndpointSlices", TooManyAddressesToMirror "A max of <max> addresses can be
// mirrored to EndpointSlices per Endpoints subset. <n> addresses were skipped". A failed write
// is returned ("failed to create EndpointSlice for Endpoints <ns>/<name>: <error>", ...) and
// retried by the loop.
//
// Thread-safe. `client` and `informers` must outlive the controller. Handlers are registered by
// the constructor; the caller starts the informer factory, then calls Start(). Stop() (also the
// destructor) removes the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/endpoint_util.h"
#include "controllers/endpointslice_mirroring.h"
#include "controllers/endpointslice_tracker.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct EndpointSliceMirroringControllerOptions {
  int workers = 2;  // --mirroring-concurrent-service-endpoint-syncs (Kubernetes: 5)
  int max_endpoints_per_subset = 1000;  // --mirroring-max-endpoints-per-subset
  // --mirroring-endpointslice-updates-batch-period (0 = at once).
  std::chrono::milliseconds batch_period{0};
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class EndpointSliceMirroringController {
 public:
  EndpointSliceMirroringController(client::Client& client, client::SharedInformerFactory& informers,
                                   EndpointSliceMirroringControllerOptions options = {});
  ~EndpointSliceMirroringController();
  EndpointSliceMirroringController(const EndpointSliceMirroringController&) = delete;
  EndpointSliceMirroringController& operator=(const EndpointSliceMirroringController&) = delete;

  void Start();
  void Stop();

  // One pass over the Endpoints `key` ("namespace/name").
  Status Sync(const std::string& key);

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  bool Managed(const json& slice) const;
  void EnqueueSliceEndpoints(const json& slice);
  std::vector<client::ObjectPtr> MirroredSlices(const std::string& key) const;
  Status DeleteMirroredSlices(const std::string& key);
  Status Apply(const json& endpoints, MirrorPlan& plan);

  client::Client& client_;
  client::Informer& service_informer_;
  client::Informer& endpoints_informer_;
  client::Informer& slice_informer_;
  const EndpointSliceMirroringControllerOptions options_;
  events::EventRecorder recorder_;
  EndpointSliceTracker tracker_;
  ControllerLoop loop_;
  std::mutex mu_;  // guards stopped_
  bool stopped_ = false;
  client::HandlerId service_handler_ = 0;
  client::HandlerId endpoints_handler_ = 0;
  client::HandlerId slice_handler_ = 0;
};

}  // namespace skiff::controllers
