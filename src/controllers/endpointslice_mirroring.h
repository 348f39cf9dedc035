// The EndpointSlice-mirroring controller's reconciler (pkg/controller/endpointslicemirroring,
// 1.32): the slices that mirror a hand-made Endpoints object.
//
// Each subset's addresses become endpoints (addresses ready=true, notReadyAddresses
// ready=false; at most max_endpoints_per_subset per subset, invalid IPs skipped), grouped by
// address type and ports. Per group one slice: the first existing slice of the group is kept
// (rewritten when its endpoints, labels or annotations differ), any others are deleted; groups
// no longer desired lose their slices. Creates reuse slices that would be deleted (same address
// type). A mirrored slice carries the Endpoints' labels and annotations (but the trigger time
// and kubectl's last-applied configuration), kubernetes.io/service-name=<endpoints name>,
// managed-by endpointslicemirroring-controller.k8s.io, and a controller reference to the
// Endpoints.
//
// Pure functions over JSON; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::controllers {

using nlohmann::json;

struct MirrorPlan {
  std::vector<json> create;  // generateName "<endpoints name>-"
  std::vector<json> update;  // complete slices, PUT without a resourceVersion
  std::vector<json> remove;
  int invalid_addresses = 0;  // addresses whose IP is not an IP
  int skipped_addresses = 0;  // invalid ones plus those over the per-subset maximum
};

// `existing`: the slices this controller mirrored for the Endpoints (any order).
MirrorPlan PlanMirroredSlices(const json& endpoints, const std::vector<client::ObjectPtr>& existing,
                              int max_endpoints_per_subset);

// An Endpoints address as a slice endpoint (addressToEndpoint): its canonical IP, conditions
// {ready}, targetRef, nodeName and hostname when set; *address_type "IPv4" or "IPv6". null
// when the IP is not one.
json AddressToEndpoint(const json& address, bool ready, std::string* address_type);

// A mirrored slice of `endpoints` (named `name`, or with generateName when it is "").
json NewMirroredSlice(const json& endpoints, const json& ports, const std::string& address_type,
                      const std::string& name);

}  // namespace skiff::controllers
