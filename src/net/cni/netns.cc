#include "skiff/net/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>

#include "skiff/common/file_lock.h"
#include "skiff/common/file_util.h"

namespace skiff::net {
namespace {

std::string ErrnoText(int e) { return std::strerror(e); }

Status CheckName(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos || name.size() > 255) {
    return InvalidArgumentError("invalid network namespace name \"" + name + "\"");
  }
  return Status::Ok();
}

// Runs `body` on a fresh thread and waits for it: namespace changes made there never touch
// the caller's thread, and die with the helper.
Status OnHelperThread(const std::function<Status()>& body, const std::string& what) {
  Status result;
  try {
    std::thread helper([&] {
      try {
        result = body();
      } catch (const std::exception& e) {
        result = InternalError(what + ": " + e.what());
      } catch (...) {
        result = InternalError(what + ": unknown exception");
      }
    });
    helper.join();
  } catch (const std::system_error& e) {
    return ResourceExhaustedError(what + ": cannot start a thread: " + e.what());
  }
  return result;
}

// As `ip netns add` does: <dir> becomes a shared mount point (bound onto itself) before a
// namespace is pinned in it. Left a plain directory, the first `ip netns add` on the host binds
// it onto itself recursively, over skiff's pins: their paths then show copies, and once a copy
// is unmounted the original below cannot be (unlink: EBUSY), so a pod never finishes tearing
// down. A plain directory already holding pins is left as it is (binding it now would hide
// them the same way).
Status ShareDir(const NetNs& netns) {
  const std::string& dir = netns.dir();
  if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return Status::Ok();
  if (errno != EINVAL) {
    return UnavailableError("cannot make " + dir + " a shared mount: " + ErrnoText(errno));
  }
  // Two agents (or tests) starting at once: one binds, the other then finds a mount point.
  Result<FileLock> lock = FileLock::Acquire(dir + ".lock");
  if (!lock.ok()) return lock.status();
  if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return Status::Ok();
  Result<std::vector<std::string>> pinned = netns.List();
  if (!pinned.ok() || !pinned->empty()) return Status::Ok();
  if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0 ||
      ::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    return UnavailableError("cannot make " + dir + " a shared mount point: " + ErrnoText(errno));
  }
  return Status::Ok();
}

}  // namespace

NetNs::NetNs(std::string dir) : dir_(std::move(dir)) {}

std::string NetNs::PathOf(const std::string& name) const { return dir_ + "/" + name; }

bool IsNetNsPath(const std::string& path) {
  struct statfs fs;
  if (::statfs(path.c_str(), &fs) != 0) return false;
  // /proc/PID/ns/net is on procfs until opened; a pinned mount reports nsfs.
  if (fs.f_type != NSFS_MAGIC && fs.f_type != PROC_SUPER_MAGIC) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  int type = ::ioctl(fd, NS_GET_NSTYPE);
  ::close(fd);
  return type == CLONE_NEWNET;
}

Result<std::string> NetNs::Create(const std::string& name) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (Status s = MakeDirs(dir_, 0755); !s.ok()) return s;
  if (Status s = ShareDir(*this); !s.ok()) return s;
  const std::string path = PathOf(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    std::string msg = "cannot create network namespace file " + path + ": " + ErrnoText(e);
    if (e == EEXIST) return AlreadyExistsError(msg);
    return UnavailableError(msg);
  }
  ::close(fd);

  Status s = OnHelperThread(
      [&]() -> Status {
        if (::unshare(CLONE_NEWNET) != 0) {
          return UnavailableError("cannot create network namespace " + path +
                                  ": unshare: " + ErrnoText(errno));
        }
        if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
          return UnavailableError("cannot pin network namespace at " + path +
                                  ": bind mount: " + ErrnoText(errno));
        }
        return Status::Ok();
      },
      "create network namespace " + path);
  if (!s.ok()) {
    ::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
    ::unlink(path.c_str());
    return s;
  }
  return path;
}

Status NetNs::Remove(const std::string& name) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  const std::string path = PathOf(name);
  // A name may carry stacked mounts (pinned twice); unmount until none is left.
  for (int i = 0; i < 64; ++i) {
    if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) continue;
    int e = errno;
    if (e == EINVAL || e == ENOENT) break;  // not (or no longer) a mount point; or gone
    return UnavailableError("cannot unmount network namespace " + path + ": " + ErrnoText(e));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return UnavailableError("cannot delete network namespace file " + path + ": " +
                            ErrnoText(errno));
  }
  return Status::Ok();
}

bool NetNs::Exists(const std::string& name) const {
  return CheckName(name).ok() && IsNetNsPath(PathOf(name));
}

Result<std::vector<std::string>> NetNs::List() const {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_.c_str()), ::closedir);
  if (!dir) {
    if (errno == ENOENT) return std::vector<std::string>{};
    return UnavailableError("cannot list network namespaces in " + dir_ + ": " + ErrnoText(errno));
  }
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(dir.get())) {
    std::string name = ent->d_name;
    if (name == "." || name == "..") continue;
    if (IsNetNsPath(PathOf(name))) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status RunInNetNs(const std::string& path, const std::function<Status()>& fn) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (raw < 0) {
    int e = errno;
    std::string msg = "cannot open network namespace " + path + ": " + ErrnoText(e);
    return e == ENOENT ? NotFoundError(msg) : UnavailableError(msg);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{raw};
  if (::ioctl(raw, NS_GET_NSTYPE) != CLONE_NEWNET) {
    return InvalidArgumentError(path + " is not a network namespace");
  }
  return OnHelperThread(
      [&]() -> Status {
        if (::setns(raw, CLONE_NEWNET) != 0) {
          return UnavailableError("cannot enter network namespace " + path + ": " +
                                  ErrnoText(errno));
        }
        return fn();
      },
      "run in network namespace " + path);
}

}  // namespace skiff::net
