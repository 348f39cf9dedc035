#include "host_facts.h"

#include <dirent.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "skiff/common/file_util.h"

namespace skiff::node {
namespace {

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

int64_t MemInfoBytes(const std::string& text, const std::string& key) {
  size_t at = text.find("\n" + key + ":");
  if (at == std::string::npos && text.rfind(key + ":", 0) == 0) at = 0;
  else if (at != std::string::npos) at += 1;
  else return 0;
  std::istringstream in(text.substr(at + key.size() + 1));
  int64_t kib = 0;
  in >> kib;
  return kib * 1024;
}

std::string OsImage() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string v = line.substr(12);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    return v;
  }
  return "Linux";
}

int64_t CountProcesses() {
  int64_t n = 0;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      if (std::isdigit(static_cast<unsigned char>(e->d_name[0]))) ++n;
    }
    closedir(d);
  }
  return n;
}

}  // namespace

std::string GoArch(const std::string& m) {
  if (m == "x86_64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m.rfind("armv", 0) == 0 || m == "arm") return "arm";
  if (m == "i386" || m == "i686") return "386";
  if (m == "ppc64le" || m == "s390x" || m == "riscv64") return m;
  return m;
}

HostFacts ReadHostFacts(const std::string& state_dir) {
  HostFacts f;
  f.cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream mi("/proc/meminfo");
  std::string meminfo((std::istreambuf_iterator<char>(mi)), std::istreambuf_iterator<char>());
  f.memory_bytes = MemInfoBytes(meminfo, "MemTotal");
  f.memory_available_bytes = MemInfoBytes(meminfo, "MemAvailable");
  struct statvfs vfs {};
  if (statvfs(state_dir.c_str(), &vfs) == 0) {
    f.disk_bytes = static_cast<int64_t>(vfs.f_blocks) * static_cast<int64_t>(vfs.f_frsize);
    f.disk_available_bytes = static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
    f.disk_inodes = static_cast<int64_t>(vfs.f_files);
    f.disk_inodes_free = static_cast<int64_t>(vfs.f_favail);
  }
  f.pids_max = std::atoll(FirstLine("/proc/sys/kernel/pid_max").c_str());
  f.pids_used = CountProcesses();
  f.machine_id = FirstLine("/etc/machine-id");
  f.system_uuid = FirstLine("/sys/class/dmi/id/product_uuid");
  if (f.system_uuid.empty()) f.system_uuid = f.machine_id;
  f.boot_id = FirstLine("/proc/sys/kernel/random/boot_id");
  struct utsname u {};
  if (uname(&u) == 0) {
    f.kernel_version = u.release;
    f.architecture = GoArch(u.machine);
  }
  f.os_image = OsImage();
  return f;
}

int LowestOomScoreAdj() {
  constexpr int kCapSysResource = 24;
  if (auto status = ReadFile("/proc/self/status"); status.ok()) {
    const size_t at = status->find("CapEff:");
    if (at != std::string::npos) {
      const uint64_t caps = std::strtoull(status->c_str() + at + 7, nullptr, 16);
      if (caps & (uint64_t{1} << kCapSysResource)) return -1000;
    }
  }
  if (auto own = ReadFile("/proc/self/oom_score_adj"); own.ok()) {
    return static_cast<int>(std::strtol(own->c_str(), nullptr, 10));
  }
  return 0;
}

}  // namespace skiff::node
