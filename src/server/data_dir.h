// The layout of skiff's data directory, and creating it.
//   <data-dir>/server/db/state.db   the store (embedded SQLite)
#pragma once

#include <string>

#include "skiff/common/status.h"

namespace skiff::server {

struct DataDir {
  std::string root;
  std::string db_dir() const { return root + "/server/db"; }
  std::string db_path() const { return db_dir() + "/state.db"; }
};

// Creates `path` and its parents (mode 0700 for what it creates). Fails naming the path.
Status MakeDirs(const std::string& path);

}  // namespace skiff::server
