// Repository rewrites of registries.yaml mirrors: POSIX extended regular expressions (anchors,
// groups, classes, *, +, ?, {m,n}: what k3s users write) and Go's replacement syntax ($1, ${1},
// $$). Every match is replaced, as Go's Regexp.ReplaceAllString does. Internal to
// skiff_registry. Thread-safe (no shared state).
#pragma once

#include <optional>
#include <string>

#include "skiff/common/status.h"
#include "skiff/runtime/registry_config.h"

namespace skiff::runtime::registry {

// kInvalidArgument with the regex library's reason when `pattern` does not compile.
Status CheckRewritePattern(const std::string& pattern);

// The rewritten repository when `rule` matches `repository`; nullopt when it does not (or its
// pattern does not compile).
std::optional<std::string> ApplyRewrite(const RepositoryRewrite& rule,
                                        const std::string& repository);

}  // namespace skiff::runtime::registry
