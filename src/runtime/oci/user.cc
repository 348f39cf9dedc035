#include "user.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include "json_access.h"
#include "rootfs_path.h"

namespace skiff::runtime::internal {
namespace {

using nlohmann::json;

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
};
struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::optional<uint32_t> ParseId(const std::string& s) {
  if (s.empty()) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

// The lines of a file inside the rootfs; nullopt when it does not exist.
Result<std::optional<std::vector<std::string>>> ReadRootfsLines(const std::string& rootfs,
                                                                const std::string& path) {
  auto host = ResolveInRoot(rootfs, path);
  if (!host.ok()) return host.status();
  std::ifstream in(*host);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::vector<std::string>>();
    return InternalError("failed to read " + path + " in rootfs " + rootfs);
  }
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return std::optional<std::vector<std::string>>(std::move(lines));
}

Result<std::optional<std::vector<PasswdEntry>>> ReadPasswd(const std::string& rootfs) {
  auto lines = ReadRootfsLines(rootfs, "/etc/passwd");
  if (!lines.ok()) return lines.status();
  if (!lines->has_value()) return std::optional<std::vector<PasswdEntry>>();
  std::vector<PasswdEntry> out;
  for (const auto& line : **lines) {
    if (line.empty() || line[0] == '#') continue;
    auto f = SplitOn(line, ':');
    if (f.size() < 4) continue;
    auto uid = ParseId(f[2]);
    auto gid = ParseId(f[3]);
    if (!uid || !gid) continue;
    out.push_back({f[0], *uid, *gid});
  }
  return std::optional<std::vector<PasswdEntry>>(std::move(out));
}

Result<std::optional<std::vector<GroupEntry>>> ReadGroups(const std::string& rootfs) {
  auto lines = ReadRootfsLines(rootfs, "/etc/group");
  if (!lines.ok()) return lines.status();
  if (!lines->has_value()) return std::optional<std::vector<GroupEntry>>();
  std::vector<GroupEntry> out;
  for (const auto& line : **lines) {
    if (line.empty() || line[0] == '#') continue;
    auto f = SplitOn(line, ':');
    if (f.size() < 3) continue;
    auto gid = ParseId(f[2]);
    if (!gid) continue;
    GroupEntry g{f[0], *gid, {}};
    if (f.size() > 3) {
      for (auto& m : SplitOn(f[3], ',')) {
        if (!m.empty()) g.members.push_back(m);
      }
    }
    out.push_back(std::move(g));
  }
  return std::optional<std::vector<GroupEntry>>(std::move(out));
}

Status UserNotFound(const std::string& name) {
  return InvalidArgumentError("unable to find user " + name +
                              ": no matching entries in passwd file");
}

// containerd's WithUser: "uid", "name", "uid:gid", "name:group", ...
Result<ProcessUser> ParseUserString(const std::string& userstr, const std::string& rootfs) {
  ProcessUser u;
  auto parts = SplitOn(userstr, ':');
  if (parts.size() == 1) {
    auto passwd = ReadPasswd(rootfs);
    if (!passwd.ok()) return passwd.status();
    if (auto uid = ParseId(parts[0])) {
      u.uid = *uid;
      if (passwd->has_value()) {
        for (const auto& e : **passwd) {
          if (e.uid == *uid) {
            u.gid = e.gid;
            break;
          }
        }
      }
      return u;
    }
    if (passwd->has_value()) {
      for (const auto& e : **passwd) {
        if (e.name == parts[0]) {
          u.uid = e.uid;
          u.gid = e.gid;
          return u;
        }
      }
    }
    return UserNotFound(parts[0]);
  }
  if (parts.size() != 2) return InvalidArgumentError("invalid USER value " + userstr);
  auto uid = ParseId(parts[0]);
  auto gid = ParseId(parts[1]);
  if (uid) u.uid = *uid;
  if (gid) u.gid = *gid;
  if (!uid) {
    auto passwd = ReadPasswd(rootfs);
    if (!passwd.ok()) return passwd.status();
    bool found = false;
    if (passwd->has_value()) {
      for (const auto& e : **passwd) {
        if (e.name == parts[0]) {
          u.uid = e.uid;
          found = true;
          break;
        }
      }
    }
    if (!found) return UserNotFound(parts[0]);
  }
  if (!gid) {
    auto groups = ReadGroups(rootfs);
    if (!groups.ok()) return groups.status();
    bool found = false;
    if (groups->has_value()) {
      for (const auto& g : **groups) {
        if (g.name == parts[1]) {
          u.gid = g.gid;
          found = true;
          break;
        }
      }
    }
    if (!found) {
      return InvalidArgumentError("unable to find group " + parts[1] +
                                  ": no matching entries in group file");
    }
  }
  return u;
}

std::string FormatPod(const json& pod) {
  const json& meta = Field(pod, "metadata");
  return StrField(meta, "name") + "_" + StrField(meta, "namespace") + "(" + StrField(meta, "uid") +
         ")";
}

}  // namespace

const json& EffectiveSecurityField(const json& pod, const json& container, const char* key) {
  const json& own = Field(Field(container, "securityContext"), key);
  if (!own.is_null()) return own;
  return Field(Path(pod, {"spec", "securityContext"}), key);
}

Status VerifyRunAsNonRoot(const json& pod, const json& container, const std::string& image_user) {
  const json& non_root = EffectiveSecurityField(pod, container, "runAsNonRoot");
  if (!non_root.is_boolean() || !non_root.get<bool>()) return Status::Ok();
  std::string where =
      "(pod: \"" + FormatPod(pod) + "\", container: " + StrField(container, "name") + ")";
  const json& run_as_user = EffectiveSecurityField(pod, container, "runAsUser");
  if (run_as_user.is_number_integer()) {
    if (run_as_user.get<int64_t>() == 0) {
      return InvalidArgumentError("container's runAsUser breaks non-root policy " + where);
    }
    return Status::Ok();
  }
  std::string user = image_user.substr(0, image_user.find(':'));
  if (user.empty()) user = "0";
  auto uid = ParseId(user);
  if (uid && *uid == 0) {
    return InvalidArgumentError("container has runAsNonRoot and image will run as root " + where);
  }
  if (!uid) {
    return InvalidArgumentError("container has runAsNonRoot and image has non-numeric user (" +
                                user + "), cannot verify user is non-root " + where);
  }
  return Status::Ok();
}

Result<ProcessUser> ResolveProcessUser(const json& pod, const json& container,
                                       const std::string& image_user, const std::string& rootfs) {
  const json& run_as_user = EffectiveSecurityField(pod, container, "runAsUser");
  const json& run_as_group = EffectiveSecurityField(pod, container, "runAsGroup");
  std::string userstr;
  if (run_as_user.is_number_integer()) {
    userstr = std::to_string(run_as_user.get<int64_t>());
  } else if (run_as_group.is_number_integer()) {
    // containerd refuses a group without a user; skiff keeps the image's user instead.
    userstr = image_user.substr(0, image_user.find(':'));
    if (userstr.empty()) userstr = "0";
  } else {
    userstr = image_user;
  }
  if (run_as_group.is_number_integer()) {
    userstr += ":" + std::to_string(run_as_group.get<int64_t>());
  }
  ProcessUser u;
  if (!userstr.empty()) {
    auto parsed = ParseUserString(userstr, rootfs);
    if (!parsed.ok()) return parsed.status();
    u = *parsed;
  }

  // Groups that list the user by name in /etc/group (containerd's WithAdditionalGIDs).
  std::vector<uint32_t> gids{u.gid};
  auto passwd = ReadPasswd(rootfs);
  if (!passwd.ok()) return passwd.status();
  std::string name;
  if (passwd->has_value()) {
    for (const auto& e : **passwd) {
      if (e.uid == u.uid) {
        name = e.name;
        break;
      }
    }
  }
  if (!name.empty()) {
    auto groups = ReadGroups(rootfs);
    if (!groups.ok()) return groups.status();
    if (groups->has_value()) {
      for (const auto& g : **groups) {
        if (std::find(g.members.begin(), g.members.end(), name) != g.members.end()) {
          gids.push_back(g.gid);
        }
      }
    }
  }
  const json& pod_sc = Path(pod, {"spec", "securityContext"});
  const json& supplemental = Field(pod_sc, "supplementalGroups");
  if (supplemental.is_array()) {
    for (const auto& g : supplemental) {
      if (g.is_number_integer()) gids.push_back(static_cast<uint32_t>(g.get<int64_t>()));
    }
  }
  if (auto fs_group = IntField(pod_sc, "fsGroup")) gids.push_back(static_cast<uint32_t>(*fs_group));
  std::sort(gids.begin(), gids.end());
  gids.erase(std::unique(gids.begin(), gids.end()), gids.end());
  u.additional_gids = std::move(gids);
  return u;
}

}  // namespace skiff::runtime::internal
