// Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion), used for command, args,
// env values and subPathExpr. Internal to skiff_oci.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::runtime::internal {

// Looks a variable up; nullopt when it is not defined.
using VarLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Replaces each $(NAME) by its value; "$$" becomes "$"; an undefined $(NAME), a "$(" without
// a closing ")" and a "$" before any other character are kept as written.
std::string Expand(std::string_view input, const VarLookup& lookup);

}  // namespace skiff::runtime::internal
