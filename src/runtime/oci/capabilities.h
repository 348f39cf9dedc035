// Linux capabilities of a container process, as containerd's CRI plugin computes them from the
// securityContext. Internal to skiff_oci.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace skiff::runtime::internal {

// containerd's default set for Kubernetes containers ("CAP_CHOWN", ... 14 names).
const std::vector<std::string>& DefaultCapabilities();
// Every capability this kernel generation knows (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE).
const std::vector<std::string>& AllCapabilities();

// The capability list for bounding/effective/permitted: the default set (or all when
// privileged), then add "ALL" -> all, drop "ALL" -> none, then individual adds, then individual
// drops. `capabilities` is securityContext.capabilities ({add: [...], drop: [...]}); names may
// carry the "CAP_" prefix or not and any case. The result keeps the order of AllCapabilities().
std::vector<std::string> ContainerCapabilities(const nlohmann::json& capabilities, bool privileged);

}  // namespace skiff::runtime::internal
