// pods/binding: the pod gets its node, the binding's annotations and PodScheduled=True, as
// kube-apiserver's binding does; a second binding or a pod being deleted is a conflict.
#include <catch2/catch.hpp>

#include "api/subresources.h"
#include "store_api.h"

using nlohmann::json;
using skiff::testing::Ok;

TEST_CASE("Binding a pod sets its node, annotations and PodScheduled", "[api][binding]") {
  skiff::testing::StoreApi api;
  const auto& pods = *api.reg.Find("", "v1", "pods");
  Ok(api.res->Create(pods, "default",
                     {{"metadata", {{"name", "web"}}},
                      {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}},
                     {}, nullptr));
  json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", "web"}, {"annotations", {{"skiff.test/by", "sched"}}}}},
                  {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "n1"}}}};
  json status = Ok(skiff::api::BindPod(*api.res, "default", "web", binding));
  CHECK(status["status"] == "Success");

  json pod = Ok(api.res->Get(pods, "default", "web"));
  CHECK(pod["spec"]["nodeName"] == "n1");
  CHECK(pod["metadata"]["annotations"]["skiff.test/by"] == "sched");
  json scheduled;
  for (const json& c : pod["status"]["conditions"]) {
    if (c["type"] == "PodScheduled") scheduled = c;
  }
  REQUIRE(scheduled.is_object());
  CHECK(scheduled["status"] == "True");
  CHECK(scheduled["lastTransitionTime"].is_string());

  auto again = skiff::api::BindPod(*api.res, "default", "web", binding);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == 409);
  CHECK(again.error().message ==
        "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to "
        "node \"n1\"");
}
