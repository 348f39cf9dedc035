// Whole-tree file-system operations that never follow symlinks and never cross into another
// file system (a mount point below the tree is an error, not something to empty).
#pragma once

#include <cstdint>
#include <string>

#include "skiff/common/status.h"

namespace skiff::runtime::image_detail {

// Removes `path` and everything below it. A missing path is OK.
Status RemoveTree(const std::string& path);

// Removes the entry `name` of the directory `dirfd` and everything below it. `shown` is the
// path used in error messages. A missing entry is OK.
Status RemoveTreeAt(int dirfd, const std::string& name, const std::string& shown);

// Sum of the sizes of the regular files below `path`, each inode counted once.
Result<int64_t> TreeSize(const std::string& path);

}  // namespace skiff::runtime::image_detail
