// apps/v1, batch/v1, autoscaling and core/v1 ReplicationController rows.
#include <catch2/catch.hpp>

#include "printer_test_util.h"

using printers_test::ColumnNames;
using printers_test::json;
using printers_test::Meta;
using printers_test::Priorities;
using printers_test::Row;
using Names = std::vector<std::string>;

namespace {

json Template(const json& labels, json containers) {
  return {{"metadata", {{"labels", labels}}}, {"spec", {{"containers", containers}}}};
}

json Web() { return json::array({{{"name", "nginx"}, {"image", "nginx:1.25"}}}); }

}  // namespace

TEST_CASE("Deployment: READY, UP-TO-DATE, AVAILABLE and the wide selector", "[printers][apps]") {
  CHECK(ColumnNames("apps", "Deployment") == Names{"Name", "Ready", "Up-to-date", "Available",
                                                   "Age", "Containers", "Images", "Selector"});
  CHECK(Priorities("apps", "Deployment") == std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1});
  json d = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", Meta("web")},
      {"spec",
       {{"replicas", 3},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template", Template({{"app", "web"}}, Web())}}},
      {"status",
       {{"replicas", 3}, {"updatedReplicas", 3}, {"readyReplicas", 2}, {"availableReplicas", 2}}}};
  CHECK(Row("apps", "Deployment", d) ==
        json({"web", "2/3", 3, 2, "120m", "nginx", "nginx:1.25", "app=web"}));

  d["spec"]["selector"]["matchExpressions"] =
      json::array({{{"key", "tier"}, {"operator", "In"}, {"values", {"frontend", "cache", "api"}}},
                   {{"key", "env"}, {"operator", "Exists"}},
                   {{"key", "legacy"}, {"operator", "DoesNotExist"}},
                   {{"key", "zone"}, {"operator", "NotIn"}, {"values", {"b"}}}});
  d.erase("status");
  CHECK(Row("apps", "Deployment", d) ==
        json({"web", "0/3", 0, 0, "120m", "nginx", "nginx:1.25",
              "app=web,env,!legacy,tier in (api,cache,frontend),zone notin (b)"}));
  // An unusable selector and a missing one, as Deployment prints them.
  d["spec"]["selector"]["matchExpressions"] = json::array({{{"key", "x"}, {"operator", "Near"}}});
  CHECK(Row("apps", "Deployment", d)[7] == "<invalid>");
  d["spec"].erase("selector");
  d["spec"].erase("replicas");  // defaults to 1
  CHECK(Row("apps", "Deployment", d)[1] == "0/1");
  CHECK(Row("apps", "Deployment", d)[7] == "");
}

TEST_CASE("ReplicaSet, StatefulSet, DaemonSet", "[printers][apps]") {
  CHECK(ColumnNames("apps", "ReplicaSet") ==
        Names{"Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"});
  json rs = {{"metadata", Meta("web-5d8f9c")},
             {"spec",
              {{"replicas", 3},
               {"selector", {{"matchLabels", {{"app", "web"}, {"pod-template-hash", "5d8f9c"}}}}},
               {"template", Template({{"app", "web"}}, Web())}}},
             {"status", {{"replicas", 3}, {"readyReplicas", 1}}}};
  CHECK(Row("apps", "ReplicaSet", rs) == json({"web-5d8f9c", 3, 3, 1, "120m", "nginx", "nginx:1.25",
                                               "app=web,pod-template-hash=5d8f9c"}));
  rs["spec"]["replicas"] = 0;
  rs["spec"].erase("selector");
  CHECK(Row("apps", "ReplicaSet", rs)[1] == 0);
  CHECK(Row("apps", "ReplicaSet", rs)[7] == "<none>");

  CHECK(ColumnNames("apps", "StatefulSet") ==
        Names{"Name", "Ready", "Age", "Containers", "Images"});
  json ss = {{"metadata", Meta("db")},
             {"spec",
              {{"replicas", 2},
               {"serviceName", "db"},
               {"template",
                Template({{"app", "db"}},
                         json::array({{{"name", "pg"}, {"image", "postgres:16"}},
                                      {{"name", "exporter"}, {"image", "pg-exporter:0.15"}}}))}}},
             {"status", {{"replicas", 2}, {"readyReplicas", 1}}}};
  CHECK(Row("apps", "StatefulSet", ss) ==
        json({"db", "1/2", "120m", "pg,exporter", "postgres:16,pg-exporter:0.15"}));

  CHECK(ColumnNames("apps", "DaemonSet") == Names{"Name", "Desired", "Current", "Ready",
                                                  "Up-to-date", "Available", "Node Selector", "Age",
                                                  "Containers", "Images", "Selector"});
  CHECK(Priorities("apps", "DaemonSet") == std::vector<int>{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1});
  json ds = {{"metadata", Meta("agent")},
             {"spec",
              {{"selector", {{"matchLabels", {{"app", "agent"}}}}},
               {"template",
                {{"metadata", {{"labels", {{"app", "agent"}}}}},
                 {"spec",
                  {{"nodeSelector", {{"kubernetes.io/os", "linux"}}},
                   {"containers", json::array({{{"name", "agent"}, {"image", "agent:2"}}})}}}}}}},
             {"status",
              {{"desiredNumberScheduled", 3},
               {"currentNumberScheduled", 3},
               {"numberReady", 2},
               {"updatedNumberScheduled", 3},
               {"numberAvailable", 2}}}};
  CHECK(Row("apps", "DaemonSet", ds) == json({"agent", 3, 3, 2, 3, 2, "kubernetes.io/os=linux",
                                              "120m", "agent", "agent:2", "app=agent"}));
  ds["spec"]["template"]["spec"].erase("nodeSelector");
  CHECK(Row("apps", "DaemonSet", ds)[6] == "<none>");
}

TEST_CASE("ControllerRevision names its controller", "[printers][apps]") {
  CHECK(ColumnNames("apps", "ControllerRevision") ==
        Names{"Name", "Controller", "Revision", "Age"});
  json cr = {{"metadata", Meta("db-7c9f")}, {"revision", 2}, {"data", {{"spec", json::object()}}}};
  cr["metadata"]["ownerReferences"] = json::array(
      {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "not-controller"}, {"uid", "1"}},
       {{"apiVersion", "apps/v1"},
        {"kind", "StatefulSet"},
        {"name", "db"},
        {"uid", "2"},
        {"controller", true}}});
  CHECK(Row("apps", "ControllerRevision", cr) ==
        json({"db-7c9f", "statefulset.apps/db", 2, "120m"}));
  cr["metadata"]["ownerReferences"][1]["apiVersion"] = "v1";
  cr["metadata"]["ownerReferences"][1]["kind"] = "Node";
  CHECK(Row("apps", "ControllerRevision", cr)[1] == "node/db");
  cr["metadata"].erase("ownerReferences");
  CHECK(Row("apps", "ControllerRevision", cr)[1] == "<none>");
}

TEST_CASE("ReplicationController", "[printers][apps]") {
  CHECK(ColumnNames("", "ReplicationController") ==
        Names{"Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"});
  json rc = {{"metadata", Meta("legacy")},
             {"spec",
              {{"replicas", 2},
               {"selector", {{"app", "legacy"}}},
               {"template", Template({{"app", "legacy"}}, Web())}}},
             {"status", {{"replicas", 2}, {"readyReplicas", 1}}}};
  CHECK(Row("", "ReplicationController", rc) ==
        json({"legacy", 2, 2, 1, "120m", "nginx", "nginx:1.25", "app=legacy"}));
}

TEST_CASE("Job: STATUS, COMPLETIONS and DURATION", "[printers][batch]") {
  CHECK(ColumnNames("batch", "Job") == Names{"Name", "Status", "Completions", "Duration", "Age",
                                             "Containers", "Images", "Selector"});
  CHECK(Priorities("batch", "Job") == std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1});
  json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata", Meta("pi")},
              {"spec",
               {{"completions", 1},
                {"parallelism", 1},
                {"selector", {{"matchLabels", {{"batch.kubernetes.io/controller-uid", "8a1f"}}}}},
                {"template", Template({{"job-name", "pi"}},
                                      json::array({{{"name", "pi"}, {"image", "perl:5.34"}}}))}}},
              {"status",
               {{"startTime", "2024-05-01T11:00:00Z"},
                {"completionTime", "2024-05-01T11:00:42Z"},
                {"succeeded", 1},
                {"conditions", json::array({{{"type", "SuccessCriteriaMet"}, {"status", "True"}},
                                            {{"type", "Complete"}, {"status", "True"}}})}}}};
  CHECK(Row("batch", "Job", job) == json({"pi", "Complete", "1/1", "42s", "120m", "pi", "perl:5.34",
                                          "batch.kubernetes.io/controller-uid=8a1f"}));
  job["metadata"]["deletionTimestamp"] = "2024-05-01T11:59:00Z";
  CHECK(Row("batch", "Job", job)[1] == "Complete");  // a finished job stays finished
  job["metadata"].erase("deletionTimestamp");

  json running = job;
  running["spec"].erase("completions");
  running["spec"]["parallelism"] = 3;
  running["status"] = {{"startTime", "2024-05-01T11:50:00Z"}, {"active", 3}};
  CHECK(Row("batch", "Job", running) ==
        json({"pi", "Running", "0/1 of 3", "10m", "120m", "pi", "perl:5.34",
              "batch.kubernetes.io/controller-uid=8a1f"}));
  running["spec"]["parallelism"] = 1;
  CHECK(Row("batch", "Job", running)[2] == "0/1");
  running["metadata"]["deletionTimestamp"] = "2024-05-01T11:59:00Z";
  CHECK(Row("batch", "Job", running)[1] == "Terminating");

  json failed = job;
  failed["status"]["conditions"] = json::array(
      {{{"type", "FailureTarget"}, {"status", "True"}}, {{"type", "Failed"}, {"status", "True"}}});
  CHECK(Row("batch", "Job", failed)[1] == "Failed");
  failed["status"]["conditions"] = json::array({{{"type", "FailureTarget"}, {"status", "True"}}});
  CHECK(Row("batch", "Job", failed)[1] == "FailureTarget");

  json suspended = job;
  suspended["status"] = {
      {"conditions", json::array({{{"type", "Suspended"}, {"status", "True"}},
                                  {{"type", "Complete"}, {"status", "False"}}})}};
  CHECK(Row("batch", "Job", suspended)[1] == "Suspended");
  CHECK(Row("batch", "Job", suspended)[2] == "0/1");
  CHECK(Row("batch", "Job", suspended)[3] == "");  // never started
}

TEST_CASE("CronJob", "[printers][batch]") {
  CHECK(ColumnNames("batch", "CronJob") == Names{"Name", "Schedule", "Timezone", "Suspend",
                                                 "Active", "Last Schedule", "Age", "Containers",
                                                 "Images", "Selector"});
  json cj = {
      {"metadata", Meta("backup")},
      {"spec",
       {{"schedule", "*/5 * * * *"},
        {"suspend", false},
        {"concurrencyPolicy", "Allow"},
        {"jobTemplate",
         {{"spec",
           {{"template", Template(json::object(),
                                  json::array({{{"name", "backup"}, {"image", "busybox"}}}))}}}}}}},
      {"status",
       {{"active", json::array({{{"kind", "Job"}, {"name", "backup-28573"}}})},
        {"lastScheduleTime", "2024-05-01T11:55:00Z"}}}};
  CHECK(Row("batch", "CronJob", cj) == json({"backup", "*/5 * * * *", "<none>", "False", 1, "5m",
                                             "120m", "backup", "busybox", "<none>"}));
  cj["spec"]["timeZone"] = "Etc/UTC";
  cj["spec"].erase("suspend");
  cj.erase("status");
  json row = Row("batch", "CronJob", cj);
  CHECK(row[2] == "Etc/UTC");
  CHECK(row[3] == "<unset>");
  CHECK(row[4] == 0);
  CHECK(row[5] == "<none>");
  cj["spec"]["suspend"] = true;
  CHECK(Row("batch", "CronJob", cj)[3] == "True");
}

TEST_CASE("HorizontalPodAutoscaler v2 targets", "[printers][autoscaling]") {
  CHECK(ColumnNames("autoscaling", "HorizontalPodAutoscaler") ==
        Names{"Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"});
  json hpa = {
      {"apiVersion", "autoscaling/v2"},
      {"kind", "HorizontalPodAutoscaler"},
      {"metadata", Meta("web")},
      {"spec",
       {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}},
        {"minReplicas", 1},
        {"maxReplicas", 10},
        {"metrics",
         json::array({{{"type", "Resource"},
                       {"resource",
                        {{"name", "cpu"},
                         {"target", {{"type", "Utilization"}, {"averageUtilization", 80}}}}}}})}}},
      {"status",
       {{"currentReplicas", 2},
        {"desiredReplicas", 2},
        {"currentMetrics",
         json::array(
             {{{"type", "Resource"},
               {"resource",
                {{"name", "cpu"},
                 {"current", {{"averageUtilization", 42}, {"averageValue", "210m"}}}}}}})}}}};
  CHECK(Row("autoscaling", "HorizontalPodAutoscaler", hpa) ==
        json({"web", "Deployment/web", "cpu: 42%/80%", "1", 10, 2, "120m"}));

  json metrics = json::array(
      {{{"type", "Resource"},
        {"resource",
         {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", 80}}}}}},
       {{"type", "Resource"},
        {"resource",
         {{"name", "memory"}, {"target", {{"type", "AverageValue"}, {"averageValue", "500Mi"}}}}}},
       {{"type", "Pods"},
        {"pods",
         {{"metric", {{"name", "packets"}}},
          {"target", {{"type", "AverageValue"}, {"averageValue", "1000"}}}}}}});
  hpa["spec"]["metrics"] = metrics;
  hpa.erase("status");
  hpa["spec"].erase("minReplicas");
  CHECK(Row("autoscaling", "HorizontalPodAutoscaler", hpa) ==
        json({"web", "Deployment/web", "cpu: <unknown>/80%, memory: <unknown>/500Mi + 1 more...",
              "<unset>", 10, 0, "120m"}));

  hpa["spec"]["metrics"] = json::array({metrics[2], metrics[1]});
  hpa["status"] = {
      {"currentMetrics",
       json::array(
           {{{"type", "Pods"}, {"pods", {{"current", {{"averageValue", "1500m"}}}}}},
            {{"type", "Resource"},
             {"resource", {{"name", "memory"}, {"current", {{"averageValue", "262144Ki"}}}}}}})}};
  CHECK(Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2] == "1500m/1k, memory: 256Mi/500Mi");

  hpa["spec"]["metrics"] =
      json::array({{{"type", "External"},
                    {"external",
                     {{"metric", {{"name", "queue_depth"}}},
                      {"target", {{"type", "Value"}, {"value", "30"}}}}}},
                   {{"type", "Object"},
                    {"object",
                     {{"metric", {{"name", "rps"}}},
                      {"describedObject", {{"kind", "Ingress"}, {"name", "main"}}},
                      {"target", {{"type", "AverageValue"}, {"averageValue", "10"}}}}}}});
  hpa["status"] = {
      {"currentMetrics",
       json::array({{{"type", "External"}, {"external", {{"current", {{"value", "12"}}}}}}})}};
  CHECK(Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2] == "12/30, <unknown>/10 (avg)");

  hpa["spec"]["metrics"] = json::array();
  CHECK(Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2] == "<none>");
}

TEST_CASE("HorizontalPodAutoscaler v1 reads its CPU target", "[printers][autoscaling]") {
  json hpa = {
      {"apiVersion", "autoscaling/v1"},
      {"kind", "HorizontalPodAutoscaler"},
      {"metadata", Meta("web")},
      {"spec",
       {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}},
        {"minReplicas", 2},
        {"maxReplicas", 5},
        {"targetCPUUtilizationPercentage", 50}}},
      {"status", {{"currentReplicas", 2}, {"currentCPUUtilizationPercentage", 20}}}};
  CHECK(Row("autoscaling", "HorizontalPodAutoscaler", hpa) ==
        json({"web", "Deployment/web", "cpu: 20%/50%", "2", 5, 2, "120m"}));
  hpa["spec"].erase("targetCPUUtilizationPercentage");
  hpa["status"].erase("currentCPUUtilizationPercentage");
  // Stored without a target, it reads back with the v2 default of 80% CPU.
  CHECK(Row("autoscaling", "HorizontalPodAutoscaler", hpa)[2] == "cpu: <unknown>/80%");
}
