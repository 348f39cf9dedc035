#include "nfs_mount.h"

#include <sys/mount.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "mount_table.h"
#include "net/cni/process.h"
#include "skiff/common/log.h"

namespace skiff::node::internal {
namespace {

constexpr const char* kSearchPath = "/usr/sbin:/usr/bin:/sbin:/bin";

std::string Seconds(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

}  // namespace

bool SameNfsSource(const std::string& a, const std::string& b) {
  auto norm = [](std::string s) {
    while (s.size() > 1 && s.back() == '/' && s[s.size() - 2] != ':') s.pop_back();
    std::string out;
    for (char c : s) {
      if (c == '/' && !out.empty() && out.back() == '/') continue;
      out += c;
    }
    return out;
  };
  return norm(a) == norm(b);
}

Status RunNfsMount(const NfsMountRequest& request, const std::string& target,
                   std::chrono::milliseconds timeout, const std::string& mount_binary) {
  net::ProcessSpec spec;
  spec.path = mount_binary;
  spec.argv = {mount_binary, "-t", request.fstype};
  const std::string options = request.JoinedOptions();
  if (!options.empty()) {
    spec.argv.push_back("-o");
    spec.argv.push_back(options);
  }
  spec.argv.push_back(request.source);
  spec.argv.push_back(target);
  spec.env = {std::string("PATH=") + kSearchPath};
  spec.timeout = timeout;
  const std::string command = "mount -t " + request.fstype +
                              (options.empty() ? "" : " -o " + options) + " " + request.source +
                              " " + target;
  auto out = net::RunProcess(spec);
  if (!out.ok()) return Status(out.status().code(), command + " failed: " + out.status().message());
  if (out->ok()) return Status::Ok();
  if (out->timed_out) {
    return UnavailableError(command + " timed out after " + Seconds(timeout) + " (killed)");
  }
  std::string err = Trimmed(out->err.empty() ? out->out : out->err);
  return UnavailableError(command + " failed: " + net::DescribeExit(*out, spec) +
                          (err.empty() ? "" : ": " + err));
}

Status UnmountNfs(const std::string& path, std::chrono::milliseconds first_try) {
  if (!MountedAt(path).ok()) return Status::Ok();
  net::ProcessSpec spec;
  spec.path = "umount";
  spec.argv = {"umount", "-i", path};  // -i: not umount.nfs, which would ask mountd
  spec.env = {std::string("PATH=") + kSearchPath};
  spec.timeout = first_try;
  auto out = net::RunProcess(spec);
  if (out.ok() && out->ok()) return Status::Ok();
  std::string why = !out.ok() ? out.status().message()
                              : net::DescribeExit(*out, spec) + ": " + Trimmed(out->err);
  log::Warning("volumes", "NFS unmount did not finish; forcing and detaching it",
               {{"path", path}, {"cause", why}});
  if (::umount2(path.c_str(), MNT_FORCE | MNT_DETACH) == 0) return Status::Ok();
  if (errno == EINVAL || errno == ENOENT) return Status::Ok();  // gone meanwhile
  return InternalError("umount -f -l " + path + " failed: " + std::strerror(errno) +
                       " (after: " + why + ")");
}

}  // namespace skiff::node::internal
