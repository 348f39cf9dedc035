// A pod being deleted gracefully stays through updates until its grace period is over (its
// kubelet deletes it); an object held only by finalizers goes when the last one is removed.
#include <catch2/catch.hpp>

#include "store_api.h"

using nlohmann::json;
using skiff::testing::Ok;

TEST_CASE("updates of a gracefully terminating pod keep it", "[api][delete]") {
  skiff::testing::StoreApi api;
  const auto& pods = *api.reg.Find("", "v1", "pods");
  Ok(api.res->Create(pods, "default",
                     {{"metadata", {{"name", "p"}}},
                      {"spec",
                       {{"nodeName", "node-1"},
                        {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}},
                     {}, nullptr));
  json deleting = Ok(api.res->Delete(pods, "default", "p", {}));
  CHECK(deleting["metadata"]["deletionGracePeriodSeconds"] == 30);
  json pod = Ok(api.res->Get(pods, "default", "p"));
  pod["metadata"]["labels"] = {{"seen", "yes"}};
  Ok(api.res->Update(pods, "default", "p", pod, "", {}, nullptr));
  pod = Ok(api.res->Get(pods, "default", "p"));
  CHECK(pod["metadata"]["labels"]["seen"] == "yes");
  // The kubelet's final delete (grace 0) removes it.
  skiff::api::DeleteOptions now;
  now.grace_period_seconds = 0;
  Ok(api.res->Delete(pods, "default", "p", now));
  CHECK(api.res->Get(pods, "default", "p").error().code == 404);
}

TEST_CASE("an object held by finalizers goes with the last one", "[api][delete]") {
  skiff::testing::StoreApi api;
  const auto& cms = *api.reg.Find("", "v1", "configmaps");
  Ok(api.res->Create(cms, "default",
                     {{"metadata", {{"name", "cm"}, {"finalizers", {"a.test/x", "a.test/y"}}}}},
                     {}, nullptr));
  Ok(api.res->Delete(cms, "default", "cm", {}));
  json cm = Ok(api.res->Get(cms, "default", "cm"));
  cm["metadata"]["finalizers"] = {"a.test/y"};
  Ok(api.res->Update(cms, "default", "cm", cm, "", {}, nullptr));
  cm = Ok(api.res->Get(cms, "default", "cm"));
  cm["metadata"]["finalizers"] = json::array();
  Ok(api.res->Update(cms, "default", "cm", cm, "", {}, nullptr));
  CHECK(api.res->Get(cms, "default", "cm").error().code == 404);
}
