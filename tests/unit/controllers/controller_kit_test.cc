// The pieces every controller is built from: the loop, expectations and claiming by
// selector and controller reference.
#include <atomic>
#include <catch2/catch.hpp>
#include <map>

#include "controllers/controller_loop.h"
#include "controllers/controller_ref.h"
#include "controllers/expectations.h"
#include "api/object_util.h"
#include "controllers/pod_util.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers {
namespace {

using testing::ControllerCluster;
using testing::Eventually;
using testing::Ok;
using namespace std::chrono_literals;

json LabeledPod(const std::string& name, const std::string& app) {
  json pod = client::testing::Pod(name);
  pod["metadata"]["labels"] = {{"app", app}};
  return pod;
}

json MakeReplicaSet(ControllerCluster& c, const std::string& name) {
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", name}}},
             {"spec",
              {{"replicas", 1},
               {"selector", {{"matchLabels", {{"app", "web"}}}}},
               {"template",
                {{"metadata", {{"labels", {{"app", "web"}}}}},
                 {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
  return Ok(c.client->Create(client::ReplicaSets(), "default", rs));
}

std::vector<client::ObjectPtr> AllPods(ControllerCluster& c) {
  std::vector<client::ObjectPtr> out;
  json list = Ok(c.client->List(client::Pods(), "default", {}));
  for (json& p : list["items"]) {
    out.push_back(std::make_shared<const json>(std::move(p)));
  }
  return out;
}

std::vector<std::string> Names(const std::vector<client::ObjectPtr>& objs) {
  std::vector<std::string> out;
  for (const auto& o : objs) out.push_back((*o)["metadata"]["name"]);
  std::sort(out.begin(), out.end());
  return out;
}

apis::LabelSelector WebSelector() {
  auto s = apis::ParseLabelSelector("app=web");
  REQUIRE(s.ok());
  return *s;
}

TEST_CASE("claim adopts matching orphans, keeps its own and leaves others' alone") {
  ControllerCluster c;
  json rs = MakeReplicaSet(c, "web");
  json other = MakeReplicaSet(c, "other");
  c.CreatePod("default", LabeledPod("orphan", "web"));
  c.CreatePod("default", LabeledPod("stranger", "db"));
  json theirs = LabeledPod("theirs", "web");
  theirs["metadata"]["ownerReferences"] = {MakeControllerRef(other, ReplicaSetKind())};
  c.CreatePod("default", theirs);
  json mine = LabeledPod("mine", "web");
  mine["metadata"]["ownerReferences"] = {MakeControllerRef(rs, ReplicaSetKind())};
  c.CreatePod("default", mine);

  ClaimResult r = Claim(*c.client, client::Pods(), rs, ReplicaSetKind(), WebSelector(), AllPods(c));
  REQUIRE(r.status.ok());
  CHECK(Names(r.owned) == std::vector<std::string>{"mine", "orphan"});
  json adopted = Ok(c.client->Get(client::Pods(), "default", "orphan"));
  REQUIRE(adopted["metadata"]["ownerReferences"].size() == 1);
  const json& ref = adopted["metadata"]["ownerReferences"][0];
  CHECK(ref["uid"] == rs["metadata"]["uid"]);
  CHECK(ref["kind"] == "ReplicaSet");
  CHECK(ref["apiVersion"] == "apps/v1");
  CHECK(ref["controller"] == true);
  CHECK(ref["blockOwnerDeletion"] == true);
  CHECK_FALSE(Ok(c.client->Get(client::Pods(), "default", "stranger"))["metadata"].contains(
      "ownerReferences"));
  CHECK(IsControlledBy(Ok(c.client->Get(client::Pods(), "default", "theirs")),
                       other["metadata"]["uid"]));
}

TEST_CASE("claim releases an owned object that stopped matching, keeping other references") {
  ControllerCluster c;
  json rs = MakeReplicaSet(c, "web");
  json pod = LabeledPod("relabeled", "db");
  json extra = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "cm"}, {"uid", "u-cm"}};
  pod["metadata"]["ownerReferences"] = {extra, MakeControllerRef(rs, ReplicaSetKind())};
  c.CreatePod("default", pod);

  ClaimResult r = Claim(*c.client, client::Pods(), rs, ReplicaSetKind(), WebSelector(), AllPods(c));
  REQUIRE(r.status.ok());
  CHECK(r.owned.empty());
  json released = Ok(c.client->Get(client::Pods(), "default", "relabeled"));
  REQUIRE(released["metadata"]["ownerReferences"].size() == 1);
  CHECK(released["metadata"]["ownerReferences"][0]["uid"] == "u-cm");
}

TEST_CASE("an owner being deleted adopts and releases nothing but keeps what it controls") {
  ControllerCluster c;
  json rs = MakeReplicaSet(c, "web");
  c.CreatePod("default", LabeledPod("orphan", "web"));
  json mine = LabeledPod("mine-relabeled", "db");
  mine["metadata"]["ownerReferences"] = {MakeControllerRef(rs, ReplicaSetKind())};
  c.CreatePod("default", mine);
  json deleting = rs;
  deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";

  ClaimResult r =
      Claim(*c.client, client::Pods(), deleting, ReplicaSetKind(), WebSelector(), AllPods(c));
  REQUIRE(r.status.ok());
  CHECK(Names(r.owned) == std::vector<std::string>{"mine-relabeled"});
  CHECK_FALSE(Ok(c.client->Get(client::Pods(), "default", "orphan"))["metadata"].contains(
      "ownerReferences"));
}

TEST_CASE("an owner the API has replaced or is deleting adopts nothing and says why") {
  ControllerCluster c;
  json rs = MakeReplicaSet(c, "web");
  c.CreatePod("default", LabeledPod("orphan", "web"));
  json stale = rs;
  stale["metadata"]["uid"] = "not-the-live-uid";

  ClaimResult r = Claim(*c.client, client::Pods(), stale, ReplicaSetKind(), WebSelector(), AllPods(c));
  CHECK(r.owned.empty());
  CHECK(r.status.code() == Code::kConflict);
  CHECK(r.status.message() == "original ReplicaSet default/web is gone: got uid " +
                                  rs["metadata"]["uid"].get<std::string>() +
                                  ", wanted not-the-live-uid");
  CHECK_FALSE(Ok(c.client->Get(client::Pods(), "default", "orphan"))["metadata"].contains(
      "ownerReferences"));
}

TEST_CASE("an adoption that races another write fails and is retried, losing nothing") {
  ControllerCluster c;
  json rs = MakeReplicaSet(c, "web");
  c.CreatePod("default", LabeledPod("orphan", "web"));
  auto seen = AllPods(c);  // the cache's view
  c.Label("default", "orphan", "changed-meanwhile");

  ClaimResult r = Claim(*c.client, client::Pods(), rs, ReplicaSetKind(), WebSelector(), seen);
  CHECK(r.owned.empty());
  CHECK(r.status.code() == Code::kConflict);
  json pod = Ok(c.client->Get(client::Pods(), "default", "orphan"));
  CHECK(pod["metadata"]["labels"]["v"] == "changed-meanwhile");
  CHECK_FALSE(pod["metadata"].contains("ownerReferences"));
}

TEST_CASE("expectations hold a sync back until the informer has seen what was done") {
  Expectations e;
  CHECK(e.Satisfied("default/web"));  // no record
  e.Expect("default/web", 2, 0);
  CHECK_FALSE(e.Satisfied("default/web"));
  e.CreationObserved("default/web");
  CHECK_FALSE(e.Satisfied("default/web"));
  e.CreationObserved("default/web");
  CHECK(e.Satisfied("default/web"));
  e.CreationObserved("default/web");  // more than expected: still satisfied
  CHECK(e.Satisfied("default/web"));

  e.ExpectDeletionsOf("default/web", {"default/a", "default/b"});
  e.DeletionObservedOf("default/web", "default/a");
  e.DeletionObservedOf("default/web", "default/a");  // seen twice, counted once
  CHECK_FALSE(e.Satisfied("default/web"));
  e.DeletionObservedOf("default/web", "default/unrelated");
  CHECK_FALSE(e.Satisfied("default/web"));
  e.DeletionObservedOf("default/web", "default/b");
  CHECK(e.Satisfied("default/web"));

  e.Expect("default/web", 1, 0);
  e.Delete("default/web");
  CHECK(e.Satisfied("default/web"));
}

TEST_CASE("expectations that are never met expire") {
  Expectations e(20ms);
  e.Expect("default/web", 3, 0);
  CHECK_FALSE(e.Satisfied("default/web"));
  std::this_thread::sleep_for(30ms);
  CHECK(e.Satisfied("default/web"));
}

TEST_CASE("the controller loop retries a failing sync with backoff until it succeeds") {
  std::mutex mu;
  std::map<std::string, int> calls;
  std::atomic<int> concurrent{0};
  std::atomic<int> max_concurrent{0};
  ControllerLoop loop({"test-controller", 4, std::chrono::milliseconds(1),
                       std::chrono::milliseconds(50)},
                      [&](const std::string& key) -> Status {
                        const int now = ++concurrent;
                        int seen = max_concurrent.load();
                        while (now > seen && !max_concurrent.compare_exchange_weak(seen, now)) {
                        }
                        std::this_thread::sleep_for(1ms);
                        int n;
                        {
                          std::lock_guard lock(mu);
                          n = ++calls[key];
                        }
                        --concurrent;
                        if (key == "default/flaky" && n < 4) return UnavailableError("not yet");
                        return Status::Ok();
                      });
  loop.Start();
  for (int i = 0; i < 20; ++i) loop.Enqueue("default/same");  // one key: never two at once
  loop.Enqueue("default/flaky");
  REQUIRE(Eventually([&] {
    std::lock_guard lock(mu);
    return calls["default/flaky"] == 4;
  }));
  loop.Stop();
  std::lock_guard lock(mu);
  CHECK(calls["default/flaky"] == 4);
  CHECK(calls["default/same"] >= 1);
  CHECK(calls["default/same"] <= 20);
  CHECK(max_concurrent.load() <= 2);  // only two distinct keys exist
  loop.Enqueue("default/after-stop");
  CHECK(calls.count("default/after-stop") == 0);
}

TEST_CASE("a pod is available once it has been ready for minReadySeconds") {
  json pod = {{"metadata", {{"name", "p"}}},
              {"status",
               {{"phase", "Running"},
                {"conditions",
                 {{{"type", "Ready"},
                   {"status", "True"},
                   {"lastTransitionTime", "2026-01-01T00:00:00Z"}}}}}}};
  Clock::time_point ready_at;
  REQUIRE(api::ParseRfc3339("2026-01-01T00:00:00Z", &ready_at));
  CHECK(IsPodReady(pod));
  CHECK(IsPodActive(pod));
  CHECK(IsPodAvailable(pod, 0, ready_at));
  CHECK_FALSE(IsPodAvailable(pod, 10, ready_at + 9s));
  CHECK(UntilAvailable(pod, 10, ready_at + 9s) == 1s);
  CHECK(IsPodAvailable(pod, 10, ready_at + 10s));
  CHECK(UntilAvailable(pod, 10, ready_at + 10s) == 0s);
  pod["status"]["conditions"][0]["status"] = "False";
  CHECK_FALSE(IsPodAvailable(pod, 0, ready_at + 1h));
  pod["status"]["phase"] = "Succeeded";
  CHECK_FALSE(IsPodActive(pod));
  pod["status"]["phase"] = "Running";
  pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  CHECK_FALSE(IsPodActive(pod));
}

TEST_CASE("a pod made from a template carries its metadata, spec and controller reference") {
  json owner = {{"metadata", {{"name", "web-7d4b9"}, {"uid", "u-1"}, {"namespace", "default"}}}};
  json tmpl = {{"metadata",
                {{"labels", {{"app", "web"}}},
                 {"annotations", {{"a", "b"}}},
                 {"name", "ignored"}}},
               {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  json pod = PodFromTemplate(tmpl, owner, ReplicaSetKind());
  CHECK(pod["metadata"]["generateName"] == "web-7d4b9-");
  CHECK_FALSE(pod["metadata"].contains("name"));
  CHECK(pod["metadata"]["labels"] == json{{"app", "web"}});
  CHECK(pod["metadata"]["annotations"] == json{{"a", "b"}});
  CHECK(pod["metadata"]["ownerReferences"] ==
        json::array({{{"apiVersion", "apps/v1"},
                      {"kind", "ReplicaSet"},
                      {"name", "web-7d4b9"},
                      {"uid", "u-1"},
                      {"controller", true},
                      {"blockOwnerDeletion", true}}}));
  CHECK(pod["spec"] == tmpl["spec"]);
}

}  // namespace
}  // namespace skiff::controllers
