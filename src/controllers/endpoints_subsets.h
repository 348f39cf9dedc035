// The subsets of a selector Service's Endpoints, computed as kube-controller-manager 1.32's
// endpoint controller does (syncService, endpoints.RepackSubsets, truncateEndpoints).
//
// Pure functions over JSON; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::controllers {

using nlohmann::json;

// The address a pod offers a Service (podToEndpointAddressForService): the pod's first IP of
// the Service's family (spec.ipFamilies[0]; else the clusterIP's family; else, headless, the
// pod's podIP's), with nodeName (when set), targetRef {kind Pod, namespace, name, uid} and the
// hostname when ShouldSetHostname. null when the pod has no IP of that family.
json PodEndpointAddress(const json& service, const json& pod);

struct DesiredSubsets {
  json subsets = json::array();  // repacked and sorted
  int ready = 0;                 // address-port pairs, as Kubernetes counts them (for logs)
  int not_ready = 0;
};

// The subsets `pods` (the pods the selector matches) give `service`: pods that should be in
// endpoints (ShouldPodBeInEndpoints(pod, publishNotReadyAddresses)), each address paired with
// every service port the pod resolves (FindPort; a pod without a named port is left out of
// that port), in `addresses` when the pod is ready or the Service publishes not-ready
// addresses, else in `notReadyAddresses`; a headless Service without ports gets port-less
// subsets. Then repacked.
DesiredSubsets ComputeSubsets(const json& service, const std::vector<client::ObjectPtr>& pods);

// endpoints.RepackSubsets: one subset per distinct set of (address, ready) pairs, carrying
// every port offered by exactly that set; an address not ready on a port stays not ready.
// Addresses are sorted by IP then targetRef uid; ports by name, port, protocol; subsets in a
// stable order (Kubernetes orders ports and subsets by a hash: any fixed order serves).
json RepackSubsets(const json& subsets);

// Number of addresses (ready and not) over all subsets.
size_t CountAddresses(const json& subsets);

// truncateEndpoints: when over `max_capacity` addresses, keeps at most that many, ready ones
// first, each subset its proportional share (rounded up); subsets left empty are dropped.
// Returns true when it truncated.
bool TruncateSubsets(json& subsets, size_t max_capacity);

// Whether two subset lists are the same, ignoring targetRef.resourceVersion and treating
// absent and empty lists alike.
bool SubsetsEqual(const json& a, const json& b);

}  // namespace skiff::controllers
