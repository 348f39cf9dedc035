// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): parse ("500m", "1Gi", "1e3"),
// compare, add, round, convert to integers and print in Kubernetes' canonical form.
//
// The one quantity implementation of skiff: validation, defaulting, printers and the node agent
// all use it. Plain values and free functions; thread-safe; never throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::apis {

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
// nano precision, as Kubernetes does. nullopt when the string is not a quantity or is too large
// (mantissa beyond 2^120 or exponent beyond 10^60).
std::optional<Quantity> ParseQuantity(std::string_view s);
// A JSON quantity: a string or a number. nullopt when neither parses.
std::optional<Quantity> QuantityFromJson(const nlohmann::json& v);

// -1, 0, 1.
int CompareQuantity(const Quantity& a, const Quantity& b);
Quantity AddQuantity(const Quantity& a, const Quantity& b);
// Rounds up (away from zero) to a multiple of 10^-3.
Quantity RoundUpToMilli(const Quantity& q);
// The value times 1000, rounded up (Quantity.MilliValue()); saturates at int64 limits.
int64_t MilliValue(const Quantity& q);
// The value rounded up to an integer (Quantity.Value(), e.g. bytes); saturates at int64 limits.
int64_t Value(const Quantity& q);
// Kubernetes' canonical string ("1536Mi", "500m", "2k", "1e3").
std::string CanonicalString(const Quantity& q);

}  // namespace skiff::apis
