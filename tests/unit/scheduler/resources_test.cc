// Pod effective requests (PodRequests), quantities, non-zero defaults and resource names.
#include "scheduler/resources.h"

#include <catch2/catch.hpp>

#include "sched_test_util.h"
#include "scheduler/pod_info.h"

using nlohmann::json;
using skiff::scheduler::ComputePodRequests;
using skiff::scheduler::IsScalarResourceName;
using skiff::scheduler::ResourcesFromList;

namespace {

json Container(const json& requests, const json& limits = nullptr) {
  json c = {{"name", "c"}, {"image", "x"}, {"resources", json::object()}};
  if (!requests.is_null()) c["resources"]["requests"] = requests;
  if (!limits.is_null()) c["resources"]["limits"] = limits;
  return c;
}

constexpr int64_t kMi = 1024 * 1024;
constexpr int64_t kGi = 1024 * kMi;

}  // namespace

TEST_CASE("requests: quantities in their usual spellings", "[scheduler][resources]") {
  json spec = {{"containers", json::array({Container({{"cpu", "250m"}, {"memory", "128974848"}}),
                                           Container({{"cpu", "1.5"}, {"memory", "1Gi"}}),
                                           Container({{"cpu", 2}, {"memory", "129e6"}})})}};
  auto r = ComputePodRequests(spec);
  CHECK(r.requests.milli_cpu == 250 + 1500 + 2000);
  CHECK(r.requests.memory == 128974848 + kGi + 129000000);
  // Fractions of a millicore round up, per container quantity sum.
  auto tiny = ComputePodRequests({{"containers", json::array({Container({{"cpu", "0.1m"}})})}});
  CHECK(tiny.requests.milli_cpu == 1);
}

TEST_CASE("requests: max of the containers' sum and each init container, plus overhead",
          "[scheduler][resources]") {
  json spec = {{"initContainers", json::array({Container({{"cpu", "2"}, {"memory", "64Mi"}}),
                                               Container({{"cpu", "500m"}, {"memory", "3Gi"}})})},
               {"containers", json::array({Container({{"cpu", "250m"}, {"memory", "128974848"}}),
                                           Container({{"cpu", "1.5"}, {"memory", "1Gi"}})})},
               {"overhead", {{"cpu", "250m"}, {"memory", "120Mi"}}}};
  auto r = ComputePodRequests(spec);
  // cpu: max(1750m, 2000m, 500m) + 250m; memory: max(1Gi+123Mi, 64Mi, 3Gi) + 120Mi.
  CHECK(r.requests.milli_cpu == 2250);
  CHECK(r.requests.memory == 3 * kGi + 120 * kMi);
}

TEST_CASE("requests: restartable init containers (sidecars) add to the pod and to later inits",
          "[scheduler][resources]") {
  json sidecar = Container({{"cpu", "500m"}, {"memory", "100Mi"}});
  sidecar["restartPolicy"] = "Always";
  json init = Container({{"cpu", "1"}, {"memory", "1Gi"}});
  json app = Container({{"cpu", "200m"}, {"memory", "50Mi"}});

  // sidecar then init: the init phase runs beside the sidecar: 1500m / 1124Mi.
  auto after = ComputePodRequests(
      {{"initContainers", json::array({sidecar, init})}, {"containers", json::array({app})}});
  CHECK(after.requests.milli_cpu == 1500);
  CHECK(after.requests.memory == 1124 * kMi);

  // init then sidecar: the init phase runs alone (1000m / 1Gi), the steady state is
  // app + sidecar (700m / 150Mi).
  auto before = ComputePodRequests(
      {{"initContainers", json::array({init, sidecar})}, {"containers", json::array({app})}});
  CHECK(before.requests.milli_cpu == 1000);
  CHECK(before.requests.memory == kGi);

  // A large sidecar dominates the steady state.
  json big_sidecar = Container({{"cpu", "3"}});
  big_sidecar["restartPolicy"] = "Always";
  auto big = ComputePodRequests(
      {{"initContainers", json::array({big_sidecar})}, {"containers", json::array({app})}});
  CHECK(big.requests.milli_cpu == 3200);
  CHECK(big.requests.memory == 50 * kMi);
}

TEST_CASE("requests: non-zero defaults for containers that request nothing",
          "[scheduler][resources]") {
  json spec = {{"containers", json::array({Container(nullptr), Container({{"cpu", "300m"}}),
                                           Container({{"cpu", "0"}, {"memory", "0"}})})}};
  auto r = ComputePodRequests(spec);
  CHECK(r.requests.milli_cpu == 300);
  CHECK(r.requests.memory == 0);
  // 100m + 300m + explicit 0; 200Mi + 200Mi + explicit 0.
  CHECK(r.non_zero_milli_cpu == 400);
  CHECK(r.non_zero_memory == 400 * kMi);

  // An init container without requests counts with the defaults too.
  auto with_init = ComputePodRequests(
      {{"initContainers", json::array({Container(nullptr)})},
       {"containers", json::array({Container({{"cpu", "50m"}, {"memory", "10Mi"}})})}});
  CHECK(with_init.requests.milli_cpu == 50);
  CHECK(with_init.non_zero_milli_cpu == 100);
  CHECK(with_init.non_zero_memory == 200 * kMi);
}

TEST_CASE("requests: limits stand in for unset requests", "[scheduler][resources]") {
  auto r = ComputePodRequests(
      {{"containers",
        json::array({Container({{"cpu", "100m"}}, {{"cpu", "2"}, {"memory", "1Gi"}})})}});
  CHECK(r.requests.milli_cpu == 100);
  CHECK(r.requests.memory == kGi);
}

TEST_CASE("requests: scalar resources and ignored names", "[scheduler][resources]") {
  auto r = ComputePodRequests(
      {{"containers",
        json::array({Container({{"example.com/gpu", "2"}, {"hugepages-2Mi", "4Mi"}, {"foo", "3"}}),
                     Container({{"example.com/gpu", 1}})})}});
  REQUIRE(r.requests.scalars.size() == 2);
  CHECK(r.requests.Scalar("example.com/gpu") == 3);
  CHECK(r.requests.Scalar("hugepages-2Mi") == 4 * kMi);
  CHECK(r.requests.Scalar("foo") == 0);
  CHECK(r.requests.scalars[0].name == "example.com/gpu");  // sorted
}

TEST_CASE("resource names: scalar classification", "[scheduler][resources]") {
  CHECK(IsScalarResourceName("example.com/gpu"));
  CHECK(IsScalarResourceName("hugepages-1Gi"));
  CHECK(IsScalarResourceName("attachable-volumes-aws-ebs"));
  CHECK(IsScalarResourceName("kubernetes.io/batteries"));
  CHECK_FALSE(IsScalarResourceName("cpu"));
  CHECK_FALSE(IsScalarResourceName("storage"));
  CHECK_FALSE(IsScalarResourceName("requests.example.com/gpu"));
}

TEST_CASE("resource lists: node allocatable", "[scheduler][resources]") {
  auto r = ResourcesFromList({{"cpu", "3500m"},
                              {"memory", "16393572Ki"},
                              {"pods", "110"},
                              {"ephemeral-storage", "50G"},
                              {"example.com/fpga", "2"},
                              {"bogus", "not a quantity"}});
  CHECK(r.milli_cpu == 3500);
  CHECK(r.memory == int64_t{16393572} * 1024);
  CHECK(r.allowed_pods == 110);
  CHECK(r.ephemeral_storage == 50000000000);
  CHECK(r.Scalar("example.com/fpga") == 2);
}

TEST_CASE("resources: Add and AddScalar keep scalars sorted and signed", "[scheduler][resources]") {
  skiff::scheduler::Resources a;
  a.AddScalar("z.io/b", 2);
  a.AddScalar("a.io/a", 1);
  skiff::scheduler::Resources b;
  b.milli_cpu = 10;
  b.AddScalar("a.io/a", 5);
  a.Add(b);
  CHECK(a.milli_cpu == 10);
  CHECK(a.scalars == std::vector<skiff::scheduler::ScalarResource>{{"a.io/a", 6}, {"z.io/b", 2}});
  a.Add(b, -1);
  CHECK(a.milli_cpu == 0);
  CHECK(a.Scalar("a.io/a") == 1);
}
