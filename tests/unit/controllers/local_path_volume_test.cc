// The PersistentVolume the local-path provisioner builds for a claim: its exact shape, the
// class's defaults, and what it refuses.
#include "controllers/local_path_volume.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using skiff::Code;
using skiff::controllers::LocalPathVolume;
using skiff::controllers::LocalPathVolumeName;

namespace {

json Claim() {
  return {{"metadata",
           {{"name", "data"}, {"namespace", "apps"}, {"uid", "1234"}, {"resourceVersion", "42"}}},
          {"spec",
           {{"accessModes", {"ReadWriteOnce"}},
            {"resources", {{"requests", {{"storage", "2Gi"}}}}},
            {"storageClassName", "local-path"},
            {"volumeMode", "Filesystem"}}}};
}

json Class(const json& extra = json::object()) {
  json sc = {{"metadata", {{"name", "local-path"}}}, {"provisioner", "skiff.io/local-path"}};
  sc.update(extra);
  return sc;
}

}  // namespace

TEST_CASE("local path volume: the shape storage.h describes", "[controllers][pv]") {
  auto pv = LocalPathVolume(Claim(), Class(), "node-a", "/var/lib/skiff/storage");
  REQUIRE(pv.ok());
  CHECK(LocalPathVolumeName(Claim()) == "pvc-1234");
  json want = {{"apiVersion", "v1"},
               {"kind", "PersistentVolume"},
               {"metadata",
                {{"name", "pvc-1234"},
                 {"annotations",
                  {{"pv.kubernetes.io/provisioned-by", "skiff.io/local-path"},
                   {"pv.kubernetes.io/bound-by-controller", "yes"},
                   {"skiff.io/local-path-capacity", "enforced"}}},
                 {"finalizers", {"skiff.io/local-path-cleanup"}}}},
               {"spec",
                {{"capacity", {{"storage", "2Gi"}}},
                 {"accessModes", {"ReadWriteOnce"}},
                 {"volumeMode", "Filesystem"},
                 {"persistentVolumeReclaimPolicy", "Delete"},
                 {"storageClassName", "local-path"},
                 {"claimRef",
                  {{"kind", "PersistentVolumeClaim"},
                   {"namespace", "apps"},
                   {"name", "data"},
                   {"uid", "1234"},
                   {"apiVersion", "v1"},
                   {"resourceVersion", "42"}}},
                 {"local", {{"path", "/var/lib/skiff/storage/pvc-1234_apps_data"}}},
                 {"nodeAffinity",
                  {{"required",
                    {{"nodeSelectorTerms",
                      {{{"matchExpressions",
                         {{{"key", "kubernetes.io/hostname"},
                           {"operator", "In"},
                           {"values", {"node-a"}}}}}}}}}}}}}}};
  CHECK(pv->dump(2) == want.dump(2));
}

TEST_CASE("local path volume: the class's reclaim policy mount options and capacity mode",
          "[controllers][pv]") {
  json sc = Class({{"reclaimPolicy", "Retain"},
                   {"mountOptions", {"noatime"}},
                   {"parameters", {{"capacity", "unenforced"}}}});
  json claim = Claim();
  claim["spec"]["accessModes"] = {"ReadWriteOncePod"};
  auto pv = LocalPathVolume(claim, sc, "n", "/r");
  REQUIRE(pv.ok());
  CHECK((*pv)["spec"]["persistentVolumeReclaimPolicy"] == "Retain");
  CHECK((*pv)["spec"]["mountOptions"] == json({"noatime"}));
  CHECK((*pv)["spec"]["accessModes"] == json({"ReadWriteOncePod"}));
  CHECK((*pv)["metadata"]["annotations"]["skiff.io/local-path-capacity"] == "unenforced");
}

TEST_CASE("local path volume: what the provisioner refuses", "[controllers][pv]") {
  json rwx = Claim();
  rwx["spec"]["accessModes"] = {"ReadWriteOnce", "ReadWriteMany"};
  auto r = LocalPathVolume(rwx, Class(), "n", "/r");
  REQUIRE(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message() ==
        "skiff.io/local-path supports only the ReadWriteOnce and ReadWriteOncePod access "
        "modes, not ReadWriteMany");

  json block = Claim();
  block["spec"]["volumeMode"] = "Block";
  r = LocalPathVolume(block, Class(), "n", "/r");
  CHECK(r.status().message() ==
        "skiff.io/local-path supports only volumeMode Filesystem, not Block");

  json selector = Claim();
  selector["spec"]["selector"] = {{"matchLabels", {{"a", "b"}}}};
  r = LocalPathVolume(selector, Class(), "n", "/r");
  CHECK(r.status().message() == "claim Selector is not supported");

  r = LocalPathVolume(Claim(), Class({{"parameters", {{"capacity", "strict"}}}}), "n", "/r");
  CHECK(r.status().message() ==
        "invalid parameter capacity=\"strict\" of StorageClass \"local-path\": must be "
        "\"enforced\" or \"unenforced\"");
}
