// The pieces of a discovery.k8s.io/v1 EndpointSlice as the EndpointSlice controllers of
// kube-controller-manager 1.32 build and compare them (k8s.io/endpointslice utils.go,
// util/controller_utils.go, endpointset.go).
//
// Pure functions over JSON; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace skiff::controllers {

using nlohmann::json;

inline constexpr char kEndpointSliceControllerName[] = "endpointslice-controller.k8s.io";
inline constexpr char kMirroringControllerName[] = "endpointslicemirroring-controller.k8s.io";

// The address types a Service's slices carry: from spec.ipFamilies; without them the
// clusterIP's family; a headless Service without them both. Sorted ("IPv4" before "IPv6").
std::vector<std::string> AddressTypesForService(const json& service);

// The endpoint a pod gives a Service for `address_type` (podToEndpoint): the pod's IPs of that
// type, conditions serving = the pod is Ready, terminating = it is being deleted, ready =
// publishNotReadyAddresses || (serving && !terminating); targetRef {kind Pod, namespace,
// name, uid}; nodeName when set; zone = the node's topology.kubernetes.io/zone label when
// `node` is given and has it; hostname when ShouldSetHostname.
json PodToEndpoint(const json& pod, const json* node, const json& service,
                   const std::string& address_type);

// The ports a pod offers a Service (getEndpointPorts): one {name, port, protocol[,
// appProtocol]} per service port the pod resolves (FindPort), in canonical order (name, port,
// protocol, appProtocol). Empty for a headless Service without ports.
json EndpointPortsFor(const json& service, const json& pod);

// A key identifying a set of ports regardless of order (NewPortMapKey); absent names read as
// "" and absent protocols as TCP, as the API defaults them.
std::string PortsKey(const json& ports);
// Ports in canonical order with defaults filled in.
json CanonicalPorts(const json& ports);

// The identity of an endpoint within a slice group (the endpoint set's hash): its sorted
// addresses, hostname and targetRef namespace/name.
std::string EndpointKey(const json& endpoint);
// EndpointsEqualBeyondHash: nodeName, zone, the three conditions and targetRef (without its
// resourceVersion) are the same.
bool EndpointsEqualBeyondKey(const json& a, const json& b);

// getEndpointSlicePrefix: "<name>-".
std::string SlicePrefix(const std::string& name);
// A slice of `service` (generateName, namespace, the Service's controller reference, labels
// from SliceLabels) with these ports and address type and no endpoints.
json NewServiceSlice(const json& service, const json& ports, const std::string& address_type,
                     const std::string& controller_name);
// setEndpointSliceLabels: the Service's labels (reserved keys skipped), the headless label for
// a Service without a cluster IP, kubernetes.io/service-name and managed-by; and whether the
// slice's non-reserved labels differ from the Service's.
std::pair<json, bool> SliceLabels(const json& slice, const json& service,
                                  const std::string& controller_name);
// The slice has an ownerReference to this Service (its uid, kind Service, apiVersion v1).
bool OwnedByService(const json& slice, const json& service);
// placeholderSliceCompare: same namespace, labels, ownerReferences, address type, ports and
// endpoints (absent and empty lists alike).
bool PlaceholderEqual(const json& a, const json& b);

// The slice's endpoints / ports (empty arrays when absent).
const json& SliceEndpoints(const json& slice);
const json& SlicePorts(const json& slice);

// Sets endpoints.kubernetes.io/last-change-trigger-time to `value`, or removes it when
// `value` is empty (addTriggerTimeAnnotation); drops an empty annotations map.
void SetTriggerTimeAnnotation(json& slice, const std::string& value);

}  // namespace skiff::controllers
