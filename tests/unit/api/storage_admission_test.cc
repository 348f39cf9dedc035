// Admission of storage objects, as kube-apiserver's DefaultStorageClass,
// StorageObjectInUseProtection and PersistentVolumeClaimResize plugins do it, with the PVC
// update validation they go with (what may change, how far a request may go down).
#include <catch2/catch.hpp>

#include "api/storage_admission.h"
#include "store_api.h"

using nlohmann::json;
using skiff::testing::Ok;

namespace {

json Claim(const std::string& name, json spec_extra = json::object()) {
  json spec = {{"accessModes", {"ReadWriteOnce"}},
               {"resources", {{"requests", {{"storage", "1Gi"}}}}}};
  spec.update(spec_extra);
  return {{"metadata", {{"name", name}}}, {"spec", spec}};
}

json Class(const std::string& name, bool is_default, bool expandable = false) {
  json sc = {{"metadata", {{"name", name}}}, {"provisioner", "example.com/disk"}};
  if (is_default) {
    sc["metadata"]["annotations"] = {{"storageclass.kubernetes.io/is-default-class", "true"}};
  }
  if (expandable) sc["allowVolumeExpansion"] = true;
  return sc;
}

struct Storage {
  skiff::testing::StoreApi api;
  const skiff::apis::ResourceType& claims = *api.reg.Find("", "v1", "persistentvolumeclaims");
  const skiff::apis::ResourceType& volumes = *api.reg.Find("", "v1", "persistentvolumes");
  const skiff::apis::ResourceType& classes =
      *api.reg.Find("storage.k8s.io", "v1", "storageclasses");

  skiff::api::ApiResult<json> CreateClaim(const json& pvc) {
    return api.res->Create(claims, "default", pvc, {}, nullptr);
  }
  void AddClass(const json& sc) { Ok(api.res->Create(classes, "", sc, {}, nullptr)); }
  // What the PersistentVolume controller writes once it binds the claim.
  json Bind(const std::string& name, const std::string& capacity) {
    json pvc = Ok(api.res->Get(claims, "default", name));
    pvc["status"] = {{"phase", "Bound"},
                     {"accessModes", {"ReadWriteOnce"}},
                     {"capacity", {{"storage", capacity}}}};
    return Ok(api.res->Update(claims, "default", name, pvc, "status", {}, nullptr));
  }
  skiff::api::ApiResult<json> Request(const std::string& name, const std::string& storage) {
    json pvc = Ok(api.res->Get(claims, "default", name));
    pvc["spec"]["resources"]["requests"]["storage"] = storage;
    return api.res->Update(claims, "default", name, pvc, "", {}, nullptr);
  }
};

json Stamped(const std::string& name, const std::string& created, bool is_default) {
  json sc = Class(name, is_default);
  sc["metadata"]["creationTimestamp"] = created;
  return sc;
}

}  // namespace

TEST_CASE("a claim without a class gets the default StorageClass", "[api][storage]") {
  Storage s;
  // No default class yet: the claim stays without one.
  json pvc = Ok(s.CreateClaim(Claim("before")));
  CHECK_FALSE(pvc["spec"].contains("storageClassName"));

  s.AddClass(Class("plain", false));
  s.AddClass(Class("standard", true));
  pvc = Ok(s.CreateClaim(Claim("none")));
  CHECK(pvc["spec"]["storageClassName"] == "standard");

  // "" asks for no class, and a named class is kept.
  pvc = Ok(s.CreateClaim(Claim("empty", {{"storageClassName", ""}})));
  CHECK(pvc["spec"]["storageClassName"] == "");
  pvc = Ok(s.CreateClaim(Claim("named", {{"storageClassName", "plain"}})));
  CHECK(pvc["spec"]["storageClassName"] == "plain");
  // So is the beta annotation's class.
  json beta = Claim("beta");
  beta["metadata"]["annotations"] = {{"volume.beta.kubernetes.io/storage-class", "plain"}};
  pvc = Ok(s.CreateClaim(beta));
  CHECK_FALSE(pvc["spec"].contains("storageClassName"));

  // Two defaults created in the same second: the first by name.
  s.AddClass(Class("another", true));
  pvc = Ok(s.CreateClaim(Claim("two-defaults")));
  CHECK(pvc["spec"]["storageClassName"] == "another");
}

TEST_CASE("the newest default StorageClass wins, then the first by name", "[api][storage]") {
  const json classes = {Stamped("old", "2024-01-01T00:00:00Z", true),
                        Stamped("newer-b", "2024-06-01T00:00:00Z", true),
                        Stamped("newer-a", "2024-06-01T00:00:00Z", true),
                        Stamped("newest-not-default", "2025-01-01T00:00:00Z", false)};
  const json* def = skiff::api::DefaultStorageClass(classes);
  REQUIRE(def);
  CHECK((*def)["metadata"]["name"] == "newer-a");

  json beta = Stamped("beta", "2024-07-01T00:00:00Z", false);
  beta["metadata"]["annotations"] = {{"storageclass.beta.kubernetes.io/is-default-class", "true"}};
  json with_beta = classes;
  with_beta.push_back(beta);
  def = skiff::api::DefaultStorageClass(with_beta);
  REQUIRE(def);
  CHECK((*def)["metadata"]["name"] == "beta");

  CHECK(skiff::api::DefaultStorageClass(json::array({classes[3]})) == nullptr);
}

TEST_CASE("new claims and volumes carry their protection finalizer once", "[api][storage]") {
  Storage s;
  json pvc = Ok(s.CreateClaim(Claim("data")));
  CHECK(pvc["metadata"]["finalizers"] == json::array({"kubernetes.io/pvc-protection"}));
  json own = Claim("own");
  own["metadata"]["finalizers"] = {"example.com/keep", "kubernetes.io/pvc-protection"};
  pvc = Ok(s.CreateClaim(own));
  CHECK(pvc["metadata"]["finalizers"] ==
        json::array({"example.com/keep", "kubernetes.io/pvc-protection"}));

  json pv = {{"metadata", {{"name", "pv1"}}},
             {"spec",
              {{"capacity", {{"storage", "1Gi"}}},
               {"accessModes", {"ReadWriteOnce"}},
               {"hostPath", {{"path", "/tmp/pv1"}}}}}};
  pv = Ok(s.api.res->Create(s.volumes, "", pv, {}, nullptr));
  CHECK(pv["metadata"]["finalizers"] == json::array({"kubernetes.io/pv-protection"}));

  // Dry runs are admitted the same way.
  skiff::api::WriteOptions dry;
  dry.dry_run = true;
  pvc = Ok(s.api.res->Create(s.claims, "default", Claim("dry"), dry, nullptr));
  CHECK(pvc["metadata"]["finalizers"] == json::array({"kubernetes.io/pvc-protection"}));
}

TEST_CASE("a bound claim grows only when its class allows volume expansion", "[api][storage]") {
  Storage s;
  s.AddClass(Class("fixed", false));
  s.AddClass(Class("growing", false, true));
  Ok(s.CreateClaim(Claim("fixed", {{"storageClassName", "fixed"}})));
  Ok(s.CreateClaim(Claim("growing", {{"storageClassName", "growing"}})));
  Ok(s.CreateClaim(Claim("classless", {{"storageClassName", ""}})));

  // Not bound yet: the spec may not change at all (validation, 422).
  auto unbound = s.Request("growing", "2Gi");
  REQUIRE_FALSE(unbound.ok());
  CHECK(unbound.error().code == 422);
  CHECK_THAT(unbound.error().message,
             Catch::Contains("spec: Forbidden: spec is immutable after creation except "
                             "resources.requests and volumeAttributesClassName for bound claims"));

  for (const char* name : {"fixed", "growing", "classless"}) s.Bind(name, "1Gi");
  json grown = Ok(s.Request("growing", "2Gi"));
  CHECK(grown["spec"]["resources"]["requests"]["storage"] == "2Gi");

  for (const char* name : {"fixed", "classless"}) {
    auto refused = s.Request(name, "2Gi");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == 403);
    CHECK(refused.error().message ==
          "persistentvolumeclaims \"" + std::string(name) +
              "\" is forbidden: only dynamically provisioned pvc can be resized and the "
              "storageclass that provisions the pvc must support resize");
  }
  // The same size, and other changes than the request, are not the resize plugin's business.
  Ok(s.Request("fixed", "1Gi"));
  json labelled = Ok(s.api.res->Get(s.claims, "default", "fixed"));
  labelled["metadata"]["labels"] = {{"tier", "db"}};
  Ok(s.api.res->Update(s.claims, "default", "fixed", labelled, "", {}, nullptr));
}

TEST_CASE("a claim's request may go down only to above its capacity", "[api][storage]") {
  Storage s;
  s.AddClass(Class("growing", false, true));
  Ok(s.CreateClaim(Claim("data", {{"storageClassName", "growing"}})));
  s.Bind("data", "1Gi");
  Ok(s.Request("data", "4Gi"));  // an expansion that the volume could not follow
  // Back down to 2Gi recovers (still above the 1Gi the volume has) ...
  json recovered = Ok(s.Request("data", "2Gi"));
  CHECK(recovered["spec"]["resources"]["requests"]["storage"] == "2Gi");
  // ... to the volume's size or below is a shrink, which Kubernetes never does.
  for (const char* size : {"1Gi", "512Mi"}) {
    auto shrink = s.Request("data", size);
    REQUIRE_FALSE(shrink.ok());
    CHECK(shrink.error().code == 422);
    CHECK_THAT(shrink.error().message,
               Catch::Contains("spec.resources.requests.storage: Forbidden: field can not be "
                               "less than status.capacity"));
  }
  // Other spec fields of a bound claim stay as they were.
  json pvc = Ok(s.api.res->Get(s.claims, "default", "data"));
  pvc["spec"]["accessModes"] = {"ReadWriteMany"};
  auto changed = s.api.res->Update(s.claims, "default", "data", pvc, "", {}, nullptr);
  REQUIRE_FALSE(changed.ok());
  CHECK(changed.error().code == 422);
  CHECK_THAT(changed.error().message, Catch::Contains("spec: Forbidden: spec is immutable"));
}
