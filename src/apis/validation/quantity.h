// resource.Quantity as far as defaulting and validation need it: parse ("500m", "1Gi", "1e3"),
// compare, add, round up to milli precision and print in Kubernetes' canonical form.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::apis::internal {

// GCC's 128-bit integer (__extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;

struct Quantity {
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };
  // value = mantissa * 10^exp10, exactly.
  Int128 mantissa = 0;
  int exp10 = 0;
  Format format = Format::kDecimalSI;

  bool IsZero() const { return mantissa == 0; }
  bool IsNegative() const { return mantissa < 0; }
};

// Parses a quantity string (Kubernetes' grammar). Values more precise than 1n are rounded up to
// nano precision, as Kubernetes does. nullopt when the string is not a quantity or is too large.
std::optional<Quantity> ParseQuantity(std::string_view s);
// A JSON quantity: a string or a number. nullopt when neither parses.
std::optional<Quantity> QuantityFromJson(const nlohmann::json& v);

// -1, 0, 1.
int CompareQuantity(const Quantity& a, const Quantity& b);
Quantity AddQuantity(const Quantity& a, const Quantity& b);
// Rounds up (away from zero) to a multiple of 10^-3.
Quantity RoundUpToMilli(const Quantity& q);
// The value times 1000, rounded up; saturates at int64 limits.
int64_t MilliValue(const Quantity& q);
// Kubernetes' canonical string ("1536Mi", "500m", "2k", "1e3").
std::string CanonicalString(const Quantity& q);

}  // namespace skiff::apis::internal
