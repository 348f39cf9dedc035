// NFS volumes: a pod's inline `nfs` volume, and (through the persistentVolumeClaim code) a
// PersistentVolume's spec.nfs with its spec.mountOptions. Internal to skiff_volumes.
//
// SetUpNfsVolume mounts <server>:<path> at `target_dir` (the caller's choice; for an inline
// volume <pod_dir>/volumes/kubernetes.io~nfs/<name>). It is idempotent: when `target_dir`
// already holds a mount of the same source, that mount is kept and nothing else is asked.
// Otherwise, in this order, each failing with the message a FailedMount event shows:
//   1. the server answers: an ONC RPC NULL call to NFS (program 100003) at the port= option's
//      port, else 2049, version 4 then 3 (or the one vers= asks), within 3 s:
//        kUnavailable "NFS server 10.0.0.5:2049 is not answering: connection refused"
//   2. the kernel has an NFS client (see skiff/node/nfs_support.h):
//        kUnimplemented "mount of 10.0.0.5:/export needs NFS support in the kernel, which this
//        node lacks (no nfs in /proc/filesystems, ...)"
//   3. the mount helper is there:
//        kUnimplemented "mount of 10.0.0.5:/export needs /sbin/mount.nfs, which is missing:
//        apt-get install nfs-common"
//   4. `mount -t nfs -o <options> <source> <target>` (nfs_mount.h), killed after 30 s:
//        kUnavailable "mount -t nfs -o ... failed: exit status 32: <what mount.nfs said>"
// A spec error (no server, a relative path) is kInvalidArgument. The effective read-only is
// `read_only` or nfs_source.readOnly: the mount gets "ro" and the VolumeSource is read-only.
// Blocks the calling thread for at most the ping timeout plus the mount timeout (~33 s); a
// dead server costs at most the ping timeout. Teardown: TearDownPodVolumes unmounts NFS
// mounts with UnmountNfs (never hangs on a dead server).
// Thread-safe for different targets; calls for one target must be serialized.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/node/nfs_support.h"
#include "skiff/node/volumes.h"

namespace skiff::node {

inline constexpr const char* kNfsPlugin = "kubernetes.io~nfs";

Result<VolumeSource> SetUpNfsVolume(const nlohmann::json& nfs_source,
                                    const std::vector<std::string>& mount_options, bool read_only,
                                    const std::string& target_dir);

namespace internal {

// What SetUpNfsVolume uses, replaceable by tests. (A name of its own: code in this namespace
// calls SetUpNfsVolume unqualified.)
struct NfsSetUpEnv {
  std::chrono::milliseconds ping_timeout{3000};
  std::chrono::milliseconds mount_timeout{30000};
  NfsSupportPaths support;
  std::string mount_binary = "/bin/mount";
};

Result<VolumeSource> SetUpNfsVolumeWith(const nlohmann::json& nfs_source,
                                        const std::vector<std::string>& mount_options,
                                        bool read_only, const std::string& target_dir,
                                        const NfsSetUpEnv& env);

// Check 1 alone: OK when an NFS server answers at host:port for one of `versions`.
Status CheckNfsServerAnswers(const std::string& host, int port, const std::vector<int>& versions,
                             std::chrono::milliseconds timeout);

}  // namespace internal
}  // namespace skiff::node
