// The garbage collector, through the real API: background, foreground and orphan deletion,
// owners that never existed or appear late, invalid (cross-namespace) references, single
// passes and what the running collector follows and caches.
#include "controllers/garbage_collector.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "controllers/controller_ref.h"
#include "unit/controllers/gc_fixture.h"

namespace skiff::controllers {
namespace {

using testing::Eventually;
using testing::EventsAbout;
using testing::FastOptions;
using testing::GcCluster;
using testing::MakeDeployment;
using testing::MakePod;
using testing::MakeReplicaSet;
using testing::Ok;
using testing::PlainRef;
using testing::UidOfObj;
using namespace std::chrono_literals;

// --- the claim the collector relies on ---

TEST_CASE("the API deletes an object being deleted once an update removes its last finalizer") {
  GcCluster c;
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "held"}, {"finalizers", {"example.com/a", "example.com/b"}}}}};
  Ok(c.client->Create(client::ConfigMaps(), "default", cm));
  c.DeleteWith(client::ConfigMaps(), "default", "held", "Background");
  json held = Ok(c.client->Get(client::ConfigMaps(), "default", "held"));
  CHECK(held["metadata"].contains("deletionTimestamp"));

  Ok(c.api().MergePatch(client::ConfigMaps(), "default", "held",
                        {{"metadata", {{"finalizers", {"example.com/b"}}}}}));
  held = Ok(c.client->Get(client::ConfigMaps(), "default", "held"));
  CHECK(held["metadata"]["finalizers"] == json{"example.com/b"});

  Ok(c.api().MergePatch(client::ConfigMaps(), "default", "held",
                        {{"metadata", {{"finalizers", nullptr}}}}));
  CHECK(c.Gone(client::ConfigMaps(), "default", "held"));
}

// --- background ---

TEST_CASE("a ReplicaSet deleted in the background takes its pods and nothing else") {
  GcCluster c;
  json rs = MakeReplicaSet(c, "default", "web");
  for (const char* name : {"web-a", "web-b", "web-c"}) {
    MakePod(c, "default", name, {MakeControllerRef(rs, ReplicaSetKind())});
  }
  MakePod(c, "default", "bare", {});
  c.StartGc();
  c.Settle();
  CHECK(c.Exists(client::Pods(), "default", "web-a"));  // the owner is there: nothing happens

  c.DeleteWith(client::ReplicaSets(), "default", "web", "Background");
  CHECK(Eventually(
      [&] {
        return c.Gone(client::Pods(), "default", "web-a") &&
               c.Gone(client::Pods(), "default", "web-b") &&
               c.Gone(client::Pods(), "default", "web-c");
      },
      5s));
  c.Settle();
  CHECK(c.Exists(client::Pods(), "default", "bare"));
  const json left = Ok(c.client->List(client::Pods(), "", {}));
  CHECK(left["items"].size() == 1);
}

TEST_CASE("a Deployment -> ReplicaSet -> Pod chain deleted in the background goes entirely") {
  GcCluster c;
  json d = MakeDeployment(c, "app");
  json rs = MakeReplicaSet(c, "default", "app-7d9f", {MakeControllerRef(d, DeploymentKind())});
  MakePod(c, "default", "app-7d9f-x1", {MakeControllerRef(rs, ReplicaSetKind())});
  MakePod(c, "default", "app-7d9f-x2", {MakeControllerRef(rs, ReplicaSetKind())});
  c.StartGc();

  c.DeleteWith(client::Deployments(), "default", "app", "Background");
  CHECK(Eventually(
      [&] {
        return c.Gone(client::ReplicaSets(), "default", "app-7d9f") &&
               c.Gone(client::Pods(), "default", "app-7d9f-x1") &&
               c.Gone(client::Pods(), "default", "app-7d9f-x2");
      },
      5s));
}

TEST_CASE("a pod with two owners loses only the deleted owner's reference") {
  GcCluster c;
  json a = MakeReplicaSet(c, "default", "a");
  json b = MakeReplicaSet(c, "default", "b");
  const json ref_a = MakeControllerRef(a, ReplicaSetKind());
  MakePod(c, "default", "shared", {ref_a, PlainRef(b, ReplicaSetKind())});
  MakePod(c, "default", "only-b", {PlainRef(b, ReplicaSetKind())});
  c.StartGc();

  c.DeleteWith(client::ReplicaSets(), "default", "b", "Background");
  CHECK(Eventually([&] { return c.Gone(client::Pods(), "default", "only-b"); }, 5s));
  CHECK(Eventually(
      [&] {
        json pod = Ok(c.client->Get(client::Pods(), "default", "shared"));
        return pod["metadata"]["ownerReferences"].size() == 1;
      },
      5s));
  c.Settle();
  json pod = Ok(c.client->Get(client::Pods(), "default", "shared"));
  CHECK(pod["metadata"]["ownerReferences"] == json::array({ref_a}));
  CHECK(c.Exists(client::ReplicaSets(), "default", "a"));
}

// --- foreground ---

TEST_CASE("foreground: the owner stays, being deleted, until its blocking dependents are gone") {
  GcCluster c;
  json rs = MakeReplicaSet(c, "default", "web");
  // Pods on a node terminate gracefully: deleting them leaves them (deletionTimestamp set)
  // until the kubelet (here the test) removes them.
  MakePod(c, "default", "blocking-1", {MakeControllerRef(rs, ReplicaSetKind())}, "node-1");
  MakePod(c, "default", "blocking-2", {MakeControllerRef(rs, ReplicaSetKind())}, "node-1");
  MakePod(c, "default", "not-blocking", {PlainRef(rs, ReplicaSetKind())}, "node-1");
  c.StartGc();

  c.DeleteWith(client::ReplicaSets(), "default", "web", "Foreground");
  auto terminating = [&](const std::string& name) {
    auto pod = c.client->Get(client::Pods(), "default", name);
    return pod.ok() && (*pod)["metadata"].contains("deletionTimestamp");
  };
  REQUIRE(Eventually(
      [&] {
        return terminating("blocking-1") && terminating("blocking-2") &&
               terminating("not-blocking");
      },
      5s));
  c.Settle();
  json owner = Ok(c.client->Get(client::ReplicaSets(), "default", "web"));
  CHECK(owner["metadata"].contains("deletionTimestamp"));
  CHECK(owner["metadata"]["finalizers"] == json{"foregroundDeletion"});

  c.DeletePod("default", "not-blocking");  // the kubelet finishes it: nothing changes
  c.DeletePod("default", "blocking-1");
  c.Settle();
  CHECK(c.Exists(client::ReplicaSets(), "default", "web"));

  c.DeletePod("default", "blocking-2");
  CHECK(Eventually([&] { return c.Gone(client::ReplicaSets(), "default", "web"); }, 5s));
}

TEST_CASE("foreground cascades down a Deployment -> ReplicaSet -> Pod chain") {
  GcCluster c;
  json d = MakeDeployment(c, "app");
  json rs = MakeReplicaSet(c, "default", "app-1", {MakeControllerRef(d, DeploymentKind())});
  MakePod(c, "default", "app-1-p", {MakeControllerRef(rs, ReplicaSetKind())}, "node-1");
  c.StartGc();

  c.DeleteWith(client::Deployments(), "default", "app", "Foreground");
  // The ReplicaSet is deleted in the foreground too, and waits for its pod.
  REQUIRE(Eventually(
      [&] {
        auto r = c.client->Get(client::ReplicaSets(), "default", "app-1");
        return r.ok() && (*r)["metadata"].contains("deletionTimestamp");
      },
      5s));
  c.Settle();
  json middle = Ok(c.client->Get(client::ReplicaSets(), "default", "app-1"));
  CHECK(middle["metadata"]["finalizers"] == json{"foregroundDeletion"});
  CHECK(c.Exists(client::Deployments(), "default", "app"));
  json pod = Ok(c.client->Get(client::Pods(), "default", "app-1-p"));
  CHECK(pod["metadata"].contains("deletionTimestamp"));

  c.DeletePod("default", "app-1-p");
  CHECK(Eventually(
      [&] {
        return c.Gone(client::ReplicaSets(), "default", "app-1") &&
               c.Gone(client::Deployments(), "default", "app");
      },
      5s));
}

// --- orphan ---

TEST_CASE("orphan: dependents keep running without the reference and the owner goes") {
  GcCluster c;
  json rs = MakeReplicaSet(c, "default", "web");
  json other = MakeReplicaSet(c, "default", "other");
  MakePod(c, "default", "web-a", {MakeControllerRef(rs, ReplicaSetKind())});
  MakePod(c, "default", "web-b", {MakeControllerRef(rs, ReplicaSetKind())});
  const json other_ref = PlainRef(other, ReplicaSetKind());
  MakePod(c, "default", "web-c", {MakeControllerRef(rs, ReplicaSetKind()), other_ref});
  c.StartGc();

  c.DeleteWith(client::ReplicaSets(), "default", "web", "Orphan");
  CHECK(Eventually([&] { return c.Gone(client::ReplicaSets(), "default", "web"); }, 5s));
  c.Settle();
  for (const char* name : {"web-a", "web-b"}) {
    json pod = Ok(c.client->Get(client::Pods(), "default", name));
    CHECK_FALSE(pod["metadata"].contains("ownerReferences"));
    CHECK_FALSE(pod["metadata"].contains("deletionTimestamp"));
  }
  json pod = Ok(c.client->Get(client::Pods(), "default", "web-c"));
  CHECK(pod["metadata"]["ownerReferences"] == json::array({other_ref}));
}

// --- owners that do not exist, or show up late ---

TEST_CASE("an ownerReference to a uid that never existed gets the dependent deleted") {
  GcCluster c;
  json rs = MakeReplicaSet(c, "default", "web");
  json ghost = {{"apiVersion", "apps/v1"},
                {"kind", "ReplicaSet"},
                {"name", "ghost"},
                {"uid", "0badc0de-0000-4000-8000-000000000001"},
                {"controller", true}};
  MakePod(c, "default", "haunted", {ghost});
  // The right name with another uid is not the owner either; nor is a Node that never was.
  json impostor = MakeControllerRef(rs, ReplicaSetKind());
  impostor["uid"] = "0badc0de-0000-4000-8000-000000000002";
  MakePod(c, "default", "fooled", {impostor});
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"name", "gone-node"},
               {"uid", "0badc0de-0000-4000-8000-000000000003"}};
  MakePod(c, "default", "stranded", {node});
  MakePod(c, "default", "kept", {MakeControllerRef(rs, ReplicaSetKind())});
  c.StartGc();

  CHECK(Eventually(
      [&] {
        return c.Gone(client::Pods(), "default", "haunted") &&
               c.Gone(client::Pods(), "default", "fooled") &&
               c.Gone(client::Pods(), "default", "stranded");
      },
      5s));
  // Created after the start, too.
  MakePod(c, "default", "haunted-later", {ghost});
  CHECK(Eventually([&] { return c.Gone(client::Pods(), "default", "haunted-later"); }, 5s));
  c.Settle();
  CHECK(c.Exists(client::Pods(), "default", "kept"));
}

TEST_CASE("an object whose owner the collector sees only later is not collected") {
  GcCluster c;
  // The collector's ReplicaSet informer hears of everything 300 ms late.
  c.StartGc(c.Lagging("replicasets", 0ms, 300ms));

  json rs = MakeReplicaSet(c, "default", "late");
  json pod = MakePod(c, "default", "late-0", {MakeControllerRef(rs, ReplicaSetKind())});
  c.Settle();
  std::this_thread::sleep_for(400ms);
  c.Settle();
  CHECK(c.Exists(client::Pods(), "default", "late-0"));

  // And once the owner goes, the collector still does its job.
  c.DeleteWith(client::ReplicaSets(), "default", "late", "Background");
  CHECK(Eventually([&] { return c.Gone(client::Pods(), "default", "late-0"); }, 5s));
}

TEST_CASE("nothing is collected before every informer has synced") {
  GcCluster c;
  json rs = MakeReplicaSet(c, "default", "web");
  MakePod(c, "default", "owned", {MakeControllerRef(rs, ReplicaSetKind())});
  json ghost = {{"apiVersion", "apps/v1"},
                {"kind", "ReplicaSet"},
                {"name", "ghost"},
                {"uid", "0badc0de-0000-4000-8000-000000000009"}};
  MakePod(c, "default", "orphaned", {ghost});
  // The ReplicaSet list takes 600 ms: the pod informer has long synced by then.
  c.gc = std::make_unique<GarbageCollector>(*c.Lagging("replicasets", 600ms, 0ms),
                                            GarbageCollectedResources(), FastOptions());
  c.gc->Start();
  CHECK_FALSE(c.gc->WaitForSync(300ms));
  CHECK(c.Exists(client::Pods(), "default", "orphaned"));
  CHECK(c.gc->syncs() == 0);

  REQUIRE(c.gc->WaitForSync(5s));
  CHECK(Eventually([&] { return c.Gone(client::Pods(), "default", "orphaned"); }, 5s));
  c.Settle();
  CHECK(c.Exists(client::Pods(), "default", "owned"));
}

// --- invalid references ---

TEST_CASE("a dependent in another namespace than its owner is left alone, with an event") {
  GcCluster c;
  json rs = MakeReplicaSet(c, "default", "web");
  MakePod(c, "other", "stray", {MakeControllerRef(rs, ReplicaSetKind())});
  MakePod(c, "default", "web-a", {MakeControllerRef(rs, ReplicaSetKind())});
  json role = {{"apiVersion", "rbac.authorization.k8s.io/v1"},
               {"kind", "ClusterRole"},
               {"metadata",
                {{"name", "cluster-wide"},
                 {"ownerReferences", json::array({MakeControllerRef(rs, ReplicaSetKind())})}}},
               {"rules", json::array()}};
  const client::Resource cluster_roles{"rbac.authorization.k8s.io", "v1", "clusterroles"};
  Ok(c.client->Create(cluster_roles, "", role));
  c.StartGc();

  const std::string uid = UidOfObj(rs);
  const std::string want_pod =
      "Warning OwnerRefInvalidNamespace: ownerRef [apps/v1/ReplicaSet, "
      "namespace: other, name: web, uid: " +
      uid + "] does not exist in namespace \"other\"";
  CHECK(Eventually(
      [&] {
        return EventsAbout(c, "other", "stray", "OwnerRefInvalidNamespace") ==
               std::vector<std::string>{want_pod};
      },
      5s));
  // A cluster-scoped object's events go to "default".
  const std::string want_role =
      "Warning OwnerRefInvalidNamespace: ownerRef [apps/v1/ReplicaSet, "
      "namespace: , name: web, uid: " +
      uid + "] does not exist in namespace \"\"";
  CHECK(Eventually(
      [&] {
        return EventsAbout(c, "default", "cluster-wide", "OwnerRefInvalidNamespace") ==
               std::vector<std::string>{want_role};
      },
      5s));

  c.DeleteWith(client::ReplicaSets(), "default", "web", "Background");
  CHECK(Eventually([&] { return c.Gone(client::Pods(), "default", "web-a"); }, 5s));
  c.Settle();
  json stray = Ok(c.client->Get(client::Pods(), "other", "stray"));
  CHECK(stray["metadata"]["ownerReferences"].size() == 1);
  CHECK(c.Exists(cluster_roles, "", "cluster-wide"));
}

TEST_CASE("a dependent in another namespace is left alone even while its owner is not seen yet") {
  GcCluster c;
  c.StartGc(c.Lagging("replicasets", 0ms, 300ms));
  json rs = MakeReplicaSet(c, "default", "web");
  MakePod(c, "other", "stray", {MakeControllerRef(rs, ReplicaSetKind())});
  CHECK(Eventually(
      [&] { return EventsAbout(c, "other", "stray", "OwnerRefInvalidNamespace").size() == 1; },
      5s));
  c.Settle();
  CHECK(c.Exists(client::Pods(), "other", "stray"));
}

// --- single passes ---

TEST_CASE("Sync: malformed keys, unknown uids and owners of a kind nobody serves") {
  GcCluster c;
  json widget = {{"apiVersion", "example.com/v1"},
                 {"kind", "Widget"},
                 {"name", "w"},
                 {"uid", "0badc0de-0000-4000-8000-00000000000a"}};
  json pod = MakePod(c, "default", "gadget", {widget});
  GarbageCollectorOptions o = FastOptions();
  o.max_backoff = 50ms;
  c.gc = std::make_unique<GarbageCollector>(*c.client, GarbageCollectedResources(), o);

  Status bad = c.gc->Sync("sweep/everything");
  CHECK(bad.code() == Code::kInvalidArgument);
  CHECK(bad.message() == "malformed garbage collector key \"sweep/everything\"");
  CHECK(c.gc->Sync(GarbageCollector::DeleteKey("no-such-uid")).ok());
  CHECK(c.gc->Sync(GarbageCollector::OrphanKey("no-such-uid")).ok());

  c.gc->Start();
  REQUIRE(c.gc->WaitForSync(5s));
  Status s = c.gc->Sync(GarbageCollector::DeleteKey(UidOfObj(pod)));
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message() == "unable to get REST mapping for example.com/v1/Widget");
  std::this_thread::sleep_for(200ms);  // the workers retry it meanwhile, to the same end
  CHECK(c.Exists(client::Pods(), "default", "gadget"));
}

}  // namespace
}  // namespace skiff::controllers
