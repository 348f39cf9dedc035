// hostPath volume type checks (pkg/volume/hostpath). Internal to skiff_volumes.
#pragma once

#include <string>

#include "skiff/common/status.h"

namespace skiff::node::internal {

// Checks (or creates) `path` for the hostPath `type`: "" (no check; a missing path is created
// as a directory 0755, as containerd does when it binds it), DirectoryOrCreate (mkdir -p 0755),
// Directory, FileOrCreate (an empty 0644 file; the parent must exist), File, Socket,
// CharDevice, BlockDevice. kInvalidArgument with kubelet's message, e.g.
// `hostPath type check failed: /srv is not a directory`.
Status CheckHostPath(const std::string& path, const std::string& type);

}  // namespace skiff::node::internal
