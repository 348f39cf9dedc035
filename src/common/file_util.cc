#include "skiff/common/file_util.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace skiff {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  int e = errno;
  std::string msg = what + " " + path + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhaustedError("disk full: " + msg);
  if (e == ENOENT) return NotFoundError(msg);
  return UnavailableError(msg);
}

}  // namespace

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

namespace {

// Creates or truncates `file` and fills it with `data` and exactly `mode` (the umask may have
// narrowed the one given to open(2)), fsynced when `sync`. The file is removed on failure.
Status FillFile(const std::string& file, const std::string& data, mode_t mode, bool sync) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create", file);
  Status failed = Status::Ok();
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0 && failed.ok()) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed = Errno("cannot write", file);
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (failed.ok() && (::fchmod(fd, mode) != 0 || (sync && ::fsync(fd) != 0))) {
    failed = Errno("cannot sync", file);
  }
  ::close(fd);
  if (!failed.ok()) ::unlink(file.c_str());
  return failed;
}

// Makes a rename in the directory of `path` durable (best effort: the file is in place).
void SyncDirOf(const std::string& path) { (void)SyncDir(DirName(path)); }

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                       Durability durability) {
  const bool sync = durability == Durability::kPowerLoss;
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  if (Status s = FillFile(tmp, data, mode, sync); !s.ok()) return s;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("cannot rename into place", path);
    ::unlink(tmp.c_str());
    return s;
  }
  if (sync) SyncDirOf(path);
  return Status::Ok();
}

Status RewriteFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                         Durability durability) {
  const bool sync = durability == Durability::kPowerLoss;
  const std::string spare = path + ".spare";
  if (Status s = FillFile(spare, data, mode, sync); !s.ok()) return s;
  if (::renameat2(AT_FDCWD, spare.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
    // ENOENT: the first write, nothing to exchange with; EINVAL: the filesystem cannot.
    if ((errno != ENOENT && errno != EINVAL) || ::rename(spare.c_str(), path.c_str()) != 0) {
      Status s = Errno("cannot rename into place", path);
      ::unlink(spare.c_str());
      return s;
    }
  }
  if (sync) SyncDirOf(path);
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status MakeDirs(const std::string& path, mode_t mode) {
  if (path.empty()) return InvalidArgumentError("empty directory path");
  // Usually the parent exists (or the whole path does): one mkdir. Only a missing parent
  // costs a walk up, and each level is created on the way back down.
  if (::mkdir(path.c_str(), mode) != 0) {
    if (errno == ENOENT) {
      const std::string parent = DirName(path);
      if (parent.size() >= path.size()) return Errno("cannot create directory", path);
      if (Status s = MakeDirs(parent, mode); !s.ok()) return s;
      if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
        return Errno("cannot create directory", path);
      }
    } else if (errno != EEXIST) {
      return Errno("cannot create directory", path);
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return UnavailableError(path + " is not a directory");
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open directory", dir);
  Status s = ::fsync(fd) == 0 ? Status::Ok() : Errno("cannot sync directory", dir);
  ::close(fd);
  return s;
}

Status CommitNewFile(const std::string& tmp, const std::string& path) {
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", tmp);
  Status synced = ::fsync(fd) == 0 ? Status::Ok() : Errno("cannot sync", tmp);
  ::close(fd);
  if (!synced.ok()) return synced;
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) return AlreadyExistsError(path + " already exists");
    // EINVAL: the filesystem cannot refuse to replace; a hard link can, then the name goes.
    if (errno != EINVAL) return Errno("cannot rename into place", path);
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) return AlreadyExistsError(path + " already exists");
      return Errno("cannot link into place", path);
    }
    ::unlink(tmp.c_str());
  }
  return SyncDir(DirName(path));
}

}  // namespace skiff
