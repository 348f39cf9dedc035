#include "mounts.h"

#include <limits.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <set>

#include "expansion.h"
#include "json_access.h"
#include "rootfs_path.h"

namespace skiff::runtime::internal {
namespace {

using nlohmann::json;

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

json ToJson(const Mount& m) {
  return json{{"destination", m.destination},
              {"type", m.type},
              {"source", m.source},
              {"options", m.options}};
}

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

bool WithinBase(const std::string& path, const std::string& base) {
  if (base == "/") return true;
  return path == base || (path.size() > base.size() && path.compare(0, base.size(), base) == 0 &&
                          path[base.size()] == '/');
}

size_t Depth(const std::string& destination) {
  std::string clean = CleanPath(destination);
  return static_cast<size_t>(std::count(clean.begin(), clean.end(), '/'));
}

Mount Bind(const std::string& destination, const std::string& source, bool read_only,
           const char* propagation = "rprivate") {
  std::string src = RealPath(source).value_or(source);
  return Mount{destination, "bind", src, {"rbind", propagation, read_only ? "ro" : "rw"}};
}

std::vector<Mount> DefaultMounts(bool privileged) {
  std::vector<std::string> sys = {"nosuid", "noexec", "nodev", "ro"};
  std::vector<std::string> cgroup = {"nosuid", "noexec", "nodev", "relatime", "ro"};
  if (privileged) {  // containerd's WithWriteableSysfs / WithWriteableCgroupfs
    sys.pop_back();
    cgroup.pop_back();
  }
  return {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", sys},
      {"/sys/fs/cgroup", "cgroup", "cgroup", cgroup},
  };
}

}  // namespace

Result<std::string> PrepareSubPath(const std::string& volume_path, const std::string& sub_path) {
  if (!sub_path.empty() && sub_path[0] == '/') {
    return InvalidArgumentError("error SubPath `" + sub_path + "` must not be an absolute path");
  }
  for (size_t i = 0; i <= sub_path.size();) {
    size_t j = std::min(sub_path.find('/', i), sub_path.size());
    if (j - i == 2 && sub_path.compare(i, 2, "..") == 0) {
      return InvalidArgumentError("unable to provision SubPath `" + sub_path +
                                  "`: must not contain '..'");
    }
    i = j + 1;
  }
  auto base = RealPath(volume_path);
  if (!base) return InternalError("volume path " + volume_path + " does not exist");
  struct stat base_st;
  if (stat(base->c_str(), &base_st) != 0) return InternalError("cannot stat " + *base);

  // Walk the subPath: existing components are resolved (symlinks followed) and must stay inside
  // the volume; missing ones are created as directories.
  std::string current = *base;
  std::string rest = CleanPath(sub_path);
  size_t i = 0;
  while (rest != "." && i <= rest.size()) {
    size_t j = rest.find('/', i);
    if (j == std::string::npos) j = rest.size();
    std::string part = rest.substr(i, j - i);
    i = j + 1;
    std::string next = current + "/" + part;
    struct stat st;
    if (lstat(next.c_str(), &st) != 0) {
      if (mkdir(next.c_str(), base_st.st_mode & 07777) != 0 && errno != EEXIST) {
        return InternalError("failed to create subPath directory " + next);
      }
      chmod(next.c_str(), base_st.st_mode & 07777);
    }
    auto resolved = RealPath(next);
    if (!resolved) return InternalError("cannot resolve subPath " + next);
    if (!WithinBase(*resolved, *base)) {
      return InvalidArgumentError("subpath \"" + *resolved + "\" not within volume path \"" +
                                  *base + "\"");
    }
    current = *resolved;
  }
  return current;
}

Result<MountPlan> BuildMounts(const ContainerSpecInput& input, const std::vector<EnvVar>& env) {
  const json& pod = *input.pod;
  const json& container = *input.container;
  const json& spec = Field(pod, "spec");
  std::string container_name = StrField(container, "name");
  bool privileged = BoolField(Field(container, "securityContext"), "privileged").value_or(false);
  bool read_only_root =
      BoolField(Field(container, "securityContext"), "readOnlyRootFilesystem").value_or(false);
  MountPlan plan;

  // kubelet's mounts: volumeMounts, then the termination message file.
  std::vector<Mount> cri;
  const json& volume_mounts = Field(container, "volumeMounts");
  if (volume_mounts.is_array()) {
    for (const auto& vm : volume_mounts) {
      std::string name = StrField(vm, "name");
      auto vol = input.volumes.find(name);
      if (vol == input.volumes.end()) {
        return InvalidArgumentError("cannot find volume \"" + name +
                                    "\" to mount into container \"" + container_name + "\"");
      }
      std::string host_path = vol->second.path;
      std::string sub_path = StrField(vm, "subPath");
      std::string sub_path_expr = StrField(vm, "subPathExpr");
      if (!sub_path_expr.empty()) {
        std::set<std::string> missing;
        sub_path = Expand(sub_path_expr, [&](const std::string& key) -> std::optional<std::string> {
          for (const auto& e : env) {
            if (e.name == key && !e.value.empty()) return e.value;
          }
          missing.insert(key);
          return std::string();
        });
        if (!missing.empty()) {
          std::string keys;
          for (const auto& k : missing) {
            if (!keys.empty()) keys += ", ";
            keys += k;
          }
          return InvalidArgumentError("missing value for " + keys);
        }
      }
      if (!sub_path.empty()) {
        auto prepared = PrepareSubPath(host_path, sub_path);
        if (!prepared.ok()) return prepared.status();
        host_path = *prepared;
      }
      bool ro = vol->second.read_only || BoolField(vm, "readOnly").value_or(false);
      std::string propagation = StrField(vm, "mountPropagation");
      const char* prop = "rprivate";
      if (propagation == "Bidirectional") {
        prop = "rshared";
        plan.rootfs_propagation = "rshared";
      } else if (propagation == "HostToContainer") {
        prop = "rslave";
        if (plan.rootfs_propagation != "rshared") plan.rootfs_propagation = "rslave";
      }
      std::string destination = StrField(vm, "mountPath");
      if (destination.empty() || destination[0] != '/') destination = "/" + destination;
      cri.push_back(Bind(destination, host_path, ro, prop));
    }
  }
  if (!input.termination_message_file.empty()) {
    std::string path = StrField(container, "terminationMessagePath");
    if (path.empty()) path = "/dev/termination-log";
    cri.push_back(Bind(path, input.termination_message_file, false));
  }

  // containerd's sandbox files, unless a kubelet mount already covers the destination.
  std::vector<Mount> extra;
  if (!input.hostname_file.empty()) {
    extra.push_back(Bind("/etc/hostname", input.hostname_file, read_only_root));
  }
  if (!input.hosts_file.empty())
    extra.push_back(Bind("/etc/hosts", input.hosts_file, read_only_root));
  if (!input.resolv_conf_file.empty()) {
    extra.push_back(Bind("/etc/resolv.conf", input.resolv_conf_file, read_only_root));
  }
  if (BoolField(spec, "hostIPC").value_or(false)) {
    extra.push_back(Bind("/dev/shm", "/dev/shm", false));
  } else if (!input.shm_path.empty()) {
    extra.push_back(Bind("/dev/shm", input.shm_path, false));
  }

  std::vector<Mount> mounts = cri;
  for (auto& e : extra) {
    bool covered = std::any_of(cri.begin(), cri.end(), [&](const Mount& m) {
      return CleanPath(m.destination) == CleanPath(e.destination);
    });
    if (!covered) mounts.push_back(std::move(e));
  }
  std::stable_sort(mounts.begin(), mounts.end(), [](const Mount& a, const Mount& b) {
    return Depth(a.destination) < Depth(b.destination);
  });

  std::set<std::string> destinations;
  for (const auto& m : mounts) destinations.insert(CleanPath(m.destination));
  bool dev_mounted = destinations.count("/dev") > 0;
  for (const auto& d : DefaultMounts(privileged)) {
    std::string dst = CleanPath(d.destination);
    if (destinations.count(dst)) continue;
    if (dev_mounted && dst.rfind("/dev/", 0) == 0) continue;
    plan.mounts.push_back(ToJson(d));
  }
  for (const auto& m : mounts) plan.mounts.push_back(ToJson(m));
  return plan;
}

}  // namespace skiff::runtime::internal
