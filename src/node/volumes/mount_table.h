// The mount table as this process sees it (/proc/self/mountinfo), tmpfs mounts and unmounts.
// Internal to skiff_volumes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::node::internal {

// Mount points at or below `dir` (canonical path), deepest first. kInternal when mountinfo
// cannot be read.
Result<std::vector<std::string>> MountPointsUnder(const std::string& dir);

// True when `path` (canonical) is itself a mount point.
Result<bool> IsMountPoint(const std::string& path);

// The source and type of the filesystem mounted on `mount_point` (canonical path), e.g.
// {"/dev/loop7", "ext4"} or {"10.0.0.5:/export", "nfs4"}; the topmost one when mounts are
// stacked. kNotFound when nothing is mounted there, kInternal when mountinfo cannot be read.
struct MountedFs {
  std::string source;
  std::string fs_type;
};
Result<MountedFs> MountedAt(const std::string& mount_point);

// Mounts a tmpfs at `path` with size=<size_bytes> (0 = the kernel's default, half of RAM).
Status MountTmpfs(const std::string& path, int64_t size_bytes);

// Unmounts `path`; when it is busy, detaches it lazily (MNT_DETACH).
Status Unmount(const std::string& path);

}  // namespace skiff::node::internal
