// Mounting and unmounting NFS without hanging the caller on a dead server. Internal to
// skiff_volumes.
//
// The mount runs the system's mount helper as a child process (`mount -t nfs -o ... src
// target`, which execs mount.nfs) in its own process group; past the timeout the group is
// killed (NFS waits in the kernel are killable) and the failure says so. The unmount first
// tries a plain `umount -i` (no umount.nfs helper, which would talk to mountd) in a child with
// a short timeout; when that fails or times out, umount2(MNT_FORCE|MNT_DETACH) aborts the
// outstanding RPCs and detaches the mount at once, as `umount -f -l` does. Nothing here stats
// inside an NFS mount.
// Thread-safe: each call is independent.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "nfs_mount_request.h"
#include "skiff/common/status.h"

namespace skiff::node::internal {

inline constexpr std::chrono::seconds kNfsMountTimeout{30};
inline constexpr std::chrono::seconds kNfsUnmountTry{5};

// True when `a` and `b` name the same NFS export ("h:/x/" and "h:/x" do).
bool SameNfsSource(const std::string& a, const std::string& b);

// Runs `mount -t <fstype> -o <options> <source> <target>` via `mount_binary`. kUnavailable
// "mount -t nfs -o ... 10.0.0.5:/export <target> failed: exit status 32: <stderr>" or
// "... timed out after 30 s (killed)"; kNotFound when `mount_binary` is missing.
Status RunNfsMount(const NfsMountRequest& request, const std::string& target,
                   std::chrono::milliseconds timeout, const std::string& mount_binary = "/bin/mount");

// Unmounts the NFS mount at `path` as described above. OK when it is not mounted.
Status UnmountNfs(const std::string& path, std::chrono::milliseconds first_try = kNfsUnmountTry);

}  // namespace skiff::node::internal
