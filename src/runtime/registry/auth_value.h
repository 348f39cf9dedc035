// The "auth" value of Docker config files and registries.yaml: base64("username:password").
// Internal to skiff_registry.
#pragma once

#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::runtime::registry {

// kInvalidArgument (without naming the secret) when `encoded` is not base64 of "user:password".
Status DecodeAuthValue(std::string_view encoded, std::string* username, std::string* password);

}  // namespace skiff::runtime::registry
