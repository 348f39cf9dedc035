// The ReplicaSet controller against a real store: single Sync() passes and the running loop.
#include "controllers/replicaset_controller.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>

#include "api/object_util.h"
#include "controllers/active_pods.h"
#include "controllers/slow_start.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers {
namespace {

using testing::ControllerCluster;
using testing::Eventually;
using testing::Ok;
using namespace std::chrono_literals;

constexpr char kQuotaError[] =
    "pods \"web-x\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, "
    "limited: pods=2";

// Selector app=web; the template adds env=prod, so a pod labeled only app=web is owned but not
// fully labeled.
json NewReplicaSet(const std::string& name, int replicas, int min_ready_seconds = 0) {
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", name}}},
             {"spec",
              {{"replicas", replicas},
               {"selector", {{"matchLabels", {{"app", "web"}}}}},
               {"template",
                {{"metadata", {{"labels", {{"app", "web"}, {"env", "prod"}}}}},
                 {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
  if (min_ready_seconds > 0) rs["spec"]["minReadySeconds"] = min_ready_seconds;
  return rs;
}

json CreateReplicaSet(ControllerCluster& c, const json& rs) {
  return Ok(c.client->Create(client::ReplicaSets(), "default", rs));
}

json GetReplicaSet(ControllerCluster& c, const std::string& name) {
  return Ok(c.client->Get(client::ReplicaSets(), "default", name));
}

// A pod labeled app=web (controlled by `owner` when given).
json WebPod(const std::string& name, const json& owner = nullptr, const std::string& node = "") {
  json pod = client::testing::Pod(name, node);
  pod["metadata"]["labels"] = {{"app", "web"}, {"env", "prod"}};
  if (!owner.is_null()) {
    pod["metadata"]["ownerReferences"] = {MakeControllerRef(owner, ReplicaSetKind())};
  }
  return pod;
}

// Names of the active pods `rs` controls, sorted.
std::vector<std::string> ActiveNames(ControllerCluster& c, const json& rs) {
  std::vector<std::string> out;
  for (const json& pod : c.Controlled(client::Pods(), "default", rs["metadata"]["uid"])) {
    if (IsPodActive(pod)) out.push_back(pod["metadata"]["name"]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "Type Reason Message" of every Event about the object named `name`, sorted.
std::vector<std::string> EventsAbout(ControllerCluster& c, const std::string& name) {
  std::vector<std::string> out;
  const json list = Ok(c.client->List(client::Events(), "default", {}));
  for (const json& e : list["items"]) {
    if (e["involvedObject"]["name"] != name) continue;
    CHECK(e["source"]["component"] == "replicaset-controller");
    CHECK(e["involvedObject"]["kind"] == "ReplicaSet");
    const std::string line = e["type"].get<std::string>() + " " + e["reason"].get<std::string>() +
                             " " + e["message"].get<std::string>();
    for (int i = 0; i < e.value("count", 1); ++i) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Waits until the pod informer's cache satisfies `cond` for the pod `name`.
template <class F>
void WaitForCachedPod(ControllerCluster& c, const std::string& name, F cond) {
  REQUIRE(Eventually([&] {
    auto pod = c.informers.For(client::Pods()).Get("default", name);
    return pod && cond(*pod);
  }));
}

// Waits until the pod informer's cache holds exactly `n` active pods in "default".
void WaitForActivePods(ControllerCluster& c, size_t n) {
  REQUIRE(Eventually([&] {
    size_t active = 0;
    for (const auto& p : c.informers.For(client::Pods()).ListNamespace("default")) {
      active += IsPodActive(*p);
    }
    return active == n;
  }));
}

// Waits until the ReplicaSet informer's cache shows `rs` at generation `generation`.
void WaitForCachedReplicaSet(ControllerCluster& c, const std::string& name, int64_t generation) {
  REQUIRE(Eventually([&] {
    auto rs = c.informers.For(client::ReplicaSets()).Get("default", name);
    return rs && (*rs)["metadata"].value("generation", int64_t{0}) == generation;
  }));
}

// Forwards to the cluster's client; pod creates can be made to fail.
class FlakyClient : public client::testing::ProxyClient {
 public:
  using ProxyClient::ProxyClient;
  std::atomic<int> pod_creates{0};       // pod Create calls
  std::atomic<int> fail_create_call{0};  // the n-th call (1-based) fails; 0 = none
  std::atomic<bool> fail_all{false};

  Result<json> Create(const client::Resource& r, const std::string& ns, const json& obj) override {
    if (r.resource == "pods") {
      const int n = ++pod_creates;
      if (fail_all || n == fail_create_call) return InternalError(kQuotaError);
    }
    return ProxyClient::Create(r, ns, obj);
  }
};

ReplicaSetControllerOptions FastOptions() {
  ReplicaSetControllerOptions o;
  o.workers = 2;
  o.max_backoff = 200ms;
  return o;
}

TEST_CASE("slow start creates in batches 1, 2, 4 and stops after the first failing batch") {
  std::atomic<int> calls{0};
  SlowStartResult all = SlowStartBatch(5, 1, 1, [&] {
    ++calls;
    return Status::Ok();
  });
  CHECK(all.successes == 5);
  CHECK(all.first_error.ok());
  CHECK(calls == 5);

  // Batches of 10: calls 1 | 2 3 | 4 5 6 7 | 8 9 10. Call 4 fails: its batch still runs whole.
  calls = 0;
  SlowStartResult stopped = SlowStartBatch(10, 1, 1, [&]() -> Status {
    return ++calls == 4 ? UnavailableError("no room") : Status::Ok();
  });
  CHECK(calls == 7);
  CHECK(stopped.successes == 6);
  CHECK(stopped.first_error.message() == "no room");
}

TEST_CASE("scaling up from 0 to 5 creates 5 pods from the template, one event each") {
  ControllerCluster c;
  ReplicaSetController rsc(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json rs = CreateReplicaSet(c, NewReplicaSet("web", 5));
  WaitForCachedReplicaSet(c, "web", 1);

  REQUIRE(rsc.Sync("default/web").ok());
  const std::vector<std::string> names = ActiveNames(c, rs);
  REQUIRE(names.size() == 5);
  std::vector<std::string> expected_events;
  for (const std::string& name : names) {
    CHECK(name.rfind("web-", 0) == 0);
    CHECK(name.size() == 9);  // generateName "web-" + 5 random characters
    expected_events.push_back("Normal SuccessfulCreate Created pod: " + name);
    const json pod = Ok(c.client->Get(client::Pods(), "default", name));
    CHECK(pod["metadata"]["labels"] == json{{"app", "web"}, {"env", "prod"}});
    CHECK(pod["spec"]["containers"][0]["image"] == "busybox");
    CHECK(pod["metadata"]["ownerReferences"][0]["blockOwnerDeletion"] == true);
  }
  std::sort(expected_events.begin(), expected_events.end());
  CHECK(EventsAbout(c, "web") == expected_events);

  // Once the informer has seen them, the next pass writes the status and creates nothing.
  WaitForActivePods(c, 5);
  REQUIRE(rsc.Sync("default/web").ok());
  CHECK(ActiveNames(c, rs) == names);
  const json status = GetReplicaSet(c, "web")["status"];
  CHECK(status["replicas"] == 5);
  CHECK(status["fullyLabeledReplicas"] == 5);
  CHECK_FALSE(status.contains("readyReplicas"));
  CHECK_FALSE(status.contains("availableReplicas"));
  CHECK(status["observedGeneration"] == 1);
}

TEST_CASE("expectations keep a lagging informer from causing a second round of creates") {
  ControllerCluster c;
  ReplicaSetControllerOptions o = FastOptions();
  o.expectations_timeout = 300ms;
  ReplicaSetController rsc(*c.client, c.informers, o);
  c.StartInformers();
  json rs = CreateReplicaSet(c, NewReplicaSet("web", 5));
  WaitForCachedReplicaSet(c, "web", 1);

  SECTION("two passes in a row right after start") {
    REQUIRE(rsc.Sync("default/web").ok());
    REQUIRE(rsc.Sync("default/web").ok());
    CHECK(ActiveNames(c, rs).size() == 5);
  }
  SECTION("an informer that never catches up holds creates back until the expectations expire") {
    c.informers.For(client::Pods()).Stop();  // the cache stays empty from now on
    REQUIRE(rsc.Sync("default/web").ok());
    REQUIRE(rsc.Sync("default/web").ok());
    REQUIRE(rsc.Sync("default/web").ok());
    CHECK(ActiveNames(c, rs).size() == 5);
    std::this_thread::sleep_for(350ms);
    REQUIRE(rsc.Sync("default/web").ok());  // expired: it believes its cache again
    CHECK(ActiveNames(c, rs).size() == 10);
  }
}

TEST_CASE("scaling down deletes pods in Kubernetes' order") {
  ControllerCluster c;
  ReplicaSetController rsc(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json rs = CreateReplicaSet(c, NewReplicaSet("web", 7));
  const std::string hour_ago = api::Rfc3339(std::chrono::system_clock::now() - 1h);
  const std::string two_hours_ago = api::Rfc3339(std::chrono::system_clock::now() - 2h);
  c.CreatePod("default", WebPod("unscheduled", rs));
  c.CreatePod("default", WebPod("pending", rs, "node-1"));
  c.CreatePod("default", WebPod("not-ready", rs, "node-1"));
  c.MarkReady("default", "not-ready", false);
  c.CreatePod("default", WebPod("ready-new", rs, "node-1"));
  c.MarkReady("default", "ready-new");
  c.CreatePod("default", WebPod("ready-old", rs, "node-1"));
  c.MarkReady("default", "ready-old", true, hour_ago);
  json cheap = WebPod("cheap-old", rs, "node-1");
  cheap["metadata"]["annotations"] = {{kPodDeletionCostAnnotation, "-5"}};
  c.CreatePod("default", cheap);
  c.MarkReady("default", "cheap-old", true, two_hours_ago);
  json costly = WebPod("costly-new", rs, "node-1");
  costly["metadata"]["annotations"] = {{kPodDeletionCostAnnotation, "100"}};
  c.CreatePod("default", costly);
  c.MarkReady("default", "costly-new");
  WaitForCachedPod(c, "costly-new", [](const json& p) { return IsPodReady(p); });
  WaitForCachedReplicaSet(c, "web", 1);

  // The order itself, as the controller ranks these pods.
  std::vector<client::ObjectPtr> cached = c.informers.For(client::Pods()).ListNamespace("default");
  std::vector<std::string> order;
  for (const auto& p : PodsToDelete(cached, cached, 6, Clock::now())) {
    order.push_back((*p)["metadata"]["name"]);
  }
  CHECK(order == std::vector<std::string>{"unscheduled", "pending", "not-ready", "cheap-old",
                                          "ready-new", "ready-old"});

  REQUIRE(rsc.Sync("default/web").ok());
  CHECK(ActiveNames(c, rs) == std::vector<std::string>{"cheap-old", "costly-new", "not-ready",
                                                       "pending", "ready-new", "ready-old",
                                                       "unscheduled"});
  Ok(c.api().MergePatch(client::ReplicaSets(), "default", "web", {{"spec", {{"replicas", 2}}}}));
  WaitForCachedReplicaSet(c, "web", 2);
  REQUIRE(rsc.Sync("default/web").ok());
  CHECK(ActiveNames(c, rs) == std::vector<std::string>{"costly-new", "ready-old"});
  // Unassigned pods go at once; pods on a node wait for their kubelet (graceful delete).
  CHECK(c.client->Get(client::Pods(), "default", "unscheduled").status().code() == Code::kNotFound);
  CHECK(IsBeingDeleted(Ok(c.client->Get(client::Pods(), "default", "pending"))));
  const std::vector<std::string> events = EventsAbout(c, "web");
  CHECK(events == std::vector<std::string>{"Normal SuccessfulDelete Deleted pod: cheap-old",
                                           "Normal SuccessfulDelete Deleted pod: not-ready",
                                           "Normal SuccessfulDelete Deleted pod: pending",
                                           "Normal SuccessfulDelete Deleted pod: ready-new",
                                           "Normal SuccessfulDelete Deleted pod: unscheduled"});
  // The informer reports the deletions; then the status counts the two left.
  WaitForActivePods(c, 2);
  REQUIRE(rsc.Sync("default/web").ok());
  const json status = GetReplicaSet(c, "web")["status"];
  CHECK(status["replicas"] == 2);
  CHECK(status["readyReplicas"] == 2);
  CHECK(status["availableReplicas"] == 2);
  CHECK(status["observedGeneration"] == 2);
}

TEST_CASE("deletion order: doubled-up nodes, then restarts, then newer creation") {
  const auto now = std::chrono::system_clock::now();
  auto pod = [&](const std::string& name, const std::string& node, int restarts,
                 std::chrono::seconds age) {
    json p = {
        {"metadata",
         {{"name", name}, {"uid", "uid-" + name}, {"creationTimestamp", api::Rfc3339(now - age)}}},
        {"spec", {{"nodeName", node}}},
        {"status",
         {{"phase", "Running"},
          {"containerStatuses", {{{"name", "c"}, {"restartCount", restarts}}}}}}};
    return std::make_shared<const json>(p);
  };
  auto crowded = pod("crowded", "node-a", 0, 3600s);
  auto crowded_peer = pod("crowded-peer", "node-a", 0, 3600s);
  auto restarted = pod("restarted", "node-b", 3, 3600s);
  auto young = pod("young", "node-c", 0, 10s);
  auto old = pod("old", "node-d", 0, 3600s);
  std::vector<client::ObjectPtr> pods = {old, young, restarted, crowded};
  std::vector<client::ObjectPtr> related = {old, young, restarted, crowded, crowded_peer};
  std::vector<std::string> order;
  for (const auto& p : PodsToDelete(pods, related, 3, now))
    order.push_back((*p)["metadata"]["name"]);
  CHECK(order == std::vector<std::string>{"crowded", "restarted", "young"});

  CHECK(PodDeletionCost(
            json{{"metadata", {{"annotations", {{kPodDeletionCostAnnotation, "-7"}}}}}}) == -7);
  for (const char* bad : {"+5", "007", "x", "2147483648", ""}) {
    INFO(bad);
    CHECK(PodDeletionCost(
              json{{"metadata", {{"annotations", {{kPodDeletionCostAnnotation, bad}}}}}}) == 0);
  }
}

TEST_CASE("a matching orphan is adopted and a relabeled pod is released") {
  ControllerCluster c;
  ReplicaSetController rsc(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json rs = CreateReplicaSet(c, NewReplicaSet("web", 2));
  c.CreatePod("default", WebPod("orphan"));
  json relabeled = WebPod("relabeled", rs);
  relabeled["metadata"]["labels"]["app"] = "db";
  c.CreatePod("default", relabeled);
  json stranger = WebPod("stranger");
  stranger["metadata"]["labels"]["app"] = "db";
  c.CreatePod("default", stranger);
  WaitForActivePods(c, 3);
  WaitForCachedReplicaSet(c, "web", 1);

  REQUIRE(rsc.Sync("default/web").ok());
  const std::vector<std::string> names = ActiveNames(c, rs);
  REQUIRE(names.size() == 2);  // the orphan and one new pod
  CHECK(std::count(names.begin(), names.end(), "orphan") == 1);
  const json released = Ok(c.client->Get(client::Pods(), "default", "relabeled"));
  CHECK_FALSE(released["metadata"].contains("ownerReferences"));
  CHECK(IsPodActive(released));
  CHECK_FALSE(Ok(c.client->Get(client::Pods(), "default", "stranger"))["metadata"].contains(
      "ownerReferences"));
  CHECK(EventsAbout(c, "web").size() == 1);  // one SuccessfulCreate
}

TEST_CASE("status counts ready and available pods, fully labeled ones and the generation") {
  ControllerCluster c;
  ReplicaSetController rsc(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json rs = CreateReplicaSet(c, NewReplicaSet("web", 3, 30));
  json partial = WebPod("partial");
  partial["metadata"]["labels"] = {{"app", "web"}};  // lacks the template's env=prod
  c.CreatePod("default", partial);
  c.MarkReady("default", "partial", true, api::Rfc3339(std::chrono::system_clock::now() - 1h));
  json fresh = WebPod("fresh", rs);
  c.CreatePod("default", fresh);
  c.MarkReady("default", "fresh");  // ready now: available only in 30 s
  c.CreatePod("default", WebPod("starting", rs));
  WaitForCachedPod(c, "fresh", [](const json& p) { return IsPodReady(p); });
  WaitForCachedPod(c, "partial", [](const json& p) { return IsPodReady(p); });
  WaitForActivePods(c, 3);
  WaitForCachedReplicaSet(c, "web", 1);

  REQUIRE(rsc.Sync("default/web").ok());
  CHECK(ActiveNames(c, rs) == std::vector<std::string>{"fresh", "partial", "starting"});
  json status = GetReplicaSet(c, "web")["status"];
  CHECK(status["replicas"] == 3);
  CHECK(status["fullyLabeledReplicas"] == 2);
  CHECK(status["readyReplicas"] == 2);
  CHECK(status["availableReplicas"] == 1);
  CHECK(status["observedGeneration"] == 1);
  CHECK_FALSE(status.contains("conditions"));

  // A spec change: a new generation, observed; with minReadySeconds 0 ready is available.
  const json changed = Ok(c.api().MergePatch(client::ReplicaSets(), "default", "web",
                                             {{"spec", {{"minReadySeconds", 0}}}}));
  REQUIRE(changed["metadata"]["generation"] == 2);
  WaitForCachedReplicaSet(c, "web", 2);
  REQUIRE(rsc.Sync("default/web").ok());
  status = GetReplicaSet(c, "web")["status"];
  CHECK(status["availableReplicas"] == 2);
  CHECK(status["observedGeneration"] == 2);

  // Nothing changed: no write (the resourceVersion stays).
  const std::string rv = GetReplicaSet(c, "web")["metadata"]["resourceVersion"];
  WaitForCachedReplicaSet(c, "web", 2);
  REQUIRE(Eventually([&] {
    auto cached = c.informers.For(client::ReplicaSets()).Get("default", "web");
    return (*cached)["metadata"]["resourceVersion"] == rv;
  }));
  REQUIRE(rsc.Sync("default/web").ok());
  CHECK(GetReplicaSet(c, "web")["metadata"]["resourceVersion"] == rv);
}

TEST_CASE(
    "a failing create stops the batch, is reported, and sets ReplicaFailure until creates "
    "succeed") {
  ControllerCluster c;
  FlakyClient flaky(*c.client);
  ReplicaSetController rsc(flaky, c.informers, FastOptions());
  c.StartInformers();
  json rs = CreateReplicaSet(c, NewReplicaSet("web", 5));
  WaitForCachedReplicaSet(c, "web", 1);

  SECTION("the second create fails: batches 1 and 2 run, no third batch") {
    flaky.fail_create_call = 2;
    Status s = rsc.Sync("default/web");
    CHECK(s.message() == kQuotaError);
    CHECK(flaky.pod_creates == 3);
    CHECK(ActiveNames(c, rs).size() == 2);
  }
  SECTION("every create fails, then quota frees up") {
    flaky.fail_all = true;
    CHECK(rsc.Sync("default/web").message() == kQuotaError);
    CHECK(flaky.pod_creates == 1);  // the first batch (one pod) failed: nothing more tried
    json status = GetReplicaSet(c, "web")["status"];
    REQUIRE(status["conditions"].size() == 1);
    const json& cond = status["conditions"][0];
    CHECK(cond["type"] == "ReplicaFailure");
    CHECK(cond["status"] == "True");
    CHECK(cond["reason"] == "FailedCreate");
    CHECK(cond["message"] == kQuotaError);
    CHECK(cond.contains("lastTransitionTime"));
    CHECK(EventsAbout(c, "web") ==
          std::vector<std::string>{std::string("Warning FailedCreate Error creating: ") +
                                   kQuotaError});
    // The failed create was counted off: the next pass tries again at once.
    CHECK(rsc.Sync("default/web").message() == kQuotaError);
    CHECK(flaky.pod_creates == 2);

    flaky.fail_all = false;
    REQUIRE(Eventually([&] {
      auto cached = c.informers.For(client::ReplicaSets()).Get("default", "web");
      return cached->contains("status") && (*cached)["status"].contains("conditions");
    }));
    REQUIRE(rsc.Sync("default/web").ok());
    CHECK(ActiveNames(c, rs).size() == 5);
    CHECK_FALSE(GetReplicaSet(c, "web")["status"].contains("conditions"));
  }
}

TEST_CASE("a ReplicaSet that is gone or being deleted creates nothing") {
  ControllerCluster c;
  ReplicaSetController rsc(*c.client, c.informers, FastOptions());
  c.StartInformers();
  CHECK(rsc.Sync("default/missing").ok());

  json rs = NewReplicaSet("web", 2);
  rs["metadata"]["finalizers"] = {"example.com/hold"};
  rs = CreateReplicaSet(c, rs);
  REQUIRE(c.client->Delete(client::ReplicaSets(), "default", "web", {}).ok());
  REQUIRE(Eventually([&] {
    auto cached = c.informers.For(client::ReplicaSets()).Get("default", "web");
    return cached && IsBeingDeleted(*cached);
  }));
  REQUIRE(rsc.Sync("default/web").ok());
  CHECK(ActiveNames(c, rs).empty());
}

TEST_CASE("creates refused because the namespace is terminating are not failures") {
  ControllerCluster c;
  ReplicaSetController rsc(*c.client, c.informers, FastOptions());
  c.StartInformers();
  json rs = NewReplicaSet("web", 2);
  rs = Ok(c.client->Create(client::ReplicaSets(), "other", rs));
  REQUIRE(c.client->Delete(client::Namespaces(), "", "other", {}).ok());
  REQUIRE(Ok(c.client->Get(client::Namespaces(), "", "other"))["metadata"].contains(
      "deletionTimestamp"));
  REQUIRE(Eventually([&] { return c.informers.For(client::ReplicaSets()).Size() == 1; }));

  REQUIRE(rsc.Sync("other/web").ok());
  CHECK(Ok(c.client->List(client::Pods(), "other", {}))["items"].empty());
  const json status = Ok(c.client->Get(client::ReplicaSets(), "other", "web"))["status"];
  CHECK(status["replicas"] == 0);
  CHECK_FALSE(status.contains("conditions"));  // no ReplicaFailure either
}

TEST_CASE("the running controller converges as the ReplicaSet and its pods change") {
  ControllerCluster c;
  ReplicaSetController rsc(*c.client, c.informers, FastOptions());
  c.StartInformers();
  rsc.Start();
  json rs = CreateReplicaSet(c, NewReplicaSet("web", 3, 1));

  // Up to 3, status reported.
  REQUIRE(Eventually([&] { return ActiveNames(c, rs).size() == 3; }));
  REQUIRE(Eventually([&] { return GetReplicaSet(c, "web")["status"].value("replicas", 0) == 3; }));

  // A pod deleted behind its back is replaced.
  const std::string victim = ActiveNames(c, rs)[0];
  c.DeletePod("default", victim);
  REQUIRE(Eventually([&] {
    auto names = ActiveNames(c, rs);
    return names.size() == 3 && std::count(names.begin(), names.end(), victim) == 0;
  }));

  // Down to 1.
  Ok(c.api().MergePatch(client::ReplicaSets(), "default", "web", {{"spec", {{"replicas", 1}}}}));
  REQUIRE(Eventually([&] { return ActiveNames(c, rs).size() == 1; }));

  // A matching orphan is adopted; being one too many, one of the two goes.
  c.CreatePod("default", WebPod("orphan"));
  REQUIRE(Eventually([&] {
    auto orphan = c.client->Get(client::Pods(), "default", "orphan");
    return !orphan.ok() || IsControlledBy(*orphan, rs["metadata"]["uid"]);
  }));
  REQUIRE(Eventually([&] { return ActiveNames(c, rs).size() == 1; }));

  // Ready now: available a second later, with no further change to wake the controller.
  const std::string last = ActiveNames(c, rs)[0];
  c.MarkReady("default", last);
  REQUIRE(Eventually([&] {
    const json s = GetReplicaSet(c, "web")["status"];
    return s.value("readyReplicas", 0) == 1 && s.value("replicas", 0) == 1;
  }));
  REQUIRE(Eventually(
      [&] { return GetReplicaSet(c, "web")["status"].value("availableReplicas", 0) == 1; }, 5s));
  const json final_rs = GetReplicaSet(c, "web");
  CHECK(final_rs["status"]["observedGeneration"] == final_rs["metadata"]["generation"]);
  CHECK(final_rs["status"]["fullyLabeledReplicas"] == 1);
  rsc.Stop();
  rsc.Stop();  // idempotent
}

}  // namespace
}  // namespace skiff::controllers
