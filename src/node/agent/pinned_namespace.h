// IPC and UTS namespaces a pod's containers share without a pause process: created by a
// short-lived thread that unshares them and bind-mounts /proc/thread-self/ns/<type> onto a
// file, which keeps the namespace alive until it is unmounted (as the pod's netns is).
#pragma once

#include <string>

#include "skiff/common/status.h"

namespace skiff::node {

// Creates a new IPC namespace pinned at `path` (a file created here).
Status PinIpcNamespace(const std::string& path);
// Creates a new UTS namespace with `hostname` set, pinned at `path`.
Status PinUtsNamespace(const std::string& path, const std::string& hostname);
// Unmounts and removes a pinned namespace file. Idempotent.
Status UnpinNamespace(const std::string& path);

}  // namespace skiff::node
