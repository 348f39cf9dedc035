// LocalPathManager against a real store and API objects, with real volumes on this machine
// (root: the enforced one is an ext4 image on a loop device): clean-up of a deleted volume
// and its finalizer, a failed clean-up reported and retried, growth with the claim's status
// updated, volumes of other nodes left alone; and the pure decisions.
#include "node/agent/local_path_manager.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "client/client_fixture.h"
#include "node/volumes/local_path.h"
#include "skiff/apis/storage.h"

using nlohmann::json;
using skiff::client::PersistentVolumeClaims;
using skiff::client::PersistentVolumes;
using skiff::client::testing::Cluster;
using skiff::client::testing::Eventually;
using skiff::client::testing::Ok;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kMi = int64_t{1} << 20;

// A storage root of its own; every mount below it is detached and the tree removed however
// the test ends.
struct StorageRoot {
  std::string path;
  StorageRoot() {
    char tmpl[] = "/tmp/skiff-local-path-mgr-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~StorageRoot() {
    for (const auto& e : std::filesystem::directory_iterator(path)) {
      umount2(e.path().c_str(), MNT_DETACH);
    }
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

json Volume(const std::string& name, const std::string& path, const std::string& node,
            const std::string& capacity, const std::string& mode, json claim_ref = nullptr) {
  json pv = {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolume"},
      {"metadata",
       {{"name", name},
        {"annotations",
         {{skiff::apis::kProvisionedByAnnotation, skiff::apis::kLocalPathProvisioner},
          {skiff::apis::kLocalPathCapacityAnnotation, mode}}},
        {"finalizers", {skiff::apis::kLocalPathCleanupFinalizer}}}},
      {"spec",
       {{"capacity", {{"storage", capacity}}},
        {"accessModes", {"ReadWriteOnce"}},
        {"persistentVolumeReclaimPolicy", "Delete"},
        {"storageClassName", "local-path"},
        {"local", {{"path", path}}}}}};
  json expr = {{"key", "kubernetes.io/hostname"}, {"operator", "In"}, {"values", {node}}};
  json term = {{"matchExpressions", json::array({expr})}};
  pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"] = json::array({term});
  if (!claim_ref.is_null()) pv["spec"]["claimRef"] = claim_ref;
  return pv;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool Has(const json& finalizers, const std::string& f) {
  return finalizers.is_array() &&
         std::find(finalizers.begin(), finalizers.end(), json(f)) != finalizers.end();
}

const std::string kCleanup = skiff::apis::kLocalPathCleanupFinalizer;

json Finalizers(Cluster& cluster, const std::string& name) {
  auto pv = cluster.client->Get(PersistentVolumes(), "", name);
  if (!pv.ok()) return "gone";
  return pv->at("metadata").value("finalizers", json::array());
}

// The first event of `reason` in `ns`, or null.
json FindEvent(Cluster& cluster, const std::string& ns, const std::string& reason) {
  auto list = cluster.client->List(skiff::client::Events(), ns, {});
  if (!list.ok()) return nullptr;
  for (const json& e : (*list)["items"]) {
    if (e.value("reason", "") == reason) return e;
  }
  return nullptr;
}

void DeleteVolume(Cluster& cluster, const std::string& name) {
  skiff::Status s = cluster.client->Delete(PersistentVolumes(), "", name, {});
  INFO(s.ToString());
  REQUIRE(s.ok());
}

skiff::node::LocalPathManager::Options Fast() {
  skiff::node::LocalPathManager::Options o;
  o.retry_base = 20ms;
  o.retry_max = 200ms;
  return o;
}

}  // namespace

TEST_CASE("local-path manager: a deleted volume's data goes then its finalizer",
          "[node][local-path]") {
  Cluster cluster;
  StorageRoot root;
  skiff::events::EventRecorder events(*cluster.client, {"kubelet", "n1"});
  const std::string mine = root.path + "/pvc-a_default_data";
  const std::string theirs = root.path + "/pvc-b_default_data";
  REQUIRE(skiff::node::EnsureLocalPathVolume(mine, 0, false).ok());
  REQUIRE(skiff::node::EnsureLocalPathVolume(theirs, 0, false).ok());
  std::ofstream(mine + "/data") << "x";
  json pv = Volume("pvc-a", mine, "n1", "1Gi", "unenforced");
  pv["metadata"]["finalizers"].push_back("example.com/keep");
  Ok(cluster.client->Create(PersistentVolumes(), "", pv));
  Ok(cluster.client->Create(PersistentVolumes(), "",
                            Volume("pvc-b", theirs, "n2", "1Gi", "unenforced")));
  skiff::node::LocalPathManager manager(*cluster.client, events, "n1", Fast());
  manager.Start();

  DeleteVolume(cluster, "pvc-a");
  DeleteVolume(cluster, "pvc-b");
  CHECK(Eventually([&] { return !Has(Finalizers(cluster, "pvc-a"), kCleanup); }));
  CHECK(Has(Finalizers(cluster, "pvc-a"), "example.com/keep"));  // the others stay
  CHECK_FALSE(Exists(mine));
  // Another node's volume: its data and finalizer are that node's business.
  std::this_thread::sleep_for(100ms);
  CHECK(Exists(theirs));
  CHECK(Has(Finalizers(cluster, "pvc-b"), kCleanup));
  manager.Stop();
}

TEST_CASE("local-path manager: a failed clean-up is a VolumeFailedDelete event and retried",
          "[node][local-path]") {
  Cluster cluster;
  StorageRoot root;
  skiff::events::EventRecorder events(*cluster.client, {"kubelet", "n1"});
  const std::string path = root.path + "/pvc-c_default_data";
  REQUIRE(skiff::node::EnsureLocalPathVolume(path, 0, false).ok());
  // Where the image would be: a directory that unlink(2) cannot remove.
  const std::string blocker = skiff::node::LocalPathImage(path);
  std::filesystem::create_directories(blocker + "/inside");
  Ok(cluster.client->Create(PersistentVolumes(), "",
                            Volume("pvc-c", path, "n1", "1Gi", "unenforced")));
  skiff::node::LocalPathManager manager(*cluster.client, events, "n1", Fast());
  manager.Start();
  DeleteVolume(cluster, "pvc-c");

  CHECK(Eventually([&] { return !FindEvent(cluster, "default", "VolumeFailedDelete").is_null(); }));
  json event = FindEvent(cluster, "default", "VolumeFailedDelete");
  CHECK(event["type"] == "Warning");
  CHECK(event["involvedObject"]["name"] == "pvc-c");
  CHECK(event["message"].get<std::string>().find("cannot remove " + blocker) != std::string::npos);
  CHECK(Has(Finalizers(cluster, "pvc-c"), kCleanup));

  std::filesystem::remove_all(blocker);  // the cause goes: the next retry finishes
  CHECK(Eventually([&] { return !Has(Finalizers(cluster, "pvc-c"), kCleanup); }));
  CHECK_FALSE(Exists(path));
  manager.Stop();
}

TEST_CASE("local-path manager: an enforced volume grows and its claim's status follows",
          "[node][local-path]") {
  Cluster cluster;
  StorageRoot root;
  skiff::events::EventRecorder events(*cluster.client, {"kubelet", "n1"});
  json claim = Ok(cluster.client->Create(
      PersistentVolumeClaims(), "default",
      {{"apiVersion", "v1"},
       {"kind", "PersistentVolumeClaim"},
       {"metadata", {{"name", "data"}}},
       {"spec",
        {{"accessModes", {"ReadWriteOnce"}},
         {"storageClassName", "local-path"},
         {"volumeName", "pvc-d"},
         {"resources", {{"requests", {{"storage", "32Mi"}}}}}}}}));
  claim["status"] = {{"phase", "Bound"},
                     {"accessModes", {"ReadWriteOnce"}},
                     {"capacity", {{"storage", "32Mi"}}}};
  claim = Ok(cluster.client->Update(PersistentVolumeClaims(), "default", claim, "status"));
  const std::string path = root.path + "/pvc-d_default_data";
  REQUIRE(skiff::node::EnsureLocalPathVolume(path, 32 * kMi, true).ok());
  std::ofstream(path + "/data") << "kept";
  const json ref = {{"kind", "PersistentVolumeClaim"},
                    {"namespace", "default"},
                    {"name", "data"},
                    {"uid", claim["metadata"]["uid"]}};
  json pv = Ok(cluster.client->Create(PersistentVolumes(), "",
                                      Volume("pvc-d", path, "n1", "32Mi", "enforced", ref)));
  skiff::node::LocalPathManager manager(*cluster.client, events, "n1", Fast());
  manager.Start();

  // What the expansion controller does: the claim asks for more, the volume gets it, the
  // claim waits for the node.
  claim = Ok(cluster.client->Get(PersistentVolumeClaims(), "default", "data"));
  claim["status"]["allocatedResources"] = {{"storage", "64Mi"}};
  claim["status"]["allocatedResourceStatuses"] = {{"storage", "NodeResizePending"}};
  claim["status"]["conditions"] = {{{"type", "FileSystemResizePending"},
                                    {"status", "True"},
                                    {"message", "Waiting for user to (re-)start a pod"}}};
  Ok(cluster.client->Update(PersistentVolumeClaims(), "default", claim, "status"));
  pv = Ok(cluster.client->Get(PersistentVolumes(), "", "pvc-d"));
  pv["spec"]["capacity"]["storage"] = "64Mi";
  Ok(cluster.api().Update(PersistentVolumes(), "", pv));

  CHECK(Eventually([&] {
    json c = Ok(cluster.client->Get(PersistentVolumeClaims(), "default", "data"));
    return c["status"]["capacity"]["storage"] == "64Mi";
  }));
  json done = Ok(cluster.client->Get(PersistentVolumeClaims(), "default", "data"));
  INFO(done.dump());
  CHECK_FALSE(done["status"].contains("allocatedResourceStatuses"));
  CHECK_FALSE(done["status"].contains("conditions"));
  CHECK(done["status"]["phase"] == "Bound");
  auto state = skiff::node::InspectLocalPathVolume(path);
  REQUIRE(state.ok());
  CHECK(state->image_bytes == 64 * kMi);
  CHECK(*skiff::node::LocalPathVolumeSize(path) > 50 * kMi);
  CHECK(Exists(path + "/data"));
  CHECK(Eventually([&] {
    return !FindEvent(cluster, "default", "FileSystemResizeSuccessful").is_null();
  }));
  json event = FindEvent(cluster, "default", "FileSystemResizeSuccessful");
  CHECK(event["type"] == "Normal");
  CHECK(event["involvedObject"]["name"] == "data");
  CHECK(event["message"] == "MountVolume.NodeExpandVolume succeeded for volume \"pvc-d\" n1");
  manager.Stop();
  CHECK(skiff::node::DeleteLocalPathVolume(path).ok());
}

TEST_CASE("local-path manager: which volumes are this node's and what they need",
          "[node][local-path]") {
  using skiff::node::ClaimAwaitsNodeExpansion;
  using skiff::node::PlanLocalPath;
  json pv = Volume("pvc-e", "/s/pvc-e_ns_c", "n1", "2Gi", "enforced",
                   {{"namespace", "ns"}, {"name", "c"}, {"uid", "u"}});
  auto plan = PlanLocalPath(pv, "n1");
  CHECK(plan.ours);
  CHECK_FALSE(plan.clean_up);
  CHECK(plan.enforced);
  CHECK(plan.capacity_bytes == 2048 * kMi);
  CHECK(plan.claim_name == "c");
  CHECK_FALSE(PlanLocalPath(pv, "n2").ours);
  pv["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  CHECK(PlanLocalPath(pv, "n1").clean_up);
  pv["metadata"]["finalizers"] = json::array();
  CHECK_FALSE(PlanLocalPath(pv, "n1").clean_up);
  pv["metadata"]["annotations"].erase(skiff::apis::kProvisionedByAnnotation);
  CHECK_FALSE(PlanLocalPath(pv, "n1").ours);

  json claim = {{"status", {{"phase", "Bound"}, {"capacity", {{"storage", "1Gi"}}}}}};
  CHECK(ClaimAwaitsNodeExpansion(claim, 2048 * kMi));
  CHECK_FALSE(ClaimAwaitsNodeExpansion(claim, 1024 * kMi));
  claim["status"]["conditions"] = {{{"type", "FileSystemResizePending"}, {"status", "True"}}};
  CHECK(ClaimAwaitsNodeExpansion(claim, 1024 * kMi));
  claim["status"]["phase"] = "Pending";
  CHECK_FALSE(ClaimAwaitsNodeExpansion(claim, 2048 * kMi));
}
