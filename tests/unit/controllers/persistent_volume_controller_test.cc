// The PersistentVolume controller against a real store (with the API's storage admission):
// static binding and pre-binding on both sides, claims nothing satisfies, phases and reclaim
// (Retain, Delete of provisioned and static volumes), lost claims, local-path provisioning
// (WaitForFirstConsumer and Immediate), the default class, and expansion.
#include "controllers/persistent_volume_controller.h"

#include "controller_fixture.h"

using namespace skiff;
using namespace skiff::controllers;
using client::testing::Eventually;
using client::testing::Ok;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const client::Resource kClaims = client::PersistentVolumeClaims();
const client::Resource kVolumes = client::PersistentVolumes();
const client::Resource kClasses = client::StorageClasses();
constexpr char kRoot[] = "/data/storage";

struct PvCluster : controllers::testing::ControllerCluster {
  std::unique_ptr<PersistentVolumeController> controller;

  PvCluster() {
    PersistentVolumeControllerOptions o;
    o.local_path_root = kRoot;
    controller = std::make_unique<PersistentVolumeController>(*client, informers, o);
    StartInformers();
    controller->Start();
  }
  ~PvCluster() { controller->Stop(); }

  json Volume(const std::string& name, const std::string& size, const json& extra = {}) {
    json pv = {{"apiVersion", "v1"},
               {"kind", "PersistentVolume"},
               {"metadata", {{"name", name}}},
               {"spec",
                {{"capacity", {{"storage", size}}},
                 {"accessModes", {"ReadWriteOnce"}},
                 {"storageClassName", ""},
                 {"hostPath", {{"path", "/srv/" + name}}}}}};
    if (!extra.is_null()) pv.merge_patch(extra);
    return Ok(client->Create(kVolumes, "", pv));
  }

  json Claim(const std::string& name, const std::string& size, const json& extra = {}) {
    json pvc = {{"apiVersion", "v1"},
                {"kind", "PersistentVolumeClaim"},
                {"metadata", {{"name", name}}},
                {"spec",
                 {{"accessModes", {"ReadWriteOnce"}},
                  {"resources", {{"requests", {{"storage", size}}}}},
                  {"storageClassName", ""}}}};
    if (!extra.is_null()) pvc.merge_patch(extra);
    return Ok(client->Create(kClaims, "default", pvc));
  }

  json Class(const std::string& name, const std::string& provisioner, const json& extra = {}) {
    json sc = {{"apiVersion", "storage.k8s.io/v1"},
               {"kind", "StorageClass"},
               {"metadata", {{"name", name}}},
               {"provisioner", provisioner}};
    if (!extra.is_null()) sc.merge_patch(extra);
    return Ok(client->Create(kClasses, "", sc));
  }

  void Node(const std::string& name, bool ready) {
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", name}}},
                 {"spec", json::object()}};
    auto existing = client->Get(client::Nodes(), "", name);
    if (!existing.ok())
      node = Ok(client->Create(client::Nodes(), "", node));
    else
      node = *existing;
    node["status"] = {{"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
    Ok(client->Update(client::Nodes(), "", node, "status"));
  }

  json GetClaim(const std::string& name) { return Ok(client->Get(kClaims, "default", name)); }
  json GetVolume(const std::string& name) { return Ok(client->Get(kVolumes, "", name)); }
  bool VolumeExists(const std::string& name) { return client->Get(kVolumes, "", name).ok(); }

  bool ClaimPhase(const std::string& name, const std::string& phase) {
    auto c = client->Get(kClaims, "default", name);
    return c.ok() && (*c)["status"].value("phase", "") == phase;
  }
  bool VolumePhase(const std::string& name, const std::string& phase) {
    auto v = client->Get(kVolumes, "", name);
    return v.ok() && (*v)["status"].value("phase", "") == phase;
  }

  // Messages of events with `reason` about the object `name` (claims: namespace default;
  // volumes: their events land in default too).
  std::vector<std::string> Events(const std::string& name, const std::string& reason) {
    std::vector<std::string> out;
    json list = Ok(client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"]["name"] == name && e["reason"] == reason) out.push_back(e["message"]);
    }
    return out;
  }
  int EventCount(const std::string& name, const std::string& reason) {
    json list = Ok(client->List(client::Events(), "default", {}));
    int n = 0;
    for (const json& e : list["items"]) {
      if (e["involvedObject"]["name"] == name && e["reason"] == reason) n += e.value("count", 1);
    }
    return n;
  }
  bool HasEvent(const std::string& name, const std::string& reason, const std::string& message) {
    for (const auto& m : Events(name, reason)) {
      if (m == message) return true;
    }
    return false;
  }

  // Deletes and lets go of the finalizers (the protection controllers' and node agent's part).
  void DeleteClaim(const std::string& name) {
    REQUIRE(client->Delete(kClaims, "default", name, {}).ok());
    (void)api().MergePatch(kClaims, "default", name, {{"metadata", {{"finalizers", nullptr}}}});
  }
  void DeleteVolume(const std::string& name) {
    REQUIRE(client->Delete(kVolumes, "", name, {}).ok());
    (void)api().MergePatch(kVolumes, "", name, {{"metadata", {{"finalizers", nullptr}}}});
  }
  // Lets the volume through the finalizers it waits on, once its deletion has begun.
  void ReleaseFinalizers(const std::string& name) {
    (void)api().MergePatch(kVolumes, "", name, {{"metadata", {{"finalizers", nullptr}}}});
  }

  // Lets the controller go quiet: no sync for a while.
  void Settle() {
    uint64_t last = controller->syncs();
    for (int quiet = 0; quiet < 5;) {
      std::this_thread::sleep_for(20ms);
      const uint64_t now = controller->syncs();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
  }
};

std::string Annotation(const json& obj, const std::string& key) {
  const json& a = obj["metadata"].value("annotations", json::object());
  return a.value(key, "");
}

}  // namespace

TEST_CASE("pv controller: a claim binds the smallest matching static volume", "[controllers][pv]") {
  PvCluster c;
  c.Volume("big", "10Gi");
  c.Volume("fit", "2Gi");
  c.Volume("small", "500Mi");
  REQUIRE(Eventually([&] { return c.VolumePhase("fit", "Available"); }));
  const json created = c.Claim("data", "1Gi");
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }));
  REQUIRE(Eventually([&] { return c.VolumePhase("fit", "Bound"); }));

  const json claim = c.GetClaim("data");
  CHECK(claim["spec"]["volumeName"] == "fit");
  CHECK(Annotation(claim, "pv.kubernetes.io/bind-completed") == "yes");
  CHECK(Annotation(claim, "pv.kubernetes.io/bound-by-controller") == "yes");
  CHECK(claim["status"]["capacity"]["storage"] == "2Gi");
  CHECK(claim["status"]["accessModes"] == json({"ReadWriteOnce"}));

  const json pv = c.GetVolume("fit");
  CHECK(pv["spec"]["claimRef"]["name"] == "data");
  CHECK(pv["spec"]["claimRef"]["namespace"] == "default");
  CHECK(pv["spec"]["claimRef"]["uid"] == created["metadata"]["uid"]);
  CHECK(pv["spec"]["claimRef"]["kind"] == "PersistentVolumeClaim");
  CHECK(Annotation(pv, "pv.kubernetes.io/bound-by-controller") == "yes");
  CHECK(c.VolumePhase("big", "Available"));
  CHECK(c.VolumePhase("small", "Available"));
}

TEST_CASE("pv controller: a claim naming its volume binds it when it appears",
          "[controllers][pv]") {
  PvCluster c;
  c.Claim("named", "1Gi", {{"spec", {{"volumeName", "chosen"}}}});
  c.Volume("other", "1Gi");
  c.Settle();
  CHECK(c.ClaimPhase("named", "Pending"));
  CHECK(c.VolumePhase("other", "Available"));  // not taken: the claim asked for "chosen"

  c.Volume("chosen", "5Gi");
  REQUIRE(Eventually([&] { return c.ClaimPhase("named", "Bound"); }));
  REQUIRE(Eventually([&] { return c.VolumePhase("chosen", "Bound"); }));
  const json claim = c.GetClaim("named");
  CHECK(claim["spec"]["volumeName"] == "chosen");
  CHECK(Annotation(claim, "pv.kubernetes.io/bind-completed") == "yes");
  // The user set volumeName; the controller set the claimRef.
  CHECK(Annotation(claim, "pv.kubernetes.io/bound-by-controller") == "");
  CHECK(Annotation(c.GetVolume("chosen"), "pv.kubernetes.io/bound-by-controller") == "yes");

  SECTION("another claim naming the same volume stays Pending") {
    c.Claim("late", "1Gi", {{"spec", {{"volumeName", "chosen"}}}});
    REQUIRE(Eventually([&] {
      return c.HasEvent("late", "FailedBinding",
                        "volume \"chosen\" already bound to a different claim.");
    }));
    CHECK(c.ClaimPhase("late", "Pending"));
    CHECK(c.GetVolume("chosen")["spec"]["claimRef"]["name"] == "named");
  }
  SECTION("a named volume that does not fit is reported") {
    c.Volume("tiny", "100Mi");
    c.Claim("wants-tiny", "1Gi", {{"spec", {{"volumeName", "tiny"}}}});
    REQUIRE(Eventually([&] {
      return c.HasEvent("wants-tiny", "VolumeMismatch",
                        "Cannot bind to requested volume \"tiny\": requested PV is too small");
    }));
    CHECK(c.ClaimPhase("wants-tiny", "Pending"));
    CHECK(c.VolumePhase("tiny", "Available"));
  }
}

TEST_CASE("pv controller: a volume pre-bound to a claim is the one it gets", "[controllers][pv]") {
  PvCluster c;
  c.Volume("exact", "1Gi");
  c.Volume("reserved", "8Gi",
           {{"spec", {{"claimRef", {{"name", "db"}, {"namespace", "default"}}}}}});
  REQUIRE(Eventually([&] { return c.VolumePhase("reserved", "Available"); }));
  // Reserved for "db": another claim does not get it.
  c.Claim("web", "4Gi");
  c.Settle();
  CHECK(c.ClaimPhase("web", "Pending"));
  CHECK(c.HasEvent("web", "FailedBinding",
                   "no persistent volumes available for this claim and no storage class is set"));

  const json db = c.Claim("db", "1Gi");
  REQUIRE(Eventually([&] { return c.ClaimPhase("db", "Bound"); }));
  REQUIRE(Eventually([&] { return c.VolumePhase("reserved", "Bound"); }));
  const json pv = c.GetVolume("reserved");
  CHECK(pv["spec"]["claimRef"]["uid"] == db["metadata"]["uid"]);
  // The user set the claimRef; the controller set volumeName.
  CHECK(Annotation(pv, "pv.kubernetes.io/bound-by-controller") == "");
  const json claim = c.GetClaim("db");
  CHECK(claim["spec"]["volumeName"] == "reserved");
  CHECK(Annotation(claim, "pv.kubernetes.io/bound-by-controller") == "yes");
  CHECK(c.VolumePhase("exact", "Available"));
}

TEST_CASE("pv controller: claims nothing satisfies stay Pending and say why", "[controllers][pv]") {
  PvCluster c;
  c.Volume("labelled", "1Gi", {{"metadata", {{"labels", {{"tier", "cache"}}}}}});
  c.Volume("gold", "1Gi", {{"spec", {{"storageClassName", "gold"}}}});
  c.Class("manual", "kubernetes.io/no-provisioner");
  const std::string no_class =
      "no persistent volumes available for this claim and no storage class is set";

  c.Claim("selector", "1Gi", {{"spec", {{"selector", {{"matchLabels", {{"tier", "db"}}}}}}}});
  c.Claim("rwx", "1Gi", {{"spec", {{"accessModes", {"ReadWriteMany"}}}}});
  c.Claim("unknown-class", "1Gi", {{"spec", {{"storageClassName", "silver"}}}});
  c.Claim("no-provisioner", "1Gi", {{"spec", {{"storageClassName", "manual"}}}});

  REQUIRE(Eventually([&] { return c.HasEvent("selector", "FailedBinding", no_class); }));
  REQUIRE(Eventually([&] { return c.HasEvent("rwx", "FailedBinding", no_class); }));
  REQUIRE(Eventually([&] {
    return c.HasEvent("unknown-class", "ProvisioningFailed",
                      "storageclass.storage.k8s.io \"silver\" not found");
  }));
  REQUIRE(Eventually([&] {
    return c.HasEvent("no-provisioner", "ProvisioningFailed",
                      "no volume plugin matched name: kubernetes.io/no-provisioner");
  }));
  c.Settle();
  for (const char* name : {"selector", "rwx", "unknown-class", "no-provisioner"}) {
    INFO(name);
    CHECK(c.ClaimPhase(name, "Pending"));
    CHECK(c.GetClaim(name)["spec"].value("volumeName", "") == "");
  }
  CHECK(c.VolumePhase("labelled", "Available"));
  CHECK(c.VolumePhase("gold", "Available"));

  // A volume that fits, arriving later, is bound without waiting for a resync.
  c.Volume("cache-db", "1Gi", {{"metadata", {{"labels", {{"tier", "db"}}}}}});
  REQUIRE(Eventually([&] { return c.ClaimPhase("selector", "Bound"); }, 3s));
  CHECK(c.GetClaim("selector")["spec"]["volumeName"] == "cache-db");
}

TEST_CASE("pv controller: Retain keeps a released volume and its claimRef", "[controllers][pv]") {
  PvCluster c;
  c.Volume("keep", "1Gi", {{"spec", {{"persistentVolumeReclaimPolicy", "Retain"}}}});
  const json claim = c.Claim("data", "1Gi");
  REQUIRE(Eventually([&] { return c.VolumePhase("keep", "Bound"); }));
  c.DeleteClaim("data");
  REQUIRE(Eventually([&] { return c.VolumePhase("keep", "Released"); }));
  c.Settle();
  const json pv = c.GetVolume("keep");
  CHECK(pv["status"]["phase"] == "Released");
  CHECK(pv["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]);
  // A new claim of the same name is not the old one: it does not get the volume.
  c.Claim("data", "1Gi");
  c.Settle();
  CHECK(c.ClaimPhase("data", "Pending"));
  CHECK(c.VolumePhase("keep", "Released"));
}

TEST_CASE("pv controller: Delete of a static volume fails it", "[controllers][pv]") {
  PvCluster c;
  c.Volume("static", "1Gi", {{"spec", {{"persistentVolumeReclaimPolicy", "Delete"}}}});
  c.Claim("data", "1Gi");
  REQUIRE(Eventually([&] { return c.VolumePhase("static", "Bound"); }));
  c.DeleteClaim("data");
  REQUIRE(Eventually([&] { return c.VolumePhase("static", "Failed"); }));
  const std::string message =
      "error getting deleter volume plugin for volume \"static\": no deletable volume plugin "
      "matched";
  CHECK(c.GetVolume("static")["status"]["message"] == message);
  REQUIRE(Eventually([&] { return c.HasEvent("static", "VolumeFailedDelete", message); }));
  CHECK(c.VolumeExists("static"));
}

TEST_CASE("pv controller: Recycle is refused", "[controllers][pv]") {
  PvCluster c;
  c.Volume("old", "1Gi", {{"spec", {{"persistentVolumeReclaimPolicy", "Recycle"}}}});
  c.Claim("data", "1Gi");
  REQUIRE(Eventually([&] { return c.VolumePhase("old", "Bound"); }));
  c.DeleteClaim("data");
  REQUIRE(Eventually([&] { return c.VolumePhase("old", "Failed"); }));
  REQUIRE(Eventually([&] { return c.Events("old", "VolumeFailedRecycle").size() == 1; }));
  CHECK(c.GetVolume("old")["status"]["message"] ==
        "No recycler plugin found for the volume! skiff does not support the deprecated Recycle "
        "reclaim policy; use Retain or Delete");
}

TEST_CASE("pv controller: a bound claim whose volume is gone is Lost", "[controllers][pv]") {
  PvCluster c;
  c.Volume("vanishing", "1Gi");
  c.Claim("data", "1Gi");
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }));
  c.DeleteVolume("vanishing");
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Lost"); }));
  CHECK(Eventually([&] {
    return c.HasEvent("data", "ClaimLost",
                      "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
  }));
  CHECK(c.GetClaim("data")["status"].value("capacity", json()).is_null());
}

TEST_CASE("pv controller: WaitForFirstConsumer provisions on the selected node",
          "[controllers][pv]") {
  PvCluster c;
  c.Node("node-a", true);
  c.Class("local-wait", "skiff.io/local-path",
          {{"volumeBindingMode", "WaitForFirstConsumer"},
           {"reclaimPolicy", "Retain"},
           {"mountOptions", {"noatime"}}});
  // A free static volume of the class is left to the scheduler.
  c.Volume("static-wait", "1Gi", {{"spec", {{"storageClassName", "local-wait"}}}});
  const json created = c.Claim("data", "1Gi", {{"spec", {{"storageClassName", "local-wait"}}}});
  const std::string uid = created["metadata"]["uid"];
  const std::string pv_name = "pvc-" + uid;

  REQUIRE(Eventually([&] {
    return c.HasEvent("data", "WaitForFirstConsumer",
                      "waiting for first consumer to be created before binding");
  }));
  // Claim changes do not repeat the event.
  Ok(c.api().MergePatch(kClaims, "default", "data",
                        {{"metadata", {{"labels", {{"touched", "yes"}}}}}}));
  c.Settle();
  CHECK(c.EventCount("data", "WaitForFirstConsumer") == 1);
  CHECK(c.ClaimPhase("data", "Pending"));
  CHECK(Annotation(c.GetClaim("data"), "volume.kubernetes.io/storage-provisioner") ==
        "skiff.io/local-path");
  CHECK_FALSE(c.VolumeExists(pv_name));
  CHECK(c.VolumePhase("static-wait", "Available"));

  // The scheduler picks the node.
  Ok(c.api().MergePatch(
      kClaims, "default", "data",
      {{"metadata", {{"annotations", {{"volume.kubernetes.io/selected-node", "node-a"}}}}}}));
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }));
  REQUIRE(Eventually([&] { return c.VolumePhase(pv_name, "Bound"); }));

  const json pv = c.GetVolume(pv_name);
  CHECK(pv["spec"]["local"]["path"] == std::string(kRoot) + "/" + pv_name + "_default_data");
  CHECK(pv["spec"]["capacity"]["storage"] == "1Gi");
  CHECK(pv["spec"]["accessModes"] == json({"ReadWriteOnce"}));
  CHECK(pv["spec"]["volumeMode"] == "Filesystem");
  CHECK(pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain");
  CHECK(pv["spec"]["mountOptions"] == json({"noatime"}));
  CHECK(pv["spec"]["storageClassName"] == "local-wait");
  CHECK(pv["spec"]["claimRef"]["uid"] == uid);
  CHECK(pv["spec"]["claimRef"]["name"] == "data");
  CHECK(pv["spec"]["claimRef"]["namespace"] == "default");
  CHECK(pv["spec"]["claimRef"]["kind"] == "PersistentVolumeClaim");
  CHECK(pv["spec"]["claimRef"]["apiVersion"] == "v1");
  CHECK_FALSE(pv["spec"]["claimRef"].value("resourceVersion", "").empty());
  CHECK(pv["spec"]["nodeAffinity"] == json({{"required",
                                             {{"nodeSelectorTerms",
                                               {{{"matchExpressions",
                                                  {{{"key", "kubernetes.io/hostname"},
                                                    {"operator", "In"},
                                                    {"values", {"node-a"}}}}}}}}}}}));
  CHECK(Annotation(pv, "pv.kubernetes.io/provisioned-by") == "skiff.io/local-path");
  CHECK(Annotation(pv, "skiff.io/local-path-capacity") == "enforced");
  const json finalizers = pv["metadata"].value("finalizers", json::array());
  CHECK(std::find(finalizers.begin(), finalizers.end(), "skiff.io/local-path-cleanup") !=
        finalizers.end());

  const json claim = c.GetClaim("data");
  CHECK(claim["spec"]["volumeName"] == pv_name);
  CHECK(Annotation(claim, "volume.kubernetes.io/storage-provisioner") == "skiff.io/local-path");
  CHECK(Annotation(claim, "volume.beta.kubernetes.io/storage-provisioner") ==
        "skiff.io/local-path");
  CHECK(claim["status"]["capacity"]["storage"] == "1Gi");
  CHECK(Eventually([&] {
    return c.HasEvent("data", "ProvisioningSucceeded",
                      "Successfully provisioned volume " + pv_name + " using skiff.io/local-path");
  }));
  CHECK(c.EventCount("data", "Provisioning") == 1);
  CHECK(c.VolumePhase("static-wait", "Available"));
}

TEST_CASE("pv controller: Immediate provisioning picks the first ready node by name",
          "[controllers][pv]") {
  PvCluster c;
  c.Node("node-a", false);
  c.Node("node-c", true);
  c.Node("node-b", true);
  c.Class("local-now", "skiff.io/local-path", {{"parameters", {{"capacity", "unenforced"}}}});
  const json created = c.Claim("data", "2Gi", {{"spec", {{"storageClassName", "local-now"}}}});
  const std::string pv_name = "pvc-" + created["metadata"]["uid"].get<std::string>();
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }));
  const json pv = c.GetVolume(pv_name);
  CHECK(pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
          ["values"] == json({"node-b"}));
  CHECK(pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete");
  CHECK(Annotation(pv, "skiff.io/local-path-capacity") == "unenforced");
  CHECK(pv["spec"]["capacity"]["storage"] == "2Gi");
  CHECK(c.GetClaim("data")["status"]["capacity"]["storage"] == "2Gi");
}

TEST_CASE("pv controller: Immediate provisioning waits for a ready node", "[controllers][pv]") {
  PvCluster c;
  c.Class("local-now", "skiff.io/local-path");
  c.Claim("data", "1Gi", {{"spec", {{"storageClassName", "local-now"}}}});
  REQUIRE(Eventually([&] {
    return c.HasEvent("data", "ProvisioningFailed",
                      "no Ready and schedulable node to provision a skiff.io/local-path volume on");
  }));
  c.Node("node-a", false);
  c.Settle();
  CHECK(c.ClaimPhase("data", "Pending"));
  CHECK(Ok(c.client->List(kVolumes, "", {}))["items"].empty());
  c.Node("node-a", true);
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }, 3s));
}

TEST_CASE("pv controller: the provisioner refuses what it cannot serve", "[controllers][pv]") {
  PvCluster c;
  c.Node("node-a", true);
  c.Class("local-now", "skiff.io/local-path");
  c.Class("local-bad", "skiff.io/local-path", {{"parameters", {{"capacity", "strict"}}}});
  c.Claim("shared", "1Gi",
          {{"spec", {{"storageClassName", "local-now"}, {"accessModes", {"ReadWriteMany"}}}}});
  c.Claim("bad-param", "1Gi", {{"spec", {{"storageClassName", "local-bad"}}}});
  REQUIRE(Eventually([&] {
    return c.HasEvent("shared", "ProvisioningFailed",
                      "failed to provision volume with StorageClass \"local-now\": "
                      "skiff.io/local-path supports only the ReadWriteOnce and ReadWriteOncePod "
                      "access modes, not ReadWriteMany");
  }));
  REQUIRE(Eventually([&] {
    return c.HasEvent("bad-param", "ProvisioningFailed",
                      "failed to provision volume with StorageClass \"local-bad\": invalid "
                      "parameter capacity=\"strict\" of StorageClass \"local-bad\": must be "
                      "\"enforced\" or \"unenforced\"");
  }));
  c.Settle();
  CHECK(c.ClaimPhase("shared", "Pending"));
  CHECK(c.ClaimPhase("bad-param", "Pending"));
  CHECK(Ok(c.client->List(kVolumes, "", {}))["items"].empty());
}

TEST_CASE("pv controller: a deleted claim's provisioned volume is deleted", "[controllers][pv]") {
  PvCluster c;
  c.Node("node-a", true);
  c.Class("local-now", "skiff.io/local-path");
  const json created = c.Claim("data", "1Gi", {{"spec", {{"storageClassName", "local-now"}}}});
  const std::string pv_name = "pvc-" + created["metadata"]["uid"].get<std::string>();
  REQUIRE(Eventually([&] { return c.VolumePhase(pv_name, "Bound"); }));

  c.DeleteClaim("data");
  // The volume is deleted through the API; its finalizers hold it until the node agent (here:
  // the test) lets go.
  REQUIRE(Eventually([&] {
    auto pv = c.client->Get(kVolumes, "", pv_name);
    return pv.ok() && (*pv)["metadata"].contains("deletionTimestamp");
  }));
  CHECK(c.VolumePhase(pv_name, "Released"));
  c.ReleaseFinalizers(pv_name);
  REQUIRE(Eventually([&] { return !c.VolumeExists(pv_name); }));
}

TEST_CASE("pv controller: a claim without a class gets the default class later",
          "[controllers][pv]") {
  PvCluster c;
  c.Node("node-a", true);
  json claim = c.Claim("data", "1Gi", {{"spec", {{"storageClassName", nullptr}}}});
  REQUIRE_FALSE(claim["spec"].contains("storageClassName"));
  c.Settle();
  CHECK(c.ClaimPhase("data", "Pending"));
  c.Class(
      "local-path", "skiff.io/local-path",
      {{"metadata", {{"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}}}});
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }, 3s));
  CHECK(c.GetClaim("data")["spec"]["storageClassName"] == "local-path");
}

TEST_CASE("pv controller: a bound local-path claim grows", "[controllers][pv]") {
  PvCluster c;
  c.Node("node-a", true);
  c.Class("local-grow", "skiff.io/local-path", {{"allowVolumeExpansion", true}});
  const json created = c.Claim("data", "1Gi", {{"spec", {{"storageClassName", "local-grow"}}}});
  const std::string pv_name = "pvc-" + created["metadata"]["uid"].get<std::string>();
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }));

  Ok(c.api().MergePatch(kClaims, "default", "data",
                        {{"spec", {{"resources", {{"requests", {{"storage", "3Gi"}}}}}}}}));
  REQUIRE(Eventually([&] { return c.GetVolume(pv_name)["spec"]["capacity"]["storage"] == "3Gi"; }));
  REQUIRE(Eventually([&] {
    const json s = c.GetClaim("data")["status"];
    return s.contains("conditions") && s.contains("allocatedResources");
  }));
  const json status = c.GetClaim("data")["status"];
  CHECK(status["allocatedResources"]["storage"] == "3Gi");
  CHECK(status["allocatedResourceStatuses"]["storage"] == "NodeResizePending");
  CHECK(status["capacity"]["storage"] == "1Gi");  // the node agent finishes the filesystem
  REQUIRE(status["conditions"].size() == 1);
  CHECK(status["conditions"][0]["type"] == "FileSystemResizePending");
  CHECK(status["conditions"][0]["status"] == "True");
  CHECK(status["conditions"][0]["message"] ==
        "Waiting for user to (re-)start a pod to finish file system resize of volume on node.");
  CHECK(Eventually([&] { return c.Events("data", "FileSystemResizeRequired").size() == 1; }));
  CHECK(c.Events("data", "Resizing").size() == 1);

  // The node agent's part: the filesystem grew. Nothing more happens.
  Ok(c.api().MergePatch(kClaims, "default", "data",
                        {{"status",
                          {{"capacity", {{"storage", "3Gi"}}},
                           {"conditions", nullptr},
                           {"allocatedResourceStatuses", nullptr}}}},
                        "status"));
  c.Settle();
  const json done = c.GetClaim("data");
  CHECK_FALSE(done["status"].contains("conditions"));
  CHECK(done["status"]["capacity"]["storage"] == "3Gi");
  CHECK(c.ClaimPhase("data", "Bound"));
}

TEST_CASE("pv controller: a static volume is not expanded", "[controllers][pv]") {
  PvCluster c;
  c.Class("manual-grow", "kubernetes.io/no-provisioner", {{"allowVolumeExpansion", true}});
  c.Volume("static", "1Gi", {{"spec", {{"storageClassName", "manual-grow"}}}});
  c.Claim("data", "1Gi", {{"spec", {{"storageClassName", "manual-grow"}}}});
  REQUIRE(Eventually([&] { return c.ClaimPhase("data", "Bound"); }));
  Ok(c.api().MergePatch(kClaims, "default", "data",
                        {{"spec", {{"resources", {{"requests", {{"storage", "2Gi"}}}}}}}}));
  REQUIRE(Eventually([&] { return !c.Events("data", "ExternalExpanding").empty(); }));
  c.Settle();
  CHECK(c.GetVolume("static")["spec"]["capacity"]["storage"] == "1Gi");
  CHECK_FALSE(c.GetClaim("data")["status"].contains("conditions"));
}
