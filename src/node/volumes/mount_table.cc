#include "mount_table.h"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace skiff::node::internal {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const char* p = s.c_str() + i + 1;
      if (p[0] >= '0' && p[0] <= '7' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7') {
        out += static_cast<char>((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

Result<std::vector<std::string>> AllMountPoints() {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return InternalError("cannot read /proc/self/mountinfo");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    if (fields >> id >> parent >> dev >> root >> mount_point) out.push_back(Unescape(mount_point));
  }
  return out;
}

bool AtOrBelow(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

}  // namespace

Result<MountedFs> MountedAt(const std::string& mount_point) {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return InternalError("cannot read /proc/self/mountinfo");
  std::optional<MountedFs> found;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mp, opts, tok;
    if (!(f >> id >> parent >> dev >> root >> mp >> opts)) continue;
    if (Unescape(mp) != mount_point) continue;
    while (f >> tok && tok != "-") {  // optional fields, up to the separator
    }
    MountedFs fs;
    f >> fs.fs_type >> fs.source;
    fs.source = Unescape(fs.source);
    found = fs;  // later lines are mounted on top of earlier ones
  }
  if (!found) return NotFoundError("nothing is mounted on " + mount_point);
  return *found;
}

Result<std::vector<std::string>> MountPointsUnder(const std::string& dir) {
  auto all = AllMountPoints();
  if (!all.ok()) return all.status();
  std::vector<std::string> out;
  for (auto& m : *all) {
    if (AtOrBelow(m, dir)) out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a > b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<bool> IsMountPoint(const std::string& path) {
  auto all = AllMountPoints();
  if (!all.ok()) return all.status();
  return std::find(all->begin(), all->end(), path) != all->end();
}

Status MountTmpfs(const std::string& path, int64_t size_bytes) {
  std::string data = size_bytes > 0 ? "size=" + std::to_string(size_bytes) : std::string();
  if (mount("tmpfs", path.c_str(), "tmpfs", 0, data.empty() ? nullptr : data.c_str()) != 0) {
    return InternalError("mount -t tmpfs " + (data.empty() ? "" : "-o " + data + " ") + "tmpfs " +
                         path + " failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status Unmount(const std::string& path) {
  if (umount2(path.c_str(), 0) == 0) return Status::Ok();
  if (errno == EBUSY && umount2(path.c_str(), MNT_DETACH) == 0) return Status::Ok();
  if (errno == EINVAL || errno == ENOENT) return Status::Ok();  // not mounted (any more)
  return InternalError("umount " + path + " failed: " + std::strerror(errno));
}

}  // namespace skiff::node::internal
