// What the garbage collector tests share: a cluster with a collector over it (optionally
// through a client whose informer for one resource lags), and makers of owners and dependents.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "controllers/controller_ref.h"
#include "controllers/garbage_collector.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers::testing {

using namespace std::chrono_literals;

// Forwards to another Client, slowing down the lists and the watch events of one resource
// (an informer that lags behind the others).
class LaggingClient : public client::Client {
 public:
  LaggingClient(client::Client& inner, std::string resource, std::chrono::milliseconds list_delay,
                std::chrono::milliseconds event_delay)
      : inner_(inner),
        resource_(std::move(resource)),
        list_delay_(list_delay),
        event_delay_(event_delay) {}

  Result<json> Get(const client::Resource& r, const std::string& ns,
                   const std::string& name) override {
    return inner_.Get(r, ns, name);
  }
  Result<json> List(const client::Resource& r, const std::string& ns,
                    const client::Selectors& s) override {
    if (r.resource == resource_) std::this_thread::sleep_for(list_delay_);
    return inner_.List(r, ns, s);
  }
  Result<json> Create(const client::Resource& r, const std::string& ns, const json& obj) override {
    return inner_.Create(r, ns, obj);
  }
  Result<json> Update(const client::Resource& r, const std::string& ns, const json& obj,
                      const std::string& sub) override {
    return inner_.Update(r, ns, obj, sub);
  }
  Result<json> MergePatch(const client::Resource& r, const std::string& ns, const std::string& name,
                          const json& patch, const std::string& sub) override {
    return inner_.MergePatch(r, ns, name, patch, sub);
  }
  Result<json> CreateSubresource(const client::Resource& r, const std::string& ns,
                                 const std::string& name, const std::string& sub,
                                 const json& obj) override {
    return inner_.CreateSubresource(r, ns, name, sub, obj);
  }
  Status Delete(const client::Resource& r, const std::string& ns, const std::string& name,
                const DeleteOptions& o) override {
    return inner_.Delete(r, ns, name, o);
  }
  Result<std::unique_ptr<client::Subscription>> Subscribe(const client::Resource& r,
                                                          const std::string& ns,
                                                          std::function<void()> changed) override {
    return inner_.Subscribe(r, ns, std::move(changed));
  }
  Result<std::unique_ptr<client::Subscription>> Watch(
      const client::Resource& r, const std::string& ns, const std::string& rv,
      std::function<void(std::vector<client::WatchEvent>&)> events,
      std::function<void(Status)> closed) override {
    if (r.resource != resource_) return inner_.Watch(r, ns, rv, std::move(events), closed);
    auto delay = event_delay_;
    return inner_.Watch(
        r, ns, rv,
        [delay, events](std::vector<client::WatchEvent>& batch) {
          std::this_thread::sleep_for(delay);
          events(batch);
        },
        closed);
  }

 private:
  client::Client& inner_;
  const std::string resource_;
  const std::chrono::milliseconds list_delay_, event_delay_;
};

inline GarbageCollectorOptions FastOptions() {
  GarbageCollectorOptions o;
  o.max_backoff = 200ms;
  o.unobserved_recheck = 50ms;
  o.informer.initial_backoff = 10ms;
  o.informer.max_backoff = 100ms;
  return o;
}

struct GcCluster : ControllerCluster {
  std::unique_ptr<LaggingClient> lagging;  // declared before gc: outlives it
  std::unique_ptr<GarbageCollector> gc;

  // A client whose `resource` lists and watch events come late, for StartGc.
  client::Client* Lagging(const std::string& resource, std::chrono::milliseconds list_delay,
                          std::chrono::milliseconds event_delay) {
    lagging = std::make_unique<LaggingClient>(*client, resource, list_delay, event_delay);
    return lagging.get();
  }

  // Starts a collector over `through` (the cluster's client by default) and waits until its
  // workers run.
  void StartGc(client::Client* through = nullptr) {
    gc = std::make_unique<GarbageCollector>(through ? *through : *client,
                                            GarbageCollectedResources(), FastOptions());
    gc->Start();
    REQUIRE(gc->WaitForSync(10s));
  }
  ~GcCluster() {
    if (gc) gc->Stop();
  }

  bool Gone(const client::Resource& r, const std::string& ns, const std::string& name) {
    return client->Get(r, ns, name).status().code() == Code::kNotFound;
  }
  bool Exists(const client::Resource& r, const std::string& ns, const std::string& name) {
    return client->Get(r, ns, name).ok();
  }
  // Waits until the collector has nothing left to do (no attempt finished for 100 ms), at
  // most 3 s.
  void Settle() {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    uint64_t last = gc->syncs();
    for (int quiet = 0; quiet < 5 && std::chrono::steady_clock::now() < deadline;) {
      std::this_thread::sleep_for(20ms);
      const uint64_t now = gc->syncs();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
  }
  void DeleteWith(const client::Resource& r, const std::string& ns, const std::string& name,
                  const std::string& policy) {
    client::Client::DeleteOptions o;
    o.propagation_policy = policy;
    Status s = client->Delete(r, ns, name, o);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
};

inline json Template() {
  return {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
}

inline json MakeReplicaSet(GcCluster& c, const std::string& ns, const std::string& name,
                           const std::vector<json>& owner_refs = {}) {
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", name}}},
             {"spec",
              {{"replicas", 0},
               {"selector", {{"matchLabels", {{"app", "web"}}}}},
               {"template", Template()}}}};
  if (!owner_refs.empty()) rs["metadata"]["ownerReferences"] = json(owner_refs);
  return Ok(c.client->Create(client::ReplicaSets(), ns, rs));
}

inline json MakeDeployment(GcCluster& c, const std::string& name) {
  json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"replicas", 0},
              {"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template", Template()}}}};
  return Ok(c.client->Create(client::Deployments(), "default", d));
}

inline json MakePod(GcCluster& c, const std::string& ns, const std::string& name,
                    const std::vector<json>& owner_refs, const std::string& node = "") {
  json pod = client::testing::Pod(name, node);
  if (!owner_refs.empty()) pod["metadata"]["ownerReferences"] = json(owner_refs);
  return c.CreatePod(ns, pod);
}

// An owner reference that is not the controller and does not block its owner's deletion.
inline json PlainRef(const json& owner, const OwnerKind& kind) {
  json ref = MakeControllerRef(owner, kind);
  ref.erase("controller");
  ref.erase("blockOwnerDeletion");
  return ref;
}

inline std::string UidOfObj(const json& obj) { return obj["metadata"]["uid"]; }

// Events about `name` in namespace `ns` with this reason, as "Type Reason: message".
inline std::vector<std::string> EventsAbout(GcCluster& c, const std::string& ns,
                                            const std::string& name, const std::string& reason) {
  std::vector<std::string> out;
  const json list = Ok(c.client->List(client::Events(), ns, {}));
  for (const json& e : list["items"]) {
    if (e["involvedObject"].value("name", "") == name && e.value("reason", "") == reason) {
      out.push_back(e.value("type", "") + " " + reason + ": " + e.value("message", ""));
    }
  }
  return out;
}

}  // namespace skiff::controllers::testing
