#include "controllers/endpoints_subsets.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <tuple>

#include "api/object_util.h"
#include "controllers/endpoint_util.h"
#include "controllers/pod_util.h"

namespace skiff::controllers {
namespace {

const json& ArrayAt(const json& obj, const char* key) {
  static const json kEmpty = json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

std::string AddressUid(const json& addr) { return api::GetString(addr, {"targetRef", "uid"}); }

// LessEndpointAddress: by IP bytes, then targetRef uid (no targetRef first).
bool AddressLess(const json& a, const json& b) {
  const std::string ip_a = a.value("ip", ""), ip_b = b.value("ip", "");
  if (ip_a != ip_b) return ip_a < ip_b;
  const bool ref_a = a.contains("targetRef"), ref_b = b.contains("targetRef");
  if (!ref_b) return false;
  if (!ref_a) return true;
  return AddressUid(a) < AddressUid(b);
}

auto PortTuple(const json& p) {
  return std::make_tuple(p.value("name", ""), p.value("port", int64_t{0}), p.value("protocol", ""),
                         p.value("appProtocol", ""));
}

json EndpointPort(const json& service_port, int64_t number) {
  json port = {{"port", number}, {"protocol", service_port.value("protocol", "TCP")}};
  if (!service_port.value("name", "").empty()) port["name"] = service_port["name"];
  if (service_port.contains("appProtocol") && service_port["appProtocol"].is_string()) {
    port["appProtocol"] = service_port["appProtocol"];
  }
  return port;
}

json SingleSubset(const json& address, bool ready, const json& port) {
  json subset = json::object();
  subset[ready ? "addresses" : "notReadyAddresses"] = json::array({address});
  if (!port.is_null()) subset["ports"] = json::array({port});
  return subset;
}

// A subset as the API stores it: empty lists absent, targetRef without resourceVersion.
json Normalized(const json& subset) {
  json out = json::object();
  for (const char* key : {"addresses", "notReadyAddresses", "ports"}) {
    const json& list = ArrayAt(subset, key);
    if (list.empty()) continue;
    json copy = list;
    if (std::string(key) != "ports") {
      for (json& addr : copy) {
        if (addr.is_object() && addr.contains("targetRef") && addr["targetRef"].is_object()) {
          addr["targetRef"].erase("resourceVersion");
        }
      }
    }
    out[key] = std::move(copy);
  }
  return out;
}

}  // namespace

json PodEndpointAddress(const json& service, const json& pod) {
  bool want_v6 = false;
  const json* families = api::Find(service, {"spec", "ipFamilies"});
  if (families && families->is_array() && !families->empty() && (*families)[0].is_string()) {
    want_v6 = (*families)[0].get<std::string>() == "IPv6";
  } else if (IsServiceIPSet(service)) {
    want_v6 = IsIPv6(api::GetString(service, {"spec", "clusterIP"}));
  } else {
    want_v6 = IsIPv6(api::GetString(pod, {"status", "podIP"}));
  }
  std::string ip;
  for (const std::string& candidate : PodIPs(pod)) {
    if (IsIPv6(candidate) == want_v6) {
      ip = candidate;
      break;
    }
  }
  if (ip.empty()) return nullptr;
  json address = {{"ip", ip},
                  {"targetRef",
                   {{"kind", "Pod"},
                    {"namespace", api::GetString(pod, {"metadata", "namespace"})},
                    {"name", api::GetString(pod, {"metadata", "name"})},
                    {"uid", api::GetString(pod, {"metadata", "uid"})}}}};
  const std::string node = api::GetString(pod, {"spec", "nodeName"});
  if (!node.empty()) address["nodeName"] = node;
  if (ShouldSetHostname(pod, service)) {
    address["hostname"] = api::GetString(pod, {"spec", "hostname"});
  }
  return address;
}

DesiredSubsets ComputeSubsets(const json& service, const std::vector<client::ObjectPtr>& pods) {
  DesiredSubsets out;
  const bool publish = api::Find(service, {"spec", "publishNotReadyAddresses"}) &&
                       service["spec"]["publishNotReadyAddresses"].is_boolean() &&
                       service["spec"]["publishNotReadyAddresses"].get<bool>();
  static const json kNoPorts = json::array();
  const json* ports_json = api::Find(service, {"spec", "ports"});
  const json& service_ports = ports_json && ports_json->is_array() ? *ports_json : kNoPorts;
  const bool headless = api::GetString(service, {"spec", "clusterIP"}) == "None";
  json singles = json::array();
  for (const auto& pod_ptr : pods) {
    const json& pod = *pod_ptr;
    if (!ShouldPodBeInEndpoints(pod, publish)) continue;
    json address = PodEndpointAddress(service, pod);
    if (address.is_null()) continue;
    const bool ready = publish || IsPodReady(pod);
    if (service_ports.empty()) {
      // A headless Service may have no ports; others get no endpoints without them.
      if (!headless) continue;
      singles.push_back(SingleSubset(address, ready, nullptr));
      (ready ? out.ready : out.not_ready)++;
      continue;
    }
    for (const json& service_port : service_ports) {
      auto number = FindPort(pod, service_port);
      if (!number) continue;
      singles.push_back(SingleSubset(address, ready, EndpointPort(service_port, *number)));
      (ready ? out.ready : out.not_ready)++;
    }
  }
  out.subsets = RepackSubsets(singles);
  return out;
}

json RepackSubsets(const json& subsets) {
  // Every distinct address (by IP and targetRef uid), as first seen.
  std::vector<json> addresses;
  std::map<std::pair<std::string, std::string>, size_t> address_index;
  // Per port (its canonical text; "" for the port-less sentinel): the port, and the ready
  // state of every address offering it.
  struct PortAddresses {
    json port;
    std::map<size_t, bool> ready;
  };
  std::map<std::string, PortAddresses> by_port;

  auto add = [&](const json& addr, const json& port, bool ready) {
    const auto key = std::make_pair(addr.value("ip", ""), AddressUid(addr));
    auto [it, inserted] = address_index.try_emplace(key, addresses.size());
    if (inserted) addresses.push_back(addr);
    PortAddresses& entry = by_port[port.is_null() ? std::string() : port.dump()];
    entry.port = port;
    auto found = entry.ready.find(it->second);
    // Not ready always trumps ready.
    if (found == entry.ready.end() || found->second) entry.ready[it->second] = ready;
  };
  for (const json& subset : subsets) {
    const json& ports = ArrayAt(subset, "ports");
    std::vector<json> each(ports.begin(), ports.end());
    if (each.empty()) each.push_back(nullptr);
    for (const json& port : each) {
      for (const json& a : ArrayAt(subset, "addresses")) add(a, port, true);
      for (const json& a : ArrayAt(subset, "notReadyAddresses")) add(a, port, false);
    }
  }

  // Ports grouped by the exact set of (address, ready) offering them.
  struct Group {
    std::map<size_t, bool> ready;
    std::vector<json> ports;
  };
  std::map<std::string, Group> groups;
  for (const auto& [text, entry] : by_port) {
    std::vector<std::string> parts;
    for (const auto& [index, ready] : entry.ready) {
      parts.push_back(addresses[index].value("ip", "") + "\x1f" + AddressUid(addresses[index]) +
                      (ready ? "\x1fR" : "\x1fN"));
    }
    std::sort(parts.begin(), parts.end());
    std::string signature;
    for (const auto& p : parts) signature += p + "\x1e";
    Group& group = groups[signature];
    group.ready = entry.ready;
    if (!entry.port.is_null()) group.ports.push_back(entry.port);
  }

  std::vector<json> result;
  for (auto& [signature, group] : groups) {
    std::vector<json> ready, not_ready;
    for (const auto& [index, is_ready] : group.ready) {
      (is_ready ? ready : not_ready).push_back(addresses[index]);
    }
    std::sort(ready.begin(), ready.end(), AddressLess);
    std::sort(not_ready.begin(), not_ready.end(), AddressLess);
    std::sort(group.ports.begin(), group.ports.end(),
              [](const json& a, const json& b) { return PortTuple(a) < PortTuple(b); });
    json subset = json::object();
    if (!ready.empty()) subset["addresses"] = ready;
    if (!not_ready.empty()) subset["notReadyAddresses"] = not_ready;
    if (!group.ports.empty()) subset["ports"] = group.ports;
    result.push_back(std::move(subset));
  }
  std::sort(result.begin(), result.end(),
            [](const json& a, const json& b) { return a.dump() < b.dump(); });
  return json(result);
}

size_t CountAddresses(const json& subsets) {
  size_t n = 0;
  if (!subsets.is_array()) return 0;
  for (const json& s : subsets) {
    n += ArrayAt(s, "addresses").size() + ArrayAt(s, "notReadyAddresses").size();
  }
  return n;
}

bool TruncateSubsets(json& subsets, size_t max_capacity) {
  size_t total_ready = 0, total_not_ready = 0;
  for (const json& s : subsets) {
    total_ready += ArrayAt(s, "addresses").size();
    total_not_ready += ArrayAt(s, "notReadyAddresses").size();
  }
  if (total_ready + total_not_ready <= max_capacity) return false;
  const bool truncate_ready = total_ready > max_capacity;
  const size_t max = truncate_ready ? max_capacity : max_capacity - total_ready;
  const size_t total = truncate_ready ? total_ready : total_not_ready;
  size_t can_be_added = max;
  json kept = json::array();
  for (json subset : subsets) {
    const char* key = truncate_ready ? "addresses" : "notReadyAddresses";
    const size_t in_subset = ArrayAt(subset, key).size();
    size_t to_add = static_cast<size_t>(
        std::ceil(static_cast<double>(in_subset) / static_cast<double>(total) * max));
    to_add = std::min(to_add, can_be_added);
    if (in_subset > to_add) {
      json& list = subset[key];
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(to_add), list.end());
    }
    can_be_added -= std::min(in_subset, to_add);
    if (truncate_ready) subset.erase("notReadyAddresses");
    for (const char* k : {"addresses", "notReadyAddresses"}) {
      if (subset.contains(k) && subset[k].empty()) subset.erase(k);
    }
    if (subset.contains("addresses") || subset.contains("notReadyAddresses")) {
      kept.push_back(std::move(subset));
    }
  }
  subsets = std::move(kept);
  return true;
}

bool SubsetsEqual(const json& a, const json& b) {
  const json& la = a.is_array() ? a : json::array();
  const json& lb = b.is_array() ? b : json::array();
  if (la.size() != lb.size()) return false;
  for (size_t i = 0; i < la.size(); ++i) {
    if (Normalized(la[i]) != Normalized(lb[i])) return false;
  }
  return true;
}

}  // namespace skiff::controllers
