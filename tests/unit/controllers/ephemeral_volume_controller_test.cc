// The ephemeral volume controller: the claim "<pod>-<volume>" of a generic ephemeral volume is
// made from the volume's template and owned by the pod; a claim of that name the pod does not
// own is left alone (a Warning event on the pod, retried until it is gone); pods being deleted
// get nothing; and with the garbage collector and PVC protection the claim goes with its pod.
#include "controllers/ephemeral_volume_controller.h"

#include <catch2/catch.hpp>
#include <thread>

#include "controllers/pvc_protection_controller.h"
#include "unit/controllers/gc_fixture.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;
using testing::Eventually;
using testing::GcCluster;
using testing::Ok;
using namespace std::chrono_literals;

json EphemeralVolume(const std::string& volume, json template_metadata = nullptr) {
  json tmpl = {{"spec",
                {{"accessModes", {"ReadWriteOnce"}},
                 {"storageClassName", "fast"},
                 {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
  if (!template_metadata.is_null()) tmpl["metadata"] = std::move(template_metadata);
  return {{"name", volume}, {"ephemeral", {{"volumeClaimTemplate", std::move(tmpl)}}}};
}

json PodWith(const std::string& name, std::vector<json> volumes, const std::string& node = "") {
  json pod = client::testing::Pod(name, node);
  pod["spec"]["volumes"] = std::move(volumes);
  return pod;
}

json Claim(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata", {{"name", name}, {"labels", {{"made-by", "hand"}}}}},
          {"spec",
           {{"accessModes", {"ReadWriteOnce"}},
            {"storageClassName", ""},
            {"resources", {{"requests", {{"storage", "5Gi"}}}}}}}};
}

void RequireOk(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

struct EphemeralCluster : GcCluster {
  Result<json> GetClaim(const std::string& name) {
    return client->Get(client::PersistentVolumeClaims(), "default", name);
  }
  bool ClaimExists(const std::string& name) { return GetClaim(name).ok(); }
  // "Type Reason [component]: message" of the events about pod `name`.
  std::vector<std::string> PodEvents(const std::string& name) {
    std::vector<std::string> out;
    const json list = Ok(client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"].value("kind", "") != "Pod" ||
          e["involvedObject"].value("name", "") != name) {
        continue;
      }
      out.push_back(e.value("type", "") + " " + e.value("reason", "") + " [" +
                    e["source"].value("component", "") + "]: " + e.value("message", ""));
    }
    return out;
  }
};

TEST_CASE("an ephemeral volume's claim is made from its template and owned by the pod",
          "[controllers][storage][ephemeral]") {
  EphemeralCluster c;
  EphemeralVolumeController controller(*c.client, c.informers);
  c.StartInformers();
  controller.Start();

  json pod = c.CreatePod(
      "default", PodWith("web", {EphemeralVolume("scratch", {{"labels", {{"tier", "cache"}}},
                                                             {"annotations", {{"note", "x"}}}}),
                                 {{"name", "tmp"}, {"emptyDir", json::object()}},
                                 EphemeralVolume("logs")}));
  REQUIRE(Eventually([&] { return c.ClaimExists("web-scratch") && c.ClaimExists("web-logs"); }));
  json claim = Ok(c.GetClaim("web-scratch"));
  CHECK(claim["metadata"]["ownerReferences"] == json::array({{{"apiVersion", "v1"},
                                                              {"kind", "Pod"},
                                                              {"name", "web"},
                                                              {"uid", pod["metadata"]["uid"]},
                                                              {"controller", true},
                                                              {"blockOwnerDeletion", true}}}));
  CHECK(claim["metadata"]["labels"] == json({{"tier", "cache"}}));
  CHECK(claim["metadata"]["annotations"]["note"] == "x");
  CHECK(claim["spec"]["accessModes"] == json::array({"ReadWriteOnce"}));
  CHECK(claim["spec"]["storageClassName"] == "fast");
  CHECK(claim["spec"]["resources"]["requests"]["storage"] == "1Gi");
  CHECK(claim["spec"]["volumeMode"] == "Filesystem");  // defaulted in the pod's template
  json logs = Ok(c.GetClaim("web-logs"));
  CHECK_FALSE(logs["metadata"].contains("labels"));
  CHECK(logs["metadata"]["ownerReferences"][0]["uid"] == pod["metadata"]["uid"]);
  CHECK_FALSE(c.ClaimExists("web-tmp"));

  // A pod without ephemeral volumes gets no claim.
  c.CreatePod("default", PodWith("plain", {{{"name", "tmp"}, {"emptyDir", json::object()}}}));
  std::this_thread::sleep_for(200ms);
  const json claims = Ok(c.client->List(client::PersistentVolumeClaims(), "default", {}));
  CHECK(claims["items"].size() == 2);
  CHECK(c.PodEvents("web").empty());
}

TEST_CASE("a claim of that name the pod does not own is left alone until it is gone",
          "[controllers][storage][ephemeral]") {
  EphemeralCluster c;
  EphemeralVolumeController controller(*c.client, c.informers);
  PvcProtectionController protection(*c.client, c.informers);
  c.StartInformers();
  controller.Start();
  protection.Start();

  const json theirs =
      Ok(c.client->Create(client::PersistentVolumeClaims(), "default", Claim("web-scratch")));
  REQUIRE(Eventually([&] {
    return c.informers.For(client::PersistentVolumeClaims()).Get("default/web-scratch") != nullptr;
  }));
  json pod = c.CreatePod("default", PodWith("web", {EphemeralVolume("scratch")}));
  const std::string warning =
      "Warning FailedBinding [ephemeral_volume]: ephemeral volume scratch: PVC "
      "default/web-scratch was not created for pod default/web (pod is not owner)";
  REQUIRE(Eventually([&] {
    auto events = c.PodEvents("web");
    return std::find(events.begin(), events.end(), warning) != events.end();
  }));
  // Untouched: not adopted, not changed.
  json claim = Ok(c.GetClaim("web-scratch"));
  CHECK(claim["metadata"]["uid"] == theirs["metadata"]["uid"]);
  CHECK_FALSE(claim["metadata"].contains("ownerReferences"));
  CHECK(claim["spec"]["resources"]["requests"]["storage"] == "5Gi");
  // The pod is retried with backoff: the event is repeated (folded into one, counted).
  REQUIRE(Eventually([&] {
    const json list = Ok(c.client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e.value("reason", "") == "FailedBinding" && e.value("count", 0) >= 2) return true;
    }
    return false;
  }));

  // Once that claim is gone, the pod gets its own.
  RequireOk(c.client->Delete(client::PersistentVolumeClaims(), "default", "web-scratch", {}));
  REQUIRE(Eventually([&] {
    auto now = c.GetClaim("web-scratch");
    return now.ok() && (*now)["metadata"]["uid"] != theirs["metadata"]["uid"];
  }));
  claim = Ok(c.GetClaim("web-scratch"));
  CHECK(claim["metadata"]["ownerReferences"][0]["uid"] == pod["metadata"]["uid"]);
  CHECK(claim["spec"]["resources"]["requests"]["storage"] == "1Gi");
}

TEST_CASE("a pod's own claim deleted by mistake is made again",
          "[controllers][storage][ephemeral]") {
  EphemeralCluster c;
  EphemeralVolumeController controller(*c.client, c.informers);
  PvcProtectionController protection(*c.client, c.informers);
  c.StartInformers();
  controller.Start();
  protection.Start();

  json pod = c.CreatePod("default", PodWith("web", {EphemeralVolume("scratch")}));
  REQUIRE(Eventually([&] { return c.ClaimExists("web-scratch"); }));
  const json first = Ok(c.GetClaim("web-scratch"));
  // The pod is not scheduled, so PVC protection lets the claim go at once.
  RequireOk(c.client->Delete(client::PersistentVolumeClaims(), "default", "web-scratch", {}));
  REQUIRE(Eventually([&] {
    auto now = c.GetClaim("web-scratch");
    return now.ok() && (*now)["metadata"]["uid"] != first["metadata"]["uid"];
  }));
  CHECK(Ok(c.GetClaim("web-scratch"))["metadata"]["ownerReferences"][0]["uid"] ==
        pod["metadata"]["uid"]);
}

TEST_CASE("a pod being deleted gets no claim", "[controllers][storage][ephemeral]") {
  EphemeralCluster c;
  EphemeralVolumeController controller(*c.client, c.informers);
  c.StartInformers();
  // The worker is not started: the test drives Sync itself.

  c.CreatePod("default", PodWith("going", {EphemeralVolume("scratch")}, "edge-1"));
  c.CreatePod("default", PodWith("staying", {EphemeralVolume("scratch")}, "edge-1"));
  // A scheduled pod is deleted gracefully: it stays, with a deletionTimestamp.
  RequireOk(c.client->Delete(client::Pods(), "default", "going", {}));
  REQUIRE(Eventually([&] {
    auto cached = c.informers.For(client::Pods()).Get("default/going");
    return cached && cached->at("metadata").contains("deletionTimestamp");
  }));
  REQUIRE(Eventually(
      [&] { return c.informers.For(client::Pods()).Get("default/staying") != nullptr; }));

  RequireOk(controller.Sync("default/going"));
  CHECK_FALSE(c.ClaimExists("going-scratch"));
  RequireOk(controller.Sync("default/staying"));
  CHECK(c.ClaimExists("staying-scratch"));
  RequireOk(controller.Sync("default/missing"));  // a pod that is gone: nothing to do
}

TEST_CASE("the claim goes with its pod", "[controllers][storage][ephemeral]") {
  EphemeralCluster c;
  EphemeralVolumeController controller(*c.client, c.informers);
  PvcProtectionController protection(*c.client, c.informers);
  c.StartInformers();
  controller.Start();
  protection.Start();
  c.StartGc();

  c.CreatePod("default", PodWith("web", {EphemeralVolume("scratch")}, "edge-1"));
  c.CreatePod("default", PodWith("other", {EphemeralVolume("scratch")}, "edge-1"));
  REQUIRE(
      Eventually([&] { return c.ClaimExists("web-scratch") && c.ClaimExists("other-scratch"); }));

  client::Client::DeleteOptions now;
  now.grace_period_seconds = 0;
  RequireOk(c.client->Delete(client::Pods(), "default", "web", now));
  CHECK(Eventually([&] { return !c.ClaimExists("web-scratch"); }));
  // The other pod's claim stays.
  c.Settle();
  CHECK(c.ClaimExists("other-scratch"));
}

}  // namespace
}  // namespace skiff::controllers
