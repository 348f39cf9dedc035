// The TTL-after-finished controller, alone and with the Job controller.
#include "controllers/ttl_after_finished_controller.h"

#include <catch2/catch.hpp>

#include "unit/controllers/job_test_util.h"

namespace skiff::controllers {
namespace {

using namespace testing;

TEST_CASE("ttlSecondsAfterFinished: a finished Job is deleted once its time is up") {
  ControllerCluster c;
  TtlAfterFinishedController ttl(*c.client, c.informers);
  c.StartInformers();
  auto finish = [&c](const std::string& name, const std::string& type, const std::string& at) {
    Ok(c.client->MergePatch(
        client::Jobs(), "default", name,
        {{"status",
          {{"conditions", {{{"type", type}, {"status", "True"}, {"lastTransitionTime", at}}}}}}},
        "status"));
  };
  const auto now = std::chrono::system_clock::now();
  MakeJob(c, "old", {{"ttlSecondsAfterFinished", 3600}});
  finish("old", "Complete", api::Rfc3339(now - 2h));
  MakeJob(c, "recent", {{"ttlSecondsAfterFinished", 3600}});
  finish("recent", "Failed", api::Rfc3339(now - 1min));
  MakeJob(c, "running", {{"ttlSecondsAfterFinished", 0}});
  MakeJob(c, "keeper", {});
  finish("keeper", "Complete", api::Rfc3339(now - 2h));
  Settle(c);

  for (const char* name : {"old", "recent", "running", "keeper"}) {
    REQUIRE(ttl.Sync(std::string("default/") + name).ok());
  }
  CHECK(c.client->Get(client::Jobs(), "default", "old").status().code() == Code::kNotFound);
  CHECK(c.client->Get(client::Jobs(), "default", "recent").ok());
  CHECK(c.client->Get(client::Jobs(), "default", "running").ok());
  CHECK(c.client->Get(client::Jobs(), "default", "keeper").ok());
}

TEST_CASE("the running controllers complete a Job, then its TTL deletes it") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  TtlAfterFinishedController ttl(*c.client, c.informers);
  c.StartInformers();
  jc.Start();
  ttl.Start();
  const json job =
      MakeJob(c, "brief", {{"completions", 2}, {"parallelism", 1}, {"ttlSecondsAfterFinished", 1}});
  for (int i = 0; i < 2; ++i) {
    REQUIRE(Eventually([&] { return PodsInPhase(c, job, "Pending").size() == 1; }));
    c.MarkPhase("default", Name(PodsInPhase(c, job, "Pending")[0]), "Succeeded");
  }
  REQUIRE(Eventually([&] {
    auto got = c.client->Get(client::Jobs(), "default", "brief");
    return got.ok() && Conditions(*got).size() == 2;
  }));
  const json done = GetJob(c, "brief");
  CHECK(Conditions(done)[1] ==
        std::string("Complete True CompletionsReached ") + kCompletionsMessage);
  CHECK(done["status"]["succeeded"] == 2);
  CHECK(PodsOf(c, job).size() == 2);  // each completion got exactly one pod
  REQUIRE(Eventually(
      [&] {
        return c.client->Get(client::Jobs(), "default", "brief").status().code() == Code::kNotFound;
      },
      5s));
}

}  // namespace
}  // namespace skiff::controllers
