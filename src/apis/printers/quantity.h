// Kubernetes resource quantities as the printers show them: resource.Quantity.String(), the
// canonical form ("1024Mi" -> "1Gi", "0.5" -> "500m", "1000" -> "1k", "1.5Gi" -> "1536Mi").
// Internal to skiff_apis_printers; the arithmetic is skiff/apis/quantity.h.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace skiff::apis::printers {

// The canonical text of a quantity given as its JSON form (a string, or a plain number).
// A missing/null quantity is the zero Quantity, "0". Text that does not parse as a quantity
// (including values too large for skiff::apis::ParseQuantity) is returned as given.
std::string CanonicalQuantity(const nlohmann::json& q);
std::string CanonicalQuantity(const std::string& text);

}  // namespace skiff::apis::printers
