// The container process's uid, gid and groups: kubelet's security context merged with the
// image's USER and resolved against the rootfs's /etc/passwd and /etc/group as containerd's
// WithUser/WithAdditionalGIDs do. Internal to skiff_oci.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::runtime::internal {

struct ProcessUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;  // sorted, unique, includes gid
};

// The effective value of a securityContext field: the container's, else the pod's.
const nlohmann::json& EffectiveSecurityField(const nlohmann::json& pod,
                                             const nlohmann::json& container, const char* key);

// kubelet's verifyRunAsNonRoot: kInvalidArgument `container has runAsNonRoot and image will run
// as root (pod: "web_default(uid)", container: app)` and its siblings.
Status VerifyRunAsNonRoot(const nlohmann::json& pod, const nlohmann::json& container,
                          const std::string& image_user);

// Resolves the user. Errors (kInvalidArgument) start with "unable to find user", "unable to
// find group" or "invalid USER value"; an unreadable passwd/group file is kInternal starting
// with "failed to read".
Result<ProcessUser> ResolveProcessUser(const nlohmann::json& pod, const nlohmann::json& container,
                                       const std::string& image_user, const std::string& rootfs);

}  // namespace skiff::runtime::internal
