// The Pod row: READY, the kubelet-visible STATUS, RESTARTS with "(X ago)", wide columns, and
// the row conditions of finished pods.
#include <catch2/catch.hpp>

#include "printer_test_util.h"

using printers_test::json;
using printers_test::Meta;
using printers_test::Now;
using printers_test::Row;

namespace {

json Running(bool ready = true, int restarts = 0) {
  return {{"name", "app"},
          {"image", "nginx:1.25"},
          {"imageID", ""},
          {"ready", ready},
          {"started", true},
          {"restartCount", restarts},
          {"state", {{"running", {{"startedAt", "2024-05-01T10:00:05Z"}}}}}};
}

json Waiting(const std::string& reason, int restarts = 0) {
  return {
      {"name", "app"},  {"image", "nginx:1.25"},    {"imageID", ""},
      {"ready", false}, {"restartCount", restarts}, {"state", {{"waiting", {{"reason", reason}}}}}};
}

json Terminated(json terminated, const std::string& name = "app") {
  return {{"name", name},   {"image", "busybox"}, {"imageID", ""},
          {"ready", false}, {"restartCount", 0},  {"state", {{"terminated", terminated}}}};
}

json Pod(const std::string& name, const std::string& phase, json container_statuses,
         json conditions = json::array()) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", Meta(name)},
          {"spec",
           {{"nodeName", "edge-1"},
            {"containers", json::array({{{"name", "app"}, {"image", "nginx:1.25"}}})}}},
          {"status",
           {{"phase", phase},
            {"conditions", conditions},
            {"podIP", "10.42.0.7"},
            {"podIPs", json::array({{{"ip", "10.42.0.7"}}})},
            {"containerStatuses", container_statuses}}}};
}

json Cond(const std::string& type, const std::string& status, const std::string& reason = "") {
  json c = {{"type", type}, {"status", status}};
  if (!reason.empty()) c["reason"] = reason;
  return c;
}

}  // namespace

TEST_CASE("Pod columns are Kubernetes 1.32's", "[printers][pod]") {
  CHECK(printers_test::ColumnNames("", "Pod") ==
        std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                                 "Nominated Node", "Readiness Gates"});
  CHECK(printers_test::Priorities("", "Pod") == std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1, 1});
  const auto& cols = skiff::apis::PrinterFor("", "Pod").columns;
  CHECK(cols[0].format == "name");
  CHECK(cols[3].type == "string");  // RESTARTS carries "3 (5m ago)" since 1.22
  CHECK(cols[3].description ==
        "The number of times the containers in this pod have been restarted and when the last "
        "container in this pod has restarted.");
}

TEST_CASE("A running pod", "[printers][pod]") {
  json pod = Pod("web", "Running", json::array({Running()}),
                 json::array({Cond("Initialized", "True"), Cond("Ready", "True")}));
  CHECK(Row("", "Pod", pod) ==
        json({"web", "1/1", "Running", "0", "120m", "10.42.0.7", "edge-1", "<none>", "<none>"}));
}

TEST_CASE("A pending pod shows its container's waiting reason", "[printers][pod]") {
  json pod = Pod("web", "Pending", json::array({Waiting("ContainerCreating")}));
  pod["status"].erase("podIP");
  pod["status"].erase("podIPs");
  CHECK(Row("", "Pod", pod) == json({"web", "0/1", "ContainerCreating", "0", "120m", "<none>",
                                     "edge-1", "<none>", "<none>"}));

  json unscheduled = pod;
  unscheduled["spec"].erase("nodeName");
  unscheduled["status"].erase("containerStatuses");
  CHECK(Row("", "Pod", unscheduled)[2] == "Pending");
  CHECK(Row("", "Pod", unscheduled)[6] == "<none>");

  json gated = unscheduled;
  gated["status"]["conditions"] = json::array({Cond("PodScheduled", "False", "SchedulingGated")});
  CHECK(Row("", "Pod", gated)[2] == "SchedulingGated");
}

TEST_CASE("CrashLoopBackOff with restarts and the age of the last one", "[printers][pod]") {
  json c = Waiting("CrashLoopBackOff", 5);
  c["lastState"] = {{"terminated",
                     {{"exitCode", 1},
                      {"reason", "Error"},
                      {"startedAt", "2024-05-01T11:56:50Z"},
                      {"finishedAt", "2024-05-01T11:57:00Z"}}}};
  json pod = Pod("crashy", "Running", json::array({c}));
  CHECK(Row("", "Pod", pod) == json({"crashy", "0/1", "CrashLoopBackOff", "5 (3m ago)", "120m",
                                     "10.42.0.7", "edge-1", "<none>", "<none>"}));

  // Restarts without a recorded termination print the bare count.
  json no_last = Pod("crashy", "Running", json::array({Waiting("CrashLoopBackOff", 4)}));
  CHECK(Row("", "Pod", no_last)[3] == "4");
}

TEST_CASE("Terminated containers: reason, exit code or signal", "[printers][pod]") {
  json oom =
      Pod("oom", "Failed", json::array({Terminated({{"exitCode", 137}, {"reason", "OOMKilled"}})}));
  CHECK(Row("", "Pod", oom)[2] == "OOMKilled");
  CHECK(Row("", "Pod", oom)[1] == "0/1");

  json code = Pod("code", "Failed", json::array({Terminated({{"exitCode", 2}})}));
  CHECK(Row("", "Pod", code)[2] == "ExitCode:2");

  json signal = Pod("sig", "Failed", json::array({Terminated({{"exitCode", 0}, {"signal", 9}})}));
  CHECK(Row("", "Pod", signal)[2] == "Signal:9");

  json evicted = Pod("evicted", "Failed", json::array());
  evicted["status"]["reason"] = "Evicted";
  CHECK(Row("", "Pod", evicted)[2] == "Evicted");
}

TEST_CASE("A completed pod and its row condition", "[printers][pod]") {
  json pod = Pod("job-x", "Succeeded",
                 json::array({Terminated({{"exitCode", 0}, {"reason", "Completed"}})}));
  CHECK(Row("", "Pod", pod) == json({"job-x", "0/1", "Completed", "0", "120m", "10.42.0.7",
                                     "edge-1", "<none>", "<none>"}));
  const auto& printer = skiff::apis::PrinterFor("", "Pod");
  REQUIRE(printer.row_conditions != nullptr);
  CHECK(printer.row_conditions(pod) == json::parse(R"([{"type":"Completed","status":"True",
        "reason":"Succeeded","message":"The pod has completed successfully."}])"));
  json failed = Pod("job-y", "Failed", json::array({Terminated({{"exitCode", 1}})}));
  CHECK(printer.row_conditions(failed) == json::parse(R"([{"type":"Completed","status":"True",
        "reason":"Failed","message":"The pod failed."}])"));
  json running = Pod("web", "Running", json::array({Running()}));
  CHECK(printer.row_conditions(running).is_null());
}

TEST_CASE("Completed beside a running container reads Running or NotReady", "[printers][pod]") {
  json done = Terminated({{"exitCode", 0}, {"reason", "Completed"}}, "setup");
  json pod =
      Pod("two", "Running", json::array({done, Running()}), json::array({Cond("Ready", "True")}));
  pod["spec"]["containers"].push_back({{"name", "setup"}, {"image", "busybox"}});
  CHECK(Row("", "Pod", pod)[1] == "1/2");
  CHECK(Row("", "Pod", pod)[2] == "Running");
  pod["status"]["conditions"] = json::array({Cond("Ready", "False")});
  CHECK(Row("", "Pod", pod)[2] == "NotReady");
}

TEST_CASE("Terminating and NodeLost pods", "[printers][pod]") {
  json pod = Pod("web", "Running", json::array({Running()}));
  pod["metadata"]["deletionTimestamp"] = "2024-05-01T11:59:00Z";
  CHECK(Row("", "Pod", pod)[2] == "Terminating");
  CHECK(Row("", "Pod", pod)[1] == "1/1");

  pod["status"]["reason"] = "NodeLost";
  CHECK(Row("", "Pod", pod)[2] == "Unknown");

  // A finished pod being deleted keeps its final status.
  json done = Pod("job-x", "Succeeded",
                  json::array({Terminated({{"exitCode", 0}, {"reason", "Completed"}})}));
  done["metadata"]["deletionTimestamp"] = "2024-05-01T11:59:00Z";
  CHECK(Row("", "Pod", done)[2] == "Completed");
}

TEST_CASE("Init containers: progress, failures and waiting reasons", "[printers][pod]") {
  json pod = Pod("init", "Pending", json::array({Waiting("PodInitializing")}),
                 json::array({Cond("Initialized", "False")}));
  pod["spec"]["initContainers"] = json::array(
      {{{"name", "init-a"}, {"image", "busybox"}}, {{"name", "init-b"}, {"image", "busybox"}}});
  auto init_status = [](const std::string& name, json state, int restarts = 0) {
    return json{{"name", name},   {"image", "busybox"},       {"imageID", ""},
                {"ready", false}, {"restartCount", restarts}, {"state", state}};
  };
  json done = {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}};
  json running = {{"running", {{"startedAt", "2024-05-01T11:59:00Z"}}}};

  pod["status"]["initContainerStatuses"] =
      json::array({init_status("init-a", running),
                   init_status("init-b", {{"waiting", {{"reason", "PodInitializing"}}}})});
  CHECK(Row("", "Pod", pod) ==
        json({"init", "0/1", "Init:0/2", "0", "120m", "10.42.0.7", "edge-1", "<none>", "<none>"}));

  pod["status"]["initContainerStatuses"] =
      json::array({init_status("init-a", done), init_status("init-b", running)});
  CHECK(Row("", "Pod", pod)[2] == "Init:1/2");

  json crash = init_status("init-b", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}, 3);
  crash["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T11:59:00Z"}}}};
  pod["status"]["initContainerStatuses"] = json::array({init_status("init-a", done), crash});
  CHECK(Row("", "Pod", pod)[2] == "Init:CrashLoopBackOff");
  CHECK(Row("", "Pod", pod)[3] == "3 (60s ago)");

  pod["status"]["initContainerStatuses"] =
      json::array({init_status("init-a", {{"terminated", {{"exitCode", 1}}}})});
  CHECK(Row("", "Pod", pod)[2] == "Init:ExitCode:1");
  pod["status"]["initContainerStatuses"] =
      json::array({init_status("init-a", {{"terminated", {{"exitCode", 137}, {"signal", 9}}}})});
  CHECK(Row("", "Pod", pod)[2] == "Init:Signal:9");
  pod["status"]["initContainerStatuses"] = json::array(
      {init_status("init-a", {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}})});
  CHECK(Row("", "Pod", pod)[2] == "Init:Error");

  // Initialized: the app container's state decides again.
  pod["status"]["initContainerStatuses"] =
      json::array({init_status("init-a", done), init_status("init-b", done)});
  pod["status"]["conditions"] = json::array({Cond("Initialized", "True")});
  pod["status"]["containerStatuses"] = json::array({Running()});
  CHECK(Row("", "Pod", pod)[2] == "Pending");  // the phase, until the kubelet reports Running
  CHECK(Row("", "Pod", pod)[1] == "1/1");
}

TEST_CASE("Sidecar containers count as containers and their restarts count", "[printers][pod]") {
  json app = Running(true, 1);
  app["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T11:40:00Z"}}}};
  json pod = Pod("side", "Running", json::array({app}),
                 json::array({Cond("Initialized", "True"), Cond("Ready", "True")}));
  pod["spec"]["initContainers"] =
      json::array({{{"name", "proxy"}, {"image", "envoy"}, {"restartPolicy", "Always"}},
                   {{"name", "migrate"}, {"image", "busybox"}}});
  json proxy = {
      {"name", "proxy"},
      {"image", "envoy"},
      {"imageID", ""},
      {"ready", true},
      {"started", true},
      {"restartCount", 2},
      {"state", {{"running", {{"startedAt", "2024-05-01T11:50:01Z"}}}}},
      {"lastState", {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T11:50:00Z"}}}}}};
  json migrate = {
      {"name", "migrate"}, {"image", "busybox"},
      {"imageID", ""},     {"ready", false},
      {"restartCount", 0}, {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}};
  pod["status"]["initContainerStatuses"] = json::array({proxy, migrate});
  CHECK(Row("", "Pod", pod) == json({"side", "2/2", "Running", "3 (10m ago)", "120m", "10.42.0.7",
                                     "edge-1", "<none>", "<none>"}));
}

TEST_CASE("Wide pod columns: IP fallback, nominated node, readiness gates", "[printers][pod]") {
  json pod = Pod("gated", "Running", json::array({Running()}),
                 json::array({Cond("Ready", "True"), Cond("example.com/lb", "False"),
                              Cond("example.com/feature", "True")}));
  pod["status"].erase("podIPs");  // only podIP: the internal status derives podIPs from it
  pod["status"]["nominatedNodeName"] = "edge-2";
  pod["spec"]["readinessGates"] = json::array({{{"conditionType", "example.com/feature"}},
                                               {{"conditionType", "example.com/lb"}},
                                               {{"conditionType", "example.com/missing"}}});
  json row = Row("", "Pod", pod);
  CHECK(row[5] == "10.42.0.7");
  CHECK(row[7] == "edge-2");
  CHECK(row[8] == "1/3");
}

TEST_CASE("Odd pods never throw and always fill every column", "[printers][pod]") {
  for (json pod : {json::parse(R"({"metadata": 7, "spec": "x", "status": []})"),
                   json::parse(R"({"status": {"containerStatuses": [1, "x", null],
                                   "initContainerStatuses": {"a": 1}, "phase": 3}})"),
                   json(nullptr), json::array()}) {
    CHECK(Row("", "Pod", pod).size() == 9);
  }
  json odd = json::parse(R"({"metadata": {"name": "x", "creationTimestamp": "never"},
                             "status": {"containerStatuses": [{"restartCount": "3"}]}})");
  CHECK(Row("", "Pod", odd) ==
        json({"x", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"}));
}
