#include "net/cni/host_local_store.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "skiff/common/file_lock.h"
#include "skiff/common/file_util.h"

namespace skiff::net {
namespace {

bool IsIpName(const std::string& name) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, name.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), buf) == 1;
}


}  // namespace

Result<std::vector<Reservation>> ListReservations(const std::string& network_dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(network_dir.c_str()), ::closedir);
  if (!dir) {
    if (errno == ENOENT) return std::vector<Reservation>{};
    return UnavailableError("cannot list host-local store " + network_dir + ": " +
                            std::strerror(errno));
  }
  std::vector<Reservation> out;
  while (dirent* ent = ::readdir(dir.get())) {
    std::string name = ent->d_name;
    if (!IsIpName(name)) continue;
    Result<std::string> text = ReadFile(network_dir + "/" + name);
    if (!text.ok()) {
      if (text.status().code() == Code::kNotFound) continue;  // released meanwhile
      return text.status();
    }
    Reservation r;
    r.ip = name;
    const std::string& t = *text;
    size_t br = t.find_first_of("\r\n");
    r.owner_id = t.substr(0, br);
    if (br != std::string::npos) {
      size_t start = t.find_first_not_of("\r\n", br);
      if (start != std::string::npos) r.ifname = t.substr(start);
    }
    // host-local trims whitespace when it compares owners; so do we.
    auto trim = [](std::string& s) {
      s.erase(0, s.find_first_not_of(" \t\r\n"));
      s.erase(s.find_last_not_of(" \t\r\n") + 1);
    };
    trim(r.owner_id);
    trim(r.ifname);
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(),
            [](const Reservation& a, const Reservation& b) { return a.ip < b.ip; });
  return out;
}

Result<std::vector<std::string>> ReleaseReservations(
    const std::string& network_dir, const std::function<bool(const std::string&)>& keep) {
  if (::access(network_dir.c_str(), F_OK) != 0) return std::vector<std::string>{};
  // host-local's own lock file: the plugin flocks it while it allocates.
  Result<FileLock> lock = FileLock::Acquire(network_dir + "/lock", 0750);
  if (!lock.ok()) return lock.status();
  Result<std::vector<Reservation>> all = ListReservations(network_dir);
  if (!all.ok()) return all.status();
  std::vector<std::string> released;
  for (const Reservation& r : *all) {
    if (keep(r.owner_id)) continue;
    std::string path = network_dir + "/" + r.ip;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return UnavailableError("cannot release host-local address file " + path + ": " +
                              std::strerror(errno));
    }
    released.push_back(r.ip);
  }
  return released;
}

}  // namespace skiff::net
