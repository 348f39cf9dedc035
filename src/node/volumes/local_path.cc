#include "local_path.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "ext4_image.h"
#include "image_room.h"
#include "json_fields.h"
#include "loop_device.h"
#include "mount_table.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/storage.h"
#include "skiff/common/file_util.h"
#include "skiff/common/unique_fd.h"

namespace skiff::node {
namespace {

using internal::Field;
using internal::StrField;

constexpr const char* kImagesDir = ".images";

std::string Clean(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// "1Gi", "1536Mi", "4Ki", or plain bytes, as a quantity would be written.
std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  for (int i = 0; i < 6; ++i) {
    const int64_t unit = int64_t{1} << (10 * (6 - i));
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes / unit) + kUnits[i];
  }
  return std::to_string(bytes);
}

Status Wrap(const std::string& what, const Status& cause) {
  return Status(cause.code(), what + ": " + cause.message());
}
Status ErrnoError(const std::string& what) { return InternalError(what + ": " + std::strerror(errno)); }

// One mutex per volume path, for the life of the process (a few bytes per volume ever seen).
std::mutex& PathLock(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> locks;
  std::lock_guard lock(mu);
  auto& m = locks[path];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

std::string TmpImage(const std::string& path) { return LocalPathImage(path) + ".tmp"; }

// -1 when the file does not exist.
Result<int64_t> FileSize(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return int64_t{-1};
    return ErrnoError("cannot stat " + file);
  }
  return static_cast<int64_t>(st.st_size);
}

Result<std::string> RealPath(const std::string& path) {
  char real[PATH_MAX];
  if (::realpath(path.c_str(), real) == nullptr) return ErrnoError("cannot resolve " + path);
  return std::string(real);
}

// Creates the volume's directory (mode 0777) when it is missing; an existing one is kept as is.
Status EnsureDirectory(const std::string& path) {
  if (Status s = MakeDirs(DirName(path), 0755); !s.ok()) return s;
  if (::mkdir(path.c_str(), 0777) == 0) {
    if (::chmod(path.c_str(), 0777) != 0) return ErrnoError("cannot chmod " + path);
    return Status::Ok();
  }
  if (errno != EEXIST) return ErrnoError("cannot create the directory " + path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoError("cannot stat " + path);
  if (!S_ISDIR(st.st_mode)) return InternalError(path + " exists and is not a directory");
  return Status::Ok();
}

// Mounts the volume's (existing) image on its directory `real`: through the loop device
// already serving it when its filesystem is alive elsewhere (unchecked: it is in use), else
// checked and attached to a new device.
Status MountImage(const std::string& path, const std::string& real) {
  const std::string image = LocalPathImage(path);
  if (const std::string live = internal::FindLoopDevice(image); !live.empty()) {
    if (::mount(live.c_str(), real.c_str(), "ext4", MS_NODEV | MS_NOSUID, nullptr) != 0) {
      return ErrnoError("cannot mount " + image + " (" + live + ") on " + path);
    }
    return Status::Ok();
  }
  if (Status s = internal::CheckExt4Image(image); !s.ok()) {
    return Wrap("cannot check the image " + image + " of " + path, s);
  }
  auto loop = internal::AttachLoopDevice(image);
  if (!loop.ok()) return Wrap("cannot mount " + path, loop.status());
  if (::mount(loop->path.c_str(), real.c_str(), "ext4", MS_NODEV | MS_NOSUID, nullptr) != 0) {
    return ErrnoError("cannot mount " + image + " (" + loop->path + ") on " + path);
  }
  return Status::Ok();  // closing the device leaves it to the mount (autoclear on unmount)
}

// Waits (at most 2 s: autoclear runs after the last user, from a work queue) until loop
// device `device` no longer serves `image`.
bool LoopReleased(const std::string& device, const std::string& image) {
  const std::string name = image.substr(image.rfind('/') + 1);
  for (int i = 0; i < 100; ++i) {
    const std::string backing = internal::LoopBackingFile(device);
    if (backing.size() < name.size() ||
        backing.compare(backing.size() - name.size(), name.size(), name) != 0) {
      return true;
    }
    ::usleep(20 * 1000);
  }
  return false;
}

// Grows the image of the volume mounted on `real` to `bytes` (when smaller), then the loop
// device and the filesystem on it to the image's size (whatever it is: this also finishes a
// growth that a crash interrupted). Online where the kernel lets skiff; otherwise the volume
// is unmounted, grown offline and mounted again, which fails with kUnavailable while a
// container uses it.
Status GrowMounted(const std::string& path, const std::string& real, int64_t bytes) {
  const std::string image = LocalPathImage(path);
  const std::string what = "cannot grow " + path + " to " + FormatBytes(bytes);
  UniqueFd fd(::open(image.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError(what + ": " + image);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(what);
  if (st.st_size < bytes) {
    if (Status s = internal::CheckImageRoom(DirName(image), bytes - st.st_size); !s.ok()) {
      return Wrap(what, s);
    }
    // Durable before the filesystem grows: a filesystem larger than its image cannot mount.
    if (::ftruncate(fd.get(), bytes) != 0 || ::fsync(fd.get()) != 0) return ErrnoError(what);
  }
  const int64_t target = std::max<int64_t>(bytes, st.st_size);
  fd.reset();
  auto fs = internal::MountedAt(real);
  if (!fs.ok()) return Wrap(what, fs.status());
  // The mounted filesystem's superblock, read through the device's cache (current even
  // before ext4 writes it back to the image).
  auto sb = internal::ReadExt4Superblock(fs->source);
  if (!sb.ok()) return Wrap(what, sb.status());
  if (sb->blocks >= target / sb->block_size) return Status::Ok();
  if (Status s = internal::RefreshLoopCapacity(fs->source); !s.ok()) return Wrap(what, s);
  Status online = internal::GrowMountedExt4(real, target);
  if (online.code() != Code::kUnimplemented) return online.ok() ? online : Wrap(what, online);
  const std::string in_use = what + ": " + online.message() +
                             " and it is in use; it grows when no container uses it";
  if (::umount2(real.c_str(), 0) != 0) {
    if (errno == EBUSY) return UnavailableError(in_use);
    return ErrnoError(what + ": cannot unmount it to grow it offline");
  }
  // Unmounting here does not unmount the containers' bind mounts (other mount namespaces):
  // the filesystem lives on while any holds it, and so does its loop device (autoclear acts
  // on the last user, and asynchronously). Only once the device has let go of the image is
  // nobody writing to it; never check or resize a filesystem that is mounted anywhere.
  if (!LoopReleased(fs->source, image)) {
    (void)MountImage(path, real);
    return UnavailableError(in_use);
  }
  if (Status s = internal::GrowExt4Image(image); !s.ok()) {
    (void)MountImage(path, real);  // at the old size, rather than not at all
    return Wrap(what, s);
  }
  return MountImage(path, real);
}

Status EnsureEnforced(const std::string& path, int64_t bytes) {
  const std::string image = LocalPathImage(path);
  if (Status s = MakeDirs(DirName(image), 0700); !s.ok()) return s;
  if (Status s = EnsureDirectory(path); !s.ok()) return s;
  auto real = RealPath(path);
  if (!real.ok()) return real.status();
  auto mounted = internal::IsMountPoint(*real);
  if (!mounted.ok()) return mounted.status();
  auto size = FileSize(image);
  if (!size.ok()) return size.status();
  if (*mounted) {
    if (*size >= bytes) return Status::Ok();
    // A volume in use that cannot grow now still serves at its old size: the agent's
    // expansion retries the growth.
    Status s = GrowMounted(path, *real, bytes);
    return s.code() == Code::kUnavailable ? Status::Ok() : s;
  }
  if (*size < 0) {
    // No finished image: make one (a .tmp left by a crash is replaced).
    Status s = internal::CheckImageRoom(DirName(image), bytes);
    if (s.ok()) s = internal::CreateExt4Image(TmpImage(path), image, bytes);
    if (!s.ok()) return Wrap("cannot create the " + FormatBytes(bytes) + " image for " + path, s);
    size = bytes;
  } else {
    ::unlink(TmpImage(path).c_str());
  }
  if (Status s = MountImage(path, *real); !s.ok()) return s;
  // Finishes an expansion that a crash interrupted, or one asked for while it was unmounted.
  return GrowMounted(path, *real, std::max(bytes, *size));
}

}  // namespace

std::string LocalPathImage(const std::string& path) {
  const std::string p = Clean(path);
  return DirName(p) + "/" + kImagesDir + "/" + BaseName(p) + ".img";
}

Status EnsureLocalPathVolume(const std::string& path_in, int64_t capacity_bytes,
                             bool enforce_capacity) {
  const std::string path = Clean(path_in);
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError("local-path volume path \"" + path_in + "\" is not absolute");
  }
  std::lock_guard lock(PathLock(path));
  if (!enforce_capacity) return EnsureDirectory(path);
  if (capacity_bytes <= 0) {
    return InvalidArgumentError("cannot create " + path + ": no capacity for its image");
  }
  return EnsureEnforced(path, capacity_bytes);
}

Status ExpandLocalPathVolume(const std::string& path_in, int64_t capacity_bytes) {
  const std::string path = Clean(path_in);
  std::lock_guard lock(PathLock(path));
  auto state = InspectLocalPathVolume(path);
  if (!state.ok()) return state.status();
  if (!state->exists) return NotFoundError("no data for " + path + " on this node");
  if (!state->enforced) return Status::Ok();
  if (capacity_bytes < state->image_bytes) {
    return InvalidArgumentError("cannot shrink " + path + " from " +
                                FormatBytes(state->image_bytes) + " to " +
                                FormatBytes(capacity_bytes));
  }
  if (!state->mounted) return EnsureEnforced(path, capacity_bytes);  // mounts, then grows
  auto real = RealPath(path);
  if (!real.ok()) return real.status();
  return GrowMounted(path, *real, capacity_bytes);
}

namespace {

// Unmounts whatever is mounted on or below the volume's directory. Caller holds PathLock.
Status UnmountLocked(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    auto real = RealPath(path);
    if (!real.ok()) return real.status();
    auto mounts = internal::MountPointsUnder(*real);
    if (!mounts.ok()) return mounts.status();
    for (const std::string& m : *mounts) {
      if (Status s = internal::Unmount(m); !s.ok()) return Wrap("cannot delete " + path, s);
    }
    // Stacked mounts come off one at a time; never remove files through a mount left behind.
    for (int i = 0; i < 8; ++i) {
      auto still = internal::IsMountPoint(*real);
      if (!still.ok()) return still.status();
      if (!*still) break;
      if (Status s = internal::Unmount(*real); !s.ok()) return Wrap("cannot delete " + path, s);
      if (i == 7) return InternalError("cannot delete " + path + ": it stays mounted");
    }
  }
  return Status::Ok();
}

}  // namespace

Status UnmountLocalPathVolume(const std::string& path_in) {
  const std::string path = Clean(path_in);
  std::lock_guard lock(PathLock(path));
  return UnmountLocked(path);
}

Status DeleteLocalPathVolume(const std::string& path_in) {
  const std::string path = Clean(path_in);
  std::lock_guard lock(PathLock(path));
  if (Status s = UnmountLocked(path); !s.ok()) return s;
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return InternalError("cannot remove " + path + ": " + ec.message());
  for (const std::string& f : {LocalPathImage(path), TmpImage(path)}) {
    if (::unlink(f.c_str()) != 0 && errno != ENOENT) return ErrnoError("cannot remove " + f);
  }
  return Status::Ok();
}

Result<int64_t> LocalPathVolumeSize(const std::string& path) {
  struct statfs st {};
  if (::statfs(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError("no data for " + path + " on this node");
    return ErrnoError("cannot statfs " + path);
  }
  return static_cast<int64_t>(st.f_blocks) * static_cast<int64_t>(st.f_frsize);
}

Result<LocalPathVolumeState> InspectLocalPathVolume(const std::string& path_in) {
  const std::string path = Clean(path_in);
  LocalPathVolumeState state;
  auto size = FileSize(LocalPathImage(path));
  if (!size.ok()) return size.status();
  if (*size >= 0) {
    state.exists = state.enforced = true;
    state.image_bytes = *size;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    state.exists = true;
    auto real = RealPath(path);
    if (!real.ok()) return real.status();
    auto mounted = internal::IsMountPoint(*real);
    if (!mounted.ok()) return mounted.status();
    state.mounted = *mounted;
  } else if (errno != ENOENT) {
    return ErrnoError("cannot stat " + path);
  }
  return state;
}

Result<std::string> PrepareLocalPathVolume(const nlohmann::json& pv) {
  const nlohmann::json& meta = Field(pv, "metadata");
  const std::string name = StrField(meta, "name");
  const std::string path = StrField(Field(Field(pv, "spec"), "local"), "path");
  if (path.empty()) {
    return InvalidArgumentError("PersistentVolume \"" + name + "\" has no spec.local.path");
  }
  const nlohmann::json& annotations = Field(meta, "annotations");
  if (StrField(annotations, apis::kProvisionedByAnnotation) != apis::kLocalPathProvisioner) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return NotFoundError("path \"" + path + "\" does not exist");
    }
    return path;
  }
  const bool enforced = StrField(annotations, apis::kLocalPathCapacityAnnotation) == "enforced";
  int64_t bytes = 0;
  if (auto q = apis::QuantityFromJson(Field(Field(Field(pv, "spec"), "capacity"), "storage"))) {
    bytes = apis::Value(*q);
  }
  if (enforced && bytes <= 0) {
    return InvalidArgumentError("PersistentVolume \"" + name +
                                "\" has no spec.capacity.storage for its image");
  }
  if (Status s = EnsureLocalPathVolume(path, bytes, enforced); !s.ok()) return s;
  return Clean(path);
}

}  // namespace skiff::node
