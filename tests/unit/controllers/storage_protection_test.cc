// The PVC and PV protection controllers: a claim being deleted goes once no running pod uses
// it (the cache asked first, then a live list), a volume being deleted once it is not Bound,
// and objects that lost their finalizer while not being deleted get it back.
#include <catch2/catch.hpp>
#include <atomic>

#include "controllers/pv_protection_controller.h"
#include "controllers/pvc_protection_controller.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers {
namespace {

using testing::ControllerCluster;
using testing::Eventually;
using testing::Ok;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kPvcFinalizer[] = "kubernetes.io/pvc-protection";
constexpr char kPvFinalizer[] = "kubernetes.io/pv-protection";

json Claim(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"accessModes", {"ReadWriteOnce"}},
            {"storageClassName", ""},
            {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
}

json ClaimVolume(const std::string& volume, const std::string& claim) {
  return {{"name", volume}, {"persistentVolumeClaim", {{"claimName", claim}}}};
}

json EphemeralVolume(const std::string& volume) {
  return {{"name", volume},
          {"ephemeral",
           {{"volumeClaimTemplate",
             {{"spec",
               {{"accessModes", {"ReadWriteOnce"}},
                {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}}}}};
}

json PodWith(const std::string& name, const std::string& node, std::vector<json> volumes) {
  json pod = client::testing::Pod(name, node);
  pod["spec"]["volumes"] = volumes;
  return pod;
}

json Volume(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolume"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"capacity", {{"storage", "1Gi"}}},
            {"accessModes", {"ReadWriteOnce"}},
            {"hostPath", {{"path", "/tmp/" + name}}}}}};
}

void RequireOk(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

// Forwards to the cluster's client; while `blind` is set the informers hear of no pod changes
// (a pod created then is missing from the cache, as one the watch has not brought yet).
class BlindPodWatch : public client::testing::ProxyClient {
 public:
  using ProxyClient::ProxyClient;
  std::atomic<bool> blind{false};

  Result<std::unique_ptr<client::Subscription>> Watch(
      const client::Resource& r, const std::string& ns, const std::string& rv,
      std::function<void(std::vector<client::WatchEvent>&)> events,
      std::function<void(Status)> closed) override {
    if (r.resource == "pods") {
      events = [this, inner = std::move(events)](std::vector<client::WatchEvent>& batch) {
        if (!blind) inner(batch);
      };
    }
    return ProxyClient::Watch(r, ns, rv, std::move(events), std::move(closed));
  }
};

struct ProtectionCluster : ControllerCluster {
  bool Exists(const client::Resource& r, const std::string& ns, const std::string& name) {
    return client->Get(r, ns, name).ok();
  }
  bool ClaimExists(const std::string& name) {
    return Exists(client::PersistentVolumeClaims(), "default", name);
  }
  json GetClaim(const std::string& name) {
    return Ok(client->Get(client::PersistentVolumeClaims(), "default", name));
  }
  void DeleteClaim(const std::string& name) {
    RequireOk(client->Delete(client::PersistentVolumeClaims(), "default", name, {}));
  }
  void DeletePodNow(const std::string& name) {
    client::Client::DeleteOptions now;
    now.grace_period_seconds = 0;
    RequireOk(client->Delete(client::Pods(), "default", name, now));
  }
};

TEST_CASE("a pod's use of a claim follows kube's rule with finished pods let go",
          "[controllers][storage]") {
  json pvc = Claim("data");
  pvc["metadata"]["namespace"] = "default";
  json pod = PodWith("web", "edge-1", {ClaimVolume("v", "data")});
  pod["metadata"]["namespace"] = "default";
  pod["metadata"]["uid"] = "pod-uid";
  CHECK(PodUsesClaim(pod, pvc));

  json unscheduled = pod;
  unscheduled["spec"].erase("nodeName");
  CHECK_FALSE(PodUsesClaim(unscheduled, pvc));
  for (const char* phase : {"Succeeded", "Failed"}) {
    json finished = pod;
    finished["status"]["phase"] = phase;
    CHECK_FALSE(PodUsesClaim(finished, pvc));
  }
  json running = pod;
  running["status"]["phase"] = "Running";
  CHECK(PodUsesClaim(running, pvc));
  json elsewhere = pod;
  elsewhere["metadata"]["namespace"] = "other";
  CHECK_FALSE(PodUsesClaim(elsewhere, pvc));
  json other_claim = PodWith("web", "edge-1", {ClaimVolume("v", "logs")});
  other_claim["metadata"]["namespace"] = "default";
  CHECK_FALSE(PodUsesClaim(other_claim, pvc));

  // An ephemeral volume's claim is "<pod>-<volume>" and must be the pod's own.
  json eph = PodWith("web", "edge-1", {EphemeralVolume("scratch")});
  eph["metadata"]["namespace"] = "default";
  eph["metadata"]["uid"] = "pod-uid";
  json eph_claim = Claim("web-scratch");
  eph_claim["metadata"]["namespace"] = "default";
  CHECK_FALSE(PodUsesClaim(eph, eph_claim));  // not owned by the pod
  eph_claim["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                               {"kind", "Pod"},
                                               {"name", "web"},
                                               {"uid", "pod-uid"},
                                               {"controller", true}}};
  CHECK(PodUsesClaim(eph, eph_claim));
  json shut_down = eph;
  shut_down["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z";
  shut_down["metadata"]["deletionGracePeriodSeconds"] = 0;
  CHECK_FALSE(PodUsesClaim(shut_down, eph_claim));
}

TEST_CASE("a claim being deleted stays while a pod uses it and goes after the pod",
          "[controllers][storage]") {
  ProtectionCluster c;
  PvcProtectionController controller(*c.client, c.informers);
  c.StartInformers();
  controller.Start();

  Ok(c.client->Create(client::PersistentVolumeClaims(), "default", Claim("data")));
  Ok(c.client->Create(client::PersistentVolumeClaims(), "default", Claim("unused")));
  Ok(c.client->Create(client::Pods(), "default",
                      PodWith("web", "edge-1", {ClaimVolume("v", "data")})));
  // A pod that is not scheduled does not hold its claim.
  Ok(c.client->Create(client::Pods(), "default",
                      PodWith("pending", "", {ClaimVolume("v", "unused")})));

  c.DeleteClaim("unused");
  REQUIRE(Eventually([&] { return !c.ClaimExists("unused"); }));

  c.DeleteClaim("data");
  // It stays, Terminating, with its finalizer, as long as the pod is there.
  std::this_thread::sleep_for(300ms);
  json pvc = c.GetClaim("data");
  CHECK(pvc["metadata"].contains("deletionTimestamp"));
  CHECK(pvc["metadata"]["finalizers"] == json::array({kPvcFinalizer}));

  c.DeletePodNow("web");
  CHECK(Eventually([&] { return !c.ClaimExists("data"); }));
}

TEST_CASE("a pod that finishes lets its claim go", "[controllers][storage]") {
  ProtectionCluster c;
  PvcProtectionController controller(*c.client, c.informers);
  c.StartInformers();
  controller.Start();

  Ok(c.client->Create(client::PersistentVolumeClaims(), "default", Claim("data")));
  Ok(c.client->Create(client::Pods(), "default",
                      PodWith("job-1", "edge-1", {ClaimVolume("v", "data")})));
  c.MarkReady("default", "job-1");
  c.DeleteClaim("data");
  std::this_thread::sleep_for(300ms);
  REQUIRE(c.ClaimExists("data"));

  c.MarkPhase("default", "job-1", "Succeeded");
  CHECK(Eventually([&] { return !c.ClaimExists("data"); }));
}

TEST_CASE("a pod missing from the cache is found by the live list", "[controllers][storage]") {
  ProtectionCluster c;
  BlindPodWatch blind(*c.client);
  client::SharedInformerFactory informers(blind);
  PvcProtectionController controller(blind, informers);
  informers.Start();
  REQUIRE(informers.WaitForSync(10s));
  // The worker is not started: the test drives Sync itself.

  Ok(c.client->Create(client::PersistentVolumeClaims(), "default", Claim("data")));
  REQUIRE(Eventually([&] {
    auto cached = informers.For(client::PersistentVolumeClaims()).Get("default/data");
    return cached != nullptr;
  }));
  blind.blind = true;
  Ok(c.client->Create(client::Pods(), "default",
                      PodWith("new", "edge-1", {ClaimVolume("v", "data")})));
  c.DeleteClaim("data");
  REQUIRE(Eventually([&] {
    auto cached = informers.For(client::PersistentVolumeClaims()).Get("default/data");
    return cached && cached->at("metadata").contains("deletionTimestamp");
  }));
  REQUIRE(informers.For(client::Pods()).Get("default/new") == nullptr);

  RequireOk(controller.Sync("default/data"));
  CHECK(c.GetClaim("data")["metadata"]["finalizers"] == json::array({kPvcFinalizer}));

  c.DeletePodNow("new");
  RequireOk(controller.Sync("default/data"));
  CHECK_FALSE(c.ClaimExists("data"));
  informers.Stop();
}

TEST_CASE("an ephemeral volume's claim is held by its own pod only", "[controllers][storage]") {
  ProtectionCluster c;
  PvcProtectionController controller(*c.client, c.informers);
  c.StartInformers();
  controller.Start();

  json pod = Ok(c.client->Create(client::Pods(), "default",
                                 PodWith("web", "edge-1", {EphemeralVolume("scratch")})));
  json owned = Claim("web-scratch");
  owned["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                           {"kind", "Pod"},
                                           {"name", "web"},
                                           {"uid", pod["metadata"]["uid"]},
                                           {"controller", true}}};
  Ok(c.client->Create(client::PersistentVolumeClaims(), "default", owned));
  c.DeleteClaim("web-scratch");
  std::this_thread::sleep_for(300ms);
  REQUIRE(c.ClaimExists("web-scratch"));

  c.DeletePodNow("web");
  CHECK(Eventually([&] { return !c.ClaimExists("web-scratch"); }));
}

TEST_CASE("a claim or volume that lost its finalizer gets it back", "[controllers][storage]") {
  ProtectionCluster c;
  PvcProtectionController claims(*c.client, c.informers);
  PvProtectionController volumes(*c.client, c.informers);
  c.StartInformers();
  claims.Start();
  volumes.Start();

  json pvc = Ok(c.client->Create(client::PersistentVolumeClaims(), "default", Claim("data")));
  pvc["metadata"]["finalizers"] = json::array();
  Ok(c.client->Update(client::PersistentVolumeClaims(), "default", pvc, ""));
  CHECK(Eventually([&] {
    return c.GetClaim("data")["metadata"].value("finalizers", json::array()) ==
           json::array({kPvcFinalizer});
  }));

  json pv = Ok(c.client->Create(client::PersistentVolumes(), "", Volume("pv1")));
  pv["metadata"]["finalizers"] = {"example.com/keep"};
  Ok(c.client->Update(client::PersistentVolumes(), "", pv, ""));
  CHECK(Eventually([&] {
    json now = Ok(c.client->Get(client::PersistentVolumes(), "", "pv1"));
    return now["metadata"]["finalizers"] == json::array({"example.com/keep", kPvFinalizer});
  }));
}

TEST_CASE("a volume being deleted stays while Bound", "[controllers][storage]") {
  ProtectionCluster c;
  PvProtectionController controller(*c.client, c.informers);
  c.StartInformers();
  controller.Start();

  Ok(c.client->Create(client::PersistentVolumes(), "", Volume("pv1")));
  Ok(c.client->MergePatch(client::PersistentVolumes(), "", "pv1",
                          {{"status", {{"phase", "Bound"}}}}, "status"));
  RequireOk(c.client->Delete(client::PersistentVolumes(), "", "pv1", {}));
  std::this_thread::sleep_for(300ms);
  json pv = Ok(c.client->Get(client::PersistentVolumes(), "", "pv1"));
  CHECK(pv["metadata"].contains("deletionTimestamp"));
  CHECK(pv["metadata"]["finalizers"] == json::array({kPvFinalizer}));

  // Released by the PersistentVolume controller: nothing holds it any more.
  Ok(c.client->MergePatch(client::PersistentVolumes(), "", "pv1",
                          {{"status", {{"phase", "Released"}}}}, "status"));
  CHECK(Eventually([&] { return !c.Exists(client::PersistentVolumes(), "", "pv1"); }));

  // One never bound goes at once.
  Ok(c.client->Create(client::PersistentVolumes(), "", Volume("pv2")));
  RequireOk(c.client->Delete(client::PersistentVolumes(), "", "pv2", {}));
  CHECK(Eventually([&] { return !c.Exists(client::PersistentVolumes(), "", "pv2"); }));
}

}  // namespace
}  // namespace skiff::controllers
