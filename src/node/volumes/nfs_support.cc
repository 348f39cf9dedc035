#include "skiff/node/nfs_support.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace skiff::node {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "";
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// "nfs" or "nfs4" when /proc/filesystems lists it ("nodev\tnfs4"), else "".
std::string NfsInFilesystems(const std::string& table) {
  std::istringstream lines(table);
  std::string line;
  std::string found;
  while (std::getline(lines, line)) {
    const size_t tab = line.find_last_of("\t ");
    const std::string name = tab == std::string::npos ? line : line.substr(tab + 1);
    if (name == "nfs") return "nfs";
    if (name == "nfs4") found = "nfs4";
  }
  return found;
}

bool ModuleListed(const std::string& modules_dep) {
  // "kernel/fs/nfs/nfs.ko.xz: kernel/fs/nfs/..." (compressed or not)
  std::istringstream lines(modules_dep);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string path = line.substr(0, line.find(':'));
    if (path.find("/fs/nfs/nfs.ko") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

NfsClientSupport CheckNfsClientSupport(const NfsSupportPaths& paths) {
  NfsClientSupport out;
  out.helper_path = paths.mount_helper;
  out.helper = ::access(paths.mount_helper.c_str(), X_OK) == 0;

  if (std::string fs = NfsInFilesystems(Slurp(paths.proc_filesystems)); !fs.empty()) {
    out.kernel = true;
    out.kernel_how = fs + " in " + paths.proc_filesystems;
    return out;
  }
  utsname u{};
  ::uname(&u);
  const std::string dep_file = paths.modules_root + "/" + u.release + "/modules.dep";
  const bool listed = ModuleListed(Slurp(dep_file));
  const std::string disabled = Slurp(paths.modules_disabled);
  // No such file: the kernel was built without module support.
  const bool loadable = !disabled.empty() && disabled[0] == '0';
  if (listed && loadable) {
    out.kernel = true;
    out.kernel_how = "nfs module for " + std::string(u.release) + " (loaded on the first mount)";
    return out;
  }
  out.kernel_lack = "no nfs in " + paths.proc_filesystems;
  if (!listed) {
    out.kernel_lack += ", no nfs module in " + dep_file;
  } else {
    out.kernel_lack += ", and module loading is off";
  }
  return out;
}

}  // namespace skiff::node
