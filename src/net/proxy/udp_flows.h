// Stale UDP conntrack entries after a proxy sync (what kube-proxy deletes): UDP has no
// connection to end, so a client's flow keeps its DNAT to an endpoint that is gone, or to the
// rejection recorded while the service had no endpoint, until conntrack forgets it.
// - an endpoint removed from a UDP service port: the flows to each cluster IP, external IP
//   and node port that were DNATed to it;
// - a UDP service port that had no usable endpoint and now has one: every flow to its
//   cluster and external IPs (and node port).
// Returns the `conntrack` argument lists (without "conntrack" itself). Pure.
#pragma once

#include <string>
#include <vector>

#include "net/proxy/proxy_model.h"

namespace skiff::net::proxy {

std::vector<std::vector<std::string>> StaleUdpFlows(const std::vector<ServicePort>& before,
                                                    const std::vector<ServicePort>& after);

}  // namespace skiff::net::proxy
