// Small file-system helpers with the error reporting skiff wants (the path in every message).
#pragma once

#include <sys/types.h>

#include <string>

#include "skiff/common/status.h"

namespace skiff {

// Writes `data` to `path` so that readers see either the old or the new file, never a half
// one, and the new file survives power loss: a temporary file beside it is written, fsynced,
// given `mode`, renamed over `path`, and the directory is fsynced.
Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode);

// Reads a whole file. kNotFound when it does not exist.
Result<std::string> ReadFile(const std::string& path);

// The directory part of `path`: what precedes its last '/', "/" when that slash is the first
// byte, "." when there is none. No cleaning: "a/b/" gives "a/b", "a//b" gives "a/".
std::string DirName(const std::string& path);
// What follows the last '/' of `path` (all of it when there is none; "" after a trailing '/').
std::string BaseName(const std::string& path);

// Creates `path` and missing parents (new directories get `mode`). Fails naming the path.
Status MakeDirs(const std::string& path, mode_t mode = 0700);

}  // namespace skiff
