// Generic ephemeral volumes on the node: mounted as a persistentVolumeClaim volume of the claim
// "<pod>-<volume>", only when the pod controls that claim (kubelet's check), and writable (an
// ephemeral volume has no readOnly of its own).
#include <catch2/catch.hpp>

#include "volume_test_util.h"

using namespace skiff::node;
using namespace skiff::node::testing;

namespace {

json EphemeralPod() {
  return MakePod({{{"name", "scratch"},
                   {"ephemeral",
                    {{"volumeClaimTemplate",
                      {{"spec",
                        {{"accessModes", {"ReadWriteOnce"}},
                         {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}}}}}});
}

json BoundClaim(json owner_refs) {
  json claim = {{"metadata", {{"name", "web-scratch"}, {"namespace", "default"}}},
                {"spec", {{"volumeName", "pv-1"}}},
                {"status", {{"phase", "Bound"}}}};
  if (!owner_refs.is_null()) claim["metadata"]["ownerReferences"] = std::move(owner_refs);
  return claim;
}

json OwnerRef(const std::string& uid) {
  return {{"apiVersion", "v1"}, {"kind", "Pod"},      {"name", "web"},
          {"uid", uid},         {"controller", true}, {"blockOwnerDeletion", true}};
}

}  // namespace

TEST_CASE("An ephemeral volume is its own claim's volume") {
  PodDir pod_dir;
  PodDir host;
  Objects objects;
  const json pod = EphemeralPod();
  auto set_up = [&] { return SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info()); };
  CHECK(set_up().status().message() ==
        "MountVolume.SetUp failed for volume \"scratch\" : persistentvolumeclaim \"web-scratch\" "
        "not found");

  objects.items["PersistentVolume//pv-1"] = {
      {"metadata", {{"name", "pv-1"}}},
      {"spec",
       {{"capacity", {{"storage", "1Gi"}}},
        {"accessModes", {"ReadWriteOnce"}},
        {"hostPath", {{"path", host.path()}, {"type", "Directory"}}}}}};
  // A claim of that name the pod does not control is refused, whoever made it.
  for (const json& refs : {json(nullptr), json::array({OwnerRef("another-pod")})}) {
    objects.items["PersistentVolumeClaim/default/web-scratch"] = BoundClaim(refs);
    auto refused = set_up();
    CHECK(refused.status().code() == skiff::Code::kAlreadyExists);
    CHECK(refused.status().message() ==
          "MountVolume.SetUp failed for volume \"scratch\" : PVC default/web-scratch was not "
          "created for pod default/web (pod is not owner)");
  }

  objects.items["PersistentVolumeClaim/default/web-scratch"] =
      BoundClaim(json::array({OwnerRef("pod-uid-1")}));
  auto volumes = set_up();
  REQUIRE(volumes.ok());
  CHECK(volumes->at("scratch").path == host.path());
  CHECK_FALSE(volumes->at("scratch").read_only);
}
