// The CronJob controller against a real store: Jobs made at their schedule times (fake clock),
// concurrency policies, suspend, startingDeadlineSeconds, missed times, history limits, status
// and time zones, by single Sync passes and by the running controller.
#include "controllers/cronjob_controller.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "support/temp_dir.h"
#include "unit/controllers/controller_fixture.h"

namespace skiff::controllers {
namespace {

using testing::ControllerCluster;
using testing::Eventually;
using testing::Ok;
using namespace std::chrono_literals;

// An RFC 3339 time, with its fraction of a second (api::ParseRfc3339 keeps whole seconds).
TimePoint T(const std::string& rfc3339) {
  TimePoint t;
  REQUIRE(api::ParseRfc3339(rfc3339, &t));
  const size_t dot = rfc3339.find('.');
  if (dot != std::string::npos) {
    int64_t nanos = 0, scale = 1000000000;
    for (size_t i = dot + 1; i < rfc3339.size() && std::isdigit(rfc3339[i]); ++i) {
      scale /= 10;
      nanos += (rfc3339[i] - '0') * scale;
    }
    t += std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(nanos));
  }
  return t;
}

// A clock a test sets (Set), or lets run from a chosen time at real speed (RunFrom).
class FakeClock {
 public:
  void Set(const std::string& at) {
    std::lock_guard lock(mu_);
    fixed_ = T(at);
    running_ = false;
  }
  void RunFrom(const std::string& at) {
    std::lock_guard lock(mu_);
    offset_ = T(at) - std::chrono::system_clock::now();
    running_ = true;
  }
  TimePoint Now() const {
    std::lock_guard lock(mu_);
    return running_ ? std::chrono::system_clock::now() + offset_ : fixed_;
  }

 private:
  mutable std::mutex mu_;  // guards the below
  TimePoint fixed_;
  std::chrono::system_clock::duration offset_{};
  bool running_ = false;
};

json JobTemplate() {
  return {{"metadata", {{"labels", {{"app", "hello"}}}, {"annotations", {{"team", "edge"}}}}},
          {"spec",
           {{"backoffLimit", 2},
            {"template",
             {{"spec",
               {{"restartPolicy", "Never"},
                {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
}

struct Harness {
  ControllerCluster c;
  FakeClock clock;
  std::unique_ptr<CronJobController> ctl;

  explicit Harness(CronJobControllerOptions o = {}) {
    o.now = [this] { return clock.Now(); };
    if (o.local_time_zone.empty()) o.local_time_zone = "UTC";
    o.workers = 2;
    ctl = std::make_unique<CronJobController>(*c.client, c.informers, o);
    c.StartInformers();
  }

  // Creates the CronJob and (when last_schedule is set) its status.lastScheduleTime, and waits
  // until the informer has it.
  json CronJob(const std::string& name, const std::string& schedule, json spec = json::object(),
               const std::string& last_schedule = "") {
    spec["schedule"] = schedule;
    spec["jobTemplate"] = JobTemplate();
    json cj = {{"apiVersion", "batch/v1"},
               {"kind", "CronJob"},
               {"metadata", {{"name", name}}},
               {"spec", spec}};
    cj = Ok(c.client->Create(client::CronJobs(), "default", cj));
    if (!last_schedule.empty()) {
      cj = Ok(c.client->MergePatch(client::CronJobs(), "default", name,
                                   {{"status", {{"lastScheduleTime", last_schedule}}}}, "status"));
    }
    Settle();
    return cj;
  }
  json Get(const std::string& name) {
    return Ok(c.client->Get(client::CronJobs(), "default", name));
  }
  // A Job owned by `cj`, as an earlier pass would have made it, with a status.
  json OwnedJob(const json& cj, const std::string& name, const json& status = json()) {
    json job = {
        {"apiVersion", "batch/v1"},
        {"kind", "Job"},
        {"metadata", {{"name", name}, {"ownerReferences", {MakeControllerRef(cj, CronJobKind())}}}},
        {"spec", JobTemplate()["spec"]}};
    job = Ok(c.client->Create(client::Jobs(), "default", job));
    if (!status.is_null()) return SetJobStatus(name, status);
    Settle();
    return job;
  }
  json SetJobStatus(const std::string& name, const json& status) {
    json job =
        Ok(c.client->MergePatch(client::Jobs(), "default", name, {{"status", status}}, "status"));
    Settle();
    return job;
  }
  // Waits until the informers have caught up with the API (CronJobs and Jobs).
  void Settle() {
    for (const auto& r : {client::CronJobs(), client::Jobs()}) {
      REQUIRE(Eventually([&] {
        const json list = Ok(c.client->List(r, "default", {}));
        auto cached = c.informers.For(r).ListNamespace("default");
        if (cached.size() != list["items"].size()) return false;
        for (const json& item : list["items"]) {
          auto o = c.informers.For(r).Get(client::KeyOf(item));
          if (!o || (*o)["metadata"]["resourceVersion"] != item["metadata"]["resourceVersion"]) {
            return false;
          }
        }
        return true;
      }));
    }
  }
  void Sync(const std::string& name, const std::string& at) {
    clock.Set(at);
    const Status s = ctl->Sync("default/" + name);
    INFO(s.ToString());
    REQUIRE(s.ok());
    Settle();
  }
  std::vector<std::string> Jobs(const json& cj) {
    std::vector<std::string> out;
    for (const json& j : c.Controlled(client::Jobs(), "default", cj["metadata"]["uid"])) {
      out.push_back(j["metadata"]["name"]);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // "Type Reason: message" of the events about the CronJob `name`, oldest first.
  std::vector<std::string> Events(const std::string& name) {
    std::vector<std::string> out;
    const json list = Ok(c.client->List(client::Events(), "default", {}));
    for (const json& e : list["items"]) {
      if (e["involvedObject"]["kind"] != "CronJob" || e["involvedObject"]["name"] != name) continue;
      CHECK(e["source"]["component"] == "cronjob-controller");
      out.push_back(e["type"].get<std::string>() + " " + e["reason"].get<std::string>() + ": " +
                    e["message"].get<std::string>());
    }
    return out;
  }
  std::vector<std::string> ActiveNames(const std::string& name) {
    std::vector<std::string> out;
    for (const json& ref : Get(name)["status"].value("active", json::array())) {
      out.push_back(ref["name"]);
    }
    return out;
  }
};

using V = std::vector<std::string>;

TEST_CASE("cronjob: a Job is made at its schedule time, with name, template and annotation") {
  Harness h;
  const json cj = h.CronJob("hello", "0 * * * *", {}, "2025-01-01T09:00:00Z");

  // Half a minute early: nothing yet; it asks to look again at 10:00 plus 100 ms.
  h.Sync("hello", "2025-01-01T09:59:30Z");
  CHECK(h.Jobs(cj).empty());
  CHECK(h.ctl->RequeueAfter("default/hello") == 30s + 100ms);

  h.Sync("hello", "2025-01-01T10:00:00.500Z");
  REQUIRE(h.Jobs(cj) == V{"hello-28928760"});
  const json job = Ok(h.c.client->Get(client::Jobs(), "default", "hello-28928760"));
  CHECK(job["metadata"]["labels"]["app"] == "hello");
  CHECK(job["metadata"]["annotations"] ==
        json{{"team", "edge"},
             {"batch.kubernetes.io/cronjob-scheduled-timestamp", "2025-01-01T10:00:00Z"}});
  CHECK(job["metadata"]["ownerReferences"] == json::array({{{"apiVersion", "batch/v1"},
                                                            {"kind", "CronJob"},
                                                            {"name", "hello"},
                                                            {"uid", cj["metadata"]["uid"]},
                                                            {"controller", true},
                                                            {"blockOwnerDeletion", true}}}));
  CHECK(job["spec"]["backoffLimit"] == 2);
  CHECK(job["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox");

  const json status = h.Get("hello")["status"];
  CHECK(status["lastScheduleTime"] == "2025-01-01T10:00:00Z");
  REQUIRE(status["active"].size() == 1);
  CHECK(status["active"][0] == json{{"apiVersion", "batch/v1"},
                                    {"kind", "Job"},
                                    {"namespace", "default"},
                                    {"name", "hello-28928760"},
                                    {"uid", job["metadata"]["uid"]},
                                    {"resourceVersion", job["metadata"]["resourceVersion"]}});
  CHECK(h.Events("hello") == V{"Normal SuccessfulCreate: Created job hello-28928760"});
  CHECK(h.ctl->RequeueAfter("default/hello") == 59min + 59s + 500ms + 100ms);

  // The same time again makes nothing more.
  h.Sync("hello", "2025-01-01T10:00:30Z");
  CHECK(h.Jobs(cj) == V{"hello-28928760"});
  CHECK(h.Events("hello").size() == 1);
}

TEST_CASE("cronjob: a Job already there (AlreadyExists) is adopted into status, not an error") {
  Harness h;
  const json cj = h.CronJob("dup", "0 * * * *", {}, "2025-01-01T09:00:00Z");
  const json job = h.OwnedJob(cj, "dup-28928760");
  h.Sync("dup", "2025-01-01T10:00:05Z");
  CHECK(h.Jobs(cj) == V{"dup-28928760"});
  CHECK(h.ActiveNames("dup") == V{"dup-28928760"});
  CHECK(h.Get("dup")["status"]["active"][0]["uid"] == job["metadata"]["uid"]);
  CHECK(h.Get("dup")["status"]["lastScheduleTime"] == "2025-01-01T10:00:00Z");
  CHECK(h.Events("dup") ==
        V{"Warning UnexpectedJob: Saw a job that the controller did not create or forgot: "
          "dup-28928760"});

  // Someone else's Job of that name: nothing is recorded for it, nothing fails.
  const json other = h.CronJob("other", "0 * * * *", {}, "2025-01-01T09:00:00Z");
  Ok(h.c.client->Create(client::Jobs(), "default",
                        {{"apiVersion", "batch/v1"},
                         {"kind", "Job"},
                         {"metadata", {{"name", "other-28928760"}}},
                         {"spec", JobTemplate()["spec"]}}));
  h.Settle();
  h.Sync("other", "2025-01-01T10:00:05Z");
  CHECK(h.Get("other")["status"]["lastScheduleTime"] == "2025-01-01T09:00:00Z");
  CHECK_FALSE(h.Get("other")["status"].contains("active"));
  CHECK(h.Jobs(other).empty());
  CHECK(h.ctl->RequeueAfter("default/other") == 59min + 55s + 100ms);
}

TEST_CASE("cronjob: Forbid skips a time while a Job is active, then runs the missed one") {
  Harness h;
  const json cj =
      h.CronJob("forbid", "0 * * * *", {{"concurrencyPolicy", "Forbid"}}, "2025-01-01T08:00:00Z");
  h.Sync("forbid", "2025-01-01T09:00:05Z");
  REQUIRE(h.Jobs(cj) == V{"forbid-28928700"});

  h.Sync("forbid", "2025-01-01T10:00:05Z");
  CHECK(h.Jobs(cj) == V{"forbid-28928700"});
  CHECK(h.ActiveNames("forbid") == V{"forbid-28928700"});
  CHECK(h.Events("forbid").back() ==
        "Normal JobAlreadyActive: Not starting job because prior execution is running and "
        "concurrency policy is Forbid");
  CHECK(h.ctl->RequeueAfter("default/forbid") == 59min + 55s + 100ms);

  // The Job finishes: it leaves status.active, and 10:00 (not past any deadline) runs now.
  h.SetJobStatus("forbid-28928700", {{"startTime", "2025-01-01T09:00:06Z"},
                                     {"completionTime", "2025-01-01T09:30:00Z"},
                                     {"succeeded", 1},
                                     {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}});
  h.Sync("forbid", "2025-01-01T10:00:10Z");
  CHECK(h.Jobs(cj) == V{"forbid-28928700", "forbid-28928760"});
  CHECK(h.ActiveNames("forbid") == V{"forbid-28928760"});
  const json status = h.Get("forbid")["status"];
  CHECK(status["lastSuccessfulTime"] == "2025-01-01T09:30:00Z");
  CHECK(status["lastScheduleTime"] == "2025-01-01T10:00:00Z");
  const V events = h.Events("forbid");
  REQUIRE(events.size() == 4);
  CHECK(events[2] ==
        "Normal SawCompletedJob: Saw completed job: forbid-28928700, condition: Complete");
  CHECK(events[3] == "Normal SuccessfulCreate: Created job forbid-28928760");
}

TEST_CASE("cronjob: Replace deletes the active Job, then creates the new one") {
  Harness h;
  const json cj =
      h.CronJob("replace", "0 * * * *", {{"concurrencyPolicy", "Replace"}}, "2025-01-01T08:00:00Z");
  h.Sync("replace", "2025-01-01T09:00:05Z");
  REQUIRE(h.Jobs(cj) == V{"replace-28928700"});

  h.Sync("replace", "2025-01-01T10:00:05Z");
  CHECK(h.Jobs(cj) == V{"replace-28928760"});
  CHECK(h.c.client->Get(client::Jobs(), "default", "replace-28928700").status().code() ==
        Code::kNotFound);
  CHECK(h.ActiveNames("replace") == V{"replace-28928760"});
  CHECK(h.Events("replace") == V{"Normal SuccessfulCreate: Created job replace-28928700",
                                 "Normal SuccessfulDelete: Deleted job replace-28928700",
                                 "Normal SuccessfulCreate: Created job replace-28928760"});
}

TEST_CASE("cronjob: a suspended CronJob makes nothing, and resumed it runs the latest time") {
  Harness h;
  const json cj = h.CronJob("sleepy", "0 * * * *", {{"suspend", true}}, "2025-01-01T09:00:00Z");
  h.Sync("sleepy", "2025-01-01T10:00:05Z");
  CHECK(h.Jobs(cj).empty());
  CHECK_FALSE(h.ctl->RequeueAfter("default/sleepy"));
  CHECK(h.Events("sleepy").empty());

  Ok(h.c.api().MergePatch(client::CronJobs(), "default", "sleepy",
                          {{"spec", {{"suspend", false}}}}));
  h.Settle();
  h.Sync("sleepy", "2025-01-01T11:30:00Z");
  CHECK(h.Jobs(cj) == V{"sleepy-28928820"});  // 11:00 only, not 10:00 as well
}

TEST_CASE("cronjob: startingDeadlineSeconds skips a time that is too old") {
  Harness h;
  const json cj =
      h.CronJob("late", "0 * * * *", {{"startingDeadlineSeconds", 10}}, "2025-01-01T09:00:00Z");
  // 30 s after 10:00 with a 10 s deadline: 10:00 is skipped, silently (as Kubernetes).
  h.Sync("late", "2025-01-01T10:00:30Z");
  CHECK(h.Jobs(cj).empty());
  CHECK(h.Events("late").empty());
  CHECK(h.Get("late")["status"]["lastScheduleTime"] == "2025-01-01T09:00:00Z");
  CHECK(h.ctl->RequeueAfter("default/late") == 59min + 30s + 100ms);
  // 5 s after 11:00 is within it.
  h.Sync("late", "2025-01-01T11:00:05Z");
  CHECK(h.Jobs(cj) == V{"late-28928820"});
}

TEST_CASE("cronjob: of many missed times only the latest runs, and over 100 are reported") {
  Harness h;
  const json cj = h.CronJob("behind", "* * * * *", {}, "2025-01-01T09:00:00Z");
  h.Sync("behind", "2025-01-01T12:00:30Z");  // 180 minutes missed
  CHECK(h.Jobs(cj) == V{"behind-28928880"});
  CHECK(h.Events("behind") ==
        V{"Warning TooManyMissedTimes: too many missed start times. Set or decrease "
          ".spec.startingDeadlineSeconds or check clock skew",
          "Normal SuccessfulCreate: Created job behind-28928880"});
  CHECK(h.ctl->RequeueAfter("default/behind") == 30s + 100ms);
}

TEST_CASE("cronjob: finished Jobs beyond the history limits go, oldest start first") {
  Harness h;
  const json cj = h.CronJob("hist", "0 * * * *", {}, "2025-01-01T09:00:00Z");
  const json spec = h.Get("hist")["spec"];
  REQUIRE(spec["successfulJobsHistoryLimit"] == 3);  // the API's defaults
  REQUIRE(spec["failedJobsHistoryLimit"] == 1);
  auto done = [](const std::string& type, int start_hour) {
    const std::string hh = (start_hour < 10 ? "0" : "") + std::to_string(start_hour);
    return json{{"startTime", "2025-01-01T" + hh + ":00:00Z"},
                {"completionTime", "2025-01-01T" + hh + ":10:00Z"},
                {"conditions", {{{"type", type}, {"status", "True"}}}}};
  };
  // Name order differs from start order on purpose.
  h.OwnedJob(cj, "hist-a", done("Complete", 5));
  h.OwnedJob(cj, "hist-b", done("Complete", 1));
  h.OwnedJob(cj, "hist-c", done("Complete", 4));
  h.OwnedJob(cj, "hist-d", done("Complete", 2));
  h.OwnedJob(cj, "hist-e", done("Complete", 3));
  h.OwnedJob(cj, "hist-f", done("Failed", 6));
  h.OwnedJob(cj, "hist-g", done("Failed", 7));

  h.Sync("hist", "2025-01-01T09:30:00Z");
  CHECK(h.Jobs(cj) == V{"hist-a", "hist-c", "hist-e", "hist-g"});
  CHECK(h.Events("hist") == V{"Normal SuccessfulDelete: Deleted job hist-b",
                              "Normal SuccessfulDelete: Deleted job hist-d",
                              "Normal SuccessfulDelete: Deleted job hist-f"});
  CHECK(h.Get("hist")["status"]["lastSuccessfulTime"] == "2025-01-01T05:10:00Z");
}

TEST_CASE("cronjob: status.active follows the Jobs: finished, missing and unexpected ones") {
  Harness h;
  const json cj = h.CronJob("st", "0 * * * *", {}, "2025-01-01T09:00:00Z");
  const json one = h.OwnedJob(cj, "st-1");
  h.OwnedJob(cj, "st-2");  // running, but not in status.active
  json status = h.Get("st");
  status["status"]["active"] = {{{"apiVersion", "batch/v1"},
                                 {"kind", "Job"},
                                 {"namespace", "default"},
                                 {"name", "st-1"},
                                 {"uid", one["metadata"]["uid"]}},
                                {{"apiVersion", "batch/v1"},
                                 {"kind", "Job"},
                                 {"namespace", "default"},
                                 {"name", "st-ghost"},
                                 {"uid", "0b1c2d3e-ghost"}}};
  Ok(h.c.client->Update(client::CronJobs(), "default", status, "status"));
  h.SetJobStatus("st-1", {{"startTime", "2025-01-01T09:00:01Z"},
                          {"conditions", {{{"type", "Failed"}, {"status", "True"}}}}});

  h.Sync("st", "2025-01-01T09:30:00Z");
  const json after = h.Get("st")["status"];
  CHECK_FALSE(after.contains("active"));
  CHECK_FALSE(after.contains("lastSuccessfulTime"));  // only a failed Job finished
  CHECK(after["lastScheduleTime"] == "2025-01-01T09:00:00Z");
  CHECK(h.Events("st") ==
        V{"Normal SawCompletedJob: Saw completed job: st-1, condition: Failed",
          "Warning UnexpectedJob: Saw a job that the controller did not create or forgot: st-2",
          "Normal MissingJob: Active job went missing: st-ghost"});
  CHECK(h.Jobs(cj) == V{"st-1", "st-2"});  // one failed Job is within the limit
}

TEST_CASE("cronjob: spec.timeZone and the controller's local zone") {
  SECTION("spec.timeZone: wall time in the zone, annotation in the zone") {
    Harness h;
    const json cj =
        h.CronJob("tz", "0 9 * * *", {{"timeZone", "Europe/Berlin"}}, "2025-06-30T07:00:00Z");
    h.Sync("tz", "2025-07-01T07:00:05Z");  // 09:00:05 CEST
    REQUIRE(h.Jobs(cj) == V{"tz-29189220"});
    const json job = Ok(h.c.client->Get(client::Jobs(), "default", "tz-29189220"));
    CHECK(job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] ==
          "2025-07-01T09:00:00+02:00");
    CHECK(h.ctl->RequeueAfter("default/tz") == 23h + 59min + 55s + 100ms);
  }
  SECTION("no timeZone: the controller's zone; the annotation is UTC") {
    CronJobControllerOptions o;
    o.local_time_zone = "America/New_York";
    Harness h(o);
    const json cj = h.CronJob("local", "0 9 * * *", {}, "2024-12-31T14:00:00Z");
    h.Sync("local", "2025-01-01T13:30:00Z");  // 08:30 in New York
    CHECK(h.Jobs(cj).empty());
    h.Sync("local", "2025-01-01T14:00:05Z");
    REQUIRE(h.Jobs(cj) == V{"local-28929000"});
    const json job = Ok(h.c.client->Get(client::Jobs(), "default", "local-28929000"));
    CHECK(job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] ==
          "2025-01-01T14:00:00Z");
  }
  SECTION("a zone the controller cannot load: UnknownTimeZone, nothing made") {
    skiff::testing::TempDir empty;
    CronJobControllerOptions o;
    o.zoneinfo_dir = empty.path();
    Harness h(o);
    const json cj =
        h.CronJob("mars", "0 9 * * *", {{"timeZone", "Europe/Berlin"}}, "2025-06-30T07:00:00Z");
    h.Sync("mars", "2025-07-01T07:00:05Z");
    CHECK(h.Jobs(cj).empty());
    CHECK(h.Events("mars") ==
          V{"Warning UnknownTimeZone: invalid timeZone: \"Europe/Berlin\": unknown time zone "
            "Europe/Berlin"});
    CHECK_FALSE(h.ctl->RequeueAfter("default/mars"));
  }
  SECTION("validation refuses TZ= and CRON_TZ= in the schedule") {
    ControllerCluster c;
    for (const char* schedule : {"TZ=UTC 0 * * * *", "CRON_TZ=Europe/Berlin 0 9 * * *"}) {
      json cj = {{"apiVersion", "batch/v1"},
                 {"kind", "CronJob"},
                 {"metadata", {{"name", "prefixed"}}},
                 {"spec", {{"schedule", schedule}, {"jobTemplate", JobTemplate()}}}};
      auto r = c.client->Create(client::CronJobs(), "default", cj);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Code::kInvalidArgument);
      CHECK_THAT(r.status().message(),
                 Catch::Contains("cannot use TZ or CRON_TZ in schedule, use timeZone field "
                                 "instead"));
    }
  }
}

TEST_CASE("cronjob: a CronJob that is gone is not an error") {
  Harness h;
  h.CronJob("gone", "0 * * * *", {}, "2025-01-01T09:00:00Z");
  h.Sync("gone", "2025-01-01T09:30:00Z");
  CHECK(h.ctl->RequeueAfter("default/gone"));
  REQUIRE(h.c.client->Delete(client::CronJobs(), "default", "gone", {}).ok());
  h.Settle();
  CHECK(h.ctl->Sync("default/gone").ok());
  CHECK_FALSE(h.ctl->RequeueAfter("default/gone"));
}

TEST_CASE("cronjob: the running controller fires on time and follows its Jobs") {
  Harness h;
  // The clock runs at real speed from 1.5 s before 10:00: the controller must come back for
  // 10:00 by itself (a requeue for the schedule time, not a poll).
  h.CronJob("live", "0 * * * *", {}, "2025-01-01T09:00:00Z");
  h.clock.RunFrom("2025-01-01T09:59:58.500Z");
  h.ctl->Start();
  REQUIRE(Eventually([&] { return h.ctl->RequeueAfter("default/live").has_value(); }, 5s));
  CHECK(h.c.client->Get(client::Jobs(), "default", "live-28928760").status().code() ==
        Code::kNotFound);
  REQUIRE(Eventually(
      [&] { return h.c.client->Get(client::Jobs(), "default", "live-28928760").ok(); }, 8s));
  REQUIRE(Eventually([&] { return h.ActiveNames("live") == V{"live-28928760"}; }, 5s));
  // It comes back at 11:00 (the requeue is recorded just after the status write).
  REQUIRE(Eventually([&] { return h.ctl->RequeueAfter("default/live") > 59min + 55s; }, 5s));
  CHECK(h.ctl->RequeueAfter("default/live") <= 60min + 100ms);

  // The Job completes: the controller hears it from the Job informer.
  Ok(h.c.client->MergePatch(client::Jobs(), "default", "live-28928760",
                            {{"status",
                              {{"startTime", "2025-01-01T10:00:01Z"},
                               {"completionTime", "2025-01-01T10:00:02Z"},
                               {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}},
                            "status"));
  REQUIRE(Eventually(
      [&] {
        const json status = h.Get("live")["status"];
        return !status.contains("active") &&
               status.value("lastSuccessfulTime", "") == "2025-01-01T10:00:02Z";
      },
      5s));
  h.ctl->Stop();
}

}  // namespace
}  // namespace skiff::controllers
