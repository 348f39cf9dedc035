#include "host_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "skiff/common/file_util.h"

namespace skiff::node::internal {
namespace {

Status TypeError(const std::string& path, const char* what) {
  return InvalidArgumentError("hostPath type check failed: " + path + " is not " + what);
}

}  // namespace

Status CheckHostPath(const std::string& path, const std::string& type) {
  struct stat st;
  bool exists = stat(path.c_str(), &st) == 0;
  if (type.empty()) {
    if (!exists) return MakeDirs(path, 0755);
    return Status::Ok();
  }
  if (type == "DirectoryOrCreate" || type == "Directory") {
    if (type == "DirectoryOrCreate" && !exists) {
      Status s = MakeDirs(path, 0755);
      if (!s.ok()) return s;
      return Status::Ok();
    }
    if (!exists || !S_ISDIR(st.st_mode)) return TypeError(path, "a directory");
    return Status::Ok();
  }
  if (type == "FileOrCreate" || type == "File") {
    if (type == "FileOrCreate" && !exists) {
      int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) {
        return InternalError("cannot create hostPath file " + path + ": " + std::strerror(errno));
      }
      close(fd);
      return Status::Ok();
    }
    if (!exists || !S_ISREG(st.st_mode)) return TypeError(path, "a file");
    return Status::Ok();
  }
  if (type == "Socket") {
    return exists && S_ISSOCK(st.st_mode) ? Status::Ok() : TypeError(path, "a socket file");
  }
  if (type == "CharDevice") {
    return exists && S_ISCHR(st.st_mode) ? Status::Ok() : TypeError(path, "a character device");
  }
  if (type == "BlockDevice") {
    return exists && S_ISBLK(st.st_mode) ? Status::Ok() : TypeError(path, "a block device");
  }
  return InvalidArgumentError(type + " is an invalid volume type");
}

}  // namespace skiff::node::internal
