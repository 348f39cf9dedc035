// Room on the node's disk for the images of enforced local-path volumes (local_path.h).
// The images are sparse: one takes disk space as its filesystem is written, so what it may
// still take (its size less the blocks it holds) is promised to it. An image made, or grown,
// needs the disk's free space to cover what it adds on top of every promise already made;
// otherwise a volume that is not full could meet a full disk, and ext4 on a loop device then
// sees write errors instead of a clean ENOSPC. The images are the files "*.img" in one
// directory (<root>/.images); anything else on that disk is counted only through free space.
#pragma once

#include <cstdint>
#include <string>

#include "skiff/common/status.h"

namespace skiff::node::internal {

struct ImageRoom {
  int64_t free_bytes = 0;      // available to skiff on the images' filesystem (statvfs f_bavail)
  int64_t promised_bytes = 0;  // what the images there may still take
};
// kNotFound when `images_dir` does not exist.
Result<ImageRoom> MeasureImageRoom(const std::string& images_dir);

// "3.2Gi", "512Mi", "100Gi", "17": bytes for a person, rounded to one decimal.
std::string FormatRoughBytes(int64_t bytes);

// OK when `extra_bytes` more may be promised to images in `images_dir`; else
// kResourceExhausted, e.g.
//   only 3.2Gi of the disk holding /var/lib/skiff/storage/.images is free, and 1Gi of that
//   is promised to volumes already made
Status CheckImageRoom(const std::string& images_dir, int64_t extra_bytes);

}  // namespace skiff::node::internal
