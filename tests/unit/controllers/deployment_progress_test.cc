// The Deployment controller's progress reporting and the controller running on its own:
// ProgressDeadlineExceeded, ReplicaFailure, convergence through informer events (with a stand-in
// for the ReplicaSet controller), Recreate woken by the last old pod's deletion, and the
// deadline requeue.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "controllers/controller_ref.h"
#include "unit/controllers/deployment_test_util.h"

namespace skiff::controllers {
namespace {

using std::chrono::seconds;
using testing::DeploymentCluster;
using testing::Eventually;
using testing::MakeDeployment;
using testing::Ok;
using Sizes = std::map<std::string, int>;

DeploymentControllerOptions RealClock() {
  DeploymentControllerOptions o;
  o.now = [] { return std::chrono::system_clock::now(); };
  o.max_backoff = std::chrono::milliseconds(200);
  return o;
}

// Plays the ReplicaSet controller's status reports: every ReplicaSet has as many replicas as
// it asks for, all available (no pods are made).
class FakeReplicaSetStatus {
 public:
  explicit FakeReplicaSetStatus(client::Client& client)
      : client_(client), thread_([this] { Run(); }) {}
  ~FakeReplicaSetStatus() {
    stop_ = true;
    thread_.join();
  }

 private:
  void Run() {
    while (!stop_) {
      auto list = client_.List(client::ReplicaSets(), "default", {});
      if (list.ok()) {
        for (const json& rs : (*list)["items"]) {
          const int64_t want = rs["spec"].value("replicas", 1);
          const json status = rs.value("status", json::object());
          const json next = {{"replicas", want},
                             {"readyReplicas", want},
                             {"availableReplicas", want},
                             {"observedGeneration", rs["metadata"].value("generation", 0)}};
          if (status.value("replicas", 0) == want && status.value("availableReplicas", 0) == want &&
              status.value("observedGeneration", 0) == next["observedGeneration"]) {
            continue;
          }
          (void)client_.MergePatch(client::ReplicaSets(), "default", rs["metadata"]["name"],
                                   {{"status", next}}, "status");
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  client::Client& client_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_CASE("a rollout without progress for progressDeadlineSeconds is reported as timed out") {
  DeploymentCluster c;
  json d = MakeDeployment("web", 2, "nginx:1");
  d["spec"]["progressDeadlineSeconds"] = 30;
  c.Create(d);
  c.Sync("web");
  const std::string rs = c.RsNameFor("web");
  CHECK(c.Condition("web", "Progressing")["reason"] == "NewReplicaSetCreated");
  c.SetRsStatus(rs, 2, 0);  // pods made (updated replicas): progress
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing")["reason"] == "ReplicaSetUpdated");
  c.Advance(seconds(20));
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing")["lastUpdateTime"] == c.At());  // none since
  c.SetRsStatus(rs, 2, 1);  // one available: progress, the deadline moves
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing") ==
        json{{"type", "Progressing"},
             {"status", "True"},
             {"lastUpdateTime", c.At(seconds(20))},
             {"lastTransitionTime", c.At()},
             {"reason", "ReplicaSetUpdated"},
             {"message", "ReplicaSet \"" + rs + "\" is progressing."}});
  c.Advance(seconds(30));
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing")["reason"] == "ReplicaSetUpdated");  // 30 s: not past
  c.Advance(seconds(1));
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing") ==
        json{{"type", "Progressing"},
             {"status", "False"},
             {"lastUpdateTime", c.At(seconds(51))},
             {"lastTransitionTime", c.At(seconds(51))},
             {"reason", "ProgressDeadlineExceeded"},
             {"message", "ReplicaSet \"" + rs + "\" has timed out progressing."}});
  CHECK(c.Condition("web", "Available")["status"] == "True");  // 1 >= 2 - maxUnavailable 1

  // The ReplicaSet controller's failure to create pods shows on the Deployment.
  c.Settle();
  const json failure = {{"type", "ReplicaFailure"},
                        {"status", "True"},
                        {"lastTransitionTime", c.At(seconds(40))},
                        {"reason", "FailedCreate"},
                        {"message", "pods \"web-x\" is forbidden: exceeded quota"}};
  Ok(c.client->MergePatch(client::ReplicaSets(), "default", rs,
                          {{"status", {{"conditions", {failure}}}}}, "status"));
  c.Sync("web");
  json want = failure;
  want["lastUpdateTime"] = failure["lastTransitionTime"];
  CHECK(c.Condition("web", "ReplicaFailure") == want);

  // Late success still completes the rollout.
  Ok(c.client->MergePatch(client::ReplicaSets(), "default", rs,
                          {{"status", {{"conditions", nullptr}}}}, "status"));
  c.SetRsStatus(rs, 2, 2);
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing")["reason"] == "NewReplicaSetAvailable");
  CHECK(c.Condition("web", "Progressing")["status"] == "True");
  CHECK(c.Condition("web", "ReplicaFailure").is_null());
}

TEST_CASE("the running controller converges a Deployment through a rollout") {
  DeploymentCluster c(RealClock());
  FakeReplicaSetStatus rs_controller(*c.client);
  c.controller->Start();
  c.Create(MakeDeployment("web", 3, "nginx:1"));
  auto complete = [&](const std::string& revision) {
    const json d = c.Get("web");
    const json s = d.value("status", json::object());
    const json* p = deployment::GetCondition(s, "Progressing");
    return s.value("observedGeneration", 0) == d["metadata"]["generation"] &&
           s.value("updatedReplicas", 0) == 3 && s.value("availableReplicas", 0) == 3 &&
           s.value("replicas", 0) == 3 && p && p->value("reason", "") == "NewReplicaSetAvailable" &&
           d["metadata"]["annotations"].value("deployment.kubernetes.io/revision", "") == revision;
  };
  REQUIRE(Eventually([&] { return complete("1"); }, std::chrono::seconds(10)));
  const std::string rs1 = c.RsNameFor("web");

  c.SetImage("web", "nginx:2");
  const std::string rs2 = c.RsNameFor("web");
  REQUIRE(Eventually(
      [&] {
        return complete("2") && c.Sizes("web") == Sizes{{rs1, 0}, {rs2, 3}};
      },
      std::chrono::seconds(10)));
  const auto events = c.Events("web");
  REQUIRE_FALSE(events.empty());
  CHECK(events.front() == "Scaled up replica set " + rs1 + " from 0 to 3");
  CHECK(std::count(events.begin(), events.end(), "Scaled up replica set " + rs2 + " from 0 to 1") ==
        1);
  c.controller->Stop();
}

TEST_CASE("a running Recreate rollout continues when the last old pod is deleted") {
  DeploymentCluster c(RealClock());
  c.controller->Start();
  c.Create(MakeDeployment("web", 1, "nginx:1", {{"type", "Recreate"}}));
  REQUIRE(Eventually([&] { return c.Sizes("web").size() == 1; }));
  const std::string rs1 = c.RsNameFor("web");
  const json old_rs = c.GetRs(rs1);
  json pod = client::testing::Pod("web-old");
  pod["metadata"]["labels"] = old_rs["spec"]["template"]["metadata"]["labels"];
  pod["metadata"]["ownerReferences"] = {MakeControllerRef(old_rs, ReplicaSetKind())};
  c.CreatePod("default", pod);
  c.MarkReady("default", "web-old");

  c.SetImage("web", "nginx:2");
  const std::string rs2 = c.RsNameFor("web");
  REQUIRE(Eventually([&] { return c.Sizes("web") == Sizes{{rs1, 0}}; }));
  c.SetRsStatus(rs1, 0, 0);  // the ReplicaSet reports none; its pod is still there
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}});
  c.DeletePod("default", "web-old");
  CHECK(Eventually([&] { return c.Sizes("web") == Sizes{{rs1, 0}, {rs2, 1}}; }));
  c.controller->Stop();
}

TEST_CASE("the running controller looks again when the progress deadline passes") {
  DeploymentCluster c(RealClock());
  c.controller->Start();
  json d = MakeDeployment("web", 1, "nginx:1");
  d["spec"]["progressDeadlineSeconds"] = 1;
  c.Create(d);
  // Nothing reports the new ReplicaSet's pods: no event would wake the controller again.
  CHECK(Eventually([&] { return c.Reason("web", "Progressing") == "ProgressDeadlineExceeded"; },
                   std::chrono::seconds(6)));
  CHECK(c.Condition("web", "Progressing")["status"] == "False");
  c.controller->Stop();
}

}  // namespace
}  // namespace skiff::controllers
