// What the StatefulSet controller tests share: a ControllerCluster with the controller, a set
// "web" to start from, waiting until the informer caches show what the API holds, and reading
// pods, claims, revisions and events back.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "controllers/statefulset_controller.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers::testing {

// "web": replicas of nginx behind the service "nginx", selector app=nginx.
inline json WebSet(int replicas, const std::string& policy = "OrderedReady") {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", {{"name", "web"}}},
          {"spec",
           {{"replicas", replicas},
            {"serviceName", "nginx"},
            {"podManagementPolicy", policy},
            {"selector", {{"matchLabels", {{"app", "nginx"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "nginx"}}}}},
              {"spec", {{"containers", {{{"name", "nginx"}, {"image", "nginx:1.25"}}}}}}}}}}};
}

// A volumeClaimTemplate "data" of 1Gi, ReadWriteOnce.
inline json DataClaimTemplate() {
  return {
      {"metadata", {{"name", "data"}, {"labels", {{"tier", "storage"}}}}},
      {"spec",
       {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
}

struct StatefulSetCluster : ControllerCluster {
  StatefulSetController controller;

  // Sync-driven tests turn expectations off (timeout 0): they wait for the caches themselves
  // (Settle), as Kubernetes' own controller, which has none, would see them.
  explicit StatefulSetCluster(std::chrono::milliseconds expectations_timeout = 0ms)
      : controller(*client, informers, Options(expectations_timeout)) {}

  static StatefulSetControllerOptions Options(std::chrono::milliseconds expectations_timeout) {
    StatefulSetControllerOptions o;
    o.workers = 2;
    o.expectations_timeout = expectations_timeout;
    o.max_backoff = 200ms;
    return o;
  }

  json CreateSet(const json& set) {
    return Ok(client->Create(client::StatefulSets(), "default", set));
  }
  json Set() { return Ok(client->Get(client::StatefulSets(), "default", "web")); }
  json PatchSet(const json& patch) {
    return Ok(api().MergePatch(client::StatefulSets(), "default", "web", patch));
  }
  json GetPod(const std::string& name) { return Ok(client->Get(client::Pods(), "default", name)); }
  bool PodExists(const std::string& name) {
    return client->Get(client::Pods(), "default", name).ok();
  }

  // Names of the objects of r in "default", sorted.
  std::vector<std::string> Names(const client::Resource& r) {
    std::vector<std::string> out;
    const json list = Ok(client->List(r, "default", {}));
    for (const json& item : list["items"]) out.push_back(item["metadata"]["name"]);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> PodNames() { return Names(client::Pods()); }

  // Waits until every informer the controller reads holds exactly what the API holds.
  void Settle() {
    for (const client::Resource& r :
         {client::StatefulSets(), client::Pods(), client::PersistentVolumeClaims(),
          client::ControllerRevisions()}) {
      client::Informer& informer = informers.For(r);
      const bool caught_up = Eventually([&] {
        std::map<std::string, std::string> want;
        const json list = Ok(client->List(r, "", {}));
        for (const json& item : list["items"]) {
          want[client::KeyOf(item)] = item["metadata"]["resourceVersion"];
        }
        std::map<std::string, std::string> have;
        for (const auto& obj : informer.List()) {
          have[client::KeyOf(*obj)] = (*obj)["metadata"]["resourceVersion"];
        }
        return want == have;
      });
      REQUIRE(caught_up);
    }
  }

  // One controller pass over "default/web" on settled caches.
  void Sync() {
    Settle();
    Status s = controller.Sync("default/web");
    INFO(s.ToString());
    REQUIRE(s.ok());
    Settle();
  }

  // MarkReady, then settled.
  void Ready(const std::string& pod, const std::string& since = "") {
    MarkReady("default", pod, true, since);
  }

  // The messages of the set's events with this reason, in creation order.
  std::vector<std::string> Events(const std::string& reason) {
    std::vector<std::pair<std::string, std::string>> found;  // (name, message)
    const json list = Ok(client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"].value("kind", "") == "StatefulSet" &&
          e["involvedObject"].value("name", "") == "web" && e.value("reason", "") == reason) {
        found.emplace_back(e["metadata"]["name"], e.value("message", ""));
      }
    }
    // Event names end in the hex nanoseconds of their creation.
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
    });
    std::vector<std::string> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
  }
};

}  // namespace skiff::controllers::testing
