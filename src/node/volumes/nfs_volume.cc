#include "nfs_volume.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "json_fields.h"
#include "mount_table.h"
#include "nfs_mount.h"
#include "nfs_mount_request.h"
#include "rpc_ping.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace internal {
namespace {

std::string Bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// `target` with its parent made canonical; the target itself is not resolved, so a dead
// NFS mount on it is never stat'ed.
Result<std::string> CanonicalTarget(const std::string& target) {
  std::filesystem::path t(target);
  std::error_code ec;
  std::filesystem::create_directories(t.parent_path(), ec);
  if (ec) return InternalError("cannot create " + t.parent_path().string() + ": " + ec.message());
  char real[PATH_MAX];
  if (::realpath(t.parent_path().c_str(), real) == nullptr) {
    return InternalError("cannot resolve " + t.parent_path().string() + ": " + std::strerror(errno));
  }
  return std::string(real) + "/" + t.filename().string();
}

}  // namespace

Status CheckNfsServerAnswers(const std::string& host, int port, const std::vector<int>& versions,
                             std::chrono::milliseconds timeout) {
  const std::string who = "NFS server " + Bracketed(host) + ":" + std::to_string(port);
  std::string served;  // from PROG_MISMATCH
  for (int v : versions) {
    auto reply = RpcNullCall(host, port, kNfsProgram, static_cast<uint32_t>(v), timeout);
    // A connection that failed fails for the next version too: one wait is enough.
    if (!reply.ok()) return UnavailableError(who + " is not answering: " + reply.status().message());
    switch (reply->kind) {
      case RpcReply::Kind::kProgramMismatch:
        served = std::to_string(reply->low) + (reply->low == reply->high
                                                   ? ""
                                                   : "-" + std::to_string(reply->high));
        continue;
      case RpcReply::Kind::kProgramUnavailable:
        return UnavailableError(who + " is not answering: an RPC server answers there, but does "
                                      "not serve NFS (program 100003)");
      default:
        return Status::Ok();  // it answered for this version
    }
  }
  std::string asked;
  for (int v : versions) asked += (asked.empty() ? "" : " or ") + std::to_string(v);
  return UnavailableError(who + " serves NFS version " + served + " only, not " + asked);
}

Result<VolumeSource> SetUpNfsVolumeWith(const nlohmann::json& nfs_source,
                                        const std::vector<std::string>& mount_options,
                                        bool read_only, const std::string& target_dir,
                                        const NfsSetUpEnv& env) {
  const bool ro = read_only || BoolField(nfs_source, "readOnly");
  auto request = BuildNfsMountRequest(StrField(nfs_source, "server"), StrField(nfs_source, "path"),
                                      ro, mount_options);
  if (!request.ok()) return request.status();
  auto target = CanonicalTarget(target_dir);
  if (!target.ok()) return target.status();

  if (auto mounted = MountedAt(*target); mounted.ok()) {
    if ((mounted->fs_type == "nfs" || mounted->fs_type == "nfs4") &&
        SameNfsSource(mounted->source, request->source)) {
      return VolumeSource{*target, ro, 0};
    }
    log::Warning("volumes",
                 "another file system is mounted where an NFS volume goes; unmounting it",
                 {{"path", *target},
                  {"mounted", mounted->fs_type + " " + mounted->source},
                  {"want", request->source}});
    if (Status s = UnmountNfs(*target); !s.ok()) return s;
  }

  if (Status s = CheckNfsServerAnswers(request->server, request->port, request->versions,
                                       env.ping_timeout);
      !s.ok()) {
    return s;
  }
  const NfsClientSupport support = CheckNfsClientSupport(env.support);
  if (!support.kernel) {
    return UnimplementedError("mount of " + request->source +
                              " needs NFS support in the kernel, which this node lacks (" +
                              support.kernel_lack + ")");
  }
  if (!support.helper) {
    return UnimplementedError("mount of " + request->source + " needs " + support.helper_path +
                              ", which is missing: apt-get install nfs-common");
  }
  if (::mkdir(target->c_str(), 0750) != 0 && errno != EEXIST) {
    return InternalError("cannot create " + *target + ": " + std::strerror(errno));
  }
  if (Status s = RunNfsMount(*request, *target, env.mount_timeout, env.mount_binary); !s.ok()) {
    return s;
  }
  log::Info("volumes", "NFS volume mounted",
            {{"source", request->source}, {"path", *target}, {"options", request->JoinedOptions()}});
  return VolumeSource{*target, ro, 0};
}

}  // namespace internal

Result<VolumeSource> SetUpNfsVolume(const nlohmann::json& nfs_source,
                                    const std::vector<std::string>& mount_options, bool read_only,
                                    const std::string& target_dir) {
  return internal::SetUpNfsVolumeWith(nfs_source, mount_options, read_only, target_dir,
                                      internal::NfsSetUpEnv());
}

}  // namespace skiff::node
