#include "controllers/endpointslice_endpoints.h"

#include <algorithm>
#include <tuple>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/endpoint_util.h"
#include "controllers/pod_util.h"

namespace skiff::controllers {
namespace {

const json kEmptyArray = json::array();

bool IsReservedLabel(const std::string& key) {
  return key == kLabelServiceName || key == kLabelManagedBy || key == kLabelHeadless;
}

json CanonicalPort(const json& p) {
  json out = {{"name", p.is_object() ? p.value("name", "") : ""},
              {"protocol", p.is_object() ? p.value("protocol", "TCP") : "TCP"}};
  if (p.is_object() && p.contains("port")) out["port"] = p["port"];
  if (p.is_object() && p.contains("appProtocol") && p["appProtocol"].is_string()) {
    out["appProtocol"] = p["appProtocol"];
  }
  return out;
}

auto PortOrder(const json& p) {
  return std::make_tuple(p.value("name", ""), p.value("port", int64_t{0}), p.value("protocol", ""),
                         p.value("appProtocol", ""));
}

// A field compared as optional: absent and null alike.
json Optional(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? json(nullptr) : *it;
}

json TargetRefWithoutVersion(const json& endpoint) {
  json ref = Optional(endpoint, "targetRef");
  if (ref.is_object()) ref.erase("resourceVersion");
  return ref;
}

const json& ArrayOrEmpty(const json& obj, const char* key) {
  if (!obj.is_object()) return kEmptyArray;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmptyArray;
}

const json& OwnerReferences(const json& obj) {
  const json* refs = api::Find(obj, {"metadata", "ownerReferences"});
  return refs && refs->is_array() ? *refs : kEmptyArray;
}

}  // namespace

std::vector<std::string> AddressTypesForService(const json& service) {
  std::vector<std::string> out;
  const json* families = api::Find(service, {"spec", "ipFamilies"});
  if (families && families->is_array()) {
    for (const json& f : *families) {
      if (f == "IPv4" || f == "IPv6") out.push_back(f.get<std::string>());
    }
  }
  if (out.empty()) {
    if (IsServiceIPSet(service)) {
      out.push_back(IsIPv6(api::GetString(service, {"spec", "clusterIP"})) ? "IPv6" : "IPv4");
    } else {
      out = {"IPv4", "IPv6"};
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

json PodToEndpoint(const json& pod, const json* node, const json& service,
                   const std::string& address_type) {
  const bool serving = IsPodReady(pod);
  const bool terminating = IsBeingDeleted(pod);
  const json* publish = api::Find(service, {"spec", "publishNotReadyAddresses"});
  const bool ready =
      (publish && publish->is_boolean() && publish->get<bool>()) || (serving && !terminating);
  json addresses = json::array();
  for (const std::string& ip : PodIPs(pod)) {
    const std::string canonical = CanonicalIP(ip);
    if (canonical.empty()) continue;
    const bool v6 = canonical.find(':') != std::string::npos;
    if (v6 == (address_type == "IPv6")) addresses.push_back(canonical);
  }
  json endpoint = {
      {"addresses", addresses},
      {"conditions", {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}},
      {"targetRef",
       {{"kind", "Pod"},
        {"namespace", api::GetString(pod, {"metadata", "namespace"})},
        {"name", api::GetString(pod, {"metadata", "name"})},
        {"uid", api::GetString(pod, {"metadata", "uid"})}}}};
  const std::string node_name = api::GetString(pod, {"spec", "nodeName"});
  if (!node_name.empty()) endpoint["nodeName"] = node_name;
  if (node) {
    const std::string zone =
        api::GetString(*node, {"metadata", "labels", "topology.kubernetes.io/zone"});
    if (!zone.empty()) endpoint["zone"] = zone;
  }
  if (ShouldSetHostname(pod, service)) {
    endpoint["hostname"] = api::GetString(pod, {"spec", "hostname"});
  }
  return endpoint;
}

json EndpointPortsFor(const json& service, const json& pod) {
  json ports = json::array();
  const json* service_ports = api::Find(service, {"spec", "ports"});
  if (!service_ports || !service_ports->is_array()) return ports;
  for (const json& sp : *service_ports) {
    if (!sp.is_object()) continue;
    auto number = FindPort(pod, sp);
    if (!number) continue;
    json port = {{"name", sp.value("name", "")},
                 {"port", *number},
                 {"protocol", sp.value("protocol", "TCP")}};
    if (sp.contains("appProtocol") && sp["appProtocol"].is_string()) {
      port["appProtocol"] = sp["appProtocol"];
    }
    ports.push_back(std::move(port));
  }
  return CanonicalPorts(ports);
}

json CanonicalPorts(const json& ports) {
  std::vector<json> out;
  if (ports.is_array()) {
    for (const json& p : ports) out.push_back(CanonicalPort(p));
  }
  std::sort(out.begin(), out.end(),
            [](const json& a, const json& b) { return PortOrder(a) < PortOrder(b); });
  return json(out);
}

std::string PortsKey(const json& ports) { return CanonicalPorts(ports).dump(); }

std::string EndpointKey(const json& endpoint) {
  std::vector<std::string> addresses;
  for (const json& a : ArrayOrEmpty(endpoint, "addresses")) {
    if (a.is_string()) addresses.push_back(a.get<std::string>());
  }
  std::sort(addresses.begin(), addresses.end());
  std::string key;
  for (const auto& a : addresses) key += a + ",";
  key += "\x1f" + endpoint.value("hostname", "");
  const json ref = Optional(endpoint, "targetRef");
  if (ref.is_object()) key += "\x1f" + ref.value("namespace", "") + "/" + ref.value("name", "");
  return key;
}

bool EndpointsEqualBeyondKey(const json& a, const json& b) {
  if (Optional(a, "nodeName") != Optional(b, "nodeName")) return false;
  if (Optional(a, "zone") != Optional(b, "zone")) return false;
  const json ca = Optional(a, "conditions"), cb = Optional(b, "conditions");
  for (const char* c : {"ready", "serving", "terminating"}) {
    if (Optional(ca, c) != Optional(cb, c)) return false;
  }
  return TargetRefWithoutVersion(a) == TargetRefWithoutVersion(b);
}

std::string SlicePrefix(const std::string& name) { return name + "-"; }

json NewServiceSlice(const json& service, const json& ports, const std::string& address_type,
                     const std::string& controller_name) {
  const OwnerKind kind{"v1", "Service", client::Services()};
  json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                {"kind", "EndpointSlice"},
                {"metadata",
                 {{"generateName", SlicePrefix(api::GetString(service, {"metadata", "name"}))},
                  {"namespace", api::GetString(service, {"metadata", "namespace"})},
                  {"ownerReferences", json::array({MakeControllerRef(service, kind)})}}},
                {"addressType", address_type},
                {"endpoints", json::array()},
                {"ports", CanonicalPorts(ports)}};
  slice["metadata"]["labels"] = SliceLabels(slice, service, controller_name).first;
  return slice;
}

std::pair<json, bool> SliceLabels(const json& slice, const json& service,
                                  const std::string& controller_name) {
  std::map<std::string, std::string> slice_labels, service_labels;
  for (const auto& [k, v] : LabelMap(slice)) {
    if (!IsReservedLabel(k)) slice_labels[k] = v;
  }
  for (const auto& [k, v] : LabelMap(service)) {
    if (!IsReservedLabel(k)) service_labels[k] = v;
  }
  const bool changed = slice_labels != service_labels;
  json labels = json::object();
  for (const auto& [k, v] : service_labels) labels[k] = v;
  if (!IsServiceIPSet(service)) labels[kLabelHeadless] = "";
  labels[kLabelServiceName] = api::GetString(service, {"metadata", "name"});
  labels[kLabelManagedBy] = controller_name;
  return {labels, changed};
}

bool OwnedByService(const json& slice, const json& service) {
  const json* refs = api::Find(slice, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return false;
  const std::string uid = api::GetString(service, {"metadata", "uid"});
  for (const json& ref : *refs) {
    if (ref.is_object() && ref.value("uid", "") == uid && ref.value("kind", "") == "Service" &&
        ref.value("apiVersion", "") == "v1") {
      return true;
    }
  }
  return false;
}

bool PlaceholderEqual(const json& a, const json& b) {
  return api::GetString(a, {"metadata", "namespace"}) ==
             api::GetString(b, {"metadata", "namespace"}) &&
         LabelMap(a) == LabelMap(b) && OwnerReferences(a) == OwnerReferences(b) &&
         a.value("addressType", "") == b.value("addressType", "") &&
         SliceEndpoints(a) == SliceEndpoints(b) &&
         CanonicalPorts(SlicePorts(a)) == CanonicalPorts(SlicePorts(b));
}

const json& SliceEndpoints(const json& slice) { return ArrayOrEmpty(slice, "endpoints"); }
const json& SlicePorts(const json& slice) { return ArrayOrEmpty(slice, "ports"); }

void SetTriggerTimeAnnotation(json& slice, const std::string& value) {
  json& meta = slice["metadata"];
  json annotations = meta.value("annotations", json::object());
  if (!annotations.is_object()) annotations = json::object();
  if (value.empty()) {
    annotations.erase(kAnnotationTriggerTime);
  } else {
    annotations[kAnnotationTriggerTime] = value;
  }
  if (annotations.empty()) {
    meta.erase("annotations");
  } else {
    meta["annotations"] = annotations;
  }
}

}  // namespace skiff::controllers
