// skiff::apis::PodQOSClass (skiff/apis/qos.h): v1qos.GetPodQOS over a pod spec.
#include "skiff/apis/qos.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using skiff::apis::PodQOSClass;

namespace {

json Container(json requests, json limits) {
  json c = {{"name", "c"}, {"image", "busybox"}, {"resources", json::object()}};
  if (!requests.is_null()) c["resources"]["requests"] = std::move(requests);
  if (!limits.is_null()) c["resources"]["limits"] = std::move(limits);
  return c;
}

}  // namespace

TEST_CASE("PodQOSClass: no positive cpu or memory request or limit is BestEffort", "[qos]") {
  CHECK(PodQOSClass(json::object()) == "BestEffort");
  CHECK(PodQOSClass(json{{"containers", json::array({Container(nullptr, nullptr)})}}) ==
        "BestEffort");
  // Zero quantities, other resources and unparsable values count as unset.
  CHECK(PodQOSClass(
            json{{"containers", json::array({Container({{"cpu", "0"}, {"ephemeral-storage", "1Gi"}},
                                                       {{"memory", "lots"}})})}}) == "BestEffort");
  // A spec of the wrong shape reads as empty.
  CHECK(PodQOSClass(json::array()) == "BestEffort");
  CHECK(PodQOSClass(json{{"containers", "x"}}) == "BestEffort");
}

TEST_CASE("PodQOSClass: cpu and memory limits on every container, requests equal, is Guaranteed",
          "[qos]") {
  json limits = {{"cpu", "500m"}, {"memory", "64Mi"}};
  CHECK(PodQOSClass(json{{"containers", json::array({Container(nullptr, limits)})}}) ==
        "Burstable");  // no requests at all: the sums differ
  CHECK(PodQOSClass(json{{"containers", json::array({Container(limits, limits)})}}) ==
        "Guaranteed");
  // Equal quantities written differently still match.
  CHECK(PodQOSClass(
            json{{"containers", json::array({Container({{"cpu", "0.5"}, {"memory", "67108864"}},
                                                       limits)})}}) == "Guaranteed");
  // Init containers count too.
  CHECK(PodQOSClass(json{{"containers", json::array({Container(limits, limits)})},
                         {"initContainers", json::array({Container(limits, limits)})}}) ==
        "Guaranteed");
}

TEST_CASE("PodQOSClass: anything in between is Burstable", "[qos]") {
  json limits = {{"cpu", "500m"}, {"memory", "64Mi"}};
  CHECK(PodQOSClass(json{{"containers", json::array({Container({{"cpu", "100m"}}, nullptr)})}}) ==
        "Burstable");
  // A request below its limit.
  CHECK(PodQOSClass(json{{"containers", json::array({Container(
                                            {{"cpu", "250m"}, {"memory", "64Mi"}}, limits)})}}) ==
        "Burstable");
  // One container without a memory limit.
  CHECK(
      PodQOSClass(json{{"containers", json::array({Container(limits, limits),
                                                   Container({{"cpu", "1"}}, {{"cpu", "1"}})})}}) ==
      "Burstable");
  // An init container without limits next to a Guaranteed container.
  CHECK(PodQOSClass(json{{"containers", json::array({Container(limits, limits)})},
                         {"initContainers", json::array({Container(nullptr, nullptr)})}}) ==
        "Burstable");
}
