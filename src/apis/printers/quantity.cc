// The printers' view of a quantity: skiff::apis::Quantity's canonical text, or the text as
// given when it does not parse.
#include "quantity.h"

#include "skiff/apis/quantity.h"

namespace skiff::apis::printers {

std::string CanonicalQuantity(const std::string& text) {
  auto q = ParseQuantity(text);
  return q ? CanonicalString(*q) : text;
}

std::string CanonicalQuantity(const nlohmann::json& q) {
  if (q.is_null()) return "0";
  if (!q.is_string() && !q.is_number()) return "0";
  if (q.is_string()) return CanonicalQuantity(q.get<std::string>());
  auto parsed = QuantityFromJson(q);
  return parsed ? CanonicalString(*parsed) : q.dump();
}

}  // namespace skiff::apis::printers
