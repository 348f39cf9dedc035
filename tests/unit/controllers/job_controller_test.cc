// The Job controller against a real store, NonIndexed Jobs: pods up to parallelism and
// completions, adoption, failures against backoffLimit and activeDeadlineSeconds. Single Sync
// passes run with the informers started and no workers; some tests run the controller.
#include <catch2/catch.hpp>

#include "unit/controllers/job_test_util.h"

namespace skiff::controllers {
namespace {

using namespace testing;

TEST_CASE("completions 3 parallelism 2: two pods, one more as they succeed, then Complete") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "pi", {{"completions", 3}, {"parallelism", 2}});
  const std::string uid = job["metadata"]["uid"];
  Settle(c);

  REQUIRE(jc.Sync("default/pi").ok());
  std::vector<json> pods = PodsOf(c, job);
  REQUIRE(pods.size() == 2);
  for (const json& pod : pods) {
    CHECK(pod["metadata"]["generateName"] == "pi-");
    CHECK(Name(pod).size() == 8);  // "pi-" and 5 random characters
    const json& labels = pod["metadata"]["labels"];
    CHECK(labels["batch.kubernetes.io/job-name"] == "pi");
    CHECK(labels["job-name"] == "pi");
    CHECK(labels["batch.kubernetes.io/controller-uid"] == uid);
    CHECK(labels["controller-uid"] == uid);
    CHECK(Finalizers(pod) == std::vector<std::string>{"batch.kubernetes.io/job-tracking"});
    const json& ref = pod["metadata"]["ownerReferences"][0];
    CHECK(ref["kind"] == "Job");
    CHECK(ref["apiVersion"] == "batch/v1");
    CHECK(ref["controller"] == true);
    CHECK(ref["blockOwnerDeletion"] == true);
  }
  json status = GetJob(c, "pi")["status"];
  CHECK(status["active"] == 2);
  CHECK(status["ready"] == 0);
  CHECK(status["terminating"] == 0);
  CHECK(status["uncountedTerminatedPods"] == json::object());
  CHECK(status.contains("startTime"));
  CHECK_FALSE(status.contains("succeeded"));
  CHECK_FALSE(status.contains("conditions"));

  // Nothing new happened: nothing more is created.
  Settle(c);
  REQUIRE(jc.Sync("default/pi").ok());
  CHECK(PodsOf(c, job).size() == 2);

  // The first one succeeds: one more (the third completion) starts.
  c.MarkPhase("default", Name(pods[0]), "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/pi").ok());
  pods = PodsOf(c, job);
  REQUIRE(pods.size() == 3);
  CHECK(PodsInPhase(c, job, "Succeeded").size() == 1);
  CHECK(Finalizers(PodsInPhase(c, job, "Succeeded")[0]).empty());  // counted, released
  status = GetJob(c, "pi")["status"];
  CHECK(status["succeeded"] == 1);
  CHECK(status["active"] == 2);
  CHECK(status["uncountedTerminatedPods"] == json::object());

  // The second one succeeds: 2 done, 1 running, none to add.
  Settle(c);
  c.MarkPhase("default", Name(PodsInPhase(c, job, "Pending")[0]), "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/pi").ok());
  CHECK(PodsOf(c, job).size() == 3);
  CHECK(GetJob(c, "pi")["status"]["succeeded"] == 2);
  CHECK(GetJob(c, "pi")["status"]["active"] == 1);

  Settle(c);
  c.MarkPhase("default", Name(PodsInPhase(c, job, "Pending")[0]), "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/pi").ok());
  const json done = GetJob(c, "pi");
  status = done["status"];
  CHECK(Conditions(done) ==
        std::vector<std::string>{
            std::string("SuccessCriteriaMet True CompletionsReached ") + kCompletionsMessage,
            std::string("Complete True CompletionsReached ") + kCompletionsMessage});
  CHECK(status["succeeded"] == 3);
  CHECK_FALSE(status.contains("active"));
  CHECK_FALSE(status.contains("failed"));
  CHECK(status["ready"] == 0);
  CHECK(status["uncountedTerminatedPods"] == json::object());
  CHECK(status["completionTime"] == status["conditions"][1]["lastTransitionTime"]);
  CHECK(PodsOf(c, job).size() == 3);

  std::vector<std::string> expected = {"Normal Completed Job completed"};
  for (const json& pod : PodsOf(c, job)) {
    expected.push_back("Normal SuccessfulCreate Created pod: " + Name(pod));
  }
  std::sort(expected.begin(), expected.end());
  CHECK(EventsAbout(c, "pi") == expected);

  // A finished Job is left alone.
  Settle(c);
  REQUIRE(jc.Sync("default/pi").ok());
  CHECK(GetJob(c, "pi")["metadata"]["resourceVersion"] == done["metadata"]["resourceVersion"]);
}

TEST_CASE("without completions, the Job is done once a pod succeeded and none is left running") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "queue", {{"parallelism", 2}});
  REQUIRE_FALSE(job["spec"].contains("completions"));
  Settle(c);
  REQUIRE(jc.Sync("default/queue").ok());
  Settle(c);
  auto pods = PodsOf(c, job);
  REQUIRE(pods.size() == 2);

  // One worker is done: the other keeps running and nothing new starts.
  c.MarkPhase("default", Name(pods[0]), "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/queue").ok());
  Settle(c);
  CHECK(PodsOf(c, job).size() == 2);
  json got = GetJob(c, "queue");
  CHECK(got["status"]["succeeded"] == 1);
  CHECK(got["status"]["active"] == 1);
  CHECK_FALSE(got["status"].contains("conditions"));

  c.MarkPhase("default", Name(pods[1]), "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/queue").ok());
  got = GetJob(c, "queue");
  CHECK(got["status"]["succeeded"] == 2);
  CHECK(Conditions(got).back() ==
        std::string("Complete True CompletionsReached ") + kCompletionsMessage);
  CHECK(PodsOf(c, job).size() == 2);
}

TEST_CASE("a Job adopts a matching orphan pod and tracks it with its finalizer") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "adopt", {{"completions", 1}});
  json orphan = client::testing::Pod("stray");
  orphan["metadata"]["labels"] = job["spec"]["template"]["metadata"]["labels"];
  c.CreatePod("default", orphan);
  Settle(c);
  REQUIRE(jc.Sync("default/adopt").ok());
  Settle(c);
  const auto pods = PodsOf(c, job);
  REQUIRE(pods.size() == 1);  // the orphan does the work: nothing is created
  CHECK(Name(pods[0]) == "stray");
  CHECK(Finalizers(pods[0]) == std::vector<std::string>{"batch.kubernetes.io/job-tracking"});
  CHECK(GetJob(c, "adopt")["status"]["active"] == 1);

  c.MarkPhase("default", "stray", "Succeeded");
  Settle(c);
  REQUIRE(jc.Sync("default/adopt").ok());
  const json got = GetJob(c, "adopt");
  CHECK(got["status"]["succeeded"] == 1);
  CHECK(Conditions(got).back() ==
        std::string("Complete True CompletionsReached ") + kCompletionsMessage);
  CHECK(Finalizers(Ok(c.client->Get(client::Pods(), "default", "stray"))).empty());
}

TEST_CASE("failing pods are replaced until backoffLimit, then the Job fails") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "flaky", {{"backoffLimit", 2}});
  Settle(c);

  for (int attempt = 1; attempt <= 3; ++attempt) {
    INFO("attempt " << attempt);
    REQUIRE(jc.Sync("default/flaky").ok());
    Settle(c);
    const auto running = PodsInPhase(c, job, "Pending");
    REQUIRE(running.size() == 1);
    CHECK(PodsOf(c, job).size() == static_cast<size_t>(attempt));
    CHECK(GetJob(c, "flaky")["status"].value("failed", 0) == attempt - 1);
    c.MarkPhase("default", Name(running[0]), "Failed");
    Settle(c);
  }
  // The third failure is one more than backoffLimit allows.
  REQUIRE(jc.Sync("default/flaky").ok());
  const json failed = GetJob(c, "flaky");
  CHECK(Conditions(failed) ==
        std::vector<std::string>{
            std::string("FailureTarget True BackoffLimitExceeded ") + kBackoffMessage,
            std::string("Failed True BackoffLimitExceeded ") + kBackoffMessage});
  CHECK(failed["status"]["failed"] == 3);
  CHECK_FALSE(failed["status"].contains("succeeded"));
  CHECK_FALSE(failed["status"].contains("active"));
  CHECK_FALSE(failed["status"].contains("completionTime"));
  CHECK(failed["status"]["uncountedTerminatedPods"] == json::object());
  const auto pods = PodsOf(c, job);
  CHECK(pods.size() == 3);
  for (const json& pod : pods) CHECK(Finalizers(pod).empty());
  const auto events = EventsAbout(c, "flaky");
  CHECK(std::count(events.begin(), events.end(),
                   std::string("Warning BackoffLimitExceeded ") + kBackoffMessage) == 1);
  CHECK(events.size() == 4);  // 3 creations and the failure

  Settle(c);
  REQUIRE(jc.Sync("default/flaky").ok());
  CHECK(PodsOf(c, job).size() == 3);
}

TEST_CASE("a replacement waits the back-off delay after a recent failure") {
  ControllerCluster c;
  JobControllerOptions o = Fast();
  o.pod_failure_backoff = 10s;  // Kubernetes' base
  JobController jc(*c.client, c.informers, o);
  c.StartInformers();
  const json job = MakeJob(c, "slow", {});
  Settle(c);
  REQUIRE(jc.Sync("default/slow").ok());
  Settle(c);
  REQUIRE(PodsOf(c, job).size() == 1);

  // A failure an hour ago has waited long enough: replaced at once.
  MarkTerminated(c, Name(PodsOf(c, job)[0]), "Failed",
                 api::Rfc3339(std::chrono::system_clock::now() - 1h));
  Settle(c);
  REQUIRE(jc.Sync("default/slow").ok());
  Settle(c);
  REQUIRE(PodsOf(c, job).size() == 2);
  CHECK(GetJob(c, "slow")["status"]["failed"] == 1);

  // The second failure in a row, just now: its replacement waits 20 s.
  MarkTerminated(c, Name(PodsInPhase(c, job, "Pending")[0]), "Failed", api::NowRfc3339());
  Settle(c);
  REQUIRE(jc.Sync("default/slow").ok());
  Settle(c);
  CHECK(PodsOf(c, job).size() == 2);
  const json status = GetJob(c, "slow")["status"];
  CHECK(status["failed"] == 2);
  CHECK_FALSE(status.contains("active"));
  CHECK_FALSE(status.contains("conditions"));
}

TEST_CASE("activeDeadlineSeconds fails the Job and deletes its active pods") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  const json job = MakeJob(c, "slowpoke",
                           {{"completions", 2}, {"parallelism", 2}, {"activeDeadlineSeconds", 60}});
  Settle(c);
  REQUIRE(jc.Sync("default/slowpoke").ok());
  Settle(c);
  const auto pods = PodsOf(c, job);
  REQUIRE(pods.size() == 2);
  c.MarkReady("default", Name(pods[0]));

  // It started an hour ago.
  Ok(c.client->MergePatch(
      client::Jobs(), "default", "slowpoke",
      {{"status", {{"startTime", api::Rfc3339(std::chrono::system_clock::now() - 1h)}}}},
      "status"));
  Settle(c);
  REQUIRE(jc.Sync("default/slowpoke").ok());
  // The pods are deleted and counted as failed; Failed waits for them to be gone.
  json status = GetJob(c, "slowpoke")["status"];
  CHECK(Conditions(GetJob(c, "slowpoke")) ==
        std::vector<std::string>{std::string("FailureTarget True DeadlineExceeded ") +
                                 kDeadlineMessage});
  CHECK(status["failed"] == 2);
  CHECK(PodsOf(c, job).empty());

  Settle(c);
  REQUIRE(jc.Sync("default/slowpoke").ok());
  const json failed = GetJob(c, "slowpoke");
  CHECK(Conditions(failed) ==
        std::vector<std::string>{
            std::string("FailureTarget True DeadlineExceeded ") + kDeadlineMessage,
            std::string("Failed True DeadlineExceeded ") + kDeadlineMessage});
  CHECK(failed["status"]["failed"] == 2);
  CHECK(failed["status"]["terminating"] == 0);
  CHECK(failed["status"]["ready"] == 0);
  std::vector<std::string> expected = {std::string("Warning DeadlineExceeded ") + kDeadlineMessage};
  for (const json& pod : pods) {
    expected.push_back("Normal SuccessfulCreate Created pod: " + Name(pod));
    expected.push_back("Normal SuccessfulDelete Deleted pod: " + Name(pod));
  }
  std::sort(expected.begin(), expected.end());
  CHECK(EventsAbout(c, "slowpoke") == expected);
}

TEST_CASE("the running controller fails a Job at its deadline without being told") {
  ControllerCluster c;
  JobController jc(*c.client, c.informers, Fast());
  c.StartInformers();
  jc.Start();
  const json job = MakeJob(c, "deadline", {{"activeDeadlineSeconds", 1}});
  REQUIRE(Eventually([&] { return PodsOf(c, job).size() == 1; }));
  REQUIRE(Eventually(
      [&] {
        return GetJob(c, "deadline")["status"].contains("conditions") &&
               Conditions(GetJob(c, "deadline")).size() == 2;
      },
      5s));
  CHECK(Conditions(GetJob(c, "deadline"))[1] ==
        std::string("Failed True DeadlineExceeded ") + kDeadlineMessage);
  CHECK(GetJob(c, "deadline")["status"]["failed"] == 1);
  REQUIRE(Eventually([&] { return PodsOf(c, job).empty(); }));
}

}  // namespace
}  // namespace skiff::controllers
