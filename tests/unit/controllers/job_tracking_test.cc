// The Job controller's finalizer-based accounting: a pod is counted before it may go.
#include <catch2/catch.hpp>

#include "unit/controllers/job_test_util.h"

namespace skiff::controllers {
namespace {

using namespace testing;

TEST_CASE("the tracking finalizer keeps a finished pod until it is counted") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "keep", {{"completions", 2}, {"parallelism", 2}});
  Settle(c);
  REQUIRE(jc.Sync("default/keep").ok());
  Settle(c);
  auto pods = PodsOf(c, job);
  REQUIRE(pods.size() == 2);
  const std::string done = Name(pods[0]);

  // It succeeds and is deleted at once: the finalizer holds it for the controller.
  c.MarkPhase("default", done, "Succeeded");
  c.DeletePod("default", done);
  const json held = Ok(c.client->Get(client::Pods(), "default", done));
  CHECK(held["metadata"].contains("deletionTimestamp"));
  CHECK(Finalizers(held) == std::vector<std::string>{"batch.kubernetes.io/job-tracking"});
  Settle(c);
  REQUIRE(jc.Sync("default/keep").ok());
  Settle(c);
  CHECK(c.client->Get(client::Pods(), "default", done).status().code() == Code::kNotFound);
  json status = GetJob(c, "keep")["status"];
  CHECK(status["succeeded"] == 1);
  CHECK(status["active"] == 1);
  CHECK_FALSE(status.contains("failed"));
  CHECK(status["uncountedTerminatedPods"] == json::object());
  CHECK(PodsOf(c, job).size() == 1);  // the counted success is not replaced

  c.MarkPhase("default", Name(pods[1]), "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/keep").ok());
  status = GetJob(c, "keep")["status"];
  CHECK(status["succeeded"] == 2);
  CHECK(Conditions(GetJob(c, "keep")).back() ==
        std::string("Complete True CompletionsReached ") + kCompletionsMessage);
}

TEST_CASE("a pod deleted before it finished counts as failed and is replaced") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "lost", {});
  Settle(c);
  REQUIRE(jc.Sync("default/lost").ok());
  Settle(c);
  const std::string first = Name(PodsOf(c, job).at(0));
  c.MarkReady("default", first);
  c.DeletePod("default", first);
  Settle(c);
  REQUIRE(jc.Sync("default/lost").ok());
  Settle(c);
  const auto pods = PodsOf(c, job);
  REQUIRE(pods.size() == 1);
  CHECK(Name(pods[0]) != first);
  CHECK(c.client->Get(client::Pods(), "default", first).status().code() == Code::kNotFound);
  const json status = GetJob(c, "lost")["status"];
  CHECK(status["failed"] == 1);
  CHECK(status["active"] == 1);
}

TEST_CASE("pods of a deleted Job lose their tracking finalizer") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  jc.Start();
  const json job = MakeJob(c, "gone", {{"parallelism", 2}, {"completions", 2}});
  REQUIRE(Eventually([&] { return PodsOf(c, job).size() == 2; }));
  const auto pods = PodsOf(c, job);
  // Background: the Job goes now, its pods are left to the garbage collector (none runs here).
  client::Client::DeleteOptions o;
  o.propagation_policy = "Background";
  REQUIRE(c.client->Delete(client::Jobs(), "default", "gone", o).ok());
  REQUIRE(Eventually([&] {
    for (const json& p : pods) {
      auto got = c.client->Get(client::Pods(), "default", Name(p));
      if (!got.ok() || !Finalizers(*got).empty()) return false;
    }
    return true;
  }));
}

}  // namespace
}  // namespace skiff::controllers
