// The objects of one manifest file: YAML documents separated by "---" lines (JSON is YAML, so a
// .json file is one document), each an object or a List of objects, with the document number
// and the line each document starts on, for error messages that point into the file.
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::manifests {

struct ManifestObject {
  int document = 0;  // 1-based, counting empty documents too
  int line = 0;      // 1-based line of the file where the document starts
  nlohmann::json object;
};

// kInvalidArgument naming the document and line ("document 2 (line 14): ...") for malformed
// YAML, a document that is not an object, or an object without apiVersion, kind or
// metadata.name. Empty documents (comments only) are skipped.
Result<std::vector<ManifestObject>> ParseManifest(const std::string& text);

}  // namespace skiff::manifests
