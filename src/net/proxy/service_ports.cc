#include "net/proxy/service_ports.h"

#include <set>

#include "skiff/cli/ip.h"

namespace skiff::net::proxy {
namespace {

using nlohmann::json;

const json& Field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string Str(const json& obj, const char* key) {
  const json& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

int32_t Int(const json& obj, const char* key) {
  const json& v = Field(obj, key);
  return v.is_number_integer() ? v.get<int32_t>() : 0;
}

bool Condition(const json& conditions, const char* key, bool unset) {
  const json& v = Field(conditions, key);
  return v.is_boolean() ? v.get<bool>() : unset;
}

}  // namespace

bool IsIpv4(const std::string& ip) {
  auto a = cli::ParseIpAddress(ip);
  return a.ok() && a->family == cli::IpFamily::kV4;
}

std::vector<ServicePort> ServicePortsOf(const json& service,
                                        const std::vector<const json*>& slices) {
  std::vector<ServicePort> out;
  const json& meta = Field(service, "metadata");
  const json& spec = Field(service, "spec");
  const std::string type = Str(spec, "type").empty() ? "ClusterIP" : Str(spec, "type");
  if (type == "ExternalName") return out;

  std::vector<std::string> cluster_ips;
  const json& ips = Field(spec, "clusterIPs");
  if (ips.is_array()) {
    for (const json& ip : ips) {
      if (ip.is_string() && IsIpv4(ip.get<std::string>())) cluster_ips.push_back(ip);
    }
  } else if (IsIpv4(Str(spec, "clusterIP"))) {
    cluster_ips.push_back(Str(spec, "clusterIP"));
  }
  if (cluster_ips.empty()) return out;  // headless, or IPv6 only

  const bool external = type == "NodePort" || type == "LoadBalancer";
  std::vector<std::string> external_ips;
  if (const json& e = Field(spec, "externalIPs"); e.is_array()) {
    for (const json& ip : e) {
      if (ip.is_string() && IsIpv4(ip.get<std::string>())) external_ips.push_back(ip);
    }
  }
  if (type == "LoadBalancer") {
    const json& ingress = Field(Field(Field(service, "status"), "loadBalancer"), "ingress");
    if (ingress.is_array()) {
      for (const json& i : ingress) {
        if (IsIpv4(Str(i, "ip"))) external_ips.push_back(Str(i, "ip"));
      }
    }
  }
  int32_t affinity = 0;
  if (Str(spec, "sessionAffinity") == "ClientIP") {
    affinity = Int(Field(Field(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds");
    if (affinity <= 0) affinity = 10800;
  }

  const json& ports = Field(spec, "ports");
  if (!ports.is_array()) return out;
  for (const json& p : ports) {
    ServicePort sp;
    sp.ns = Str(meta, "namespace");
    sp.name = Str(meta, "name");
    sp.port_name = Str(p, "name");
    sp.protocol = Str(p, "protocol").empty() ? "TCP" : Str(p, "protocol");
    sp.cluster_ips = cluster_ips;
    sp.port = Int(p, "port");
    sp.node_port = external ? Int(p, "nodePort") : 0;
    sp.external_ips = external_ips;
    sp.external_local = external && Str(spec, "externalTrafficPolicy") == "Local";
    sp.internal_local = Str(spec, "internalTrafficPolicy") == "Local";
    sp.affinity_seconds = affinity;
    std::set<std::pair<std::string, int32_t>> seen;
    for (const json* slice : slices) {
      if (!slice || Str(*slice, "addressType") != "IPv4") continue;
      int32_t target = 0;
      const json& slice_ports = Field(*slice, "ports");
      if (!slice_ports.is_array()) continue;
      for (const json& sport : slice_ports) {
        const std::string proto = Str(sport, "protocol").empty() ? "TCP" : Str(sport, "protocol");
        if (Str(sport, "name") == sp.port_name && proto == sp.protocol) target = Int(sport, "port");
      }
      if (target <= 0) continue;
      const json& endpoints = Field(*slice, "endpoints");
      if (!endpoints.is_array()) continue;
      for (const json& e : endpoints) {
        const json& addresses = Field(e, "addresses");
        if (!addresses.is_array() || addresses.empty() || !addresses[0].is_string()) continue;
        Endpoint ep;
        ep.ip = addresses[0];
        ep.port = target;
        if (!seen.emplace(ep.ip, ep.port).second) continue;
        ep.node = Str(e, "nodeName");
        const json& conditions = Field(e, "conditions");
        ep.ready = Condition(conditions, "ready", true);
        ep.serving = Condition(conditions, "serving", ep.ready);
        ep.terminating = Condition(conditions, "terminating", false);
        sp.endpoints.push_back(std::move(ep));
      }
    }
    out.push_back(std::move(sp));
  }
  return out;
}

}  // namespace skiff::net::proxy
