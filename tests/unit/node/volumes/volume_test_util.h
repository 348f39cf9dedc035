// Helpers for the skiff_volumes tests: a pod directory that is unmounted and removed however
// the test ends, mount table queries, pods and a map-backed object lookup.
#pragma once

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "skiff/common/base64.h"
#include "skiff/node/pod_context.h"
#include "skiff/node/volumes.h"

namespace skiff::node::testing {

using nlohmann::json;

struct MountEntry {
  std::string mount_point;
  std::string fs_type;
  std::string super_options;
};

// Mounts at or below `dir` from /proc/self/mountinfo.
inline std::vector<MountEntry> MountsUnder(const std::string& dir) {
  std::vector<MountEntry> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mp, opts, tok;
    f >> id >> parent >> dev >> root >> mp >> opts;
    while (f >> tok && tok != "-") {
    }
    MountEntry e;
    e.mount_point = mp;
    f >> e.fs_type >> tok >> e.super_options;
    if (mp == dir || mp.rfind(dir + "/", 0) == 0) out.push_back(e);
  }
  return out;
}

// A pod directory under /tmp; on destruction every mount below it is detached and the tree
// removed, so a failing test leaves nothing behind.
class PodDir {
 public:
  PodDir() {
    char tmpl[] = "/tmp/skiff-volumes-test-XXXXXX";
    char* p = mkdtemp(tmpl);
    path_ = p ? p : "";
  }
  ~PodDir() {
    if (path_.empty()) return;
    auto mounts = MountsUnder(path_);
    std::sort(mounts.begin(), mounts.end(), [](const MountEntry& a, const MountEntry& b) {
      return a.mount_point.size() > b.mount_point.size();
    });
    for (const auto& m : mounts) umount2(m.mount_point.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  PodDir(const PodDir&) = delete;
  PodDir& operator=(const PodDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string LinkTarget(const std::string& path) {
  std::error_code ec;
  auto t = std::filesystem::read_symlink(path, ec);
  return ec ? std::string("<not a symlink>") : t.string();
}

inline mode_t Mode(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

inline bool IsSymlink(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// Names in a directory, sorted.
inline std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline json ConfigMap(const std::string& name, json data, json binary = nullptr) {
  json cm = {{"kind", "ConfigMap"},
             {"metadata", {{"name", name}, {"namespace", "default"}}},
             {"data", data}};
  if (!binary.is_null()) cm["binaryData"] = binary;
  return cm;
}

inline json Secret(const std::string& name, std::map<std::string, std::string> data) {
  json d = json::object();
  for (auto& [k, v] : data) d[k] = Base64Encode(v);
  return {
      {"kind", "Secret"}, {"metadata", {{"name", name}, {"namespace", "default"}}}, {"data", d}};
}

// A lookup over a map the test may change between calls.
struct Objects {
  std::map<std::string, json> items;  // "Kind/namespace/name"
  ObjectLookup Lookup() {
    return [this](const std::string& kind, const std::string& ns,
                  const std::string& name) -> Result<json> {
      auto it = items.find(kind + "/" + ns + "/" + name);
      if (it == items.end()) return NotFoundError(kind + " " + ns + "/" + name + " not found");
      return it->second;
    };
  }
};

inline json MakePod(json volumes, json pod_sc = json::object()) {
  return {{"metadata",
           {{"name", "web"},
            {"namespace", "default"},
            {"uid", "pod-uid-1"},
            {"labels", {{"app", "web"}, {"tier", "front"}}},
            {"annotations", {{"team", "edge"}}}}},
          {"spec",
           {{"nodeName", "node-1"},
            {"securityContext", pod_sc},
            {"containers",
             {{{"name", "app"},
               {"image", "busybox"},
               {"resources", {{"limits", {{"cpu", "250m"}, {"memory", "64Mi"}}}}}}}},
            {"volumes", volumes}}}};
}

inline PodRuntimeInfo Info() {
  PodRuntimeInfo info;
  info.node_name = "node-1";
  info.host_ip = "192.168.1.10";
  info.pod_ips = {"10.42.0.7"};
  info.node_allocatable_cpu = "2";
  info.node_allocatable_memory = "4Gi";
  return info;
}

}  // namespace skiff::node::testing
