// Reading a skiff config file (YAML) into a flat list of key/value entries with line numbers.
// Private to skiff_cli; yaml-cpp stays inside config_file.cc and its exceptions never leave it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::cli {

struct ConfigEntry {
  enum class Kind { kScalar, kNull, kSequence, kMap };

  std::string key;
  int line = 0;  // 1-based line of the key
  Kind kind = Kind::kScalar;
  std::string value;  // the scalar's text ("" unless kind is kScalar)
  // For an unquoted scalar that YAML 1.1 reads as a boolean (true, yes, on, off, n, ...).
  std::optional<bool> yaml_bool;
};

struct ConfigFile {
  std::string path;
  std::vector<ConfigEntry> entries;  // in file order; keys are unique
};

// Reads and parses `path`. An empty file (or one with only comments) has no entries. Errors,
// all InvalidArgument:
//   cannot read config file "PATH"<origin>: <strerror>
//   PATH:LINE:COLUMN: <yaml-cpp's message>              (syntax)
//   PATH: must be a YAML mapping of flag names to values ..., got a sequence
//   PATH:LINE: duplicate key "data-dir" (first at line 2)
// `origin` is inserted after the path in read errors, e.g. " (given by --config)".
Result<ConfigFile> LoadConfigFile(const std::string& path, std::string_view origin = {});

// Whether `path` should be read as the default config file: true when it exists (even if it is
// unreadable, so that the read error is reported), false when it or a parent is missing.
bool ConfigFileExists(const std::string& path);

}  // namespace skiff::cli
