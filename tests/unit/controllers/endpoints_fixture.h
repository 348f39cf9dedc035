// What the Endpoints, EndpointSlice and mirroring controller tests share: Services, pods with
// IPs (as a kubelet reports them), nodes, reading Endpoints and slices back, waiting for the
// informer caches, and a client whose writes of one resource can be made to fail.
#pragma once

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "controllers/controller_ref.h"
#include "controllers/endpoint_util.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers::testing {

// Service "web" selecting app=web, port "http" 80 -> targetPort (8080 by default).
inline json WebService(const json& target_port = 8080, const std::string& name = "web") {
  return {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", name}, {"labels", {{"team", "blue"}}}}},
      {"spec",
       {{"selector", {{"app", "web"}}},
        {"clusterIP", "10.43.0.10"},
        {"ipFamilies", {"IPv4"}},
        {"ports",
         {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", target_port}}}}}}};
}

inline json CreateService(ControllerCluster& c, const json& svc) {
  return Ok(c.client->Create(client::Services(), "default", svc));
}

inline json CreateNode(ControllerCluster& c, const std::string& name,
                       const std::string& zone = "") {
  json node = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}};
  if (!zone.empty()) node["metadata"]["labels"] = {{"topology.kubernetes.io/zone", zone}};
  return Ok(c.client->Create(client::Nodes(), "", node));
}

struct PodSpec {
  std::string ip;  // "" = no IP yet
  bool ready = true;
  std::string node = "node-a";
  json labels = {{"app", "web"}};
  json container_ports = nullptr;  // e.g. [{"name":"http","containerPort":8080}]
  std::string hostname, subdomain;
  std::string phase = "Running";
};

// Creates pod `name` and reports its status (phase, IP, Ready) as a kubelet would.
inline json CreateWebPod(ControllerCluster& c, const std::string& name, const PodSpec& spec) {
  json pod = client::testing::Pod(name, spec.node);
  pod["metadata"]["labels"] = spec.labels;
  if (!spec.container_ports.is_null()) pod["spec"]["containers"][0]["ports"] = spec.container_ports;
  if (!spec.hostname.empty()) pod["spec"]["hostname"] = spec.hostname;
  if (!spec.subdomain.empty()) pod["spec"]["subdomain"] = spec.subdomain;
  c.CreatePod("default", pod);
  const std::string status = spec.ready ? "True" : "False";
  json st = {
      {"phase", spec.phase},
      {"conditions",
       {{{"type", "Ready"}, {"status", status}, {"lastTransitionTime", "2024-05-01T10:00:00Z"}}}}};
  if (!spec.ip.empty()) {
    st["podIP"] = spec.ip;
    st["podIPs"] = {{{"ip", spec.ip}}};
  }
  return Ok(c.api().MergePatch(client::Pods(), "default", name, {{"status", st}}, "status"));
}

inline json GetEndpoints(ControllerCluster& c, const std::string& name = "web") {
  return Ok(c.client->Get(client::Endpoints(), "default", name));
}

inline bool EndpointsExist(ControllerCluster& c, const std::string& name = "web") {
  return c.client->Get(client::Endpoints(), "default", name).ok();
}

// The slices labelled kubernetes.io/service-name=<service> and managed by `manager`, by name.
inline std::vector<json> SlicesOf(ControllerCluster& c, const std::string& service,
                                  const std::string& manager) {
  const json list = Ok(c.client->List(
      client::EndpointSlices(), "default",
      {std::string(kLabelServiceName) + "=" + service + "," + kLabelManagedBy + "=" + manager,
       ""}));
  std::vector<json> out(list["items"].begin(), list["items"].end());
  std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
    return a["metadata"]["name"] < b["metadata"]["name"];
  });
  return out;
}

// A slice's endpoints' targetRef names, sorted.
inline std::vector<std::string> EndpointNames(const json& slice) {
  std::vector<std::string> out;
  for (const json& ep : slice.value("endpoints", json::array())) {
    out.push_back(ep["targetRef"]["name"]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The endpoint of pod `pod` in `slice` (null when absent).
inline json EndpointFor(const json& slice, const std::string& pod) {
  for (const json& ep : slice.value("endpoints", json::array())) {
    if (ep["targetRef"]["name"] == pod) return ep;
  }
  return nullptr;
}

// Waits until `r`'s informer cache holds `ns/name` and `cond` holds for it.
template <class F>
void WaitCached(ControllerCluster& c, const client::Resource& r, const std::string& key, F cond) {
  REQUIRE(Eventually([&] {
    auto obj = c.informers.For(r).Get(key);
    return obj && cond(*obj);
  }));
}

// Waits until `r`'s informer cache holds `key` at the resourceVersion of `obj`.
inline void WaitCachedAt(ControllerCluster& c, const client::Resource& r, const json& obj) {
  const std::string rv = obj["metadata"]["resourceVersion"];
  WaitCached(c, r, client::KeyOf(obj),
             [&](const json& o) { return o["metadata"]["resourceVersion"] == rv; });
}

// Waits until `r`'s informer cache no longer holds `key`.
inline void WaitGone(ControllerCluster& c, const client::Resource& r, const std::string& key) {
  REQUIRE(Eventually([&] { return c.informers.For(r).Get(key) == nullptr; }));
}

// Waits until the informer cache of slices shows exactly the API's slices of `service`.
inline void WaitSlicesCached(ControllerCluster& c, const std::string& service,
                             const std::string& manager) {
  REQUIRE(Eventually([&] {
    const auto api = SlicesOf(c, service, manager);
    size_t cached = 0;
    for (const auto& s : c.informers.For(client::EndpointSlices()).ListNamespace("default")) {
      if ((*s)["metadata"].value("labels", json::object()).value(kLabelServiceName, "") !=
              service ||
          (*s)["metadata"]["labels"].value(kLabelManagedBy, "") != manager) {
        continue;
      }
      ++cached;
      bool found = false;
      for (const auto& a : api) {
        found |= a["metadata"]["resourceVersion"] == (*s)["metadata"]["resourceVersion"];
      }
      if (!found) return false;
    }
    return cached == api.size();
  }));
}

// "Type Reason Message" of the Events about `name` from `component`, sorted.
inline std::vector<std::string> EventsAbout(ControllerCluster& c, const std::string& name,
                                            const std::string& component) {
  std::vector<std::string> out;
  const json list = Ok(c.client->List(client::Events(), "default", {}));
  for (const json& e : list["items"]) {
    if (e["involvedObject"]["name"] != name || e["source"]["component"] != component) continue;
    out.push_back(e["type"].get<std::string>() + " " + e["reason"].get<std::string>() + " " +
                  e["message"].get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Forwards to the cluster's client; creates and updates of `failing` fail while fail is set.
class FailingClient : public client::testing::ProxyClient {
 public:
  FailingClient(client::Client& inner, client::Resource failing)
      : ProxyClient(inner), failing_(std::move(failing)) {}
  std::atomic<bool> fail{false};

  Result<json> Create(const client::Resource& r, const std::string& ns, const json& obj) override {
    if (Failing(r)) return InvalidArgumentError("admission webhook denied the request");
    return ProxyClient::Create(r, ns, obj);
  }
  Result<json> Update(const client::Resource& r, const std::string& ns, const json& obj,
                      const std::string& sub) override {
    if (Failing(r)) return InvalidArgumentError("admission webhook denied the request");
    return ProxyClient::Update(r, ns, obj, sub);
  }

 private:
  bool Failing(const client::Resource& r) const {
    return fail.load() && r.resource == failing_.resource && r.group == failing_.group;
  }
  const client::Resource failing_;
};

}  // namespace skiff::controllers::testing
