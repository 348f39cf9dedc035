// Paths inside a container's rootfs, resolved the way the container would see them: symlinks
// are followed with the rootfs as "/", and ".." never climbs above it (like containerd's
// fs.RootPath). Internal to skiff_oci.
#pragma once

#include <string>

#include "skiff/common/status.h"

namespace skiff::runtime::internal {

// The host path of `path` inside `root` with every symlink resolved inside root. Components
// that do not exist are kept as they are. kInvalidArgument after 255 symlinks (a loop).
Result<std::string> ResolveInRoot(const std::string& root, const std::string& path);

// Lexically cleans an absolute or relative path (Go's filepath.Clean).
std::string CleanPath(const std::string& path);

}  // namespace skiff::runtime::internal
