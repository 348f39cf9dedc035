// The Deployment controller rolling out: the first ReplicaSet, RollingUpdate steps within
// maxSurge/maxUnavailable, Recreate's order, and rolling back to an old ReplicaSet. Single
// passes (Sync) with the test playing the ReplicaSet controller in between.
#include <catch2/catch.hpp>

#include "controllers/controller_ref.h"
#include "unit/controllers/deployment_test_util.h"

namespace skiff::controllers {
namespace {

using testing::DeploymentCluster;
using testing::MakeDeployment;
using testing::Ok;
using Sizes = std::map<std::string, int>;

TEST_CASE("a new Deployment gets a ReplicaSet named by its template hash with revision 1") {
  DeploymentCluster c;
  json d = MakeDeployment("web", 3, "nginx:1.25", {{"type", "RollingUpdate"}});  // 25%/25%
  d["metadata"]["annotations"] = {{"kubernetes.io/change-cause", "first rollout"},
                                  {"team", "edge"},
                                  {"kubectl.kubernetes.io/last-applied-configuration", "{}"}};
  d = c.Create(d);
  c.Sync("web");

  const std::string hash = deployment::ComputeHash(d["spec"]["template"], std::nullopt);
  CHECK(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789") == std::string::npos);
  const std::string rs_name = "web-" + hash;
  CHECK(c.Sizes("web") == Sizes{{rs_name, 3}});  // 3 <= 3 + maxSurge 1
  const json rs = c.GetRs(rs_name);
  const json labels = {{"app", "web"}, {"pod-template-hash", hash}};
  CHECK(rs["metadata"]["labels"] == labels);
  CHECK(rs["spec"]["selector"] == json{{"matchLabels", labels}});
  CHECK(rs["spec"]["template"]["metadata"]["labels"] == labels);
  json tmpl = rs["spec"]["template"];
  tmpl["metadata"]["labels"].erase("pod-template-hash");
  CHECK(tmpl == d["spec"]["template"]);
  CHECK(rs["metadata"]["ownerReferences"] == json::array({MakeControllerRef(d, DeploymentKind())}));
  CHECK(rs["metadata"]["annotations"] == json{{"deployment.kubernetes.io/revision", "1"},
                                              {"deployment.kubernetes.io/desired-replicas", "3"},
                                              {"deployment.kubernetes.io/max-replicas", "4"},
                                              {"kubernetes.io/change-cause", "first rollout"},
                                              {"team", "edge"}});

  const json got = c.Get("web");
  CHECK(got["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1");
  CHECK(got["metadata"]["generation"] == 1);  // the annotation is not a spec change
  const std::string created_msg = "Created new replica set \"" + rs_name + "\"";
  CHECK(got["status"] == json{{"observedGeneration", 1},
                              {"unavailableReplicas", 3},
                              {"conditions",
                               {{{"type", "Progressing"},
                                 {"status", "True"},
                                 {"lastUpdateTime", c.At()},
                                 {"lastTransitionTime", c.At()},
                                 {"reason", "NewReplicaSetCreated"},
                                 {"message", created_msg}},
                                {{"type", "Available"},
                                 {"status", "False"},
                                 {"lastUpdateTime", c.At()},
                                 {"lastTransitionTime", c.At()},
                                 {"reason", "MinimumReplicasUnavailable"},
                                 {"message", "Deployment does not have minimum availability."}}}}});
  CHECK(c.Events("web") ==
        std::vector<std::string>{"Scaled up replica set " + rs_name + " from 0 to 3"});

  // The ReplicaSet controller reports its pods ready: the rollout is complete.
  c.Advance(std::chrono::seconds(7));
  c.SetRsStatus(rs_name, 3, 3);
  c.Sync("web");
  const json done = c.Get("web")["status"];
  CHECK(done["replicas"] == 3);
  CHECK(done["updatedReplicas"] == 3);
  CHECK(done["readyReplicas"] == 3);
  CHECK(done["availableReplicas"] == 3);
  CHECK_FALSE(done.contains("unavailableReplicas"));
  CHECK(done["conditions"] ==
        json{{{"type", "Available"},
              {"status", "True"},
              {"lastUpdateTime", c.At(std::chrono::seconds(7))},
              {"lastTransitionTime", c.At(std::chrono::seconds(7))},
              {"reason", "MinimumReplicasAvailable"},
              {"message", "Deployment has minimum availability."}},
             {{"type", "Progressing"},
              {"status", "True"},
              {"lastUpdateTime", c.At(std::chrono::seconds(7))},
              {"lastTransitionTime", c.At()},  // still True since the start
              {"reason", "NewReplicaSetAvailable"},
              {"message", "ReplicaSet \"" + rs_name + "\" has successfully progressed."}}});

  // Nothing changed: a further pass writes nothing.
  const std::string rv = c.Get("web")["metadata"]["resourceVersion"];
  c.Sync("web");
  CHECK(c.Get("web")["metadata"]["resourceVersion"] == rv);
}

TEST_CASE("minReadySeconds is passed on and a restart annotation is an ordinary rollout") {
  DeploymentCluster c;
  json d = MakeDeployment("web", 2, "nginx:1");
  d["spec"]["minReadySeconds"] = 5;
  c.Create(d);
  c.Sync("web");
  const std::string rs1 = c.RsNameFor("web");
  CHECK(c.GetRs(rs1)["spec"]["minReadySeconds"] == 5);
  c.Patch("web", {{"spec", {{"minReadySeconds", 8}}}});  // not a template change
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 2}});
  CHECK(c.GetRs(rs1)["spec"]["minReadySeconds"] == 8);

  // `kubectl rollout restart` stamps the template.
  c.SetRsStatus(rs1, 2, 2);
  c.Patch("web", {{"spec",
                   {{"template",
                     {{"metadata",
                       {{"annotations",
                         {{"kubectl.kubernetes.io/restartedAt", "2026-03-01T10:05:00Z"}}}}}}}}}});
  c.Sync("web");
  const std::string rs2 = c.RsNameFor("web");
  REQUIRE(rs2 != rs1);
  CHECK(c.Sizes("web") == Sizes{{rs1, 1}, {rs2, 1}});
  const json created = c.GetRs(rs2);
  CHECK(created["spec"]["minReadySeconds"] == 8);
  CHECK(created["spec"]["template"]["metadata"]["annotations"] ==
        json{{"kubectl.kubernetes.io/restartedAt", "2026-03-01T10:05:00Z"}});
  CHECK(created["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2");
}

TEST_CASE("a rolling update steps within maxSurge and maxUnavailable at every pass") {
  DeploymentCluster c;
  c.Create(MakeDeployment("web", 4, "nginx:1"));  // maxSurge 1, maxUnavailable 1
  c.Sync("web");
  const std::string rs1 = c.RsNameFor("web");
  c.SetRsStatus(rs1, 4, 4);
  c.Sync("web");

  c.SetImage("web", "nginx:2");
  const std::string rs2 = c.RsNameFor("web");
  REQUIRE(rs2 != rs1);
  // After every pass: at most replicas + maxSurge = 5 pods, and at least replicas -
  // maxUnavailable = 3 of the ones reported available are kept.
  auto step = [&](Sizes want) {
    c.Sync("web");
    const Sizes got = c.Sizes("web");
    CHECK(got == want);
    int total = 0;
    for (const auto& [n, size] : got) total += size;
    CHECK(total <= 5);
  };
  step({{rs1, 3}, {rs2, 1}});  // surge one new, and one old may go (4 available > 3)
  CHECK(c.GetRs(rs2)["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2");
  c.SetRsStatus(rs1, 3, 3);
  c.SetRsStatus(rs2, 1, 0);
  step({{rs1, 3}, {rs2, 2}});  // room for one more new pod
  c.SetRsStatus(rs2, 2, 0);
  step({{rs1, 3}, {rs2, 2}});  // new pods not available: no old pod may go (3 available)
  c.SetRsStatus(rs2, 2, 2);
  step({{rs1, 1}, {rs2, 2}});  // 5 available: two old ones may go
  c.SetRsStatus(rs1, 1, 1);
  step({{rs1, 1}, {rs2, 4}});
  c.SetRsStatus(rs2, 4, 2);
  step({{rs1, 1}, {rs2, 4}});
  c.SetRsStatus(rs2, 4, 4);
  step({{rs1, 0}, {rs2, 4}});
  c.SetRsStatus(rs1, 0, 0);
  c.Sync("web");

  const json d = c.Get("web");
  CHECK(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2");
  CHECK(d["status"]["replicas"] == 4);
  CHECK(d["status"]["updatedReplicas"] == 4);
  CHECK(d["status"]["availableReplicas"] == 4);
  CHECK(c.Condition("web", "Progressing")["reason"] == "NewReplicaSetAvailable");
  CHECK(c.Events("web") == std::vector<std::string>{
                               "Scaled up replica set " + rs1 + " from 0 to 4",
                               "Scaled up replica set " + rs2 + " from 0 to 1",
                               "Scaled down replica set " + rs1 + " from 4 to 3",
                               "Scaled up replica set " + rs2 + " from 1 to 2",
                               "Scaled down replica set " + rs1 + " from 3 to 1",
                               "Scaled up replica set " + rs2 + " from 2 to 4",
                               "Scaled down replica set " + rs1 + " from 1 to 0",
                           });
}

TEST_CASE("Recreate scales the old ReplicaSet to zero and waits for its pods before the new") {
  DeploymentCluster c;
  c.Create(MakeDeployment("web", 2, "nginx:1", {{"type", "Recreate"}}));
  c.Sync("web");
  const std::string rs1 = c.RsNameFor("web");
  const json old_rs = c.GetRs(rs1);
  for (const char* pod_name : {"web-a", "web-b"}) {
    json pod = client::testing::Pod(pod_name);
    pod["metadata"]["labels"] = old_rs["spec"]["template"]["metadata"]["labels"];
    pod["metadata"]["ownerReferences"] = {MakeControllerRef(old_rs, ReplicaSetKind())};
    c.CreatePod("default", pod);
    c.MarkReady("default", pod_name);
  }
  c.SetRsStatus(rs1, 2, 2);
  c.Sync("web");

  c.SetImage("web", "nginx:2");
  const std::string rs2 = c.RsNameFor("web");
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}});  // no new ReplicaSet before the old is down
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}});  // the ReplicaSet still reports 2 replicas
  c.SetRsStatus(rs1, 0, 0);
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}});  // its pods are still running
  c.MarkPhase("default", "web-a", "Succeeded");
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}});  // web-b still is
  c.DeletePod("default", "web-b");
  c.Sync("web");
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}, {rs2, 2}});
  CHECK(c.GetRs(rs2)["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2");
  CHECK(c.Events("web") == std::vector<std::string>{
                               "Scaled up replica set " + rs1 + " from 0 to 2",
                               "Scaled down replica set " + rs1 + " from 2 to 0",
                               "Scaled up replica set " + rs2 + " from 0 to 2",
                           });
  // Recreate tolerates no unavailable pod.
  CHECK(c.Condition("web", "Available")["reason"] == "MinimumReplicasUnavailable");
}

TEST_CASE("rolling back to an old template reuses its ReplicaSet with a new revision") {
  DeploymentCluster c;
  c.Create(MakeDeployment(
      "web", 1, "nginx:1",
      {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}}));
  auto roll_to_completion = [&] {
    for (int i = 0; i < 6; ++i) {
      c.Sync("web");
      c.ReportAllAvailable("web");
    }
    c.Sync("web");
  };
  roll_to_completion();
  const std::string rs1 = c.RsNameFor("web");
  const json v1_template = c.Get("web")["spec"]["template"];
  c.SetImage("web", "nginx:2");
  const std::string rs2 = c.RsNameFor("web");
  roll_to_completion();
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}, {rs2, 1}});

  // `kubectl rollout undo`: kubectl copies the old ReplicaSet's template (without the hash
  // label) into the Deployment.
  json old_template = c.GetRs(rs1)["spec"]["template"];
  old_template["metadata"]["labels"].erase("pod-template-hash");
  REQUIRE(old_template == v1_template);
  json d = c.Get("web");
  d["spec"]["template"] = old_template;
  Ok(c.api().Update(client::Deployments(), "default", d));
  c.Sync("web");
  json back = c.GetRs(rs1);
  CHECK(back["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3");
  CHECK(back["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1");
  roll_to_completion();
  CHECK(c.Sizes("web") == Sizes{{rs1, 1}, {rs2, 0}});  // no third ReplicaSet
  CHECK(c.Get("web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3");

  // And forward again: rs2 gets revision 4 and remembers 2.
  c.SetImage("web", "nginx:2");
  roll_to_completion();
  const json rs2_now = c.GetRs(rs2);
  CHECK(rs2_now["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4");
  CHECK(rs2_now["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "2");
  CHECK(c.Sizes("web") == Sizes{{rs1, 0}, {rs2, 1}});
}

}  // namespace
}  // namespace skiff::controllers
