// Local ephemeral storage limits, enforced as kubelet's eviction manager does: every
// `interval` the pods of this node are measured, and a pod is evicted (PodWorker::Evict) for
// the first of these it breaks, with kubelet's message:
//   1. an emptyDir on disk holds more than its sizeLimit:
//        Usage of EmptyDir volume "<volume>" exceeds the limit "<sizeLimit>".
//   2. the pod uses more than the ephemeral-storage limits of its containers add up to (app
//      containers summed, an init container's own limit when larger):
//        Pod ephemeral local storage usage exceeds the total limit of containers <limit>.
//   3. a container's writable layer and logs exceed its ephemeral-storage limit:
//        Container <name> exceeded its local ephemeral storage limit "<limit>".
// (each message ends with a space, as kubelet's do). Memory-backed emptyDirs are bounded by
// their tmpfs size and are not counted. Pods that are finished or being deleted are skipped.
// Runs on its own thread; RunOnce is the loop's body.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/periodic.h"

namespace skiff::node {

// What a pod's storage holds now, in bytes allocated on disk.
struct PodStorageUsage {
  std::map<std::string, int64_t> empty_dirs;  // disk-backed emptyDir volumes, by name
  std::map<std::string, int64_t> containers;  // writable layer + logs, by container name
  int64_t inodes = 0;                         // the inodes all of those hold
};

// True when the pod sets any limit this checks (a sizeLimit on a disk emptyDir, or an
// ephemeral-storage limit on a container): only those pods are measured.
bool HasLocalStorageLimits(const nlohmann::json& pod);

// The eviction message for the first limit `pod` breaks with `usage`, or "". Pure.
std::string LocalStorageViolation(const nlohmann::json& pod, const PodStorageUsage& usage);

// Bytes allocated to the files under `path` (st_blocks * 512, each inode counted once),
// staying on path's filesystem; 0 when it does not exist.
int64_t DiskUsage(const std::string& path);
// The same walk, also counting the inodes (path itself included).
struct DiskUse {
  int64_t bytes = 0;
  int64_t inodes = 0;
};
DiskUse MeasureTree(const std::string& path);

class StorageEviction {
 public:
  struct Hooks {
    // The pods of this node, as last seen from the API.
    std::function<std::vector<nlohmann::json>()> pods;
    // Measures one pod (only called for pods with limits).
    std::function<PodStorageUsage(const nlohmann::json& pod)> measure;
    // Evicts a pod: uid, message.
    std::function<void(const std::string& uid, const std::string& message)> evict;
  };
  StorageEviction(Hooks hooks, std::chrono::milliseconds interval = std::chrono::seconds(10));
  ~StorageEviction();
  StorageEviction(const StorageEviction&) = delete;
  StorageEviction& operator=(const StorageEviction&) = delete;
  void Stop();
  // One pass; returns how many pods it evicted.
  int RunOnce();

 private:
  const Hooks hooks_;
  Periodic loop_;  // last: stopped first
};

}  // namespace skiff::node
