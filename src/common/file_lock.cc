#include "skiff/common/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

namespace skiff {

Result<FileLock> FileLock::Acquire(const std::string& path, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, mode));
  if (!fd.valid()) {
    return UnavailableError("cannot open the lock file " + path + ": " + std::strerror(errno));
  }
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    return UnavailableError("cannot lock " + path + ": " + std::strerror(errno));
  }
  return FileLock(std::move(fd));
}

}  // namespace skiff
