// What the node lifecycle, taint eviction and pod GC tests share: a ControllerCluster with the
// kube-node-lease namespace, a clock the test moves by hand, and helpers that play the node
// agent (register a Node, post its status, renew its Lease) and read what the controllers did
// (conditions, taints, events).
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "api/object_util.h"
#include "controllers/node_util.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers::testing {

using Time = std::chrono::system_clock::time_point;

// A clock a test sets; start is a whole second (API times have seconds precision).
class FakeClock {
 public:
  FakeClock() : now_(Time(std::chrono::seconds(1'900'000'000))) {}
  Time Now() const { return now_.load(); }
  void Advance(std::chrono::milliseconds d) { now_.store(now_.load() + d); }
  void Set(Time t) { now_.store(t); }
  NowFn Fn() {
    return [this] { return Now(); };
  }

 private:
  std::atomic<Time> now_;
};

inline std::string At(Time t) { return api::Rfc3339(t); }

// metav1.MicroTime, as a Lease's renewTime.
inline std::string MicroAt(Time t) {
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  char frac[16];
  snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(us));
  const std::string base = api::Rfc3339(t);
  return base.substr(0, base.size() - 1) + frac + "Z";
}

struct NodeCluster : ControllerCluster {
  NodeCluster() {
    Ok(client->Create(client::Namespaces(), "", {{"metadata", {{"name", kNodeLeaseNamespace}}}}));
  }

  // A node as an agent registers it, with labels.
  json CreateNode(const std::string& name, const json& labels = json::object()) {
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", name}, {"labels", labels}}},
                 {"spec", json::object()}};
    return Ok(client->Create(client::Nodes(), "", node));
  }

  // The agent's status post: the four kubelet conditions, Ready as given and the pressure
  // conditions False (or `pressure` True), heartbeat at `at`.
  json PostStatus(const std::string& name, const std::string& ready, Time at,
                  const std::string& pressure = "") {
    json node = Ok(client->Get(client::Nodes(), "", name));
    json conditions = json::array();
    for (const char* type : {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"}) {
      const std::string status =
          std::string(type) == "Ready" ? ready : (pressure == type ? "True" : "False");
      json old = nullptr;
      if (const json* c = FindCondition(node, type)) old = *c;
      conditions.push_back({{"type", type},
                            {"status", status},
                            {"reason", std::string("Kubelet") + type},
                            {"message", std::string("kubelet says ") + type},
                            {"lastHeartbeatTime", At(at)},
                            {"lastTransitionTime", old.is_object() && old["status"] == status
                                                       ? old["lastTransitionTime"]
                                                       : json(At(at))}});
    }
    node["status"]["conditions"] = conditions;
    return Ok(api().Update(client::Nodes(), "", node, "status"));
  }

  // Creates or renews the node's Lease at `at`.
  json RenewLease(const std::string& name, Time at) {
    auto lease = client->Get(client::Leases(), kNodeLeaseNamespace, name);
    if (!lease.ok()) {
      json obj = {
          {"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}, {"namespace", kNodeLeaseNamespace}}},
          {"spec",
           {{"holderIdentity", name}, {"leaseDurationSeconds", 40}, {"renewTime", MicroAt(at)}}}};
      return Ok(client->Create(client::Leases(), kNodeLeaseNamespace, obj));
    }
    (*lease)["spec"]["renewTime"] = MicroAt(at);
    return Ok(api().Update(client::Leases(), kNodeLeaseNamespace, *lease));
  }

  json Node(const std::string& name) { return Ok(client->Get(client::Nodes(), "", name)); }

  // Waits until the informer of r caches `obj` at least at its resourceVersion.
  void WaitCached(const client::Resource& r, const json& obj) {
    client::Informer& inf = informers.For(r);
    const std::string key = client::KeyOf(obj);
    const int64_t want = std::stoll(obj["metadata"]["resourceVersion"].get<std::string>());
    REQUIRE(Eventually([&] {
      client::ObjectPtr cached = inf.Get(key);
      return cached &&
             std::stoll((*cached)["metadata"]["resourceVersion"].get<std::string>()) >= want;
    }));
  }
  // Waits until the caches show the current state of the node, its lease and the pods.
  void Settle(const std::vector<std::string>& nodes) {
    for (const std::string& n : nodes) {
      WaitCached(client::Nodes(), Node(n));
      auto lease = client->Get(client::Leases(), kNodeLeaseNamespace, n);
      if (lease.ok()) WaitCached(client::Leases(), *lease);
    }
    const json pods = Ok(client->List(client::Pods(), "", {}));
    for (const json& p : pods["items"]) WaitCached(client::Pods(), p);
  }

  // "key:effect" of each taint, in order.
  std::vector<std::string> Taints(const std::string& node) {
    std::vector<std::string> out;
    const json n = Node(node);
    if (n["spec"].contains("taints")) {
      for (const json& t : n["spec"]["taints"]) {
        out.push_back(t["key"].get<std::string>() + ":" + t["effect"].get<std::string>());
      }
    }
    return out;
  }
  // The taint's timeAdded ("" when none or no such taint).
  std::string TaintAdded(const std::string& node, const std::string& key,
                         const std::string& effect) {
    const json n = Node(node);
    for (const json& t : n["spec"].value("taints", json::array())) {
      if (t["key"] == key && t["effect"] == effect) return t.value("timeAdded", "");
    }
    return "";
  }

  // Events about `name` in `ns`, sorted, as "Type Reason: message" (+ " x<count>" when > 1).
  std::vector<std::string> EventsFor(const std::string& ns, const std::string& name) {
    std::vector<std::string> out;
    const json list = Ok(client->List(client::Events(), ns, {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"].value("name", "") != name) continue;
      const int count = e.value("count", 1);
      out.push_back(e.value("type", "") + " " + e.value("reason", "") + ": " +
                    e.value("message", "") + (count > 1 ? " x" + std::to_string(count) : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string EventSource(const std::string& ns, const std::string& reason) {
    const json list = Ok(client->List(client::Events(), ns, {}));
    for (const json& e : list["items"]) {
      if (e.value("reason", "") == reason) return e["source"].value("component", "");
    }
    return "";
  }
};

// A pod bound to `node`, with tolerations.
inline json PodOn(const std::string& name, const std::string& node,
                  const std::vector<json>& tolerations = {}) {
  json pod = client::testing::Pod(name, node);
  if (!tolerations.empty()) pod["spec"]["tolerations"] = tolerations;
  return pod;
}

inline json Toleration(const std::string& key, const std::string& effect,
                       std::optional<int64_t> seconds = std::nullopt) {
  json t = {{"key", key}, {"operator", "Exists"}, {"effect", effect}};
  if (seconds) t["tolerationSeconds"] = *seconds;
  return t;
}

}  // namespace skiff::controllers::testing
