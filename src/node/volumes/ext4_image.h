// ext4 filesystems in image files, for enforced local-path volumes. Internal to skiff_volumes.
//
// The messages of these functions' errors give only the cause ("No space left on device",
// "mkfs.ext4 exited with status 1: ..."): the caller names the volume and what it was doing.
#pragma once

#include <cstdint>
#include <string>

#include "skiff/common/status.h"

namespace skiff::node::internal {

// Makes `tmp` a sparse file of `bytes` holding a new ext4 filesystem, quickly: no discard, the
// inode tables and journal not zeroed (the file reads as zeros: assume_storage_prezeroed, so
// the kernel does not zero them in the background either), no blocks reserved for root, the
// root directory owned by root with mode 0777 (as k3s's local-path directories are; set with
// debugfs, as mke2fs has no option for it). Then it becomes `image` for good (fsynced,
// renamed, directory fsynced). A `tmp` left by an earlier attempt is replaced; on failure
// `tmp` is removed and `image` does not exist.
Status CreateExt4Image(const std::string& tmp, const std::string& image, int64_t bytes);

// What the image's primary superblock says.
struct Ext4Superblock {
  int64_t block_size = 0;
  int64_t blocks = 0;
  bool clean = false;   // s_state: valid and no errors recorded
};
// kCorrupt when the file holds no ext4 superblock.
Result<Ext4Superblock> ReadExt4Superblock(const std::string& image);

// Before a mount: when the superblock records errors or an unchecked filesystem, runs
// `e2fsck -p` (which fixes what is safe to fix without a person). A filesystem that was only
// not cleanly unmounted (power cut) is left to the kernel, which replays its journal at mount.
// kCorrupt when e2fsck cannot fix it unattended.
Status CheckExt4Image(const std::string& image);

// Grows the filesystem mounted on `mount_point` online to `bytes` (rounded down to whole
// blocks), as resize2fs does on a mounted filesystem (EXT4_IOC_RESIZE_FS); the device below
// must already be that large. kUnimplemented when the kernel does not let this process
// (it needs CAP_SYS_RESOURCE, which some containers drop): grow it offline then.
Status GrowMountedExt4(const std::string& mount_point, int64_t bytes);

// Grows the filesystem in the unmounted `image` to the image's size: e2fsck -f -p (resize2fs
// insists on a freshly checked filesystem), then resize2fs.
Status GrowExt4Image(const std::string& image);

}  // namespace skiff::node::internal
