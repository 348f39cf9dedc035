// FindMatchingVolume and its helpers, on hand-built claims and volumes: pre-binding on either
// side, volumes bound elsewhere, class, volume mode, access modes, selectors, capacity, the
// smallest fit, phases, deletion, delayed binding and the scheduler's node filter.
#include "skiff/apis/volume_match.h"

#include <catch2/catch.hpp>

using nlohmann::json;
using namespace skiff::apis;

namespace {

json Claim(const std::string& name, const std::string& size, const std::string& cls = "") {
  json c = {{"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
            {"spec",
             {{"accessModes", {"ReadWriteOnce"}},
              {"resources", {{"requests", {{"storage", size}}}}},
              {"storageClassName", cls}}}};
  return c;
}

json Volume(const std::string& name, const std::string& size, const std::string& cls = "") {
  return {{"metadata", {{"name", name}}},
          {"spec",
           {{"capacity", {{"storage", size}}},
            {"accessModes", {"ReadWriteOnce", "ReadOnlyMany"}},
            {"storageClassName", cls},
            {"hostPath", {{"path", "/tmp/" + name}}}}},
          {"status", {{"phase", "Available"}}}};
}

std::string Match(const json& claim, const std::vector<json>& volumes, bool delay = false,
                  const std::function<bool(const json&)>& fits = {}) {
  std::vector<const json*> ptrs;
  for (const json& v : volumes) ptrs.push_back(&v);
  const json* found = FindMatchingVolume(claim, ptrs, delay, fits);
  return found ? (*found)["metadata"]["name"].get<std::string>() : "";
}

}  // namespace

TEST_CASE("volume match: the smallest volume that fits wins", "[apis][volume]") {
  json claim = Claim("c", "1Gi");
  std::vector<json> vols = {Volume("big", "10Gi"), Volume("small", "500Mi"), Volume("fit", "2Gi"),
                            Volume("exact", "1024Mi")};
  CHECK(Match(claim, vols) == "exact");
  vols.pop_back();
  CHECK(Match(claim, vols) == "fit");
  CHECK(Match(Claim("huge", "100Gi"), vols) == "");
}

TEST_CASE("volume match: a volume pre-bound to the claim wins over a better fit",
          "[apis][volume]") {
  json claim = Claim("c", "1Gi");
  json prebound = Volume("mine", "5Gi");
  prebound["spec"]["claimRef"] = {{"name", "c"}, {"namespace", "default"}};
  prebound["status"]["phase"] = "Pending";  // phase and class do not matter for it
  prebound["spec"]["storageClassName"] = "";
  std::vector<json> vols = {Volume("exact", "1Gi"), prebound};
  CHECK(Match(claim, vols) == "mine");
  // With the claim's uid it still is; with another uid it belongs to an earlier claim.
  vols[1]["spec"]["claimRef"]["uid"] = "uid-c";
  CHECK(Match(claim, vols) == "mine");
  vols[1]["spec"]["claimRef"]["uid"] = "uid-old";
  CHECK(Match(claim, vols) == "exact");
  // Pre-bound but too small: not usable.
  vols[1]["spec"]["claimRef"]["uid"] = "uid-c";
  vols[1]["spec"]["capacity"]["storage"] = "100Mi";
  CHECK(Match(claim, vols) == "exact");
}

TEST_CASE("volume match: volumes bound to other claims are skipped", "[apis][volume]") {
  json other = Volume("taken", "1Gi");
  other["spec"]["claimRef"] = {{"name", "x"}, {"namespace", "default"}, {"uid", "uid-x"}};
  json other_ns = Volume("taken-ns", "1Gi");
  other_ns["spec"]["claimRef"] = {{"name", "c"}, {"namespace", "other"}};
  CHECK(Match(Claim("c", "1Gi"), {other, other_ns}) == "");
  CHECK(Match(Claim("c", "1Gi"), {other, other_ns, Volume("free", "3Gi")}) == "free");
}

TEST_CASE("volume match: storage class must be equal", "[apis][volume]") {
  CHECK(Match(Claim("c", "1Gi", "fast"), {Volume("v", "1Gi", "slow")}) == "");
  CHECK(Match(Claim("c", "1Gi", "fast"), {Volume("v", "1Gi", "fast")}) == "v");
  CHECK(Match(Claim("c", "1Gi", ""), {Volume("v", "1Gi", "fast")}) == "");
  CHECK(Match(Claim("c", "1Gi", "fast"), {Volume("v", "1Gi", "")}) == "");
  // The beta annotation wins over the field.
  json claim = Claim("c", "1Gi", "");
  claim["metadata"]["annotations"] = {{"volume.beta.kubernetes.io/storage-class", "fast"}};
  CHECK(Match(claim, {Volume("v", "1Gi", "fast")}) == "v");
  CHECK(ClaimStorageClass(claim) == "fast");
  CHECK(ClaimHasStorageClass(claim));
  json no_class = Claim("c", "1Gi");
  no_class["spec"].erase("storageClassName");
  CHECK_FALSE(ClaimHasStorageClass(no_class));
  CHECK(ClaimHasStorageClass(Claim("c", "1Gi", "")));
}

TEST_CASE("volume match: volume mode and access modes", "[apis][volume]") {
  json block = Volume("block", "1Gi");
  block["spec"]["volumeMode"] = "Block";
  CHECK(Match(Claim("c", "1Gi"), {block}) == "");
  json block_claim = Claim("c", "1Gi");
  block_claim["spec"]["volumeMode"] = "Block";
  CHECK(Match(block_claim, {block, Volume("fs", "1Gi")}) == "block");

  json rwx = Claim("c", "1Gi");
  rwx["spec"]["accessModes"] = {"ReadWriteMany"};
  CHECK(Match(rwx, {Volume("v", "1Gi")}) == "");
  json two = Claim("c", "1Gi");
  two["spec"]["accessModes"] = {"ReadWriteOnce", "ReadOnlyMany"};
  CHECK(Match(two, {Volume("v", "1Gi")}) == "v");
  // Access modes are checked for a pre-bound volume too.
  json prebound = Volume("p", "1Gi");
  prebound["spec"]["claimRef"] = {{"name", "c"}, {"namespace", "default"}};
  CHECK(Match(rwx, {prebound}) == "");
}

TEST_CASE("volume match: the claim's selector on the volume's labels", "[apis][volume]") {
  json claim = Claim("c", "1Gi");
  claim["spec"]["selector"] = {
      {"matchLabels", {{"tier", "db"}}},
      {"matchExpressions", {{{"key", "zone"}, {"operator", "In"}, {"values", {"a", "b"}}}}}};
  json good = Volume("good", "5Gi");
  good["metadata"]["labels"] = {{"tier", "db"}, {"zone", "b"}};
  json wrong_zone = Volume("wrong-zone", "1Gi");
  wrong_zone["metadata"]["labels"] = {{"tier", "db"}, {"zone", "c"}};
  json unlabelled = Volume("unlabelled", "1Gi");
  CHECK(Match(claim, {wrong_zone, unlabelled, good}) == "good");

  json not_in = Claim("c", "1Gi");
  not_in["spec"]["selector"] = {{"matchExpressions",
                                 {{{"key", "zone"}, {"operator", "NotIn"}, {"values", {"c"}}},
                                  {{"key", "broken"}, {"operator", "DoesNotExist"}}}}};
  CHECK(Match(not_in, {wrong_zone, unlabelled}) == "unlabelled");
  json exists = Claim("c", "1Gi");
  exists["spec"]["selector"] = {{"matchExpressions", {{{"key", "zone"}, {"operator", "Exists"}}}}};
  CHECK(Match(exists, {unlabelled, wrong_zone}) == "wrong-zone");
  json bad = Claim("c", "1Gi");
  bad["spec"]["selector"] = {{"matchExpressions", {{{"key", "zone"}, {"operator", "Near"}}}}};
  CHECK(Match(bad, {wrong_zone}) == "");
  json empty = Claim("c", "1Gi");
  empty["spec"]["selector"] = json::object();
  CHECK(Match(empty, {unlabelled}) == "unlabelled");
}

TEST_CASE("volume match: phases and deletion", "[apis][volume]") {
  json released = Volume("released", "1Gi");
  released["status"]["phase"] = "Released";
  json pending = Volume("pending", "1Gi");
  pending["status"]["phase"] = "Pending";
  json deleting = Volume("deleting", "1Gi");
  deleting["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  CHECK(Match(Claim("c", "1Gi"), {released, pending, deleting}) == "");
  // A pre-bound volume being deleted is skipped as well.
  deleting["spec"]["claimRef"] = {{"name", "c"}, {"namespace", "default"}};
  CHECK(Match(Claim("c", "1Gi"), {deleting}) == "");
  CHECK(VolumeIsBeingDeleted(deleting));
}

TEST_CASE("volume match: delayed binding leaves unbound volumes to the scheduler",
          "[apis][volume]") {
  json claim = Claim("c", "1Gi", "local");
  json a = Volume("a", "1Gi", "local");
  json b = Volume("b", "1Gi", "local");
  b["metadata"]["labels"] = {{"node", "n2"}};
  CHECK(Match(claim, {a, b}, true) == "");
  CHECK(Match(claim, {a, b}, false) == "a");
  auto on_n2 = [](const json& pv) {
    return pv["metadata"].contains("labels") && pv["metadata"]["labels"]["node"] == "n2";
  };
  CHECK(Match(claim, {a, b}, true, on_n2) == "b");
  CHECK(Match(claim, {a}, true, on_n2) == "");
  // Pre-bound volumes match under delayed binding, unless the node filter rejects them.
  a["spec"]["claimRef"] = {{"name", "c"}, {"namespace", "default"}, {"uid", "uid-c"}};
  CHECK(Match(claim, {a, b}, true) == "a");
  CHECK(Match(claim, {a, b}, true, on_n2) == "");
}

TEST_CASE("volume match: helpers", "[apis][volume]") {
  json claim = Claim("c", "1Gi");
  CHECK_FALSE(ClaimIsBound(claim));
  claim["spec"]["volumeName"] = "v";
  CHECK_FALSE(ClaimIsBound(claim));
  claim["metadata"]["annotations"] = {{"pv.kubernetes.io/bind-completed", "yes"}};
  CHECK(ClaimIsBound(claim));
  REQUIRE(ClaimStorageRequest(claim));
  CHECK(Value(*ClaimStorageRequest(claim)) == 1024 * 1024 * 1024);
  CHECK_FALSE(ClaimStorageRequest(json::object()));
  CHECK(VolumeModeOf(claim) == "Filesystem");

  json v = Volume("v", "1Gi");
  CHECK(VolumeMismatch(v, Claim("c", "1Gi")) == "");
  CHECK(VolumeMismatch(v, Claim("c", "2Gi")) == "requested PV is too small");
  CHECK(VolumeMismatch(v, Claim("c", "1Gi", "x")) == "storageClassName does not match");
  json block = Claim("c", "1Gi");
  block["spec"]["volumeMode"] = "Block";
  CHECK(VolumeMismatch(v, block) == "incompatible volumeMode");
  json rwx = Claim("c", "1Gi");
  rwx["spec"]["accessModes"] = {"ReadWriteMany"};
  CHECK(VolumeMismatch(v, rwx) == "incompatible accessMode");
  v["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  CHECK(VolumeMismatch(v, Claim("c", "1Gi")) == "the volume is marked for deletion \"v\"");
}
