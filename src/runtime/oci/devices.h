// The host's device nodes, for privileged containers (containerd's oci.HostDevices).
// Internal to skiff_oci.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace skiff::runtime::internal {

// OCI linux.devices entries ({path, type, major, minor, fileMode, uid, gid}) for every character
// and block device under `dev_root` (normally "/dev"), skipping pts, shm, fd, mqueue and the
// console as containerd does. Unreadable directories are skipped. Sorted by path.
nlohmann::json HostDevices(const std::string& dev_root = "/dev");

}  // namespace skiff::runtime::internal
