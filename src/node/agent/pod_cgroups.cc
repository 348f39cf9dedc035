#include "pod_cgroups.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::node {

namespace {

std::string Trimmed(const std::string& s) {
  size_t end = s.find_last_not_of(" \n\t");
  return end == std::string::npos ? "" : s.substr(0, end + 1);
}

// Writes `value` to an existing cgroup file.
Status WriteCgroupFile(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  if (out) out << value << std::flush;
  if (!out) return UnavailableError("cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

// A v1 cpuset takes no task before its cpus and mems are set: copy the parent's.
Status InitCpuset(const std::string& dir) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    const std::string path = dir + "/" + file;
    auto own = ReadFile(path);
    if (!own.ok()) return Status::Ok();  // no cpuset controller here
    if (!Trimmed(*own).empty()) continue;
    auto parent = ReadFile(DirName(dir) + "/" + file);
    if (!parent.ok()) return parent.status();
    if (Status s = WriteCgroupFile(path, Trimmed(*parent)); !s.ok()) return s;
  }
  return Status::Ok();
}

// Creates `dir` (a cgroup below the hierarchy's root `top`) and its missing parents.
Status MakeCgroup(const std::string& top, const std::string& relative) {
  std::string dir = top;
  std::stringstream parts(relative);
  for (std::string part; std::getline(parts, part, '/');) {
    if (part.empty()) continue;
    dir += "/" + part;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return UnavailableError("cannot create the cgroup " + dir + ": " + std::strerror(errno));
    }
    if (Status s = InitCpuset(dir); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RemoveCgroup(const std::string& dir) {
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return UnavailableError("cannot remove the cgroup " + dir + ": " + std::strerror(errno));
}

std::vector<std::string> Subdirectories(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != ".." && e->d_type == DT_DIR) names.push_back(name);
    }
    ::closedir(d);
  }
  return names;
}

// A whole number in a cgroup file (its first line), or nullopt.
std::optional<int64_t> ReadCount(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return std::nullopt;
  std::istringstream in(*text);
  int64_t value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

// The value of `key` in a memory.stat text ("key value" lines), 0 when absent.
int64_t StatValue(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string name;
  int64_t value = 0;
  while (in >> name >> value) {
    if (name == key) return value;
  }
  return 0;
}

}  // namespace

std::vector<std::string> PodCgroups::MountedHierarchies(const std::string& mounts) {
  std::vector<std::string> found;
  std::ifstream in(mounts);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string device, where, type;
    fields >> device >> where >> type;
    if (type == "cgroup" || type == "cgroup2") found.push_back(where);
  }
  return found;
}

Result<std::vector<std::string>> PodCgroups::ShimsProcsFiles() const {
  const std::string shims = root_ + "/shims";
  std::vector<std::string> files;
  for (const std::string& top : hierarchies_) {
    if (Status s = MakeCgroup(top, shims); !s.ok()) return s;
    files.push_back(top + shims + "/cgroup.procs");
  }
  return files;
}

Status PodCgroups::MoveToShims(pid_t pid) const {
  const std::string shims = root_ + "/shims";
  std::string errors;
  for (const std::string& top : hierarchies_) {
    Status s = MakeCgroup(top, shims);
    if (s.ok()) s = WriteCgroupFile(top + shims + "/cgroup.procs", std::to_string(pid));
    if (!s.ok()) errors += (errors.empty() ? "" : "; ") + s.message();
  }
  if (!errors.empty()) {
    return UnavailableError("cannot move process " + std::to_string(pid) + " to " + shims + ": " +
                            errors);
  }
  return Status::Ok();
}

Status PodCgroups::RemovePod(const std::string& uid) const {
  const std::string pod = root_ + "/pod" + uid;
  for (const std::string& top : hierarchies_) {
    for (const std::string& child : Subdirectories(top + pod)) {
      if (Status s = RemoveCgroup(top + pod + "/" + child); !s.ok()) return s;
    }
    if (Status s = RemoveCgroup(top + pod); !s.ok()) return s;
  }
  return Status::Ok();
}

size_t PodCgroups::RemoveOrphans(const std::set<std::string>& live,
                                 std::chrono::seconds min_age) const {
  const time_t newest = ::time(nullptr) - static_cast<time_t>(min_age.count());
  std::set<std::string> orphans;
  for (const std::string& top : hierarchies_) {
    for (const std::string& name : Subdirectories(top + root_)) {
      if (name.rfind("pod", 0) != 0) continue;
      const std::string uid = name.substr(3);
      struct stat st {};
      if (live.count(uid) || ::stat((top + root_ + "/" + name).c_str(), &st) != 0 ||
          st.st_mtime > newest) {
        continue;
      }
      orphans.insert(uid);
    }
  }
  size_t removed = 0;
  for (const std::string& uid : orphans) {
    if (Status s = RemovePod(uid); !s.ok()) {
      log::Warning("agent", "cannot remove the cgroups of a pod this node no longer has",
                   {{"uid", uid}, {"error", s.message()}});
      continue;
    }
    ++removed;
  }
  return removed;
}

std::optional<int64_t> PodCgroups::MemoryWorkingSet(const std::string& uid,
                                                    const std::string& container_id) const {
  const std::string path = root_ + "/pod" + uid + (container_id.empty() ? "" : "/" + container_id);
  // (file, the inactive file cache's key in memory.stat): cgroup v1, then v2.
  const std::pair<const char*, const char*> kinds[] = {
      {"memory.usage_in_bytes", "total_inactive_file"}, {"memory.current", "inactive_file"}};
  for (const std::string& top : hierarchies_) {
    for (const auto& [usage_file, inactive_key] : kinds) {
      std::optional<int64_t> usage = ReadCount(top + path + "/" + usage_file);
      if (!usage) continue;
      auto stat = ReadFile(top + path + "/memory.stat");
      const int64_t inactive = stat.ok() ? StatValue(*stat, inactive_key) : 0;
      return std::max<int64_t>(0, *usage - inactive);
    }
  }
  return std::nullopt;
}

std::optional<int64_t> PodCgroups::Processes(const std::string& uid) const {
  for (const std::string& top : hierarchies_) {
    if (auto n = ReadCount(top + root_ + "/pod" + uid + "/pids.current")) return n;
  }
  return std::nullopt;
}

}  // namespace skiff::node
