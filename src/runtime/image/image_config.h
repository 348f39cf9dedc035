// Reading an OCI / Docker image config blob, and the ImageConfig <-> JSON form the store's
// metadata file keeps.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/image_store.h"

namespace skiff::runtime::image_detail {

struct ParsedConfig {
  ImageConfig config;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids, bottom first
};

// kInvalidArgument naming what is wrong (not JSON, rootfs.type not "layers", a bad diff id).
Result<ParsedConfig> ParseImageConfig(const std::string& bytes);

nlohmann::json ConfigToJson(const ImageConfig& c);
ImageConfig ConfigFromJson(const nlohmann::json& j);

}  // namespace skiff::runtime::image_detail
