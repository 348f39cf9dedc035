// The StatefulSet controller against a real store: identities, ordered and parallel creation
// and scale-down, claims from volumeClaimTemplates and their retention policy, failed pods,
// one Sync at a time and as a running controller.
#include <catch2/catch.hpp>

#include "controllers/controller_history.h"
#include "controllers/controller_ref.h"
#include "controllers/statefulset_revisions.h"
#include "unit/controllers/statefulset_fixture.h"

namespace skiff::controllers {
namespace {

using testing::DataClaimTemplate;
using testing::Eventually;
using testing::Ok;
using testing::StatefulSetCluster;
using testing::WebSet;
using Names = std::vector<std::string>;
using namespace std::chrono_literals;

// Deletes a claim no scheduled pod uses, and plays the PVC protection controller: its
// kubernetes.io/pvc-protection finalizer goes, so the claim is gone.
void DeleteUnusedClaim(StatefulSetCluster& c, const std::string& name) {
  REQUIRE(c.client->Delete(client::PersistentVolumeClaims(), "default", name, {}).ok());
  json pvc = Ok(c.client->Get(client::PersistentVolumeClaims(), "default", name));
  pvc["metadata"]["finalizers"] = json::array();
  Ok(c.client->Update(client::PersistentVolumeClaims(), "default", pvc, ""));
}

TEST_CASE("OrderedReady creates web-0, then web-1 only once web-0 is running and ready") {
  StatefulSetCluster c;
  const json set = c.CreateSet(WebSet(3));
  c.StartInformers();

  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
  const json pod = c.GetPod("web-0");
  CHECK(pod["spec"]["hostname"] == "web-0");
  CHECK(pod["spec"]["subdomain"] == "nginx");
  CHECK(pod["spec"]["containers"][0]["image"] == "nginx:1.25");
  const json& labels = pod["metadata"]["labels"];
  CHECK(labels["app"] == "nginx");
  CHECK(labels["statefulset.kubernetes.io/pod-name"] == "web-0");
  CHECK(labels["apps.kubernetes.io/pod-index"] == "0");
  const std::string revision = c.Set()["status"]["updateRevision"];
  CHECK(labels["controller-revision-hash"] == revision);
  REQUIRE(pod["metadata"]["ownerReferences"].size() == 1);
  const json& ref = pod["metadata"]["ownerReferences"][0];
  CHECK(ref["kind"] == "StatefulSet");
  CHECK(ref["name"] == "web");
  CHECK(ref["uid"] == set["metadata"]["uid"]);
  CHECK(ref["controller"] == true);
  CHECK(ref["blockOwnerDeletion"] == true);

  // web-0 is Pending: nothing more, however often the controller looks.
  c.Sync();
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
  // Running but not Ready is not enough either.
  c.MarkReady("default", "web-0", false);
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});

  c.Ready("web-0");
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  c.Ready("web-1");
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1", "web-2"});
  CHECK(c.GetPod("web-2")["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "2");
  CHECK(c.Events("SuccessfulCreate") == Names{"create Pod web-0 in StatefulSet web successful",
                                              "create Pod web-1 in StatefulSet web successful",
                                              "create Pod web-2 in StatefulSet web successful"});
}

TEST_CASE("ordinals start at spec.ordinals.start") {
  StatefulSetCluster c;
  json set = WebSet(2, "Parallel");
  set["spec"]["ordinals"] = {{"start", 5}};
  c.CreateSet(set);
  c.StartInformers();
  c.Sync();
  CHECK(c.PodNames() == Names{"web-5", "web-6"});
  CHECK(c.GetPod("web-6")["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "6");
  CHECK(c.GetPod("web-5")["spec"]["hostname"] == "web-5");
}

TEST_CASE("OrderedReady waits minReadySeconds before the next pod") {
  StatefulSetCluster c;
  json set = WebSet(2);
  set["spec"]["minReadySeconds"] = 30;
  c.CreateSet(set);
  c.StartInformers();
  c.Sync();
  c.Ready("web-0");  // ready since now: not available for 30 s
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
  json status = c.Set()["status"];
  CHECK(status["readyReplicas"] == 1);
  CHECK(status["availableReplicas"] == 0);

  c.Ready("web-0", "2020-01-01T00:00:00Z");  // ready long ago
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  status = c.Set()["status"];
  CHECK(status["availableReplicas"] == 1);
}

TEST_CASE("OrderedReady scale down deletes from the highest ordinal, one per healthy sync") {
  StatefulSetCluster c;
  c.CreateSet(WebSet(3));
  c.StartInformers();
  for (const char* p : {"web-0", "web-1", "web-2"}) {
    c.Sync();
    c.Ready(p);
  }
  c.Sync();
  REQUIRE(c.PodNames() == Names{"web-0", "web-1", "web-2"});

  c.PatchSet({{"spec", {{"replicas", 1}}}});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  // web-0 is no longer ready: web-1 stays until it is.
  c.MarkReady("default", "web-0", false);
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  c.Ready("web-0");
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
  CHECK(c.Events("SuccessfulDelete") == Names{"delete Pod web-2 in StatefulSet web successful",
                                              "delete Pod web-1 in StatefulSet web successful"});
  // A sync reports what it saw before acting; the next one sees web-1 gone.
  CHECK(c.Set()["status"]["replicas"] == 2);
  c.Sync();
  const json status = c.Set()["status"];
  CHECK(status["replicas"] == 1);
  CHECK(status["readyReplicas"] == 1);
}

TEST_CASE("OrderedReady scale down may delete the unhealthy pod itself when it is the highest") {
  StatefulSetCluster c;
  c.CreateSet(WebSet(2));
  c.StartInformers();
  c.Sync();
  c.Ready("web-0");
  c.Sync();  // web-1 created, never ready
  c.PatchSet({{"spec", {{"replicas", 1}}}});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
}

TEST_CASE("Parallel creates all pods at once and deletes all condemned at once") {
  StatefulSetCluster c;
  c.CreateSet(WebSet(3, "Parallel"));
  c.StartInformers();
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1", "web-2"});
  CHECK(c.Events("SuccessfulCreate").size() == 3);
  // None is ready; scaling down does not wait for them.
  c.PatchSet({{"spec", {{"replicas", 1}}}});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
  CHECK(c.Events("SuccessfulDelete") == Names{"delete Pod web-2 in StatefulSet web successful",
                                              "delete Pod web-1 in StatefulSet web successful"});
}

TEST_CASE("volumeClaimTemplates give each pod its claim, created before the pod and kept") {
  StatefulSetCluster c;
  json set = WebSet(2);
  set["spec"]["volumeClaimTemplates"] = {DataClaimTemplate()};
  c.CreateSet(set);
  c.StartInformers();
  c.Sync();
  CHECK(c.Names(client::PersistentVolumeClaims()) == Names{"data-web-0"});
  const json pvc = Ok(c.client->Get(client::PersistentVolumeClaims(), "default", "data-web-0"));
  CHECK(pvc["metadata"]["labels"] == json{{"app", "nginx"}, {"tier", "storage"}});
  CHECK(pvc["spec"]["accessModes"] == json{"ReadWriteOnce"});
  CHECK(pvc["spec"]["resources"]["requests"]["storage"] == "1Gi");
  CHECK_FALSE(pvc["metadata"].contains("ownerReferences"));  // Retain: nobody owns it
  const json pod = c.GetPod("web-0");
  REQUIRE(pod["spec"]["volumes"].size() == 1);
  CHECK(pod["spec"]["volumes"][0] ==
        json{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-web-0"}}}});
  CHECK(c.Events("SuccessfulCreate") ==
        Names{"create Claim data-web-0 Pod web-0 in StatefulSet web success",
              "create Pod web-0 in StatefulSet web successful"});

  c.Ready("web-0");
  c.Sync();
  CHECK(c.Names(client::PersistentVolumeClaims()) == Names{"data-web-0", "data-web-1"});
  // Scaling down keeps the claims.
  c.Ready("web-1");
  c.PatchSet({{"spec", {{"replicas", 0}}}});
  c.Sync();
  c.Sync();
  CHECK(c.PodNames().empty());
  CHECK(c.Names(client::PersistentVolumeClaims()) == Names{"data-web-0", "data-web-1"});
}

TEST_CASE("a missing claim of a pending pod is created again") {
  StatefulSetCluster c;
  json set = WebSet(1);
  set["spec"]["volumeClaimTemplates"] = {DataClaimTemplate()};
  c.CreateSet(set);
  c.StartInformers();
  c.Sync();
  DeleteUnusedClaim(c, "data-web-0");
  c.Sync();
  CHECK(c.Names(client::PersistentVolumeClaims()) == Names{"data-web-0"});
  CHECK(c.Events("SuccessfulCreate").size() == 2);  // the claim's event folds into one
}

TEST_CASE("persistentVolumeClaimRetentionPolicy is carried by owner references on the claims") {
  StatefulSetCluster c;
  json set = WebSet(2);
  set["spec"]["volumeClaimTemplates"] = {DataClaimTemplate()};
  set["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenDeleted", "Delete"},
                                                         {"whenScaled", "Delete"}};
  const json created = c.CreateSet(set);
  c.StartInformers();
  c.Sync();
  c.Ready("web-0");
  c.Sync();
  c.Ready("web-1");
  c.Sync();

  auto refs_of = [&](const std::string& claim) {
    return Ok(c.client->Get(client::PersistentVolumeClaims(), "default", claim))["metadata"].value(
        "ownerReferences", json::array());
  };
  // In range: the set owns both claims (whenDeleted: Delete).
  for (const char* claim : {"data-web-0", "data-web-1"}) {
    const json refs = refs_of(claim);
    REQUIRE(refs.size() == 1);
    CHECK(refs[0]["kind"] == "StatefulSet");
    CHECK(refs[0]["uid"] == created["metadata"]["uid"]);
    CHECK(refs[0]["controller"] == true);
  }
  // Scaled down: web-1's claim passes to web-1 (whenScaled: Delete), then web-1 goes.
  const std::string web1_uid = c.GetPod("web-1")["metadata"]["uid"];
  c.PatchSet({{"spec", {{"replicas", 1}}}});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
  const json refs = refs_of("data-web-1");
  REQUIRE(refs.size() == 1);
  CHECK(refs[0] == json{{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"name", "web-1"},
                        {"uid", web1_uid},
                        {"controller", true},
                        {"blockOwnerDeletion", true}});

  // Scaled up again before the garbage collector removed the claim: web-1 waits for it.
  c.PatchSet({{"spec", {{"replicas", 2}}}});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0"});
  DeleteUnusedClaim(c, "data-web-1");
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  CHECK(refs_of("data-web-1")[0]["kind"] == "StatefulSet");
}

TEST_CASE("a failed pod is deleted and created again under the same name") {
  StatefulSetCluster c;
  c.CreateSet(WebSet(2));
  c.StartInformers();
  c.Sync();
  c.Ready("web-0");
  c.Sync();
  c.Ready("web-1");
  const std::string old_uid = c.GetPod("web-0")["metadata"]["uid"];
  c.MarkPhase("default", "web-0", "Failed");
  c.Sync();
  CHECK(c.PodNames() == Names{"web-1"});
  CHECK(c.Events("SuccessfulDelete") == Names{"delete Pod web-0 in StatefulSet web successful"});
  c.Sync();
  CHECK(c.PodNames() == Names{"web-0", "web-1"});
  const json pod = c.GetPod("web-0");
  CHECK(pod["metadata"]["uid"] != old_uid);
  CHECK(pod["spec"]["hostname"] == "web-0");
  CHECK(pod["status"]["phase"] == "Pending");
}

TEST_CASE("orphans named after the set are adopted, others are left alone") {
  StatefulSetCluster c;
  const json set = c.CreateSet(WebSet(1));
  const std::string revision =
      "web-" + history::HashControllerRevision(statefulset::RevisionData(set), 0);
  json orphan = client::testing::Pod("web-0");
  orphan["metadata"]["labels"] = {{"app", "nginx"}, {"controller-revision-hash", revision}};
  c.CreatePod("default", orphan);
  json stranger = client::testing::Pod("other-0");
  stranger["metadata"]["labels"] = {{"app", "nginx"}};
  c.CreatePod("default", stranger);
  c.StartInformers();
  c.Sync();
  CHECK(IsControlledBy(c.GetPod("web-0"), set["metadata"]["uid"]));
  CHECK_FALSE(c.GetPod("other-0")["metadata"].contains("ownerReferences"));
  // Once running and ready, the adopted pod gets its identity labels.
  c.Ready("web-0");
  c.Sync();
  CHECK(c.PodNames() == Names{"other-0", "web-0"});
  CHECK(c.GetPod("web-0")["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-0");
  CHECK(c.Events("SuccessfulUpdate") == Names{"update Pod web-0 in StatefulSet web successful"});
}

TEST_CASE("a sync does not act again before the pod cache shows its last creation") {
  // The pod informer watches through a client whose watch the test cuts off.
  skiff::client::testing::Cluster base;
  client::testing::ProxyClient proxy(*base.client);
  client::SharedInformerFactory informers(proxy);
  for (const auto& r :
       {client::StatefulSets(), client::PersistentVolumeClaims(), client::ControllerRevisions()}) {
    informers.For(r);
  }
  Ok(base.client->Create(client::StatefulSets(), "default", WebSet(2)));
  informers.Start();
  REQUIRE(informers.WaitForSync(10s));
  REQUIRE(Eventually([&] { return proxy.watches_started.load() == 3; }));
  // Made now, the pod informer's watch is the newest.
  StatefulSetControllerOptions o;
  o.max_backoff = 200ms;
  StatefulSetController controller(*base.client, informers, o);
  REQUIRE(informers.WaitForSync(10s));
  REQUIRE(Eventually([&] { return proxy.watches_started.load() == 4; }));
  proxy.CutWatch();

  REQUIRE(controller.Sync("default/web").ok());
  REQUIRE(base.client->Get(client::Pods(), "default", "web-0").ok());
  Ok(base.client->MergePatch(
      client::Pods(), "default", "web-0",
      {{"status",
        {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}},
      "status"));
  // The cache has not seen web-0: the controller neither creates it again nor goes on.
  REQUIRE(controller.Sync("default/web").ok());
  REQUIRE(controller.Sync("default/web").ok());
  auto names = [&] {
    Names out;
    const json list = Ok(base.client->List(client::Pods(), "default", {}));
    for (const json& p : list["items"]) out.push_back(p["metadata"]["name"]);
    return out;
  };
  CHECK(names() == Names{"web-0"});

  // The watch ends; the relist shows web-0, running and ready.
  proxy.CloseWatch(UnavailableError("cut"));
  REQUIRE(Eventually([&] {
    auto pod = informers.For(client::Pods()).Get("default", "web-0");
    return pod && (*pod)["status"].value("phase", "") == "Running";
  }));
  REQUIRE(controller.Sync("default/web").ok());
  CHECK(names() == Names{"web-0", "web-1"});
  controller.Stop();
  informers.Stop();
}

TEST_CASE("the running controller brings up an OrderedReady set as pods become ready") {
  StatefulSetCluster c(std::chrono::minutes(5));
  c.CreateSet(WebSet(3));
  c.StartInformers();
  c.controller.Start();
  for (const char* pod : {"web-0", "web-1", "web-2"}) {
    REQUIRE(Eventually([&] { return c.PodExists(pod); }));
    c.MarkReady("default", pod);
  }
  REQUIRE(Eventually([&] {
    const json status = c.Set().value("status", json::object());
    return status.value("readyReplicas", 0) == 3 && status.value("currentReplicas", 0) == 3;
  }));
  CHECK(c.PodNames() == Names{"web-0", "web-1", "web-2"});

  // A failed pod comes back under its name.
  const std::string uid = c.GetPod("web-1")["metadata"]["uid"];
  c.MarkPhase("default", "web-1", "Failed");
  REQUIRE(Eventually([&] {
    auto pod = c.client->Get(client::Pods(), "default", "web-1");
    return pod.ok() && (*pod)["metadata"]["uid"] != uid;
  }));
  c.MarkReady("default", "web-1");
  REQUIRE(Eventually([&] { return c.Set()["status"].value("readyReplicas", 0) == 3; }));

  // Scale down to one, from the top.
  c.PatchSet({{"spec", {{"replicas", 1}}}});
  REQUIRE(Eventually([&] { return c.PodNames() == Names{"web-0"}; }));
  auto deleted = c.Events("SuccessfulDelete");
  std::sort(deleted.begin(), deleted.end());
  CHECK(deleted == Names{"delete Pod web-1 in StatefulSet web successful",
                         "delete Pod web-2 in StatefulSet web successful"});
  c.controller.Stop();
}

}  // namespace
}  // namespace skiff::controllers
