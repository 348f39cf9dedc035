// What the Deployment controller tests share: a ControllerCluster with a DeploymentController
// on a clock the test moves, Deployments to start from, and the parts no controller under test
// plays (the ReplicaSet controller reporting ReplicaSet status).
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/object_util.h"
#include "controllers/deployment_controller.h"
#include "controllers/deployment_util.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers::testing {

using client::Deployments;
using client::ReplicaSets;

// A Deployment "name" selecting app=<name>, with one container running `image`.
inline json MakeDeployment(const std::string& name, int replicas, const std::string& image,
                           json strategy = {
                               {"type", "RollingUpdate"},
                               {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 1}}}}) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"strategy", std::move(strategy)},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", image}}}}}}}}}}};
}

struct DeploymentCluster : ControllerCluster {
  // The controller's clock: a fixed instant the test moves with Advance().
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point now;
  std::unique_ptr<DeploymentController> controller;

  explicit DeploymentCluster(DeploymentControllerOptions options = {}) {
    REQUIRE(api::ParseRfc3339("2026-03-01T10:00:00Z", &start));
    now = start;
    if (!options.now) options.now = [this] { return now; };
    controller = std::make_unique<DeploymentController>(*client, informers, std::move(options));
    StartInformers();
  }
  ~DeploymentCluster() { controller.reset(); }

  void Advance(std::chrono::seconds s) { now += s; }
  // The controller clock's time `offset` after the start, as conditions carry it.
  std::string At(std::chrono::seconds offset = std::chrono::seconds(0)) const {
    return api::Rfc3339(start + offset);
  }

  json Create(const json& d) { return Ok(client->Create(Deployments(), "default", d)); }
  json Get(const std::string& name) { return Ok(client->Get(Deployments(), "default", name)); }
  json GetRs(const std::string& name) { return Ok(client->Get(ReplicaSets(), "default", name)); }
  json Patch(const std::string& name, const json& patch) {
    return Ok(api().MergePatch(Deployments(), "default", name, patch));
  }
  // A new pod template image: a rollout.
  // (Read, modify, write: retried while a running controller writes the status meanwhile.)
  json SetImage(const std::string& name, const std::string& image) {
    for (int attempt = 0;; ++attempt) {
      json d = Get(name);
      d["spec"]["template"]["spec"]["containers"][0]["image"] = image;
      auto r = api().Update(Deployments(), "default", d);
      if (r.status().code() == Code::kConflict && attempt < 20) continue;
      return Ok(std::move(r));
    }
  }

  // Waits until the informers' caches hold what the API holds (so one pass sees everything).
  void Settle() {
    for (const client::Resource& r : {Deployments(), ReplicaSets(), client::Pods()}) {
      client::Informer& inf = informers.For(r);
      auto api_view = [&] {
        std::map<std::string, std::string> out;
        const json list = Ok(client->List(r, "default", {}));
        for (const json& o : list["items"]) {
          out[o["metadata"]["name"]] = o["metadata"]["resourceVersion"];
        }
        return out;
      };
      const auto want = api_view();
      REQUIRE(Eventually([&] {
        std::map<std::string, std::string> got;
        for (const auto& o : inf.ListNamespace("default")) {
          got[(*o)["metadata"]["name"]] = (*o)["metadata"]["resourceVersion"];
        }
        return got == want;
      }));
    }
  }
  // One pass, after the caches caught up.
  Status SyncOnce(const std::string& name) {
    Settle();
    return controller->Sync("default/" + name);
  }
  void Sync(const std::string& name) {
    Status s = SyncOnce(name);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  // The ReplicaSets the Deployment controls: name -> spec.replicas.
  std::map<std::string, int> Sizes(const std::string& name) {
    std::map<std::string, int> out;
    for (const json& rs : Controlled(ReplicaSets(), "default", Get(name)["metadata"]["uid"])) {
      out[rs["metadata"]["name"]] = rs["spec"].value("replicas", 1);
    }
    return out;
  }
  // What the ReplicaSet controller reports.
  json SetRsStatus(const std::string& rs_name, int replicas, int available) {
    const json rs = GetRs(rs_name);
    return Ok(client->MergePatch(ReplicaSets(), "default", rs_name,
                                 {{"status",
                                   {{"replicas", replicas},
                                    {"readyReplicas", available},
                                    {"availableReplicas", available},
                                    {"observedGeneration", rs["metadata"]["generation"]}}}},
                                 "status"));
  }
  // Every controlled ReplicaSet reports its spec.replicas, all available.
  void ReportAllAvailable(const std::string& name) {
    for (const auto& [rs, size] : Sizes(name)) SetRsStatus(rs, size, size);
  }

  // The hash (and so the ReplicaSet name) of the Deployment's current template.
  std::string RsNameFor(const std::string& name, std::optional<int64_t> collisions = {}) {
    return name + "-" + deployment::ComputeHash(Get(name)["spec"]["template"], collisions);
  }

  // Messages of the Events about Deployment `name` with `reason`, oldest first.
  std::vector<std::string> Events(const std::string& name,
                                  const std::string& reason = "ScalingReplicaSet") {
    std::vector<std::pair<std::string, std::string>> found;
    const json list = Ok(client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"].value("name", "") != name ||
          e["involvedObject"].value("kind", "") != "Deployment" ||
          e.value("reason", "") != reason) {
        continue;
      }
      CHECK(e["source"]["component"] == "deployment-controller");
      found.emplace_back(e["metadata"]["name"], e["message"]);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& [n, m] : found) out.push_back(m);
    return out;
  }

  // The reason of that condition ("" when absent).
  std::string Reason(const std::string& name, const std::string& type) {
    const json c = Condition(name, type);
    return c.is_object() ? c.value("reason", "") : "";
  }
  // The condition of `type` in the Deployment's status (null when absent).
  json Condition(const std::string& name, const std::string& type) {
    const json d = Get(name);
    const json status = d.value("status", json::object());
    const json* c = deployment::GetCondition(status, type);
    return c ? *c : json();
  }
};

}  // namespace skiff::controllers::testing
