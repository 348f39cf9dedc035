// The Job controller: Indexed completion and suspending / resuming.
#include <catch2/catch.hpp>
#include <map>

#include "unit/controllers/job_test_util.h"

namespace skiff::controllers {
namespace {

using namespace testing;

TEST_CASE("an Indexed Job gives each pod its index and reports the completed ones") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job =
      MakeJob(c, "idx", {{"completions", 3}, {"parallelism", 2}, {"completionMode", "Indexed"}});
  Settle(c);
  REQUIRE(jc.Sync("default/idx").ok());
  Settle(c);
  auto pods = PodsOf(c, job);
  REQUIRE(pods.size() == 2);
  std::map<std::string, std::string> by_index;  // index -> pod name
  for (const json& pod : pods) {
    const std::string ix = pod["metadata"]["annotations"][kIndexLabel];
    by_index[ix] = Name(pod);
    CHECK(pod["metadata"]["labels"][kIndexLabel] == ix);
    CHECK(pod["metadata"]["generateName"] == "idx-" + ix + "-");
    CHECK(Name(pod).rfind("idx-" + ix + "-", 0) == 0);
    CHECK(Name(pod).size() == 11);
    CHECK(pod["spec"]["hostname"] == "idx-" + ix);
    const json& env = pod["spec"]["containers"][0]["env"];
    REQUIRE(env.size() == 1);
    CHECK(env[0]["name"] == "JOB_COMPLETION_INDEX");
    CHECK(env[0]["valueFrom"]["fieldRef"]["fieldPath"] ==
          "metadata.labels['batch.kubernetes.io/job-completion-index']");
  }
  CHECK(by_index.size() == 2);
  REQUIRE(by_index.count("0"));
  REQUIRE(by_index.count("1"));

  // Index 1 succeeds: index 2 starts.
  c.MarkPhase("default", by_index["1"], "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/idx").ok());
  Settle(c);
  pods = PodsOf(c, job);
  REQUIRE(pods.size() == 3);
  for (const json& pod : pods) by_index[pod["metadata"]["annotations"][kIndexLabel]] = Name(pod);
  REQUIRE(by_index.count("2"));
  json status = GetJob(c, "idx")["status"];
  CHECK(status["completedIndexes"] == "1");
  CHECK(status["succeeded"] == 1);
  CHECK(status["active"] == 2);

  c.MarkPhase("default", by_index["2"], "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/idx").ok());
  Settle(c);
  CHECK(GetJob(c, "idx")["status"]["completedIndexes"] == "1,2");
  CHECK(PodsOf(c, job).size() == 3);

  c.MarkPhase("default", by_index["0"], "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/idx").ok());
  const json done = GetJob(c, "idx");
  CHECK(done["status"]["completedIndexes"] == "0-2");
  CHECK(done["status"]["succeeded"] == 3);
  CHECK(Conditions(done).back() ==
        std::string("Complete True CompletionsReached ") + kCompletionsMessage);
  CHECK(PodsOf(c, job).size() == 3);
}

TEST_CASE("a suspended Job runs nothing, resuming starts it afresh, suspending deletes its pods") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "nap", {{"completions", 4}, {"parallelism", 2}, {"suspend", true}});
  Settle(c);
  REQUIRE(jc.Sync("default/nap").ok());
  json got = GetJob(c, "nap");
  CHECK(PodsOf(c, job).empty());
  CHECK(Conditions(got) == std::vector<std::string>{"Suspended True JobSuspended Job suspended"});
  CHECK_FALSE(got["status"].contains("startTime"));
  CHECK_FALSE(got["status"].contains("active"));

  Ok(c.api().MergePatch(client::Jobs(), "default", "nap", {{"spec", {{"suspend", false}}}}));
  Settle(c);
  REQUIRE(jc.Sync("default/nap").ok());
  Settle(c);
  got = GetJob(c, "nap");
  auto pods = PodsOf(c, job);
  CHECK(pods.size() == 2);
  CHECK(Conditions(got) == std::vector<std::string>{"Suspended False JobResumed Job resumed"});
  CHECK(got["status"].contains("startTime"));
  CHECK(got["status"]["active"] == 2);
  c.MarkReady("default", Name(pods[0]));

  Ok(c.api().MergePatch(client::Jobs(), "default", "nap", {{"spec", {{"suspend", true}}}}));
  Settle(c);
  REQUIRE(jc.Sync("default/nap").ok());
  Settle(c);
  got = GetJob(c, "nap");
  CHECK(PodsOf(c, job).empty());
  CHECK(Conditions(got) == std::vector<std::string>{"Suspended True JobSuspended Job suspended"});
  CHECK_FALSE(got["status"].contains("active"));
  CHECK_FALSE(got["status"].contains("failed"));  // deleted on purpose: not failures
  CHECK(got["status"]["ready"] == 0);

  // Resuming resets startTime (activeDeadlineSeconds counts from the resume).
  Ok(c.client->MergePatch(client::Jobs(), "default", "nap",
                          {{"status", {{"startTime", "2020-01-01T00:00:00Z"}}}}, "status"));
  Ok(c.api().MergePatch(client::Jobs(), "default", "nap", {{"spec", {{"suspend", false}}}}));
  Settle(c);
  REQUIRE(jc.Sync("default/nap").ok());
  got = GetJob(c, "nap");
  CHECK(got["status"]["startTime"] != "2020-01-01T00:00:00Z");
  CHECK(PodsOf(c, job).size() == 2);

  std::vector<std::string> expected = {"Normal Resumed Job resumed", "Normal Resumed Job resumed",
                                       "Normal Suspended Job suspended",
                                       "Normal Suspended Job suspended"};
  for (const json& pod : pods) {
    expected.push_back("Normal SuccessfulCreate Created pod: " + Name(pod));
    expected.push_back("Normal SuccessfulDelete Deleted pod: " + Name(pod));
  }
  for (const json& pod : PodsOf(c, job)) {
    expected.push_back("Normal SuccessfulCreate Created pod: " + Name(pod));
  }
  std::sort(expected.begin(), expected.end());
  CHECK(EventsAbout(c, "nap") == expected);
}

}  // namespace
}  // namespace skiff::controllers
