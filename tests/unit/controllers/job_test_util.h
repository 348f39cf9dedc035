// What the Job controller tests share: a fast controller configuration, Jobs made through the
// API, and reading back pods, conditions and Events.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "api/object_util.h"
#include "controllers/job_controller.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers::testing {

using nlohmann::json;
using namespace std::chrono_literals;

inline constexpr char kBackoffMessage[] = "Job has reached the specified backoff limit";
inline constexpr char kDeadlineMessage[] = "Job was active longer than specified deadline";
inline constexpr char kCompletionsMessage[] = "Reached expected number of succeeded pods";
inline constexpr char kIndexLabel[] = "batch.kubernetes.io/job-completion-index";

inline JobControllerOptions Fast() {
  JobControllerOptions o;
  o.workers = 2;
  o.pod_failure_backoff = 0ms;
  o.sync_batch_period = 0ms;
  o.api_backoff = 5ms;
  o.max_api_backoff = 100ms;
  return o;
}

inline json MakeJob(ControllerCluster& c, const std::string& name, const json& spec) {
  json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata", {{"name", name}}},
              {"spec",
               {{"template",
                 {{"spec",
                   {{"restartPolicy", "Never"},
                    {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
  if (spec.is_object()) job["spec"].update(spec);
  return Ok(c.client->Create(client::Jobs(), "default", job));
}

inline json GetJob(ControllerCluster& c, const std::string& name) {
  return Ok(c.client->Get(client::Jobs(), "default", name));
}

// The Job's pods as the API has them, by name.
inline std::vector<json> PodsOf(ControllerCluster& c, const json& job) {
  auto pods = c.Controlled(client::Pods(), "default", job["metadata"]["uid"]);
  std::sort(pods.begin(), pods.end(), [](const json& a, const json& b) {
    return a["metadata"]["name"] < b["metadata"]["name"];
  });
  return pods;
}

inline std::vector<json> PodsInPhase(ControllerCluster& c, const json& job,
                                     const std::string& phase) {
  std::vector<json> out;
  for (const json& p : PodsOf(c, job)) {
    if (api::GetString(p, {"status", "phase"}) == phase) out.push_back(p);
  }
  return out;
}

// Waits until the informers show every Job and Pod as the API has them.
inline void Settle(ControllerCluster& c) {
  auto same = [&c](const client::Resource& r) {
    client::Informer& inf = c.informers.For(r);
    const json list = Ok(c.client->List(r, "", {}));
    if (inf.Size() != list["items"].size()) return false;
    for (const json& item : list["items"]) {
      auto cached = inf.Get(client::KeyOf(item));
      if (!cached ||
          (*cached)["metadata"]["resourceVersion"] != item["metadata"]["resourceVersion"]) {
        return false;
      }
    }
    return true;
  };
  REQUIRE(Eventually([&] { return same(client::Pods()) && same(client::Jobs()); }));
}

// "Type Reason Message" of the Events about the Job, sorted (repeats counted).
inline std::vector<std::string> EventsAbout(ControllerCluster& c, const std::string& name) {
  std::vector<std::string> out;
  const json list = Ok(c.client->List(client::Events(), "default", {}));
  for (const json& e : list["items"]) {
    if (e["involvedObject"]["name"] != name) continue;
    CHECK(e["source"]["component"] == "job-controller");
    CHECK(e["involvedObject"]["kind"] == "Job");
    const std::string line = e["type"].get<std::string>() + " " + e["reason"].get<std::string>() +
                             " " + e["message"].get<std::string>();
    for (int i = 0; i < e.value("count", 1); ++i) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The conditions as "Type Status Reason Message", in order.
inline std::vector<std::string> Conditions(const json& job) {
  std::vector<std::string> out;
  for (const json& c : job["status"].value("conditions", json::array())) {
    out.push_back(c.value("type", "") + " " + c.value("status", "") + " " + c.value("reason", "") +
                  " " + c.value("message", ""));
  }
  return out;
}

inline std::string Name(const json& obj) { return obj["metadata"]["name"]; }

inline std::vector<std::string> Finalizers(const json& pod) {
  return pod["metadata"].value("finalizers", std::vector<std::string>{});
}

// A kubelet's report of a pod whose container exited at `finished_at`.
inline void MarkTerminated(ControllerCluster& c, const std::string& name, const std::string& phase,
                           const std::string& finished_at) {
  json cs = {{"name", "c"},
             {"image", "busybox"},
             {"imageID", ""},
             {"ready", false},
             {"restartCount", 0},
             {"state",
              {{"terminated",
                {{"exitCode", phase == "Succeeded" ? 0 : 1},
                 {"startedAt", finished_at},
                 {"finishedAt", finished_at}}}}}};
  Ok(c.client->MergePatch(client::Pods(), "default", name,
                          {{"status", {{"phase", phase}, {"containerStatuses", {cs}}}}}, "status"));
}

}  // namespace skiff::controllers::testing
