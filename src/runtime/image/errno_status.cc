#include "runtime/image/errno_status.h"

#include <cerrno>
#include <cstring>

namespace skiff::runtime::image_detail {

Status ErrnoStatus(int err, const std::string& what) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return ResourceExhaustedError("disk full: " + msg);
    case ENOENT:
      return NotFoundError(msg);
    case EEXIST:
      return AlreadyExistsError(msg);
    default:
      return UnavailableError(msg);
  }
}

}  // namespace skiff::runtime::image_detail
