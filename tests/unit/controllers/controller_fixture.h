// What controller tests share: the client tests' Cluster (a real SqliteStore, Resources and a
// LocalClient, namespaces "default" and "other") with a SharedInformerFactory over it, and
// helpers that play the parts no controller under test plays (a kubelet marking pods running
// and ready).
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "skiff/client/informer.h"
#include "unit/client/client_fixture.h"

namespace skiff::controllers::testing {

using client::testing::Eventually;
using client::testing::Ok;
using nlohmann::json;
using namespace std::chrono_literals;

struct ControllerCluster : client::testing::Cluster {
  client::SharedInformerFactory informers{*client};

  ~ControllerCluster() { informers.Stop(); }

  // Starts the informers and waits for their first lists.
  void StartInformers() {
    informers.Start();
    REQUIRE(informers.WaitForSync(10s));
  }

  // What a kubelet reports for a pod that runs: phase Running, Ready (and ContainersReady)
  // True since `ready_since` (RFC 3339; "" = now).
  json MarkReady(const std::string& ns, const std::string& name, bool ready = true,
                 const std::string& ready_since = "") {
    const std::string since = ready_since.empty() ? NowRfc3339() : ready_since;
    const std::string status = ready ? "True" : "False";
    json patch = {{"status",
                   {{"phase", "Running"},
                    {"conditions",
                     {{{"type", "Ready"}, {"status", status}, {"lastTransitionTime", since}},
                      {{"type", "ContainersReady"},
                       {"status", status},
                       {"lastTransitionTime", since}}}}}}};
    return Ok(client->MergePatch(client::Pods(), ns, name, patch, "status"));
  }

  // The pod's final phase, as a kubelet reports it.
  json MarkPhase(const std::string& ns, const std::string& name, const std::string& phase) {
    return Ok(client->MergePatch(client::Pods(), ns, name, {{"status", {{"phase", phase}}}},
                                 "status"));
  }

  // Objects of r in ns whose controller reference names owner_uid, listed from the API.
  std::vector<json> Controlled(const client::Resource& r, const std::string& ns,
                               const std::string& owner_uid) {
    std::vector<json> out;
    const json list = Ok(client->List(r, ns, {}));
    for (const json& item : list["items"]) {
      for (const json& ref : item["metadata"].value("ownerReferences", json::array())) {
        if (ref.value("controller", false) && ref.value("uid", "") == owner_uid) {
          out.push_back(item);
        }
      }
    }
    return out;
  }

  static std::string NowRfc3339() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char buf[32];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }
};

}  // namespace skiff::controllers::testing
