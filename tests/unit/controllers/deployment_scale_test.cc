// The Deployment controller scaling and keeping house: proportional scaling mid-rollout,
// pause/resume, revisionHistoryLimit, adopting an orphan ReplicaSet, and hash collisions.
#include <catch2/catch.hpp>

#include "controllers/controller_ref.h"
#include "unit/controllers/deployment_test_util.h"

namespace skiff::controllers {
namespace {

using testing::DeploymentCluster;
using testing::MakeDeployment;
using testing::Ok;
using Sizes = std::map<std::string, int>;

TEST_CASE("scaling mid-rollout splits the change across ReplicaSets in proportion") {
  DeploymentCluster c;
  // Kubernetes' documented example: 10 replicas, maxSurge 3, maxUnavailable 2.
  c.Create(MakeDeployment(
      "web", 10, "nginx:1",
      {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 3}, {"maxUnavailable", 2}}}}));
  c.Sync("web");
  const std::string rs1 = c.RsNameFor("web");
  c.SetRsStatus(rs1, 10, 10);
  c.Sync("web");
  c.SetImage("web", "nginx:2");
  const std::string rs2 = c.RsNameFor("web");
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 8}, {rs2, 3}});
  c.SetRsStatus(rs1, 8, 8);
  c.SetRsStatus(rs2, 3, 0);
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 8}, {rs2, 5}});  // the new pods never become ready
  c.SetRsStatus(rs2, 5, 0);
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 8}, {rs2, 5}});

  // 15 replicas: 18 allowed, 5 more pods; the larger ReplicaSet takes 3, the new one 2.
  c.Patch("web", {{"spec", {{"replicas", 15}}}});
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 11}, {rs2, 7}});
  for (const std::string& rs : {rs1, rs2}) {
    const json ann = c.GetRs(rs)["metadata"]["annotations"];
    CHECK(ann["deployment.kubernetes.io/desired-replicas"] == "15");
    CHECK(ann["deployment.kubernetes.io/max-replicas"] == "18");
  }
  CHECK(c.Events("web").back() == "Scaled up replica set " + rs2 + " from 5 to 7");

  // And down to 5: 8 allowed, 10 fewer; the larger goes first (11*8/18 -> 5), then 7*8/18 -> 3.
  c.SetRsStatus(rs1, 11, 11);
  c.SetRsStatus(rs2, 7, 0);
  c.Patch("web", {{"spec", {{"replicas", 5}}}});
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 5}, {rs2, 3}});
  CHECK(c.Events("web").back() == "Scaled down replica set " + rs2 + " from 7 to 3");
}

TEST_CASE("a paused Deployment only scales and rolls out once resumed") {
  DeploymentCluster c;
  c.Create(MakeDeployment("web", 2, "nginx:1"));
  c.Sync("web");
  const std::string rs1 = c.RsNameFor("web");
  c.SetRsStatus(rs1, 2, 2);
  c.Sync("web");

  c.Advance(std::chrono::seconds(30));
  c.Patch("web", {{"spec", {{"paused", true}}}});
  c.SetImage("web", "nginx:2");
  const std::string rs2 = c.RsNameFor("web");
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 2}});  // no rollout while paused
  CHECK(c.Condition("web", "Progressing") ==
        json{{"type", "Progressing"},
             {"status", "Unknown"},
             {"lastUpdateTime", c.At(std::chrono::seconds(30))},
             {"lastTransitionTime", c.At(std::chrono::seconds(30))},
             {"reason", "DeploymentPaused"},
             {"message", "Deployment is paused"}});
  c.Patch("web", {{"spec", {{"replicas", 3}}}});
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 3}});  // but scaling does happen
  CHECK(c.Get("web")["status"]["observedGeneration"] == c.Get("web")["metadata"]["generation"]);

  c.Advance(std::chrono::seconds(30));
  c.Patch("web", {{"spec", {{"paused", false}}}});
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 2}, {rs2, 1}});
  // Resumed, then a new ReplicaSet: the rollout is progressing again from now.
  CHECK(c.Condition("web", "Progressing")["reason"] == "NewReplicaSetCreated");
  CHECK(c.Condition("web", "Progressing")["lastUpdateTime"] == c.At(std::chrono::seconds(60)));
  CHECK(c.Events("web") == std::vector<std::string>{
                               "Scaled up replica set " + rs1 + " from 0 to 2",
                               "Scaled up replica set " + rs1 + " from 2 to 3",
                               "Scaled up replica set " + rs2 + " from 0 to 1",
                               "Scaled down replica set " + rs1 + " from 3 to 2",
                           });
}

TEST_CASE("a paused Deployment does not time out and its deadline restarts when resumed") {
  using std::chrono::seconds;
  DeploymentCluster c;
  json d = MakeDeployment("web", 2, "nginx:1");
  d["spec"]["progressDeadlineSeconds"] = 60;
  c.Create(d);
  c.Sync("web");  // the new ReplicaSet's pods never become available
  const std::string rs1 = c.RsNameFor("web");
  c.Patch("web", {{"spec", {{"paused", true}}}});
  c.Advance(seconds(10));
  c.Sync("web");
  c.Advance(seconds(600));
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing")["reason"] == "DeploymentPaused");
  CHECK(c.Condition("web", "Progressing")["lastUpdateTime"] == c.At(seconds(10)));

  c.Patch("web", {{"spec", {{"paused", false}}}});
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing") == json{{"type", "Progressing"},
                                                  {"status", "Unknown"},
                                                  {"lastUpdateTime", c.At(seconds(610))},
                                                  {"lastTransitionTime", c.At(seconds(10))},
                                                  {"reason", "DeploymentResumed"},
                                                  {"message", "Deployment is resumed"}});
  c.Advance(seconds(61));
  c.Sync("web");
  CHECK(c.Condition("web", "Progressing") ==
        json{{"type", "Progressing"},
             {"status", "False"},
             {"lastUpdateTime", c.At(seconds(671))},
             {"lastTransitionTime", c.At(seconds(671))},
             {"reason", "ProgressDeadlineExceeded"},
             {"message", "ReplicaSet \"" + rs1 + "\" has timed out progressing."}});
}

TEST_CASE("old ReplicaSets beyond revisionHistoryLimit are deleted oldest revision first") {
  DeploymentCluster c;
  json d = MakeDeployment(
      "web", 1, "nginx:1",
      {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}});
  d["spec"]["revisionHistoryLimit"] = 1;
  c.Create(d);
  std::vector<std::string> names;
  for (const char* image : {"nginx:1", "nginx:2", "nginx:3"}) {
    if (std::string(image) != "nginx:1") c.SetImage("web", image);
    names.push_back(c.RsNameFor("web"));
    for (int i = 0; i < 5; ++i) {
      c.Sync("web");
      c.ReportAllAvailable("web");
    }
  }
  c.Sync("web");
  // Revision 1 went; revision 2 is the one old ReplicaSet kept.
  CHECK(c.Sizes("web") == Sizes{{names[1], 0}, {names[2], 1}});
  CHECK(c.client->Get(client::ReplicaSets(), "default", names[0]).status().code() ==
        Code::kNotFound);
}

TEST_CASE("a Deployment adopts a matching orphan ReplicaSet with its template") {
  DeploymentCluster c;
  const json d = MakeDeployment("web", 2, "nginx:1");
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", "web-orphan"}, {"labels", {{"app", "web"}}}}},
             {"spec",
              {{"replicas", 2},
               {"selector", d["spec"]["selector"]},
               {"template", d["spec"]["template"]}}}};
  Ok(c.client->Create(client::ReplicaSets(), "default", rs));
  const json created = c.Create(d);
  c.Sync("web");
  c.Sync("web");

  CHECK(c.Sizes("web") == Sizes{{"web-orphan", 2}});  // adopted, no new ReplicaSet
  const json adopted = c.GetRs("web-orphan");
  CHECK(adopted["metadata"]["ownerReferences"] ==
        json::array({MakeControllerRef(created, DeploymentKind())}));
  CHECK(adopted["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1");
  CHECK(c.Get("web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1");
  const json progressing = c.Condition("web", "Progressing");
  CHECK(progressing["reason"] == "FoundNewReplicaSet");
  CHECK(progressing["message"] == "Found new replica set \"web-orphan\"");
  CHECK(c.Events("web").empty());
}

TEST_CASE("a ReplicaSet name taken by another template bumps collisionCount") {
  DeploymentCluster c;
  const json d = c.Create(MakeDeployment("web", 1, "nginx:1"));
  const std::string taken = c.RsNameFor("web");
  json other = MakeDeployment("other", 1, "busybox")["spec"];
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", taken}, {"labels", {{"app", "other"}}}}},
             {"spec",
              {{"replicas", 0}, {"selector", other["selector"]}, {"template", other["template"]}}}};
  Ok(c.client->Create(client::ReplicaSets(), "default", rs));

  Status s = c.SyncOnce("web");
  CHECK(s.code() == Code::kAlreadyExists);
  CHECK(c.Get("web")["status"]["collisionCount"] == 1);
  c.Sync("web");
  const std::string renamed = c.RsNameFor("web", 1);
  CHECK(renamed != taken);
  CHECK(c.Sizes("web") == Sizes{{renamed, 1}});
  CHECK(c.GetRs(taken)["metadata"].contains("ownerReferences") == false);
}

}  // namespace
}  // namespace skiff::controllers
