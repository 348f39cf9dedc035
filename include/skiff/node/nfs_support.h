// Whether this node can mount NFS volumes: the kernel's NFS client and the mount helper
// (mount.nfs, from nfs-common). Read by the NFS volume's pre-mount checks and by `skiff check`.
//
// The kernel can when "nfs" or "nfs4" is in /proc/filesystems, or when its nfs module is
// installed (listed in /lib/modules/<release>/modules.dep) and module loading is on
// (/proc/sys/kernel/modules_disabled reads 0): the first mount loads it. A kernel built
// without module support and without NFS can never mount NFS: no package fixes that.
// The paths are parameters so tests can point them at files of their own.
// Thread-safe: reads files, keeps no state.
#pragma once

#include <string>

namespace skiff::node {

struct NfsClientSupport {
  bool kernel = false;      // the kernel can mount nfs (built in, loaded, or loadable)
  std::string kernel_how;   // "nfs in /proc/filesystems", "nfs module for 6.1.0-18-amd64 ..."
  std::string kernel_lack;  // when !kernel: "no nfs in /proc/filesystems, no nfs module ..."
  bool helper = false;      // the mount helper exists and is executable
  std::string helper_path;  // as checked
};

struct NfsSupportPaths {
  std::string proc_filesystems = "/proc/filesystems";
  std::string modules_root = "/lib/modules";  // <root>/<uname -r>/modules.dep
  std::string modules_disabled = "/proc/sys/kernel/modules_disabled";
  std::string mount_helper = "/sbin/mount.nfs";
};

NfsClientSupport CheckNfsClientSupport(const NfsSupportPaths& paths = NfsSupportPaths());

}  // namespace skiff::node
