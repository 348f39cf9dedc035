// process.args from the pod's command/args and the image's ENTRYPOINT/CMD. Internal to
// skiff_oci.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "environment.h"
#include "skiff/common/status.h"
#include "skiff/runtime/oci_spec.h"

namespace skiff::runtime::internal {

// kubelet expands $(VAR) in command and args from `env`; containerd then combines: no command
// -> image ENTRYPOINT (unless it is [""]) and, without args too, image CMD; a command alone
// drops CMD. kInvalidArgument "no command specified" when nothing is left.
Result<std::vector<std::string>> ProcessArgs(const nlohmann::json& container,
                                             const ImageDefaults& image,
                                             const std::vector<EnvVar>& env);

}  // namespace skiff::runtime::internal
