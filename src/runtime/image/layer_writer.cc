#include "runtime/image/layer_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/image/archive_reader.h"
#include "runtime/image/errno_status.h"
#include "runtime/image/fs_tree.h"

namespace skiff::runtime::image_detail {
namespace {

constexpr char kWhiteoutPrefix[] = ".wh.";
constexpr char kWhiteoutMetaPrefix[] = ".wh..wh.";
constexpr char kOpaqueMarker[] = ".wh..wh..opq";
constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";

bool StartsWith(const std::string& s, const char* prefix) {
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

std::string Join(const std::vector<std::string>& comps) {
  std::string out;
  for (const std::string& c : comps) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

Status EntryError(const std::string& entry, const std::string& what, int err) {
  return ErrnoStatus(err, "layer entry \"" + entry + "\": " + what);
}

}  // namespace

Result<std::vector<std::string>> SplitLayerPath(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string c = path.substr(start, end - start);
    if (c == "..") {
      if (out.empty()) {
        return CorruptError("layer entry \"" + path + "\" escapes the layer directory");
      }
      out.pop_back();
    } else if (!c.empty() && c != ".") {
      out.push_back(std::move(c));
    }
    start = end + 1;
  }
  return out;
}

LayerWriter::LayerWriter(UniqueFd root, std::string root_path)
    : root_(std::move(root)), root_path_(std::move(root_path)) {}

Result<UniqueFd> LayerWriter::WalkDirs(const std::vector<std::string>& comps, bool create,
                                       const std::string& entry) {
  UniqueFd cur(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
  if (!cur.valid()) return ErrnoStatus(errno, "cannot duplicate the fd of " + root_path_);
  std::string walked;
  for (const std::string& c : comps) {
    walked += walked.empty() ? c : "/" + c;
    constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(cur.get(), c.c_str(), kFlags);
    bool created = false;
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), c.c_str(), 0755) != 0 && errno != EEXIST) {
        return EntryError(entry, "cannot create directory " + walked, errno);
      }
      created = true;
      fd = ::openat(cur.get(), c.c_str(), kFlags);
    }
    if (fd < 0) {
      if (errno == ELOOP || errno == ENOTDIR) {
        return CorruptError("layer entry \"" + entry + "\": " + walked +
                            " is not a directory (symlinks in a layer are never followed)");
      }
      return EntryError(entry, "cannot open directory " + walked, errno);
    }
    cur = UniqueFd(fd);
    if (created && ::fchmod(cur.get(), 0755) != 0) {
      return EntryError(entry, "cannot chmod " + walked, errno);
    }
  }
  return cur;
}

Result<int> LayerWriter::ParentFd(const std::vector<std::string>& comps, const std::string& entry) {
  std::string key = Join(comps);
  if (cached_fd_.valid() && key == cached_parent_) return cached_fd_.get();
  auto fd = WalkDirs(comps, /*create=*/true, entry);
  if (!fd.ok()) return fd.status();
  cached_fd_ = std::move(fd).value();
  cached_parent_ = key;
  return cached_fd_.get();
}

// Makes room for a new entry `name` in pfd: an existing non-directory is unlinked, an existing
// directory is removed (kept when the new entry is a directory too).
Status LayerWriter::ClearPlace(int pfd, const std::string& name, bool keep_dir,
                               const std::string& entry) {
  struct stat st {};
  if (::fstatat(pfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return EntryError(entry, "cannot stat", errno);
  }
  if (S_ISDIR(st.st_mode)) {
    if (keep_dir) return Status::Ok();
    return RemoveTreeAt(pfd, name, root_path_ + "/" + entry);
  }
  if (::unlinkat(pfd, name.c_str(), 0) != 0) return EntryError(entry, "cannot replace", errno);
  return Status::Ok();
}

Status LayerWriter::WriteData(struct archive* a, int fd, const std::string& entry) {
  for (;;) {
    const void* buf = nullptr;
    size_t len = 0;
    la_int64_t off = 0;
    int r = archive_read_data_block(a, &buf, &len, &off);
    if (r == ARCHIVE_EOF) return Status::Ok();
    if (r < ARCHIVE_WARN) {
      return CorruptError("layer entry \"" + entry + "\": " + ArchiveError(a));
    }
    const char* p = static_cast<const char*>(buf);
    while (len > 0) {
      ssize_t n = ::pwrite(fd, p, len, off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return EntryError(entry, "cannot write", errno);
      p += n;
      off += n;
      len -= static_cast<size_t>(n);
    }
  }
}

Status LayerWriter::SetXattrs(struct archive_entry* e, int fd, int pfd, const std::string& name,
                              const std::string& entry) {
  archive_entry_xattr_reset(e);
  const char* xname = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
    if (xname == nullptr || StartsWith(xname, "trusted.overlay.")) continue;
    int r;
    if (fd >= 0) {
      r = ::fsetxattr(fd, xname, value, size, 0);
    } else {
      // Not followed: the last component is the entry itself (a symlink, device or fifo).
      std::string path = "/proc/self/fd/" + std::to_string(pfd) + "/" + name;
      r = ::lsetxattr(path.c_str(), xname, value, size, 0);
    }
    if (r != 0) {
      // Unsupported by the file system, or user.* on a symlink or device.
      if (errno == ENOTSUP || errno == EOPNOTSUPP || (fd < 0 && errno == EPERM)) continue;
      return EntryError(entry, std::string("cannot set xattr ") + xname, errno);
    }
  }
  return Status::Ok();
}

Status LayerWriter::Whiteout(int pfd, const std::string& base, const std::string& entry) {
  if (base == kOpaqueMarker) {
    if (::fsetxattr(pfd, kOpaqueXattr, "y", 1, 0) != 0) {
      return EntryError(entry, "cannot mark the directory opaque", errno);
    }
    return Status::Ok();
  }
  if (StartsWith(base, kWhiteoutMetaPrefix)) return Status::Ok();  // aufs bookkeeping
  std::string name = base.substr(std::strlen(kWhiteoutPrefix));
  if (name.empty() || name == "." || name == "..") {
    return CorruptError("layer entry \"" + entry + "\" is not a valid whiteout");
  }
  Status s = ClearPlace(pfd, name, /*keep_dir=*/false, entry);
  if (!s.ok()) return s;
  if (::mknodat(pfd, name.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
    return EntryError(entry, "cannot create the whiteout device", errno);
  }
  return Status::Ok();
}

Status LayerWriter::Apply(struct archive* a, struct archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (raw == nullptr) return CorruptError("layer entry without a name");
  const std::string entry = raw;
  auto comps = SplitLayerPath(entry);
  if (!comps.ok()) return comps.status();

  const mode_t type = archive_entry_filetype(e);
  const char* hardlink = archive_entry_hardlink(e);
  const uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
  const gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
  const mode_t perm = archive_entry_perm(e) & 07777;
  struct timespec ts[2];
  ts[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  ts[0] = archive_entry_atime_is_set(e)
              ? timespec{archive_entry_atime(e), archive_entry_atime_nsec(e)}
              : ts[1];

  if (comps->empty()) {  // "./": the layer root itself
    if (hardlink != nullptr || type != AE_IFDIR) {
      return CorruptError("layer entry \"" + entry + "\" names the root but is not a directory");
    }
    if (::fchown(root_.get(), uid, gid) != 0 || ::fchmod(root_.get(), perm) != 0) {
      return EntryError(entry, "cannot set owner or mode", errno);
    }
    Status s = SetXattrs(e, root_.get(), -1, "", entry);
    if (!s.ok()) return s;
    dir_times_.push_back({{}, {ts[0], ts[1]}});
    return Status::Ok();
  }

  const std::string base = comps->back();
  comps->pop_back();
  auto pfd_or = ParentFd(*comps, entry);
  if (!pfd_or.ok()) return pfd_or.status();
  const int pfd = *pfd_or;
  if (StartsWith(base, kWhiteoutPrefix)) return Whiteout(pfd, base, entry);

  const bool is_dir = hardlink == nullptr && type == AE_IFDIR;
  Status s = ClearPlace(pfd, base, is_dir, entry);
  if (!s.ok()) return s;

  if (hardlink != nullptr) {
    auto target = SplitLayerPath(hardlink);
    if (!target.ok() || target->empty()) {
      return CorruptError("layer entry \"" + entry + "\": hardlink target \"" + hardlink +
                          "\" is outside the layer");
    }
    std::string tbase = target->back();
    target->pop_back();
    auto tfd = WalkDirs(*target, /*create=*/false, entry);
    if (!tfd.ok()) return tfd.status();
    if (::linkat(tfd->get(), tbase.c_str(), pfd, base.c_str(), 0) != 0) {
      return EntryError(entry, std::string("cannot hardlink to \"") + hardlink + "\"", errno);
    }
    return Status::Ok();
  }

  switch (type) {
    case AE_IFREG: {
      UniqueFd fd(
          ::openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!fd.valid()) return EntryError(entry, "cannot create", errno);
      s = WriteData(a, fd.get(), entry);
      if (!s.ok()) return s;
      if (archive_entry_size_is_set(e) && ::ftruncate(fd.get(), archive_entry_size(e)) != 0) {
        return EntryError(entry, "cannot set the size", errno);
      }
      size_ += archive_entry_size(e);
      if (::fchown(fd.get(), uid, gid) != 0 || ::fchmod(fd.get(), perm) != 0) {
        return EntryError(entry, "cannot set owner or mode", errno);
      }
      s = SetXattrs(e, fd.get(), -1, base, entry);
      if (!s.ok()) return s;
      if (::futimens(fd.get(), ts) != 0) return EntryError(entry, "cannot set times", errno);
      return Status::Ok();
    }
    case AE_IFDIR: {
      if (::mkdirat(pfd, base.c_str(), 0700) != 0 && errno != EEXIST) {
        return EntryError(entry, "cannot create directory", errno);
      }
      UniqueFd fd(::openat(pfd, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid()) return EntryError(entry, "cannot open directory", errno);
      if (::fchown(fd.get(), uid, gid) != 0 || ::fchmod(fd.get(), perm) != 0) {
        return EntryError(entry, "cannot set owner or mode", errno);
      }
      s = SetXattrs(e, fd.get(), -1, base, entry);
      if (!s.ok()) return s;
      std::vector<std::string> path = *comps;
      path.push_back(base);
      dir_times_.push_back({std::move(path), {ts[0], ts[1]}});
      return Status::Ok();
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (target == nullptr) return CorruptError("layer entry \"" + entry + "\": no link target");
      if (::symlinkat(target, pfd, base.c_str()) != 0) {
        return EntryError(entry, "cannot create symlink", errno);
      }
      break;
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: {
      dev_t dev =
          type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
      if (::mknodat(pfd, base.c_str(), type | perm, dev) != 0) {
        return EntryError(entry, "cannot create device or fifo", errno);
      }
      if (::fchmodat(pfd, base.c_str(), perm, 0) != 0) {
        return EntryError(entry, "cannot set mode", errno);
      }
      break;
    }
    case AE_IFSOCK:
      return Status::Ok();  // a socket in an image means nothing
    default:
      return CorruptError("layer entry \"" + entry + "\" has an unsupported file type");
  }
  // Symlinks, devices and fifos: no fd to work on, never follow the entry itself.
  if (::fchownat(pfd, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return EntryError(entry, "cannot set owner", errno);
  }
  s = SetXattrs(e, -1, pfd, base, entry);
  if (!s.ok()) return s;
  if (::utimensat(pfd, base.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
    return EntryError(entry, "cannot set times", errno);
  }
  return Status::Ok();
}

Status LayerWriter::Finish() {
  cached_fd_.reset();
  // Deepest last in tar order is fine: setting a directory's times does not touch its parent.
  for (const DirTimes& d : dir_times_) {
    auto fd = WalkDirs(d.path, /*create=*/false, Join(d.path));
    if (!fd.ok()) continue;  // replaced by a later entry
    if (::futimens(fd->get(), d.times) != 0) {
      return ErrnoStatus(errno, "cannot set the times of " + root_path_ + "/" + Join(d.path));
    }
  }
  return Status::Ok();
}

}  // namespace skiff::runtime::image_detail
