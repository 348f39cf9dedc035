#include "image_room.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace skiff::node::internal {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string FormatRoughBytes(int64_t bytes) {
  static const char* kUnits[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 6) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0 || v >= 100 || v == static_cast<double>(static_cast<int64_t>(v))) {
    std::snprintf(buf, sizeof(buf), "%.0f%s", v, kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f%s", v, kUnits[unit]);
  }
  return buf;
}

Result<ImageRoom> MeasureImageRoom(const std::string& images_dir) {
  struct statvfs vfs {};
  if (::statvfs(images_dir.c_str(), &vfs) != 0) {
    const std::string msg =
        "cannot measure the free space of " + images_dir + ": " + std::strerror(errno);
    return errno == ENOENT ? Status(NotFoundError(msg)) : Status(InternalError(msg));
  }
  ImageRoom room;
  room.free_bytes = static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
  DIR* d = ::opendir(images_dir.c_str());
  if (d == nullptr) {
    return InternalError("cannot list " + images_dir + ": " + std::strerror(errno));
  }
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (!EndsWith(name, ".img")) continue;  // a .tmp being made is counted by free space
    struct stat st {};
    if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode)) {
      continue;
    }
    const int64_t held = static_cast<int64_t>(st.st_blocks) * 512;
    if (st.st_size > held) room.promised_bytes += st.st_size - held;
  }
  ::closedir(d);
  return room;
}

Status CheckImageRoom(const std::string& images_dir, int64_t extra_bytes) {
  auto room = MeasureImageRoom(images_dir);
  if (!room.ok()) return room.status();
  if (extra_bytes <= room->free_bytes - room->promised_bytes) return Status::Ok();
  std::string msg = "only " + FormatRoughBytes(room->free_bytes) + " of the disk holding " +
                    images_dir + " is free";
  if (room->promised_bytes > 0) {
    msg += ", and " + FormatRoughBytes(room->promised_bytes) +
           " of that is promised to volumes already made";
  }
  return Status(Code::kResourceExhausted, msg);
}

}  // namespace skiff::node::internal
