// The claims a pod's volumes name: persistentVolumeClaim volumes by claimName, generic
// ephemeral volumes as "<pod>-<volume>", and whether the pod controls an ephemeral claim
// (kube's ephemeral.VolumeIsForPod and its message).
#include "skiff/apis/pod_claims.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using namespace skiff::apis;

namespace {

json Pod(json volumes) {
  return {{"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "pod-uid"}}},
          {"spec", {{"volumes", std::move(volumes)}}}};
}

json Claim(const std::string& ns, const std::string& name, json refs = nullptr) {
  json c = {{"metadata", {{"name", name}, {"namespace", ns}}}};
  if (!refs.is_null()) c["metadata"]["ownerReferences"] = std::move(refs);
  return c;
}

json Ref(const std::string& uid, bool controller) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"name", "x"},
          {"uid", uid},
          {"controller", controller}};
}

}  // namespace

TEST_CASE("a pod's claims come from claim and ephemeral volumes in order", "[apis][volumes]") {
  json pod = Pod(
      {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "shared"}}}},
       {{"name", "tmp"}, {"emptyDir", json::object()}},
       {{"name", "scratch"}, {"ephemeral", {{"volumeClaimTemplate", {{"spec", json::object()}}}}}},
       {{"name", "nameless"}, {"persistentVolumeClaim", json::object()}}});
  const auto claims = PodClaims(pod);
  REQUIRE(claims.size() == 2);
  CHECK(claims[0].volume == "data");
  CHECK(claims[0].claim == "shared");
  CHECK_FALSE(claims[0].ephemeral);
  CHECK(claims[1].volume == "scratch");
  CHECK(claims[1].claim == "web-scratch");
  CHECK(claims[1].ephemeral);
  CHECK(PodClaimKeys(pod) == std::vector<std::string>{"default/shared", "default/web-scratch"});
  CHECK(EphemeralClaimName(pod, pod["spec"]["volumes"][2]) == "web-scratch");
  CHECK_FALSE(ClaimOfVolume(pod, pod["spec"]["volumes"][1]));
  CHECK(PodClaims(json::object()).empty());
  CHECK(PodClaims(Pod(nullptr)).empty());
}

TEST_CASE("an ephemeral claim serves only the pod that controls it", "[apis][volumes]") {
  json pod = Pod(json::array());
  CHECK(EphemeralClaimNotForPod(pod, Claim("default", "web-scratch",
                                           {Ref("other", false), Ref("pod-uid", true)})) == "");
  CHECK(ClaimIsControlledBy(Claim("default", "c", {Ref("pod-uid", true)}), pod));
  // An owner that is not the controller, or a controller that is another object, is not enough.
  CHECK_FALSE(ClaimIsControlledBy(Claim("default", "c", {Ref("pod-uid", false)}), pod));
  CHECK_FALSE(
      ClaimIsControlledBy(Claim("default", "c", {Ref("rs", true), Ref("pod-uid", true)}), pod));
  CHECK(EphemeralClaimNotForPod(pod, Claim("default", "web-scratch")) ==
        "PVC default/web-scratch was not created for pod default/web (pod is not owner)");
  CHECK(EphemeralClaimNotForPod(pod, Claim("other", "web-scratch", {Ref("pod-uid", true)})) ==
        "PVC other/web-scratch was not created for pod default/web (pod is not owner)");
}
