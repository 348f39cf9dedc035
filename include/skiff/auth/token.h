// The admin bearer token file.
#pragma once

#include <string>

#include "skiff/common/status.h"

namespace skiff::auth {

// Returns the token stored at `path`, creating it first when the file does not exist: 32 random
// bytes as 64 lower-case hex characters plus a newline, written atomically with mode 0600 (the
// parent directories are created 0700). An existing file is never rewritten; its content is
// used with surrounding whitespace removed, except an empty (or all-whitespace) one: only a
// write cut short leaves that, and a new token replaces it (with a warning). Errors: kCorrupt
// naming the file when the token contains whitespace or control characters; file-system errors
// naming the path.
// Calls for the same path must not overlap.
Result<std::string> EnsureTokenFile(const std::string& path);

}  // namespace skiff::auth
