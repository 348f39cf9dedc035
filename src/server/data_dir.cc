#include "data_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace skiff::server {

Status MakeDirs(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("empty directory path");
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return UnavailableError("cannot create directory " + part + ": " + std::strerror(errno));
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return UnavailableError(path + " is not a directory");
  }
  return Status::Ok();
}

}  // namespace skiff::server
