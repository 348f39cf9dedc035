#include "devices.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

namespace skiff::runtime::internal {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

void Walk(const std::string& dir, const std::string& dev_root, std::vector<nlohmann::json>& out,
          int depth) {
  if (depth > 16) return;
  std::unique_ptr<DIR, DirCloser> d(opendir(dir.c_str()));
  if (!d) return;
  static const std::set<std::string> kSkipDirs = {"pts",  "shm",         "fd",   "mqueue",
                                                  ".lxc", ".lxd-mounts", ".udev"};
  while (dirent* e = readdir(d.get())) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (!kSkipDirs.count(name)) Walk(path, dev_root, out, depth + 1);
      continue;
    }
    if (name == "console" && dir == dev_root) continue;
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) continue;
    // Inside the container the device lives at the same path below /dev.
    std::string container_path = "/dev" + path.substr(dev_root.size());
    out.push_back({{"path", container_path},
                   {"type", S_ISCHR(st.st_mode) ? "c" : "b"},
                   {"major", static_cast<int64_t>(major(st.st_rdev))},
                   {"minor", static_cast<int64_t>(minor(st.st_rdev))},
                   {"fileMode", static_cast<int64_t>(st.st_mode & 07777)},
                   {"uid", static_cast<int64_t>(st.st_uid)},
                   {"gid", static_cast<int64_t>(st.st_gid)}});
  }
}

}  // namespace

nlohmann::json HostDevices(const std::string& dev_root) {
  std::vector<nlohmann::json> devices;
  Walk(dev_root, dev_root, devices, 0);
  std::sort(devices.begin(), devices.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["path"].get<std::string>() < b["path"].get<std::string>();
  });
  return nlohmann::json(devices);
}

}  // namespace skiff::runtime::internal
