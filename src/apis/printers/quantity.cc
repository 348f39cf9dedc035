// resource.Quantity parsing and canonical formatting, following
// k8s.io/apimachinery/pkg/api/resource (ParseQuantity, CanonicalizeBytes).
#include "quantity.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace skiff::apis::printers {
namespace {

// 128-bit arithmetic keeps every quantity skiff accepts exact (GCC extension).
__extension__ typedef __int128 Int128;

enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

struct Suffix {
  int base = 10;     // 10 or 2
  int exponent = 0;  // power of base
  Format format = Format::kDecimalSI;
};

std::optional<Suffix> Interpret(std::string_view s) {
  struct Entry {
    std::string_view text;
    Suffix suffix;
  };
  static constexpr Entry kTable[] = {
      {"", {10, 0, Format::kDecimalSI}},   {"n", {10, -9, Format::kDecimalSI}},
      {"u", {10, -6, Format::kDecimalSI}}, {"m", {10, -3, Format::kDecimalSI}},
      {"k", {10, 3, Format::kDecimalSI}},  {"M", {10, 6, Format::kDecimalSI}},
      {"G", {10, 9, Format::kDecimalSI}},  {"T", {10, 12, Format::kDecimalSI}},
      {"P", {10, 15, Format::kDecimalSI}}, {"E", {10, 18, Format::kDecimalSI}},
      {"Ki", {2, 10, Format::kBinarySI}},  {"Mi", {2, 20, Format::kBinarySI}},
      {"Gi", {2, 30, Format::kBinarySI}},  {"Ti", {2, 40, Format::kBinarySI}},
      {"Pi", {2, 50, Format::kBinarySI}},  {"Ei", {2, 60, Format::kBinarySI}},
  };
  for (const Entry& e : kTable) {
    if (e.text == s) return e.suffix;
  }
  if (s.size() >= 2 && (s[0] == 'e' || s[0] == 'E')) {
    size_t i = 1;
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
    if (i >= s.size() || s.size() - i > 9) return std::nullopt;
    int v = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return Suffix{10, neg ? -v : v, Format::kDecimalExponent};
  }
  return std::nullopt;
}

Int128 Pow10(int n) {
  Int128 r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

std::string ToString(Int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  if (neg) v = -v;
  std::string digits;
  while (v > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return neg ? "-" + digits : digits;
}

// value * 10^scale, in the given format.
struct Amount {
  Int128 value = 0;
  int scale = 0;
  Format format = Format::kDecimalSI;
};

std::optional<Amount> Parse(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t pos = 0;
  bool negative = false;
  if (s[pos] == '+' || s[pos] == '-') negative = s[pos++] == '-';
  while (pos < s.size() && s[pos] == '0') ++pos;  // leading zeros do not count as digits
  std::string digits;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') digits += s[pos++];
  int denom = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      digits += s[pos++];
      ++denom;
    }
  }
  auto suffix = Interpret(s.substr(pos));
  if (!suffix) return std::nullopt;
  // Keep well inside 128 bits: 20 significant digits times 2^60 still fits.
  size_t first = digits.find_first_not_of('0');
  if (first != std::string::npos && digits.size() - first > 20) return std::nullopt;
  Int128 value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  Amount a;
  a.format = suffix->format;
  a.scale = -denom;
  if (suffix->base == 10) {
    a.scale += suffix->exponent;
  } else {
    value <<= suffix->exponent;
  }
  // Non-zero values are rounded up (away from zero) to the nano scale.
  if (value != 0 && a.scale < -9) {
    int drop = -9 - a.scale;
    if (drop > 36) {
      value = 1;
    } else {
      Int128 div = Pow10(drop);
      value = value / div + (value % div != 0 ? 1 : 0);
    }
    a.scale = -9;
  }
  if (a.scale > 30) return std::nullopt;  // too large to print exactly here
  // Between zero and one, binary quantities are shown in decimal.
  if (a.format == Format::kBinarySI && value != 0 && a.scale < 0 && value < Pow10(-a.scale)) {
    a.format = Format::kDecimalSI;
  }
  a.value = negative ? -value : value;
  return a;
}

std::string DecimalSuffix(int exponent, Format format) {
  if (format == Format::kDecimalSI) {
    switch (exponent) {
      case -9:
        return "n";
      case -6:
        return "u";
      case -3:
        return "m";
      case 0:
        return "";
      case 3:
        return "k";
      case 6:
        return "M";
      case 9:
        return "G";
      case 12:
        return "T";
      case 15:
        return "P";
      case 18:
        return "E";
      default:
        break;
    }
  }
  return exponent == 0 ? "" : "e" + std::to_string(exponent);
}

std::string Canonical(const Amount& a) {
  if (a.value == 0) return "0";
  Format format = a.format;
  Int128 integral = 0;
  if (format == Format::kBinarySI) {
    // |q| < 1024, or a fraction: decimal avoids rounding.
    bool exact = true;
    if (a.scale >= 0) {
      integral = a.value * Pow10(a.scale);
    } else {
      Int128 div = Pow10(-a.scale);
      exact = a.value % div == 0;
      integral = a.value / div;
    }
    if (!exact || (integral > -1024 && integral < 1024)) format = Format::kDecimalSI;
  }
  if (format == Format::kBinarySI) {
    Int128 mag = integral < 0 ? -integral : integral;
    int exponent = 0;
    while (mag >= 1024 && mag % 1024 == 0) {
      mag /= 1024;
      ++exponent;
    }
    static constexpr const char* kBin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    std::string number = ToString(integral < 0 ? -mag : mag);
    return exponent <= 6 ? number + kBin[exponent] : ToString(integral);
  }
  Int128 mag = a.value < 0 ? -a.value : a.value;
  int exponent = a.scale;
  while (mag >= 10 && mag % 10 == 0) {
    mag /= 10;
    ++exponent;
  }
  while (exponent % 3 != 0) {
    mag *= 10;
    --exponent;
  }
  return ToString(a.value < 0 ? -mag : mag) + DecimalSuffix(exponent, format);
}

}  // namespace

std::string CanonicalQuantity(const std::string& text) {
  auto a = Parse(text);
  return a ? Canonical(*a) : text;
}

std::string CanonicalQuantity(const nlohmann::json& q) {
  if (q.is_null()) return "0";
  if (q.is_string()) return CanonicalQuantity(q.get<std::string>());
  if (q.is_number_integer()) return CanonicalQuantity(std::to_string(q.get<std::int64_t>()));
  if (q.is_number_float()) return CanonicalQuantity(q.dump());
  return "0";
}

}  // namespace skiff::apis::printers
