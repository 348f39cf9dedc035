#include "skiff/server/host_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>

#include "skiff/apis/eviction_thresholds.h"
#include "skiff/common/file_util.h"
#include "skiff/net/cni.h"
#include "skiff/node/nfs_support.h"

namespace skiff::server {
namespace {

using R = CheckLine::Result;

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The executable `name` in PATH, or "".
std::string InPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// The first line `command` prints (stdout and stderr) that contains `needle`, trimmed; "".
std::string LineOf(const std::string& command, const std::string& needle = "") {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return "";
  char buf[512] = {};
  std::string found;
  while (found.empty() && fgets(buf, sizeof buf, p)) {
    std::string line = buf;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    line = start == std::string::npos ? "" : line.substr(start);
    if (!line.empty() && line.find(needle) != std::string::npos) found = line;
  }
  pclose(p);
  return found;
}

CheckLine Tool(const std::string& what, const std::string& binary, const std::string& package,
               const std::string& version_args, const std::string& version_line = "") {
  const std::string path = InPath(binary);
  if (path.empty()) {
    return {R::kFail, what, binary + " not found in PATH: apt-get install " + package};
  }
  const std::string version =
      version_args.empty() ? "" : LineOf(path + " " + version_args, version_line);
  return {R::kOk, what, version.empty() ? path : version};
}

CheckLine Kernel() {
  utsname u{};
  uname(&u);
  std::string missing;
  for (const char* ns : {"net", "ipc", "uts", "mnt", "pid"}) {
    if (access((std::string("/proc/self/ns/") + ns).c_str(), F_OK) != 0) missing += std::string(" ") + ns;
  }
  if (!missing.empty()) {
    return {R::kFail, "namespaces", std::string(u.release) + " lacks namespaces:" + missing};
  }
  return {R::kOk, "kernel", std::string(u.release) + " " + u.machine +
                                ", network/IPC/UTS/mount/PID namespaces"};
}

CheckLine Overlay() {
  if (Slurp("/proc/filesystems").find("\toverlay\n") != std::string::npos) {
    return {R::kOk, "overlayfs", "in /proc/filesystems"};
  }
  if (access("/sys/module/overlay", F_OK) == 0) return {R::kOk, "overlayfs", "module loaded"};
  return {R::kFail, "overlayfs",
          "not in /proc/filesystems: modprobe overlay (container root filesystems need it)"};
}

CheckLine Cgroups() {
  const std::string v2 = Slurp("/sys/fs/cgroup/cgroup.controllers");
  if (!v2.empty()) {
    std::string missing;
    for (const char* c : {"cpu", "memory", "pids"}) {
      if ((" " + v2 + " ").find(std::string(" ") + c) == std::string::npos) missing += std::string(" ") + c;
    }
    if (!missing.empty()) {
      return {R::kFail, "cgroups", "cgroup v2 without the controllers:" + missing +
                                        " (enable them in the kernel command line)"};
    }
    return {R::kOk, "cgroups", "v2 (unified) with cpu, memory, pids"};
  }
  const std::string table = Slurp("/proc/cgroups");
  std::string missing;
  for (const char* c : {"cpu", "memory", "pids"}) {
    bool enabled = false;
    std::istringstream lines(table);
    std::string name, hierarchy, cgroups, on;
    while (lines >> name >> hierarchy >> cgroups >> on) {
      if (name == c && on == "1") enabled = true;
    }
    if (!enabled || access((std::string("/sys/fs/cgroup/") + c).c_str(), F_OK) != 0) {
      missing += std::string(" ") + c;
    }
  }
  if (!missing.empty()) {
    return {R::kFail, "cgroups", "v1 without mounted controllers:" + missing +
                                      " (on a Raspberry Pi: add cgroup_memory=1 cgroup_enable=memory "
                                      "to cmdline.txt)"};
  }
  return {R::kOk, "cgroups", "v1 with cpu, memory, pids"};
}

CheckLine CniPlugins() {
  const std::string dir = net::CniConfig().plugin_dir;
  std::string missing;
  for (const char* p : {"bridge", "host-local", "loopback", "portmap"}) {
    if (access((dir + "/" + p).c_str(), X_OK) != 0) missing += std::string(" ") + p;
  }
  if (!missing.empty()) {
    return {R::kFail, "CNI plugins",
            "missing in " + dir + ":" + missing + ": apt-get install containernetworking-plugins"};
  }
  return {R::kOk, "CNI plugins", "bridge, host-local, loopback, portmap in " + dir};
}

CheckLine Nftables() {
  CheckLine tool = Tool("nftables", "nft", "nftables", "--version");
  if (tool.result != R::kOk || geteuid() != 0) return tool;
  const std::string listed = LineOf(InPath("nft") + " list tables >/dev/null && echo listed");
  if (listed != "listed") {
    return {R::kFail, "nftables", "nft cannot list the tables: " + listed +
                                      " (the kernel needs nf_tables)"};
  }
  return tool;
}

CheckLine BridgeNetfilter() {
  if (access("/proc/sys/net/bridge/bridge-nf-call-iptables", F_OK) == 0) {
    return {R::kOk, "br_netfilter", "loaded"};
  }
  return {R::kWarn, "br_netfilter",
          "not loaded (skiff loads it when it can: modprobe br_netfilter); without it, service "
          "traffic between two pods of this node is not seen by the proxy's rules"};
}

// A WARN, never a FAIL: skiff runs without NFS; only pods with nfs volumes cannot start.
CheckLine Nfs() {
  const node::NfsClientSupport nfs = node::CheckNfsClientSupport();
  const std::string helper_missing =
      nfs.helper_path + " is missing: apt-get install nfs-common";
  if (!nfs.kernel) {
    return {R::kWarn, "NFS volumes",
            "this kernel has no NFS client (" + nfs.kernel_lack +
                "): pods with nfs volumes cannot start on this node (FailedMount); no package "
                "fixes that, a kernel with CONFIG_NFS_FS does" +
                (nfs.helper ? "" : "; also " + helper_missing)};
  }
  if (!nfs.helper) {
    return {R::kWarn, "NFS volumes", helper_missing + " (pods with nfs volumes cannot start)"};
  }
  return {R::kOk, "NFS volumes", nfs.kernel_how + ", " + nfs.helper_path};
}

// What local-path claims of the default (enforced) class need: loop devices, ext4 and
// e2fsprogs' tools. Without them such claims fail (ProvisioningFailed is not possible here:
// the node finds out when a pod mounts the volume); `capacity: unenforced` classes still work.
CheckLine LocalPath() {
  std::vector<std::string> missing;
  if (access("/dev/loop-control", R_OK | W_OK) != 0) missing.push_back("/dev/loop-control (modprobe loop)");
  if (Slurp("/proc/filesystems").find("\text4\n") == std::string::npos) missing.push_back("ext4 in the kernel");
  for (const char* tool : {"mkfs.ext4", "debugfs", "e2fsck", "resize2fs"}) {
    if (InPath(tool).empty()) missing.push_back(std::string(tool) + " (apt-get install e2fsprogs)");
  }
  if (!missing.empty()) {
    std::string detail = "enforced local-path volumes cannot be made without ";
    for (size_t i = 0; i < missing.size(); ++i) detail += (i ? ", " : "") + missing[i];
    return {R::kWarn, "local-path", detail + "; a class with parameter capacity: unenforced works"};
  }
  return {R::kOk, "local-path", "loop devices, ext4 and e2fsprogs for enforced volumes"};
}

CheckLine Port(const cli::ServerOptions& o) {
  const bool v6 = o.bind_address.find(':') != std::string::npos;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {R::kFail, "API port", std::string("socket: ") + std::strerror(errno)};
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  int rc;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(o.https_listen_port);
    inet_pton(AF_INET6, o.bind_address.c_str(), &a.sin6_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(o.https_listen_port);
    inet_pton(AF_INET, o.bind_address.c_str(), &a.sin_addr);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  const int err = errno;
  close(fd);
  const std::string where = o.bind_address + ":" + std::to_string(o.https_listen_port);
  if (rc != 0) {
    return {R::kFail, "API port",
            where + " cannot be bound: " + std::strerror(err) +
                (err == EADDRINUSE ? " (is skiff, or k3s, already running? --https-listen-port "
                                     "picks another)"
                                   : "")};
  }
  return {R::kOk, "API port", where + " is free"};
}

CheckLine Disk(const cli::ServerOptions& o) {
  // The data dir, or the nearest existing parent (a first start makes it).
  std::string dir = o.data_dir;
  while (!dir.empty() && access(dir.c_str(), F_OK) != 0) {
    const size_t slash = dir.find_last_of('/');
    dir = slash == 0 ? "/" : dir.substr(0, slash == std::string::npos ? 0 : slash);
  }
  struct statvfs st {};
  if (dir.empty() || statvfs(dir.c_str(), &st) != 0) {
    return {R::kFail, "disk", "cannot read the file system of " + o.data_dir};
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return {R::kFail, "disk", dir + " is not writable by this user"};
  }
  const int64_t size = static_cast<int64_t>(st.f_blocks) * static_cast<int64_t>(st.f_frsize);
  const int64_t avail = static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
  const std::string figures = std::to_string(avail >> 20) + " MiB free of " +
                              std::to_string(size >> 20) + " MiB under " + dir;
  for (apis::EvictionSignal s : {apis::EvictionSignal::kNodefsAvailable,
                                 apis::EvictionSignal::kImagefsAvailable}) {
    const apis::EvictionThreshold* t = apis::FindThreshold(o.eviction_hard, s);
    if (t && t->Crossed(avail, size)) {
      return {R::kWarn, "disk", figures + ": below --eviction-hard (" +
                                     apis::FormatEvictionHard({*t}) +
                                     "), the node will report DiskPressure"};
    }
  }
  return {R::kOk, "disk", figures};
}

}  // namespace

std::vector<CheckLine> CheckHost(const cli::ServerOptions& o) {
  std::vector<CheckLine> lines;
  lines.push_back(Kernel());
  lines.push_back(Disk(o));
  lines.push_back(Port(o));
  if (o.disable_agent) return lines;
  if (geteuid() != 0) {
    lines.push_back({R::kFail, "root", "the node agent needs root (namespaces, mounts, cgroups, "
                                       "the pod bridge); or pass --disable-agent"});
  } else {
    lines.push_back({R::kOk, "root", "running as root"});
  }
  lines.push_back(Overlay());
  lines.push_back(Cgroups());
  lines.push_back(Tool("runc", "runc", "runc", "--version"));
  CheckLine shim = Tool("shim", "containerd-shim-runc-v2", "containerd", "-v", "Version:");
  if (shim.result == R::kOk) shim.detail = "containerd-shim-runc-v2 " + shim.detail;
  lines.push_back(shim);
  lines.push_back(CniPlugins());
  lines.push_back(Nftables());
  lines.push_back(Tool("iptables", "iptables", "iptables", "--version"));
  lines.push_back(Tool("conntrack", "conntrack", "conntrack", "--version"));
  lines.push_back(BridgeNetfilter());
  lines.push_back(LocalPath());
  lines.push_back(Nfs());
  return lines;
}

int RunCheck(const cli::ServerOptions& options, std::ostream& out) {
  bool failed = false;
  for (const CheckLine& l : CheckHost(options)) {
    const char* tag = l.result == R::kOk ? "ok  " : l.result == R::kWarn ? "WARN" : "FAIL";
    char what[24];
    std::snprintf(what, sizeof what, "%-14s", l.what.c_str());
    out << tag << "  " << what << "  " << l.detail << "\n";
    failed = failed || l.result == R::kFail;
  }
  out << (failed ? "skiff cannot run here until the FAIL lines are fixed.\n"
                 : "skiff can run here.\n");
  return failed ? 1 : 0;
}

}  // namespace skiff::server
