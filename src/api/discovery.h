// Discovery documents: /api, /apis, /api/v1, /apis/<group>/<version> and /version, built from
// the resource registry.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "skiff/apis/registry.h"

namespace skiff::api {

nlohmann::json CoreVersions(const std::string& server_address);  // /api
nlohmann::json GroupList(const apis::Registry& registry);         // /apis
// /api/v1 or /apis/<group>/<version>; null when the group/version is not served.
nlohmann::json ResourceList(const apis::Registry& registry, const std::string& group,
                            const std::string& version);
// /apis/<group>: the group's versions; null when not served.
nlohmann::json Group(const apis::Registry& registry, const std::string& group);
nlohmann::json VersionInfo();  // /version

}  // namespace skiff::api
