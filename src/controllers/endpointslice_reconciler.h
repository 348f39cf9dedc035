// The EndpointSlice controller's reconciler (k8s.io/endpointslice reconciler.go, 1.32): turns
// the pods a Service selects into EndpointSlices with the least churn.
//
// Per address type the Service supports (AddressTypesForService; slices of other types are
// deleted), pods that should be in endpoints (terminating ones included, with their
// conditions) are grouped by the ports they resolve; each group is reconciled with the existing
// slices of the same ports:
//   1. in every existing slice, endpoints no longer desired are dropped and changed ones
//      replaced; a slice left empty is deleted, a changed one updated in place (with the
//      Service's labels); unchanged slices are kept as they are;
//   2. remaining endpoints first fill the slices being updated, fullest first;
//   3. what is left goes, when fewer than a slice holds, into the unchanged slice it fills
//      best; otherwise into new slices of at most max_endpoints_per_slice.
// Slices of port groups no longer desired, and slices not owned by the Service, are deleted. A
// Service with no endpoints keeps one empty placeholder slice. Creates are turned into updates
// of slices that would be deleted (same address type, owned by the Service). Kubernetes picks
// endpoints from a set in random order; this picks them in EndpointKey order.
//
// A pod on a node missing from the node cache is left out (unless the Service publishes
// not-ready addresses) and reported: "skipping Pod <pod> for Service <ns>/<svc>: Node <node>
// Not Found"; the slices are still written.
//
// Thread-safe (no state besides the tracker's). `client`, `nodes` and `tracker` must outlive
// the reconciler.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controllers/endpoint_util.h"
#include "controllers/endpointslice_tracker.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

// What one address type's reconcile decided.
struct SlicePlan {
  std::vector<json> create;  // new slices (generateName set)
  std::vector<json> update;  // full slices to PUT (resourceVersion kept when updated in place)
  std::vector<json> remove;  // existing slices to delete
  std::vector<std::string> errors;  // pods left out, as messages
};

// Looks a node up by name (nullptr when unknown).
using NodeLookup = std::function<client::ObjectPtr(const std::string& name)>;

// The plan for `address_type`: `existing` are the Service's slices of that type managed by
// this controller (not being deleted). Pure: calls nothing but `nodes`.
SlicePlan PlanAddressType(const json& service, const std::vector<client::ObjectPtr>& pods,
                          const std::vector<client::ObjectPtr>& existing,
                          const std::string& address_type, const NodeLookup& nodes,
                          int max_endpoints_per_slice, const std::string& controller_name);

class EndpointSliceReconciler {
 public:
  EndpointSliceReconciler(client::Client& client, NodeLookup nodes, EndpointSliceTracker& tracker,
                          int max_endpoints_per_slice, std::string controller_name);

  // Plans every address type and writes the plans: creates (not while the Service is being
  // deleted), then updates, then deletes, each with the trigger-time annotation set (or
  // removed when `trigger_time` is ""). Every write is recorded in the tracker. Errors: the
  // pods left out and the first failed write of each address type, aggregated ("failed to
  // create EndpointSlice for Service <ns>/<svc>: <error>", "failed to update <slice>
  // EndpointSlice for Service ...", "failed to delete <slice> EndpointSlice for Service ...").
  Status Reconcile(const json& service, const std::vector<client::ObjectPtr>& pods,
                   const std::vector<client::ObjectPtr>& existing, const std::string& trigger_time);

  // Deletes `slices` (NotFound ignored), recording the deletions in the tracker.
  Status DeleteSlices(const std::string& ns, const std::vector<client::ObjectPtr>& slices);

  const std::string& controller_name() const { return controller_name_; }

 private:
  Status Apply(const json& service, SlicePlan& plan, const std::string& trigger_time);
  Status DeleteSlice(const std::string& ns, const json& slice);

  client::Client& client_;
  const NodeLookup nodes_;
  EndpointSliceTracker& tracker_;
  const int max_endpoints_per_slice_;
  const std::string controller_name_;
};

}  // namespace skiff::controllers
