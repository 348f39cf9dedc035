#include "controllers/endpointslice_mirroring.h"

#include <algorithm>
#include <map>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/endpoint_util.h"
#include "controllers/endpointslice_endpoints.h"

namespace skiff::controllers {
namespace {

using EndpointSet = std::map<std::string, json>;  // EndpointKey -> endpoint

const json& ArrayAt(const json& obj, const char* key) {
  static const json kEmpty = json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

// epPortsToEpsPorts: the Endpoints' ports in their order, name and protocol always set.
json SlicePortsOf(const json& subset_ports) {
  json out = json::array();
  for (const json& p : subset_ports) {
    if (!p.is_object()) continue;
    json port = {{"name", p.value("name", "")}, {"protocol", p.value("protocol", "TCP")}};
    if (p.contains("port")) port["port"] = p["port"];
    if (p.contains("appProtocol") && p["appProtocol"].is_string()) {
      port["appProtocol"] = p["appProtocol"];
    }
    out.push_back(std::move(port));
  }
  return out;
}

std::map<std::string, std::string> MirroredAnnotations(const json& endpoints) {
  auto annotations = AnnotationMap(endpoints);
  annotations.erase(kAnnotationTriggerTime);
  annotations.erase(kAnnotationLastApplied);
  return annotations;
}

json ToJson(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

std::string GroupKey(const std::string& address_type, const json& ports) {
  return address_type + "/" + PortsKey(ports);
}

struct Group {
  std::string address_type;
  json ports;
  EndpointSet endpoints;
};

// totalChanges == 0: the slice holds exactly the desired endpoints.
bool SameEndpoints(const json& slice, const EndpointSet& desired) {
  size_t matches = 0;
  for (const json& endpoint : SliceEndpoints(slice)) {
    auto it = desired.find(EndpointKey(endpoint));
    if (it == desired.end() || !EndpointsEqualBeyondKey(it->second, endpoint)) return false;
    ++matches;
  }
  return matches == desired.size();
}

void ReconcileGroup(const json& endpoints, const std::vector<const json*>& existing, Group group,
                    size_t max, MirrorPlan& plan) {
  if (group.endpoints.empty()) {
    for (const json* slice : existing) plan.remove.push_back(*slice);
    return;
  }
  std::string name;
  if (!existing.empty()) {
    for (size_t i = 1; i < existing.size(); ++i) plan.remove.push_back(*existing[i]);
    const json& first = *existing[0];
    auto compare_labels = LabelMap(first);
    compare_labels.erase(kLabelManagedBy);
    compare_labels.erase(kLabelServiceName);
    if (SameEndpoints(first, group.endpoints) && LabelMap(endpoints) == compare_labels &&
        MirroredAnnotations(endpoints) == AnnotationMap(first)) {
      return;
    }
    name = NameOf(first);
  }
  json slice = NewMirroredSlice(endpoints, group.ports, group.address_type, name);
  for (auto it = group.endpoints.begin();
       it != group.endpoints.end() && slice["endpoints"].size() < max; ++it) {
    slice["endpoints"].push_back(std::move(it->second));
  }
  (name.empty() ? plan.create : plan.update).push_back(std::move(slice));
}

}  // namespace

json AddressToEndpoint(const json& address, bool ready, std::string* address_type) {
  const std::string ip = CanonicalIP(address.is_object() ? address.value("ip", "") : "");
  if (ip.empty()) return nullptr;
  *address_type = ip.find(':') == std::string::npos ? "IPv4" : "IPv6";
  json endpoint = {{"addresses", json::array({ip})}, {"conditions", {{"ready", ready}}}};
  if (address.contains("targetRef") && address["targetRef"].is_object()) {
    endpoint["targetRef"] = address["targetRef"];
  }
  if (!address.value("nodeName", "").empty()) endpoint["nodeName"] = address["nodeName"];
  if (!address.value("hostname", "").empty()) endpoint["hostname"] = address["hostname"];
  return endpoint;
}

json NewMirroredSlice(const json& endpoints, const json& ports, const std::string& address_type,
                      const std::string& name) {
  const OwnerKind kind{"v1", "Endpoints", client::Endpoints()};
  auto labels = LabelMap(endpoints);
  labels[kLabelServiceName] = NameOf(endpoints);
  labels[kLabelManagedBy] = kMirroringControllerName;
  json meta = {{"namespace", NamespaceOf(endpoints)},
               {"labels", ToJson(labels)},
               {"ownerReferences", json::array({MakeControllerRef(endpoints, kind)})}};
  const auto annotations = MirroredAnnotations(endpoints);
  if (!annotations.empty()) meta["annotations"] = ToJson(annotations);
  if (name.empty()) {
    meta["generateName"] = SlicePrefix(NameOf(endpoints));
  } else {
    meta["name"] = name;
  }
  return {{"apiVersion", "discovery.k8s.io/v1"}, {"kind", "EndpointSlice"},
          {"metadata", std::move(meta)},         {"addressType", address_type},
          {"endpoints", json::array()},          {"ports", ports}};
}

MirrorPlan PlanMirroredSlices(const json& endpoints, const std::vector<client::ObjectPtr>& existing,
                              int max_endpoints_per_subset) {
  MirrorPlan plan;
  const size_t max = static_cast<size_t>(std::max(1, max_endpoints_per_subset));
  std::map<std::string, Group> desired;
  for (const json& subset : ArrayAt(endpoints, "subsets")) {
    const json ports = SlicePortsOf(ArrayAt(subset, "ports"));
    for (const char* type : {"IPv4", "IPv6"}) {
      auto [it, inserted] = desired.try_emplace(GroupKey(type, ports));
      if (inserted) it->second = Group{type, ports, {}};
    }
    const size_t total =
        ArrayAt(subset, "addresses").size() + ArrayAt(subset, "notReadyAddresses").size();
    size_t added = 0;
    for (const auto& [key, ready] :
         {std::make_pair("addresses", true), std::make_pair("notReadyAddresses", false)}) {
      for (const json& address : ArrayAt(subset, key)) {
        if (added >= max) break;
        std::string type;
        json endpoint = AddressToEndpoint(address, ready, &type);
        if (endpoint.is_null()) {
          ++plan.invalid_addresses;
          continue;
        }
        std::string endpoint_key = EndpointKey(endpoint);  // before the move below
        desired[GroupKey(type, ports)].endpoints[endpoint_key] = std::move(endpoint);
        ++added;
      }
    }
    plan.skipped_addresses += static_cast<int>(total - added);
  }

  std::vector<const json*> sorted;
  for (const auto& s : existing) sorted.push_back(s.get());
  std::sort(sorted.begin(), sorted.end(),
            [](const json* a, const json* b) { return NameOf(*a) < NameOf(*b); });
  std::map<std::string, std::vector<const json*>> existing_by_key;
  for (const json* slice : sorted) {
    existing_by_key[GroupKey(slice->value("addressType", ""), SlicePorts(*slice))].push_back(slice);
  }
  for (auto& [key, group] : desired) {
    ReconcileGroup(endpoints, existing_by_key[key], std::move(group), max, plan);
  }
  for (const auto& [key, slices] : existing_by_key) {
    if (desired.count(key)) continue;
    for (const json* slice : slices) plan.remove.push_back(*slice);
  }

  // recycleSlices: per address type, the i-th create replaces the i-th delete.
  for (const char* type : {"IPv4", "IPv6"}) {
    for (;;) {
      auto c = std::find_if(plan.create.begin(), plan.create.end(),
                            [&](const json& s) { return s.value("addressType", "") == type; });
      auto d = std::find_if(plan.remove.begin(), plan.remove.end(),
                            [&](const json& s) { return s.value("addressType", "") == type; });
      if (c == plan.create.end() || d == plan.remove.end()) break;
      json slice = std::move(*c);
      slice["metadata"].erase("generateName");
      slice["metadata"]["name"] = NameOf(*d);
      plan.create.erase(c);
      plan.remove.erase(d);
      plan.update.push_back(std::move(slice));
    }
  }
  return plan;
}

}  // namespace skiff::controllers
