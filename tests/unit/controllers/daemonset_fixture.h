// What the DaemonSet controller tests share: hollow Nodes created through the API, a
// DaemonSet "agent" (app=agent) and readers of what it controls, events and caches.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "controllers/daemonset_controller.h"
#include "controllers/daemonset_nodes.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers::testing {

using nlohmann::json;

inline json HollowNode(const std::string& name, const json& labels = json::object(),
                       const json& taints = json::array()) {
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", name}, {"labels", labels}}},
               {"spec", json::object()}};
  if (!taints.empty()) node["spec"]["taints"] = taints;
  return node;
}

inline json AgentDaemonSet(const std::string& name = "agent") {
  return {{"apiVersion", "apps/v1"},
          {"kind", "DaemonSet"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec",
               {{"nodeSelector", {{"role", "edge"}}},
                {"containers", {{{"name", "agent"}, {"image", "busybox:1.36"}}}}}}}}}}};
}

struct DaemonSetCluster : ControllerCluster {
  json CreateNode(const std::string& name, const json& labels = json::object(),
                  const json& taints = json::array()) {
    return Ok(client->Create(client::Nodes(), "", HollowNode(name, labels, taints)));
  }
  void DeleteNode(const std::string& name) {
    Status s = client->Delete(client::Nodes(), "", name, {});
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  json PatchNode(const std::string& name, const json& patch) {
    return Ok(api().MergePatch(client::Nodes(), "", name, patch));
  }
  json CreateDaemonSet(const json& ds) {
    return Ok(client->Create(client::DaemonSets(), "default", ds));
  }
  json GetDaemonSet(const std::string& name = "agent") {
    return Ok(client->Get(client::DaemonSets(), "default", name));
  }
  json PatchDaemonSet(const json& patch, const std::string& name = "agent") {
    return Ok(api().MergePatch(client::DaemonSets(), "default", name, patch));
  }
  // Changes the container image (a new template, so a new revision).
  json SetImage(const std::string& image, const std::string& name = "agent") {
    json ds = GetDaemonSet(name);
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = image;
    return Ok(api().Update(client::DaemonSets(), "default", ds));
  }

  // The pods the DaemonSet controls (from the API), not being deleted unless `all`.
  std::vector<json> DaemonPods(const std::string& name = "agent", bool all = false) {
    std::vector<json> out;
    for (json& pod : Controlled(client::Pods(), "default", Uid(GetDaemonSet(name)))) {
      if (all || !pod["metadata"].contains("deletionTimestamp")) out.push_back(std::move(pod));
    }
    return out;
  }
  // node -> the names of its daemon pods (not being deleted), by target node.
  std::map<std::string, std::vector<std::string>> PodsByNode(const std::string& name = "agent") {
    std::map<std::string, std::vector<std::string>> out;
    for (const json& pod : DaemonPods(name)) {
      auto node = daemonset::TargetNodeName(pod);
      out[node.value_or("?")].push_back(pod["metadata"]["name"]);
    }
    return out;
  }
  std::vector<json> Revisions(const std::string& name = "agent") {
    std::vector<json> out =
        Controlled(client::ControllerRevisions(), "default", Uid(GetDaemonSet(name)));
    std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
      return a["revision"].get<int64_t>() < b["revision"].get<int64_t>();
    });
    return out;
  }
  // Messages of the events with `reason` about the DaemonSet, oldest first.
  std::vector<std::string> EventMessages(const std::string& reason,
                                         const std::string& name = "agent") {
    std::vector<std::string> out;
    const json list = Ok(client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"].value("kind", "") != "DaemonSet" ||
          e["involvedObject"].value("name", "") != name || e.value("reason", "") != reason) {
        continue;
      }
      for (int64_t i = 0; i < e.value("count", int64_t{1}); ++i) {
        out.push_back(e.value("message", ""));
      }
    }
    return out;
  }

  // Waits until every informer the controller reads shows what the API has.
  void WaitForCaches() {
    for (const auto& r :
         {client::Pods(), client::ControllerRevisions(), client::DaemonSets(), client::Nodes()}) {
      INFO(r.resource);
      REQUIRE(Eventually([&] { return CacheMatchesApi(r); }));
    }
  }
  // Lets the caches catch up, then runs one pass.
  void SyncNow(DaemonSetController& ctl, const std::string& key = "default/agent") {
    WaitForCaches();
    Status s = ctl.Sync(key);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  static std::string Uid(const json& obj) { return obj["metadata"]["uid"]; }

 private:
  bool CacheMatchesApi(const client::Resource& r) {
    std::set<std::string> api, cache;
    const json list = Ok(client->List(r, "", {}));
    for (const json& item : list["items"]) api.insert(Version(item));
    for (const auto& obj : informers.For(r).List()) cache.insert(Version(*obj));
    return api == cache;
  }
  static std::string Version(const json& obj) {
    return client::KeyOf(obj) + "@" + obj["metadata"].value("resourceVersion", "");
  }
};

// The three hollow nodes of the brief: edge-a (role=edge), edge-b (role=edge, tainted
// dedicated=db:NoSchedule), core-c (no role label).
inline void CreateThreeNodes(DaemonSetCluster& c) {
  c.CreateNode("edge-a", {{"role", "edge"}});
  c.CreateNode("edge-b", {{"role", "edge"}},
               {{{"key", "dedicated"}, {"value", "db"}, {"effect", "NoSchedule"}}});
  c.CreateNode("core-c", {{"kubernetes.io/hostname", "core-c"}});
}

// Options for tests: quick retries.
inline DaemonSetControllerOptions TestOptions() {
  DaemonSetControllerOptions o;
  o.base_backoff = std::chrono::milliseconds(5);
  o.max_backoff = std::chrono::milliseconds(200);
  return o;
}

}  // namespace skiff::controllers::testing
