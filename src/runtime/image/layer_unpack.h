// Unpacking one layer blob into an empty directory (see layer_writer.h for what is written).
#pragma once

#include <cstdint>
#include <string>

#include "skiff/common/status.h"

namespace skiff::runtime::image_detail {

struct UnpackedLayer {
  std::string diff_id;  // sha256 of the uncompressed tar stream
  int64_t size = 0;     // bytes of regular file data
};

// blob_path: a tar, optionally gzip/zstd/xz/bzip2 compressed. dest_dir must exist and be empty.
// On error dest_dir is left half written: the caller removes it. The caller compares diff_id.
Result<UnpackedLayer> UnpackLayer(const std::string& blob_path, const std::string& dest_dir);

}  // namespace skiff::runtime::image_detail
