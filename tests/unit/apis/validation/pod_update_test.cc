// Pod updates: the mutable subset of the spec, and status updates.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {

json StoredPod() {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7",
                 "creationTimestamp": "2024-01-02T03:04:05Z"},
    "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}],
             "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute",
                              "tolerationSeconds": 60}]}
  })");
  ApplyDefaults("", "Pod", pod);
  PrepareForCreate("", "Pod", pod);
  return pod;
}

const char* kForbiddenPrefix =
    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
    "to 1 if it was previously negative)\n";

}  // namespace

TEST_CASE("pod updates may change images, deadlines and add tolerations") {
  json old = StoredPod();
  json pod = old;
  pod["spec"]["containers"][0]["image"] = "nginx:1.26";
  pod["spec"]["activeDeadlineSeconds"] = 300;
  pod["spec"]["tolerations"][0]["tolerationSeconds"] = 30;
  pod["spec"]["tolerations"].push_back({{"key", "other"}, {"operator", "Exists"}});
  pod["metadata"]["labels"] = {{"new", "label"}};
  REQUIRE_NO_ERRORS(ValidateUpdate("", "Pod", pod, old));
}

TEST_CASE("pod updates may not change other spec fields") {
  json old = StoredPod();
  json pod = old;
  pod["spec"]["containers"][0]["env"] = {{{"name", "A"}, {"value", "1"}}};
  auto errs = ValidateUpdate("", "Pod", pod, old);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].reason == "FieldValueForbidden");
  CHECK(errs[0].field == "spec");
  CHECK(errs[0].Message().rfind(kForbiddenPrefix, 0) == 0);
  CHECK(errs[0].detail.find("spec.containers[0].env") != std::string::npos);

  json removed = old;
  removed["spec"]["tolerations"] = json::array();
  REQUIRE_ERROR(ValidateUpdate("", "Pod", removed, old),
                "spec.tolerations: Forbidden: existing toleration can not be modified except its "
                "tolerationSeconds");

  json more = old;
  more["spec"]["containers"].push_back({{"name", "b"}, {"image", "x"}});
  REQUIRE_ERROR(ValidateUpdate("", "Pod", more, old),
                "spec.containers: Forbidden: pod updates may not add or remove containers");

  json blank = old;
  blank["spec"]["containers"][0]["image"] = " nginx";
  REQUIRE_ERROR(ValidateUpdate("", "Pod", blank, old),
                "spec.containers[0].image: Invalid value: \" nginx\": must not have leading or "
                "trailing whitespace");
}

TEST_CASE("activeDeadlineSeconds may only shrink and not be removed") {
  json old = StoredPod();
  old["spec"]["activeDeadlineSeconds"] = 100;
  json longer = old;
  longer["spec"]["activeDeadlineSeconds"] = 200;
  REQUIRE_ERROR(ValidateUpdate("", "Pod", longer, old),
                "spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to "
                "previous value");
  json removed = old;
  removed["spec"].erase("activeDeadlineSeconds");
  REQUIRE_ERROR(ValidateUpdate("", "Pod", removed, old),
                "spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive "
                "integer to nil value");
}

TEST_CASE("pod status updates check condition types, node name and container states") {
  json old = StoredPod();
  old["spec"]["restartPolicy"] = "Never";
  old["status"]["containerStatuses"] = {
      {{"name", "app"}, {"state", {{"terminated", {{"exitCode", 0}}}}}}};
  json pod = old;
  pod["status"]["conditions"] = {{{"type", "Ready"}, {"status", "True"}},
                                 {{"type", "example.com/Custom"}, {"status", "True"}},
                                 {{"type", "bad type"}, {"status", "True"}}};
  pod["status"]["containerStatuses"][0]["state"] = {{"running", json::object()}};
  pod["status"]["podIPs"] = {{{"ip", "10.42.0.5"}}, {{"ip", "10.42.0.6"}}};
  auto errs = ValidateStatusUpdate("", "Pod", pod, old);
  REQUIRE(testing::MessagesFor(errs, "metadata.conditions[2].Type").size() == 1);
  CHECK_FALSE(testing::HasField(errs, "metadata.conditions[1].Type"));
  REQUIRE_ERROR(errs,
                "status.containerStatuses[0].state: Forbidden: may not be transitioned to "
                "non-terminated state");
  CHECK(testing::HasField(errs, "status.podIPs"));

  json moved = old;
  moved["spec"]["nodeName"] = "other";
  REQUIRE_ERROR(ValidateStatusUpdate("", "Pod", moved, old),
                "status.nodeName: Forbidden: may not be changed directly");
  REQUIRE_NO_ERRORS(ValidateStatusUpdate("", "Pod", old, old));
}
