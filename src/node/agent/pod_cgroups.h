// skiff's own cgroups, in every mounted cgroup hierarchy (each cgroup v1 controller, the
// name=systemd hierarchy, and the v2 unified one):
//   <hierarchy>/skiff/pod<uid>/<container id>   a pod's containers (runc creates these from
//                                              the container's cgroupsPath)
//   <hierarchy>/skiff/shims                    every pod's containerd-shim-runc-v2 (and the
//                                              log drivers it starts)
// The shims live outside the cgroup of skiff's own service, so stopping that service (any
// systemd KillMode) leaves every workload running; a pod's cgroups go when the pod goes.
// It also reads what a pod's cgroups use now, for node-pressure eviction.
// Thread-safe (no state beyond the hierarchy list fixed at construction).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::node {

class PodCgroups {
 public:
  // The cgroupsPath of a pod's container (absolute within each hierarchy).
  static std::string ContainerPath(const std::string& pod_uid, const std::string& container_id) {
    return "/skiff/pod" + pod_uid + "/" + container_id;
  }

  // `hierarchies`: mount points of the cgroup hierarchies to manage.
  explicit PodCgroups(std::vector<std::string> hierarchies, std::string root = "/skiff")
      : hierarchies_(std::move(hierarchies)), root_(std::move(root)) {}
  // Every cgroup and cgroup2 mount point listed in `mounts` (/proc/self/mounts format).
  static std::vector<std::string> MountedHierarchies(const std::string& mounts = "/proc/self/mounts");

  // The cgroup.procs files of <root>/shims in every hierarchy, creating the cgroups where
  // missing (for a process that joins them itself). Errors name the hierarchy.
  Result<std::vector<std::string>> ShimsProcsFiles() const;

  // Moves process `pid` (not its existing children) into <root>/shims in every hierarchy,
  // creating the cgroup where missing (with a cpuset's cpus and mems copied from its
  // parent). Errors name the hierarchy; the process stays where it was in those.
  Status MoveToShims(pid_t pid) const;

  // Removes <root>/pod<uid> and its (empty) container cgroups in every hierarchy. Absent
  // cgroups are fine; one that still holds processes is kUnavailable, naming it.
  Status RemovePod(const std::string& uid) const;

  // Removes <root>/pod<uid> for every uid not in `live` (pods this node no longer has) whose
  // cgroup changed no later than `min_age` ago (a pod of another skiff on the same host being
  // started now is left alone); returns how many pods' cgroups went. Busy ones are left and
  // logged.
  size_t RemoveOrphans(const std::set<std::string>& live,
                       std::chrono::seconds min_age = std::chrono::seconds(60)) const;

  // The memory working set of pod `uid` (of its container `container_id`, when given), as
  // cAdvisor and kubelet count it: memory.usage_in_bytes (v1) or memory.current (v2) less the
  // inactive file cache memory.stat reports, read from the first hierarchy that accounts
  // memory for that cgroup. nullopt when none has it.
  std::optional<int64_t> MemoryWorkingSet(const std::string& uid,
                                          const std::string& container_id = "") const;
  // The processes in pod `uid`'s cgroup (pids.current, v1 or v2); nullopt when none has it.
  std::optional<int64_t> Processes(const std::string& uid) const;

 private:
  const std::vector<std::string> hierarchies_;
  const std::string root_;
};

}  // namespace skiff::node
