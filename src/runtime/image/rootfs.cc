#include "skiff/runtime/rootfs.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/image/errno_status.h"
#include "runtime/image/fs_tree.h"
#include "skiff/common/file_util.h"

namespace skiff::runtime {
namespace {

using image_detail::ErrnoStatus;

constexpr long kOverlayMagic = 0x794c7630;  // OVERLAYFS_SUPER_MAGIC

bool IsOverlayMount(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == kOverlayMagic;
}

Status CheckOptionSafe(const std::string& path) {
  if (path.find_first_of(":,") != std::string::npos) {
    return InvalidArgumentError("path " + path + " contains ':' or ',' and cannot be an overlay " +
                                "mount option");
  }
  return Status::Ok();
}

// Mounts from a child process that changes into `dir` first, so that `options` may use short
// relative paths; chdir in this (multi-threaded) process would move every thread.
Status MountFrom(const std::string& dir, const std::string& target, const std::string& options) {
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus(errno, "cannot fork to mount " + target);
  if (pid == 0) {
    // Only async-signal-safe calls here.
    if (::chdir(dir.c_str()) != 0) ::_exit(errno & 0xff);
    if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0) {
      ::_exit(errno & 0xff);
    }
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "cannot wait for the mount of " + target);
  }
  if (!WIFEXITED(status)) return InternalError("the mount helper for " + target + " was killed");
  if (WEXITSTATUS(status) != 0) {
    return ErrnoStatus(WEXITSTATUS(status), "cannot mount overlay at " + target);
  }
  return Status::Ok();
}

}  // namespace

Status MountRootfs(const Image& image, const std::string& container_dir) {
  const std::string rootfs = container_dir + "/rootfs";
  const std::string upper = container_dir + "/upper";
  const std::string work = container_dir + "/work";
  for (const std::string& d : {rootfs, upper, work}) {
    Status s = MakeDirs(d, 0700);
    if (!s.ok()) return s;
  }
  // The merged tree's root takes the upper dir's mode: 0755 like an image root.
  if (::chmod(rootfs.c_str(), 0755) != 0 || ::chmod(upper.c_str(), 0755) != 0) {
    return ErrnoStatus(errno, "cannot chmod " + upper);
  }
  if (IsOverlayMount(rootfs)) return Status::Ok();

  std::vector<std::string> lowers(image.layer_dirs.rbegin(), image.layer_dirs.rend());  // top first
  if (lowers.empty()) {
    std::string empty = container_dir + "/empty";
    Status s = MakeDirs(empty, 0755);
    if (!s.ok()) return s;
    lowers.push_back(empty);
  }
  for (const std::string& p : lowers) {
    Status s = CheckOptionSafe(p);
    if (!s.ok()) return s;
  }
  for (const std::string& p : {upper, work}) {
    Status s = CheckOptionSafe(p);
    if (!s.ok()) return s;
  }

  std::string options = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i) options += (i ? ":" : "") + lowers[i];
  options += ",upperdir=" + upper + ",workdir=" + work;
  const size_t limit = static_cast<size_t>(::sysconf(_SC_PAGESIZE)) - 1;
  if (options.size() <= limit) {
    if (::mount("overlay", rootfs.c_str(), "overlay", 0, options.c_str()) != 0) {
      return ErrnoStatus(errno, "cannot mount overlay at " + rootfs + " (image " + image.id + ")");
    }
    return Status::Ok();
  }

  // Too long for one page: short symlinks l/<n> and relative paths from container_dir.
  const std::string links = container_dir + "/l";
  Status s = image_detail::RemoveTree(links);
  if (!s.ok()) return s;
  s = MakeDirs(links, 0700);
  if (!s.ok()) return s;
  options = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i) {
    std::string link = links + "/" + std::to_string(i);
    if (::symlink(lowers[i].c_str(), link.c_str()) != 0) {
      return ErrnoStatus(errno, "cannot create " + link);
    }
    options += (i ? ":l/" : "l/") + std::to_string(i);
  }
  options += ",upperdir=upper,workdir=work";
  if (options.size() > limit) {
    return InvalidArgumentError("image " + image.id + " has too many layers (" +
                                std::to_string(lowers.size()) + ") for one overlay mount");
  }
  s = MountFrom(container_dir, rootfs, options);
  if (!s.ok()) return Status(s.code(), s.message() + " (image " + image.id + ")");
  return Status::Ok();
}

Status UnmountRootfs(const std::string& container_dir) {
  const std::string rootfs = container_dir + "/rootfs";
  // Mounted more than once (a bug elsewhere) is undone too.
  for (int i = 0; i < 16; ++i) {
    if (::umount2(rootfs.c_str(), UMOUNT_NOFOLLOW) == 0) continue;
    if (errno == EINVAL || errno == ENOENT) break;  // not a mount point (any more)
    if (errno == EBUSY && ::umount2(rootfs.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) continue;
    return ErrnoStatus(errno, "cannot unmount " + rootfs);
  }
  for (const char* d : {"rootfs", "upper", "work", "l", "empty"}) {
    Status s = image_detail::RemoveTree(container_dir + "/" + d);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace skiff::runtime
