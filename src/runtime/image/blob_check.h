// The checks of committed blobs the image store runs at Open (the policy is stated in
// skiff/runtime/image_store.h, "Power loss"). Internal to skiff_image.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/image/file_content_store.h"

namespace skiff::runtime::image_detail {

struct BlobCheckPolicy {
  // Blobs up to this size are hashed at every Open: manifests, indexes, configs and tiny layers.
  int64_t always_hash_bytes = int64_t{1} << 20;
  // The last shutdown was not clean (a crash or a power cut): also hash every blob written
  // within recent_seconds of the newest blob.
  bool unclean = false;
  int64_t recent_seconds = 600;
};

// Hashes the blobs the policy selects, and every blob whose size differs from what a manifest
// or index among the small blobs declares for it; deletes (and logs, with the path and the
// cause) each one whose content does not match its name or cannot be read. Returns how many it
// deleted. Single-threaded: Open calls it before the store is shared.
size_t CheckBlobsAtOpen(const FileContentStore& content, const BlobCheckPolicy& policy);

}  // namespace skiff::runtime::image_detail
