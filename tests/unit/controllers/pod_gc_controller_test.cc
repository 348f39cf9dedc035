// The pod garbage collector: terminated pods beyond the threshold (evicted, then oldest first),
// pods of deleted nodes after the quarantine, terminating pods never scheduled, terminating
// pods on out-of-service nodes; each marked Failed first and force-deleted (grace 0).
#include "controllers/pod_gc_controller.h"

#include <catch2/catch.hpp>
#include <mutex>

#include "controllers/node_taints.h"
#include "unit/controllers/node_fixture.h"

namespace skiff::controllers {
namespace {

using testing::At;
using testing::Eventually;
using testing::FakeClock;
using testing::NodeCluster;
using testing::Ok;
using testing::PodOn;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

void RequireOk(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

// Forwards to the cluster's client and records deletes as "ns/name grace=N".
class DeleteRecorder : public client::testing::ProxyClient {
 public:
  using ProxyClient::ProxyClient;
  Status Delete(const client::Resource& r, const std::string& ns, const std::string& name,
                const DeleteOptions& o) override {
    {
      std::lock_guard lock(mu_);
      deletes_.push_back(ns + "/" + name + " grace=" +
                         (o.grace_period_seconds ? std::to_string(*o.grace_period_seconds)
                                                 : std::string("default")));
    }
    return ProxyClient::Delete(r, ns, name, o);
  }
  Strings Deletes() {
    std::lock_guard lock(mu_);
    return deletes_;
  }

 private:
  std::mutex mu_;  // guards deletes_
  Strings deletes_;
};

Strings PodNames(NodeCluster& c) {
  Strings out;
  const json list = Ok(c.client->List(client::Pods(), "default", {}));
  for (const json& p : list["items"]) out.push_back(p["metadata"]["name"]);
  std::sort(out.begin(), out.end());
  return out;
}

json GetPod(NodeCluster& c, const std::string& name) {
  return Ok(c.client->Get(client::Pods(), "default", name));
}

json WithFinalizer(json pod) {
  pod["metadata"]["finalizers"] = {"example.com/hold"};
  return pod;
}

PodGcControllerOptions Options(FakeClock& clock) {
  PodGcControllerOptions o;
  o.clock = clock.Fn();
  return o;
}

TEST_CASE("terminated pods above the threshold are deleted, evicted then oldest first") {
  NodeCluster c;
  FakeClock clock;
  DeleteRecorder recorder(*c.client);
  c.CreateNode("edge-1");
  for (const char* name : {"t1", "t2", "t3", "t4", "t5", "running"}) {
    c.CreatePod("default", PodOn(name, "edge-1"));
  }
  c.MarkPhase("default", "t1", "Succeeded");
  c.MarkPhase("default", "t2", "Failed");
  c.MarkPhase("default", "t3", "Succeeded");
  Ok(c.api().MergePatch(client::Pods(), "default", "t4",
                        {{"status", {{"phase", "Failed"}, {"reason", "Evicted"}}}}, "status"));
  c.MarkPhase("default", "t5", "Succeeded");
  c.MarkReady("default", "running");
  PodGcControllerOptions o = Options(clock);
  o.terminated_pod_threshold = 3;
  PodGcController gc(recorder, c.informers, o);
  c.StartInformers();
  c.Settle({"edge-1"});

  RequireOk(gc.Gc());
  CHECK(recorder.Deletes() == Strings{"default/t4 grace=0", "default/t1 grace=0"});
  CHECK(PodNames(c) == Strings{"running", "t2", "t3", "t5"});

  // At the threshold: nothing more.
  REQUIRE(Eventually([&] { return c.informers.For(client::Pods()).Size() == 4; }));
  RequireOk(gc.Gc());
  CHECK(recorder.Deletes().size() == 2);
}

TEST_CASE("pods bound to a node that no longer exists are deleted after the quarantine") {
  NodeCluster c;
  FakeClock clock;
  const auto t0 = clock.Now();
  DeleteRecorder recorder(*c.client);
  c.CreateNode("edge-1");
  c.CreatePod("default", WithFinalizer(PodOn("orphan", "gone")));
  c.MarkReady("default", "orphan");
  c.CreatePod("default", PodOn("orphan-done", "gone"));
  c.MarkPhase("default", "orphan-done", "Succeeded");
  c.CreatePod("default", PodOn("home", "edge-1"));
  c.CreatePod("default", PodOn("early", "coming"));
  PodGcController gc(recorder, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"edge-1"});

  RequireOk(gc.Gc());
  clock.Advance(20s);
  c.CreateNode("coming");  // the informer catches up during the quarantine
  c.Settle({"edge-1", "coming"});
  RequireOk(gc.Gc());
  clock.Advance(19s);
  RequireOk(gc.Gc());
  CHECK(recorder.Deletes().empty());

  clock.Advance(1s);  // 40 s after the pods were first seen orphaned
  RequireOk(gc.Gc());
  CHECK(recorder.Deletes() == Strings{"default/orphan grace=0", "default/orphan-done grace=0"});
  const json orphan = GetPod(c, "orphan");  // kept by its finalizer
  CHECK(orphan["metadata"].contains("deletionTimestamp"));
  CHECK(orphan["status"]["phase"] == "Failed");
  const json* cond = FindCondition(orphan, "DisruptionTarget");
  REQUIRE(cond);
  CHECK((*cond)["status"] == "True");
  CHECK((*cond)["reason"] == "DeletionByPodGC");
  CHECK((*cond)["message"] == "PodGC: node no longer exists");
  CHECK((*cond)["lastTransitionTime"] == At(t0 + 40s));
  CHECK(PodNames(c) == Strings{"early", "home", "orphan"});
  CHECK(GetPod(c, "early")["status"]["phase"] == "Pending");
}

TEST_CASE("terminating pods that were never scheduled are force-deleted") {
  NodeCluster c;
  FakeClock clock;
  DeleteRecorder recorder(*c.client);
  c.CreatePod("default", WithFinalizer(client::testing::Pod("stuck")));
  c.CreatePod("default", client::testing::Pod("waiting"));
  client::Client::DeleteOptions background;
  RequireOk(c.client->Delete(client::Pods(), "default", "stuck", background));
  REQUIRE(GetPod(c, "stuck")["metadata"].contains("deletionTimestamp"));
  PodGcController gc(recorder, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({});

  RequireOk(gc.Gc());
  CHECK(recorder.Deletes() == Strings{"default/stuck grace=0"});
  CHECK(GetPod(c, "stuck")["status"]["phase"] == "Failed");
  CHECK_FALSE(FindCondition(GetPod(c, "stuck"), "DisruptionTarget"));
  CHECK(GetPod(c, "waiting")["status"]["phase"] == "Pending");
}

TEST_CASE("terminating pods on an out-of-service node that is not ready are force-deleted") {
  NodeCluster c;
  FakeClock clock;
  DeleteRecorder recorder(*c.client);
  const json out_of_service = {
      {{"key", kTaintOutOfService}, {"value", "shutdown"}, {"effect", "NoExecute"}}};
  for (const char* n : {"broken", "healthy", "unready"}) {
    c.CreateNode(n);
    c.PostStatus(n, std::string(n) == "healthy" ? "True" : "False", clock.Now());
  }
  for (const char* n : {"broken", "healthy"}) {
    json node = c.Node(n);
    node["spec"]["taints"] = out_of_service;
    Ok(c.api().Update(client::Nodes(), "", node));
  }
  for (const char* n : {"broken", "healthy", "unready"}) {
    const std::string pod = std::string("on-") + n;
    c.CreatePod("default", PodOn(pod, n));
    c.MarkReady("default", pod);
    RequireOk(c.client->Delete(client::Pods(), "default", pod, {}));  // graceful: stays
  }
  c.CreatePod("default", PodOn("alive", "broken"));
  PodGcController gc(recorder, c.informers, Options(clock));
  c.StartInformers();
  c.Settle({"broken", "healthy", "unready"});

  RequireOk(gc.Gc());
  CHECK(recorder.Deletes() == Strings{"default/on-broken grace=0"});
  CHECK(PodNames(c) == Strings{"alive", "on-healthy", "on-unready"});
}

TEST_CASE("the running collector deletes orphans and surplus terminated pods on its own") {
  NodeCluster c;
  PodGcControllerOptions o;
  o.gc_period = 50ms;
  o.quarantine = 200ms;
  o.terminated_pod_threshold = 1;
  PodGcController gc(*c.client, c.informers, o);
  c.CreateNode("edge-1");
  c.CreatePod("default", PodOn("orphan", "gone"));
  for (const char* name : {"a-old", "b-new"}) {
    c.CreatePod("default", PodOn(name, "edge-1"));
    c.MarkPhase("default", name, "Succeeded");
  }
  c.StartInformers();
  gc.Start();
  CHECK(Eventually([&] { return PodNames(c) == Strings{"b-new"}; }));
  gc.Stop();
  CHECK(gc.syncs() > 0);
}

}  // namespace
}  // namespace skiff::controllers
