// batch/v1 validation: Job templates and selectors, immutability, CronJob schedules.
#include <catch2/catch.hpp>

#include "apis/validation/cron_schedule.h"
#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {

json NewJob(const char* restart = "Never") {
  json job = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", "pi"}, {"namespace", "default"}, {"uid", "u-1"}, {"resourceVersion", "1"}}},
      {"spec",
       {{"template",
         {{"spec",
           {{"restartPolicy", restart},
            {"containers", {{{"name", "pi"}, {"image", "perl"}}}}}}}}}}};
  ApplyDefaults("batch", "Job", job);
  PrepareForCreate("batch", "Job", job);
  return job;
}

json NewCronJob(const std::string& schedule) {
  json cj = json::parse(R"({"metadata": {"name": "backup", "namespace": "default"},
    "spec": {"jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
      "containers": [{"name": "b", "image": "busybox"}]}}}}}})");
  cj["spec"]["schedule"] = schedule;
  ApplyDefaults("batch", "CronJob", cj);
  return cj;
}

}  // namespace

TEST_CASE("a Job's template restartPolicy must be OnFailure or Never") {
  REQUIRE_NO_ERRORS(ValidateCreate("batch", "Job", NewJob()));
  REQUIRE_ERROR(ValidateCreate("batch", "Job", NewJob("Always")),
                "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", "
                "\"Never\"");
  json job = NewJob();
  job["spec"]["backoffLimit"] = -1;
  REQUIRE_ERROR(ValidateCreate("batch", "Job", job),
                "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0");
  json indexed = NewJob();
  indexed["spec"]["completionMode"] = "Indexed";
  indexed["spec"].erase("completions");
  REQUIRE_ERROR(ValidateCreate("batch", "Job", indexed),
                "spec.completions: Required value: when completion mode is Indexed");
  json pfp = NewJob("OnFailure");
  pfp["spec"]["podFailurePolicy"] = {
      {"rules", {{{"action", "FailJob"}, {"onExitCodes", {{"operator", "In"}, {"values", {1}}}}}}}};
  pfp["spec"]["podReplacementPolicy"] = "Failed";
  REQUIRE_ERROR(ValidateCreate("batch", "Job", pfp),
                "spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is "
                "supported when podFailurePolicy is specified");
}

TEST_CASE("a Job's selector is generated unless manualSelector is set") {
  json job = {{"metadata", {{"name", "pi"}, {"namespace", "default"}, {"uid", "u-1"}}},
              {"spec",
               {{"selector", {{"matchLabels", {{"app", "pi"}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", "pi"}}}}},
                  {"spec",
                   {{"restartPolicy", "Never"},
                    {"containers", {{{"name", "pi"}, {"image", "perl"}}}}}}}}}}};
  json manual = job;
  ApplyDefaults("batch", "Job", job);
  PrepareForCreate("batch", "Job", job);
  REQUIRE_ERROR(ValidateCreate("batch", "Job", job),
                "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"pi\","
                "\"batch.kubernetes.io/controller-uid\":\"u-1\"}}: `selector` not auto-generated");
  manual["spec"]["manualSelector"] = true;
  ApplyDefaults("batch", "Job", manual);
  PrepareForCreate("batch", "Job", manual);
  CHECK(manual["spec"]["selector"] == json{{"matchLabels", {{"app", "pi"}}}});
  REQUIRE_NO_ERRORS(ValidateCreate("batch", "Job", manual));
  manual["spec"]["selector"]["matchLabels"]["app"] = "other";
  REQUIRE_ERROR(ValidateCreate("batch", "Job", manual),
                "spec.template.metadata.labels: Invalid value: {\"app\":\"pi\"}: `selector` does "
                "not match template `labels`");
}

TEST_CASE("a Job's selector, template and completions are immutable") {
  json old = NewJob();
  json changed = old;
  changed["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:2";
  auto errs = ValidateUpdate("batch", "Job", changed, old);
  REQUIRE(testing::MessagesFor(errs, "spec.template").size() == 1);
  CHECK(testing::MessagesFor(errs, "spec.template")[0].find("field is immutable") !=
        std::string::npos);
  json completions = old;
  completions["spec"]["completions"] = 3;
  REQUIRE_ERROR(ValidateUpdate("batch", "Job", completions, old),
                "spec.completions: Invalid value: 3: field is immutable");
  json parallel = old;
  parallel["spec"]["parallelism"] = 4;
  parallel["spec"]["suspend"] = true;
  REQUIRE_NO_ERRORS(ValidateUpdate("batch", "Job", parallel, old));
  // A suspended Job that never started may change its scheduling directives.
  json suspended = old;
  suspended["spec"]["suspend"] = true;
  json moved = suspended;
  moved["spec"]["template"]["spec"]["nodeSelector"] = {{"zone", "a"}};
  REQUIRE_NO_ERRORS(ValidateUpdate("batch", "Job", moved, suspended));
  REQUIRE(testing::HasField(ValidateUpdate("batch", "Job", moved, old), "spec.template"));
}

TEST_CASE("cron schedules parse like robfig/cron's standard parser") {
  using skiff::apis::internal::ParseCronSchedule;
  CHECK(ParseCronSchedule("*/5 * * * *") == "");
  CHECK(ParseCronSchedule("0 3 * * mon-fri") == "");
  CHECK(ParseCronSchedule("0 0 1,15 JAN,jul ?") == "");
  CHECK(ParseCronSchedule("@hourly") == "");
  CHECK(ParseCronSchedule("@every 1h30m") == "");
  CHECK(ParseCronSchedule("TZ=UTC 0 * * * *") == "");
  CHECK(ParseCronSchedule("") == "empty spec string");
  CHECK(ParseCronSchedule("* * *") == "expected exactly 5 fields, found 3: [* * *]");
  CHECK(ParseCronSchedule("60 * * * *") == "end of range (60) above maximum (59): 60");
  CHECK(ParseCronSchedule("* * 0 * *") == "beginning of range (0) below minimum (1): 0");
  CHECK(ParseCronSchedule("5-1 * * * *") == "beginning of range (5) beyond end of range (1): 5-1");
  CHECK(ParseCronSchedule("*/0 * * * *") == "step of range should be a positive number: */0");
  CHECK(ParseCronSchedule("x * * * *") ==
        "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(ParseCronSchedule("@sometimes") == "unrecognized descriptor: @sometimes");
  CHECK(ParseCronSchedule("TZ=Mars/Base 0 * * * *") ==
        "provided bad location Mars/Base: unknown time zone Mars/Base");
}

TEST_CASE("CronJob schedule, time zone, concurrency policy and name length") {
  REQUIRE_NO_ERRORS(ValidateCreate("batch", "CronJob", NewCronJob("0 2 * * *")));
  REQUIRE_ERROR(ValidateCreate("batch", "CronJob", NewCronJob("0 2 * *")),
                "spec.schedule: Invalid value: \"0 2 * *\": expected exactly 5 fields, found 4: "
                "[0 2 * *]");
  REQUIRE_ERROR(ValidateCreate("batch", "CronJob", NewCronJob("TZ=UTC 0 2 * * *")),
                "spec.schedule: Invalid value: \"TZ=UTC 0 2 * * *\": cannot use TZ or CRON_TZ in "
                "schedule, use timeZone field instead");
  json tz = NewCronJob("0 2 * * *");
  tz["spec"]["timeZone"] = "Nowhere/City";
  REQUIRE_ERROR(ValidateCreate("batch", "CronJob", tz),
                "spec.timeZone: Invalid value: \"Nowhere/City\": unknown time zone Nowhere/City");
  tz["spec"]["timeZone"] = "Etc/UTC";
  REQUIRE_NO_ERRORS(ValidateCreate("batch", "CronJob", tz));
  json policy = NewCronJob("0 2 * * *");
  policy["spec"]["concurrencyPolicy"] = "Sometimes";
  REQUIRE_ERROR(ValidateCreate("batch", "CronJob", policy),
                "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: "
                "\"Allow\", \"Forbid\", \"Replace\"");
  json restart = NewCronJob("0 2 * * *");
  restart["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  REQUIRE_ERROR(ValidateCreate("batch", "CronJob", restart),
                "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "
                "\"OnFailure\", \"Never\"");
  json long_name = NewCronJob("0 2 * * *");
  long_name["metadata"]["name"] = std::string(53, 'a');
  REQUIRE_ERROR(ValidateCreate("batch", "CronJob", long_name),
                "metadata.name: Invalid value: \"" + std::string(53, 'a') +
                    "\": must be no more than 52 characters");
}
