#include "node/agent/storage_eviction.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

using nlohmann::json;
using skiff::node::DiskUsage;
using skiff::node::HasLocalStorageLimits;
using skiff::node::LocalStorageViolation;
using skiff::node::PodStorageUsage;
using skiff::node::StorageEviction;

namespace {

constexpr int64_t kMi = 1024 * 1024;

json Pod(json volumes, json containers, json init = json::array()) {
  json pod = {{"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u1"}}},
              {"spec", {{"volumes", volumes}, {"containers", containers}}},
              {"status", {{"phase", "Running"}}}};
  if (!init.empty()) pod["spec"]["initContainers"] = init;
  return pod;
}

json Container(const std::string& name, const char* limit = nullptr) {
  json c = {{"name", name}, {"image", "busybox"}};
  if (limit) c["resources"]["limits"]["ephemeral-storage"] = limit;
  return c;
}

json EmptyDir(const std::string& name, const char* size_limit, const char* medium = nullptr) {
  json ed = json::object();
  if (size_limit) ed["sizeLimit"] = size_limit;
  if (medium) ed["medium"] = medium;
  return {{"name", name}, {"emptyDir", ed}};
}

}  // namespace

TEST_CASE("storage eviction: an emptyDir over its sizeLimit, in kubelet's words") {
  json pod = Pod({EmptyDir("scratch", "1Mi"), EmptyDir("big", "1Gi")}, {Container("app")});
  CHECK(HasLocalStorageLimits(pod));
  PodStorageUsage usage;
  usage.empty_dirs = {{"scratch", kMi}, {"big", 10 * kMi}};
  CHECK(LocalStorageViolation(pod, usage).empty());  // at the limit is fine
  usage.empty_dirs["scratch"] = kMi + 4096;
  CHECK(LocalStorageViolation(pod, usage) ==
        "Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ");
}

TEST_CASE("storage eviction: memory emptyDirs and zero limits are not checked") {
  json pod = Pod({EmptyDir("mem", "1Mi", "Memory"), EmptyDir("nolimit", nullptr),
                  EmptyDir("zero", "0")},
                 {Container("app")});
  CHECK_FALSE(HasLocalStorageLimits(pod));
  PodStorageUsage usage;
  usage.empty_dirs = {{"mem", 100 * kMi}, {"nolimit", 100 * kMi}, {"zero", 100 * kMi}};
  CHECK(LocalStorageViolation(pod, usage).empty());
}

TEST_CASE("storage eviction: the pod's total against its containers' limits added up") {
  json pod = Pod({EmptyDir("scratch", nullptr)}, {Container("a", "2Mi"), Container("b", "1Mi")});
  CHECK(HasLocalStorageLimits(pod));
  PodStorageUsage usage;
  usage.containers = {{"a", kMi}, {"b", kMi}};
  usage.empty_dirs = {{"scratch", kMi}};
  CHECK(LocalStorageViolation(pod, usage).empty());  // 3Mi of 3Mi
  usage.empty_dirs["scratch"] = kMi + 1;
  CHECK(LocalStorageViolation(pod, usage) ==
        "Pod ephemeral local storage usage exceeds the total limit of containers 3Mi. ");
  // An init container's larger limit raises the pod's.
  json with_init = Pod({EmptyDir("scratch", nullptr)}, {Container("a", "2Mi"), Container("b", "1Mi")},
                       {Container("setup", "10Mi")});
  CHECK(LocalStorageViolation(with_init, usage).empty());
}

TEST_CASE("storage eviction: a container's layer and logs over its own limit") {
  json pod = Pod(json::array(), {Container("a", "1Mi"), Container("b")});
  PodStorageUsage usage;
  usage.containers = {{"a", kMi / 2}, {"b", 50 * kMi}};
  // b has no limit of its own, but the pod's total (1Mi) is what a and b may use together.
  CHECK(LocalStorageViolation(pod, usage) ==
        "Pod ephemeral local storage usage exceeds the total limit of containers 1Mi. ");
  json both = Pod(json::array(), {Container("a", "1Mi"), Container("b", "100Mi")});
  usage.containers = {{"a", 2 * kMi}, {"b", 0}};
  CHECK(LocalStorageViolation(both, usage) ==
        "Container a exceeded its local ephemeral storage limit \"1Mi\". ");
}

TEST_CASE("storage eviction: disk usage counts allocated blocks once per inode") {
  const std::string dir = "/tmp/skiff-du-test-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/sub/deeper");
  const int64_t empty = DiskUsage(dir);
  CHECK(empty > 0);  // the directories themselves
  {
    std::ofstream f(dir + "/sub/deeper/data", std::ios::binary);
    std::string block(256 * 1024, 'x');
    for (int i = 0; i < 4; ++i) f << block;
  }
  const int64_t filled = DiskUsage(dir);
  CHECK(filled - empty >= kMi);
  CHECK(filled - empty < kMi + 64 * 1024);
  // A hard link to the same data, and a symlink to it, add (almost) nothing.
  REQUIRE(::link((dir + "/sub/deeper/data").c_str(), (dir + "/again").c_str()) == 0);
  REQUIRE(::symlink((dir + "/sub/deeper/data").c_str(), (dir + "/pointer").c_str()) == 0);
  CHECK(DiskUsage(dir) - filled < 16 * 1024);
  // A sparse file takes only what it holds.
  {
    std::ofstream f(dir + "/sparse", std::ios::binary);
    f.seekp(100 * kMi);
    f << 'x';
  }
  CHECK(DiskUsage(dir) - filled < 64 * 1024);
  CHECK(DiskUsage(dir + "/missing") == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("storage eviction: a pass evicts the pods over their limits, skipping finished ones") {
  json over = Pod({EmptyDir("scratch", "1Mi")}, {Container("app")});
  over["metadata"]["uid"] = "over";
  json fine = over;
  fine["metadata"]["uid"] = "fine";
  json finished = over;
  finished["metadata"]["uid"] = "finished";
  finished["status"]["phase"] = "Failed";
  json deleting = over;
  deleting["metadata"]["uid"] = "deleting";
  deleting["metadata"]["deletionTimestamp"] = "2026-11-28T10:00:00Z";
  json unlimited = Pod({EmptyDir("scratch", nullptr)}, {Container("app")});
  unlimited["metadata"]["uid"] = "unlimited";

  std::vector<std::string> measured;
  std::vector<std::pair<std::string, std::string>> evicted;
  StorageEviction eviction(
      {[&] { return std::vector<json>{over, fine, finished, deleting, unlimited}; },
       [&](const json& pod) {
         const std::string uid = pod["metadata"]["uid"];
         measured.push_back(uid);
         PodStorageUsage u;
         u.empty_dirs["scratch"] = uid == "fine" ? kMi / 2 : 5 * kMi;
         return u;
       },
       [&](const std::string& uid, const std::string& message) { evicted.emplace_back(uid, message); }},
      std::chrono::hours(1));
  CHECK(eviction.RunOnce() == 1);
  eviction.Stop();
  CHECK(measured == std::vector<std::string>{"over", "fine"});
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0].first == "over");
  CHECK(evicted[0].second == "Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ");
}
