// What the service proxy programs, as plain values: one ServicePort per port of a Service,
// with the endpoints that serve it (from the Service and its EndpointSlices, see
// service_ports.h), and the node-wide settings. Plain data; no behaviour beyond naming and
// the address check both sides use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace skiff::net::proxy {

struct Endpoint {
  std::string ip;
  int32_t port = 0;
  std::string node;  // nodeName; "" when the slice does not say
  // EndpointSlice conditions (ready: serving and not terminating).
  bool ready = false;
  bool serving = false;
  bool terminating = false;
};

struct ServicePort {
  std::string ns;
  std::string name;
  std::string port_name;              // "" for a single unnamed port
  std::string protocol = "TCP";       // TCP, UDP or SCTP
  std::vector<std::string> cluster_ips;  // IPv4 cluster IPs (none for headless)
  int32_t port = 0;                   // the service port
  int32_t node_port = 0;              // 0: none
  // spec.externalIPs and status.loadBalancer.ingress IPs: reached on `port` like a NodePort.
  std::vector<std::string> external_ips;
  bool external_local = false;  // externalTrafficPolicy: Local
  bool internal_local = false;  // internalTrafficPolicy: Local
  int32_t affinity_seconds = 0;  // sessionAffinity ClientIP timeout; 0: no affinity
  std::vector<Endpoint> endpoints;

  // "<ns>/<name>:<port_name or port>/<protocol>": unique per service port.
  std::string Key() const;
};

struct ProxyConfig {
  std::string table = "skiff-proxy";  // an nftables table of family ip, owned by skiff
  // The pods' range: traffic to a cluster IP from outside it (the host, another network) is
  // masqueraded so that replies come back through this node. "" masquerades nothing extra.
  std::string cluster_cidr;
  std::string node_name;  // endpoints on this node serve Local traffic policies
};

// Whether `ip` is a dotted-quad IPv4 address (the proxy's table is of family ip).
bool IsIpv4(const std::string& ip);

}  // namespace skiff::net::proxy
