// What the proxy programs for one Service, from the Service and its EndpointSlices
// (discovery.k8s.io/v1), as kube-proxy reads them:
// - ClusterIP, NodePort and LoadBalancer services with an IPv4 cluster IP; headless and
//   ExternalName services get nothing (DNS serves them). A NodePort/LoadBalancer service's
//   nodePorts, spec.externalIPs and (LoadBalancer) status.loadBalancer.ingress IPs.
// - One ServicePort per spec.ports entry (protocol defaults to TCP); its endpoints are the
//   IPv4 slices' endpoints whose slice has a port of the same name and protocol, at that
//   port, first address only, each ip:port once; conditions as the API defaults them (ready
//   unset = true, serving unset = ready, terminating unset = false).
// - Traffic policies, and sessionAffinity ClientIP with its timeout (default 10800 s).
// Pure; never throws (malformed fields are skipped).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "net/proxy/proxy_model.h"

namespace skiff::net::proxy {

std::vector<ServicePort> ServicePortsOf(const nlohmann::json& service,
                                        const std::vector<const nlohmann::json*>& slices);

}  // namespace skiff::net::proxy
