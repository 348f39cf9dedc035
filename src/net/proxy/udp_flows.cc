#include "net/proxy/udp_flows.h"

#include <map>
#include <set>

namespace skiff::net::proxy {
namespace {

struct UdpPort {
  std::vector<std::string> addresses;  // cluster and external IPs
  int32_t node_port = 0;
  std::set<std::string> endpoints;  // IPs of the endpoints that may serve traffic
};

std::map<std::string, UdpPort> UdpPorts(const std::vector<ServicePort>& ports) {
  std::map<std::string, UdpPort> out;
  for (const ServicePort& sp : ports) {
    if (sp.protocol != "UDP") continue;
    UdpPort& u = out[sp.Key()];
    u.addresses = sp.cluster_ips;
    u.addresses.insert(u.addresses.end(), sp.external_ips.begin(), sp.external_ips.end());
    u.node_port = sp.node_port;
    for (const Endpoint& e : sp.endpoints) {
      if (e.ready || (e.serving && e.terminating)) u.endpoints.insert(e.ip);
    }
  }
  return out;
}

}  // namespace

std::vector<std::vector<std::string>> StaleUdpFlows(const std::vector<ServicePort>& before,
                                                    const std::vector<ServicePort>& after) {
  std::vector<std::vector<std::string>> out;
  const std::map<std::string, UdpPort> old_ports = UdpPorts(before);
  const std::map<std::string, UdpPort> new_ports = UdpPorts(after);
  for (const auto& [key, old_port] : old_ports) {
    auto it = new_ports.find(key);
    const UdpPort* now = it == new_ports.end() ? nullptr : &it->second;
    for (const std::string& ep : old_port.endpoints) {
      if (now && now->endpoints.count(ep)) continue;
      for (const std::string& ip : old_port.addresses) {
        out.push_back({"-D", "-p", "udp", "--orig-dst", ip, "--dst-nat", ep});
      }
      if (old_port.node_port > 0) {
        out.push_back({"-D", "-p", "udp", "--orig-port-dst", std::to_string(old_port.node_port),
                       "--dst-nat", ep});
      }
    }
  }
  for (const auto& [key, now] : new_ports) {
    auto it = old_ports.find(key);
    const bool had_none = it == old_ports.end() || it->second.endpoints.empty();
    if (!had_none || now.endpoints.empty()) continue;
    for (const std::string& ip : now.addresses) {
      out.push_back({"-D", "-p", "udp", "--orig-dst", ip});
    }
    if (now.node_port > 0) {
      out.push_back({"-D", "-p", "udp", "--orig-port-dst", std::to_string(now.node_port)});
    }
  }
  return out;
}

}  // namespace skiff::net::proxy
