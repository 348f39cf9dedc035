// Pieces shared by the label selector sources. Internal to skiff_apis_selectors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/apis/selector.h"
#include "skiff/common/status.h"

namespace skiff::apis::selectors_internal {

// labels.validateLabelKey: the rendered field error for an invalid key at `path`, e.g.
//   key: Invalid value: "a b": name part must consist of ...
// nullopt when the key is valid. The string parser passes "<nil>" (a nil *field.Path).
std::optional<std::string> LabelKeyError(std::string_view key, std::string_view path);

// labels.Parse without the final packaging: the requirements in input order, or the error text
// Kubernetes gives.
Result<std::vector<LabelRequirement>> ParseLabelRequirements(std::string_view text);

// Sorts requirements by key, keeping the relative order of equal keys.
void SortByKey(std::vector<LabelRequirement>& requirements);

}  // namespace skiff::apis::selectors_internal
