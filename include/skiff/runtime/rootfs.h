// A container's root file system: an overlay mount of the image's unpacked layers.
//
//   container_dir/rootfs   the merged tree (runc's root.path)
//   container_dir/upper    the container's writes;  container_dir/work  overlay's work dir
//   container_dir/l/<n>    short symlinks to the layers, only when the lowerdir list is too long
//
// lowerdir lists the layers TOP first. An image without layers gets an empty lower dir.
// The mount option string must fit in a page: when the absolute layer paths would not fit, the
// layers are reached through short symlinks container_dir/l/0, l/1, ... and the mount is done by
// a short-lived child process that changes into container_dir and passes relative paths
// ("lowerdir=l/0:l/1,upperdir=upper,workdir=work"), as Docker's overlay2 driver does;
// /proc/mounts then shows those relative paths.
//
// Paths containing ':' or ',' are refused (overlay's option separators). Both functions are
// thread-safe for different container dirs. Requires CAP_SYS_ADMIN.
#pragma once

#include <string>

#include "skiff/common/status.h"
#include "skiff/runtime/image_store.h"

namespace skiff::runtime {

// Creates the directories and mounts the overlay. When container_dir/rootfs is already an
// overlay mount it is left as it is (a restarted agent may call this again).
Status MountRootfs(const Image& image, const std::string& container_dir);

// Unmounts container_dir/rootfs (lazily when busy) and removes rootfs, upper, work and l.
// Idempotent: nothing mounted or nothing there is OK. Never descends into another file system
// (an error when something is still mounted below the rootfs).
Status UnmountRootfs(const std::string& container_dir);

}  // namespace skiff::runtime
