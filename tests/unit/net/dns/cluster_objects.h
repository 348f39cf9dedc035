// Services and EndpointSlices as the API serves them, for the cluster DNS tests.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace skiff::net::dns::testing {

using nlohmann::json;

struct PortSpec {
  std::string name;
  int port;
  std::string protocol = "TCP";
};

inline json PortsJson(const std::vector<PortSpec>& ports) {
  json out = json::array();
  for (const auto& p : ports) {
    json j = {{"port", p.port}, {"protocol", p.protocol}};
    if (!p.name.empty()) j["name"] = p.name;
    out.push_back(j);
  }
  return out;
}

// A ClusterIP service (clusterIPs {"None"} makes it headless).
inline json ServiceJson(const std::string& ns, const std::string& name,
                        const std::vector<std::string>& cluster_ips,
                        const std::vector<PortSpec>& ports) {
  json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", name}, {"namespace", ns}}},
              {"spec", {{"type", "ClusterIP"}, {"ports", PortsJson(ports)}}}};
  if (!cluster_ips.empty()) {
    svc["spec"]["clusterIP"] = cluster_ips.front();
    svc["spec"]["clusterIPs"] = cluster_ips;
  }
  return svc;
}

inline json ExternalNameJson(const std::string& ns, const std::string& name,
                             const std::string& target) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"type", "ExternalName"}, {"externalName", target}}}};
}

struct EndpointSpec {
  std::vector<std::string> addresses;
  std::string hostname;       // "" = none
  std::optional<bool> ready;  // nullopt = condition absent
};

inline json SliceJson(const std::string& ns, const std::string& service, const std::string& name,
                      const std::string& address_type, const std::vector<EndpointSpec>& eps,
                      const std::vector<PortSpec>& ports) {
  json endpoints = json::array();
  for (const auto& e : eps) {
    json j = {{"addresses", e.addresses}, {"conditions", json::object()}};
    if (!e.hostname.empty()) j["hostname"] = e.hostname;
    if (e.ready) j["conditions"]["ready"] = *e.ready;
    endpoints.push_back(j);
  }
  return {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"name", name}, {"namespace", ns}, {"labels", {{"kubernetes.io/service-name", service}}}}},
      {"addressType", address_type},
      {"endpoints", endpoints},
      {"ports", PortsJson(ports)}};
}

}  // namespace skiff::net::dns::testing
