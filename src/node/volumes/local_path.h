// The data of local-path PersistentVolumes on this node (see skiff/apis/storage.h for how the
// provisioner names them). A volume's directory is spec.local.path,
// <root>/pvc-<uid>_<namespace>_<claim>; what pods bind into their containers is that directory.
//
//   unenforced  the directory itself (mode 0777, as k3s's local-path provisioner makes it):
//               the claim's size is not enforced.
//   enforced    an ext4 filesystem in a sparse image file of the claim's size, loop-mounted
//               (nodev,nosuid) on the directory, so writing beyond the size fails with ENOSPC.
//               The image is <root>/.images/<directory name>.img: beside the directory on the
//               same filesystem, and never a claim's directory (those are "pvc-..."). While it
//               is being made it is <root>/.images/<directory name>.img.tmp; only a finished
//               image is renamed into place, so a crash mid-creation leaves a .tmp that the
//               next call removes and makes again (never a half filesystem mounted, never a
//               crash loop). The image is sparse: space on the node's disk is taken as it is
//               written. An image is made (or grown) only when the disk's free space covers
//               it on top of what the other images may still take (image_room.h), so volumes
//               never promise more than the disk has; other files filling the disk can still
//               fail a write before the volume is full.
//
// Mounts are not remembered anywhere: after a reboot (or anything that unmounted it) the next
// EnsureLocalPathVolume mounts the image again. Before mounting, a filesystem whose superblock
// records errors (or that was never checked) gets `e2fsck -p`; one that was merely not cleanly
// unmounted (power cut) is mounted as it is and the kernel replays its journal, as for any
// ext4 filesystem. The loop device detaches itself when the filesystem is unmounted
// (LO_FLAGS_AUTOCLEAR), so nothing leaks when a volume is deleted.
//
// Errors name the volume's path and the cause, e.g.
//   cannot create the 1Gi image for /var/lib/skiff/storage/pvc-..._default_data: No space left
//   on device
// Codes: kInvalidArgument (a bad request: shrinking, a PV without a path), kNotFound (no data
// on this node), kCorrupt (an image e2fsck cannot repair unattended), kInternal (the host
// refused: mkfs, loop, mount, file system errors).
//
// Thread-safety: calls for the same path are serialized inside (a pod's set-up and the
// agent's expansion may race); calls for different paths run concurrently. Requires root.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/common/status.h"

namespace skiff::node {

// Makes the volume's data exist and be ready for pods. Idempotent: an existing directory or
// image keeps its data; a mounted one is left as it is. An enforced image smaller than
// `capacity_bytes` (its PersistentVolume grew) is grown as ExpandLocalPathVolume does (when
// that must wait because the volume is in use, it is served at its old size); a larger one
// is kept. capacity_bytes must be positive when enforced.
Status EnsureLocalPathVolume(const std::string& path, int64_t capacity_bytes,
                             bool enforce_capacity);

// Grows an enforced volume's image and its filesystem to `capacity_bytes` (the image is
// mounted first if it is not): the image file is extended (and fsynced), the loop device told
// (LOOP_SET_CAPACITY) and the mounted filesystem grown online, as resize2fs does. Where the
// kernel refuses online growth (skiff without CAP_SYS_RESOURCE, as in some containers) the
// volume is unmounted, grown with e2fsck -f -p + resize2fs and mounted again; kUnavailable
// when it is in use then (retry later). kInvalidArgument when `capacity_bytes` is smaller
// than the image (shrinking is refused); kNotFound when the volume has no data on this node.
// Nothing to do for an unenforced volume (a directory) or a filesystem of that size already;
// a growth that a crash interrupted is finished.
Status ExpandLocalPathVolume(const std::string& path, int64_t capacity_bytes);

// Removes the volume's data: unmounts whatever is mounted on or below the directory (lazily
// when busy), then removes the directory and the image. OK when nothing is there.
Status DeleteLocalPathVolume(const std::string& path);

// Unmounts whatever is mounted on or below the directory and keeps every file: for a volume
// whose PersistentVolume goes with reclaim policy Retain, whose data stays for an
// administrator to keep or remove. OK when nothing is mounted.
Status UnmountLocalPathVolume(const std::string& path);

// The size of the filesystem holding the volume's data, as statfs reports it (f_blocks *
// f_frsize: for an enforced volume a little less than its capacity, after ext4's metadata).
// kNotFound when the directory does not exist.
Result<int64_t> LocalPathVolumeSize(const std::string& path);

// What is on this node for a volume, without changing anything.
struct LocalPathVolumeState {
  bool exists = false;        // the directory or the image exists
  bool enforced = false;      // an image exists
  bool mounted = false;       // the directory is a mount point
  int64_t image_bytes = 0;    // the image's size (the capacity it was made or grown to)
};
Result<LocalPathVolumeState> InspectLocalPathVolume(const std::string& path);

// Where an enforced volume's image lives (see above).
std::string LocalPathImage(const std::string& path);

// For a pod that mounts a PersistentVolume: the host directory to bind into its containers.
// A volume of the local-path provisioner (annotation pv.kubernetes.io/provisioned-by) is made
// ready with EnsureLocalPathVolume (spec.local.path, spec.capacity.storage, enforced when
// annotation skiff.io/local-path-capacity is "enforced"). Any other `local` PersistentVolume
// is used as it is, and must exist (kNotFound "path \"/mnt/x\" does not exist", kubelet's
// words). kInvalidArgument for a PersistentVolume without spec.local.path.
Result<std::string> PrepareLocalPathVolume(const nlohmann::json& pv);

}  // namespace skiff::node
