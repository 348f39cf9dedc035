#include "runtime/image/fs_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <utility>

#include "runtime/image/errno_status.h"
#include "skiff/common/file_util.h"
#include "skiff/common/unique_fd.h"

namespace skiff::runtime::image_detail {
namespace {

// Owns a DIR* made from a directory fd.
class DirStream {
 public:
  explicit DirStream(UniqueFd fd) : dir_(::fdopendir(fd.get())) {
    if (dir_ != nullptr) fd.release();
  }
  ~DirStream() {
    if (dir_ != nullptr) ::closedir(dir_);
  }
  DirStream(const DirStream&) = delete;
  DirStream& operator=(const DirStream&) = delete;
  DIR* get() const { return dir_; }

 private:
  DIR* dir_;
};

bool IsDotOrDotDot(const char* n) {
  return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

// Calls fn(name) for each entry of the directory open as fd, "." and ".." excepted, and stops
// at the first error fn returns. Reads through a duplicate of fd; the caller keeps fd.
template <typename Fn>
Status ForEachEntry(int fd, const std::string& shown, Fn fn) {
  UniqueFd dup(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!dup.valid()) return ErrnoStatus(errno, "cannot read directory " + shown);
  DirStream dir(std::move(dup));
  if (dir.get() == nullptr) return ErrnoStatus(errno, "cannot read directory " + shown);
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(dir.get());
    if (e == nullptr) {
      if (errno != 0) return ErrnoStatus(errno, "cannot read directory " + shown);
      return Status::Ok();
    }
    if (IsDotOrDotDot(e->d_name)) continue;
    Status s = fn(e->d_name);
    if (!s.ok()) return s;
  }
}

Status EmptyDir(int fd, dev_t dev, const std::string& shown) {
  return ForEachEntry(fd, shown, [&](const char* name) -> Status {
    std::string child = shown + "/" + name;
    struct stat st {};
    if (::fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return Status::Ok();
      return ErrnoStatus(errno, "cannot stat " + child);
    }
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev) return UnavailableError(child + " is a mount point; not removing it");
      UniqueFd sub(::openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) return ErrnoStatus(errno, "cannot open " + child);
      Status s = EmptyDir(sub.get(), dev, child);
      if (!s.ok()) return s;
      if (::unlinkat(fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
        return ErrnoStatus(errno, "cannot remove " + child);
      }
    } else if (::unlinkat(fd, name, 0) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "cannot remove " + child);
    }
    return Status::Ok();
  });
}

Status SumDir(int fd, dev_t dev, const std::string& shown, std::set<std::pair<dev_t, ino_t>>* seen,
              int64_t* total) {
  return ForEachEntry(fd, shown, [&](const char* name) -> Status {
    struct stat st {};
    if (::fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return Status::Ok();
    if (S_ISREG(st.st_mode)) {
      if (st.st_nlink < 2 || seen->insert({st.st_dev, st.st_ino}).second) *total += st.st_size;
    } else if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
      UniqueFd sub(::openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) return ErrnoStatus(errno, "cannot open " + shown + "/" + name);
      return SumDir(sub.get(), dev, shown + "/" + name, seen, total);
    }
    return Status::Ok();
  });
}

}  // namespace

Status RemoveTreeAt(int dirfd, const std::string& name, const std::string& shown) {
  struct stat parent {};
  struct stat st {};
  if (::fstat(dirfd, &parent) != 0) return ErrnoStatus(errno, "cannot stat parent of " + shown);
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus(errno, "cannot stat " + shown);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "cannot remove " + shown);
    }
    return Status::Ok();
  }
  if (st.st_dev != parent.st_dev) {
    return UnavailableError(shown + " is a mount point; not removing it");
  }
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open " + shown);
  Status s = EmptyDir(fd.get(), st.st_dev, shown);
  if (!s.ok()) return s;
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "cannot remove " + shown);
  }
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  std::string dir = DirName(trimmed);
  std::string name = BaseName(trimmed);
  if (name.empty() || name == "." || name == "..") {
    return InvalidArgumentError("refusing to remove " + path);
  }
  UniqueFd parent(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent.valid()) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus(errno, "cannot open " + dir);
  }
  return RemoveTreeAt(parent.get(), name, trimmed);
}

Result<int64_t> TreeSize(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "cannot open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat " + path);
  std::set<std::pair<dev_t, ino_t>> seen;
  int64_t total = 0;
  Status s = SumDir(fd.get(), st.st_dev, path, &seen, &total);
  if (!s.ok()) return s;
  return total;
}

}  // namespace skiff::runtime::image_detail
