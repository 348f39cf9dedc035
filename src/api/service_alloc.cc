#include "service_alloc.h"

#include <set>

#include "skiff/cli/ip.h"

namespace skiff::api {

ApiResult<bool> ServiceAllocator::Allocate(store::Store& store, const apis::ResourceType& rt,
                                           json& svc) {
  if (cidr_.empty()) return true;
  json& spec = svc["spec"];
  const std::string type = spec.value("type", "ClusterIP");
  const std::string name = GetString(svc, {"metadata", "name"});
  if (type == "ExternalName") return true;
  auto prefix = cli::ParseCidr(cidr_);
  if (!prefix.ok()) return InternalError("bad service CIDR " + cidr_);

  std::set<std::string> used_ips;
  std::set<int64_t> used_ports;
  auto all = store.List({.prefix = StoragePrefix(rt, "")});
  if (!all.ok()) return FromStatus(all.status(), &rt, name);
  for (const auto& kv : all->items) {
    json other = json::parse(kv.value, nullptr, false);
    if (!other.is_object()) continue;
    used_ips.insert(GetString(other, {"spec", "clusterIP"}));
    if (const json* ports = Find(other, {"spec", "ports"}); ports && ports->is_array()) {
      for (const json& p : *ports) {
        if (p.contains("nodePort") && p["nodePort"].is_number_integer()) {
          used_ports.insert(p["nodePort"].get<int64_t>());
        }
      }
    }
  }

  std::string ip = spec.value("clusterIP", "");
  if (ip != "None") {
    if (ip.empty()) {
      const uint64_t size = prefix->host_bits() >= 20 ? (1u << 20) : (1ull << prefix->host_bits());
      for (uint64_t i = 1; i + 1 < size; ++i) {
        auto candidate = prefix->AddressAt(i);
        if (!candidate.ok()) break;
        std::string text = candidate->ToString();
        if (!used_ips.count(text)) {
          ip = text;
          break;
        }
      }
      if (ip.empty()) {
        return ApiError{500, "InternalError",
                        "Internal error occurred: failed to allocate a serviceIP: range is full",
                        nullptr};
      }
    } else {
      auto requested = cli::ParseIpAddress(ip);
      if (!requested.ok() || !prefix->Contains(*requested)) {
        return Invalid(rt, name,
                       {apis::FieldError::Invalid("spec.clusterIPs", json::array({ip}),
                                                  "failed to allocate IP " + ip +
                                                      ": the provided IP (" + ip +
                                                      ") is not in the valid range. The range of "
                                                      "valid IPs is " + cidr_)});
      }
      if (used_ips.count(ip)) {
        return Invalid(rt, name,
                       {apis::FieldError::Invalid(
                           "spec.clusterIPs", json::array({ip}),
                           "failed to allocate IP " + ip +
                               ": provided IP is already allocated")});
      }
    }
    spec["clusterIP"] = ip;
    spec["clusterIPs"] = json::array({ip});
    spec["ipFamilies"] = json::array({ip.find(':') == std::string::npos ? "IPv4" : "IPv6"});
    spec["ipFamilyPolicy"] = "SingleStack";
  } else {
    spec["clusterIPs"] = json::array({"None"});
    if (!spec.contains("ipFamilies")) spec["ipFamilies"] = json::array({"IPv4"});
    if (!spec.contains("ipFamilyPolicy")) spec["ipFamilyPolicy"] = "SingleStack";
  }

  if ((type == "NodePort" || type == "LoadBalancer") && spec.contains("ports") &&
      spec["ports"].is_array()) {
    int64_t next = 30000;
    for (json& p : spec["ports"]) {
      if (p.contains("nodePort") && p["nodePort"].is_number_integer() &&
          p["nodePort"].get<int64_t>() != 0) {
        const int64_t wanted = p["nodePort"].get<int64_t>();
        if (wanted < 30000 || wanted > 32767 || used_ports.count(wanted)) {
          return Invalid(rt, name,
                         {apis::FieldError::Invalid(
                             "spec.ports[0].nodePort", wanted,
                             used_ports.count(wanted)
                                 ? "provided port is already allocated"
                                 : "provided port is not in the valid range. The range of valid "
                                   "ports is 30000-32767")});
        }
        used_ports.insert(wanted);
        continue;
      }
      while (next <= 32767 && used_ports.count(next)) ++next;
      if (next > 32767) {
        return ApiError{500, "InternalError",
                        "Internal error occurred: failed to allocate a nodePort: range is full",
                        nullptr};
      }
      p["nodePort"] = next;
      used_ports.insert(next);
    }
  }
  return true;
}

}  // namespace skiff::api
