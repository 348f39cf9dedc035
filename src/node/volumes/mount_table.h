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

// Mounts a tmpfs at `path` with size=<size_bytes> (0 = the kernel's default, half of RAM).
Status MountTmpfs(const std::string& path, int64_t size_bytes);

// Unmounts `path`; when it is busy, detaches it lazily (MNT_DETACH).
Status Unmount(const std::string& path);

}  // namespace skiff::node::internal
