// resource.Quantity arithmetic and formatting, following k8s.io/apimachinery/pkg/api/resource.
#include "skiff/apis/quantity.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace skiff::apis {
namespace {

using i128 = Int128;
constexpr i128 kMaxMantissa = static_cast<i128>(1) << 120;

bool MulCheck(i128& v, i128 by) {
  if (v != 0 && (v > kMaxMantissa / by || v < -kMaxMantissa / by)) return false;
  v *= by;
  return true;
}

i128 Pow10(int n) {
  i128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

// Divides toward +inf (for positive) / -inf... rounding away from zero.
i128 DivRoundAway(i128 v, i128 d) {
  i128 q = v / d;
  if (v % d != 0) q += v > 0 ? 1 : -1;
  return q;
}

// Removes trailing decimal zeros from the mantissa into the exponent.
void Normalize(Quantity& q) {
  if (q.mantissa == 0) {
    q.exp10 = 0;
    return;
  }
  while (q.mantissa % 10 == 0) {
    q.mantissa /= 10;
    q.exp10++;
  }
}

// Rounds up to a multiple of 10^scale (away from zero).
Quantity RoundUpTo(const Quantity& q, int scale) {
  Quantity r = q;
  if (r.exp10 >= scale || r.mantissa == 0) return r;
  int diff = scale - r.exp10;
  if (diff > 36) {
    r.mantissa = r.mantissa > 0 ? 1 : -1;
  } else {
    r.mantissa = DivRoundAway(r.mantissa, Pow10(diff));
  }
  r.exp10 = scale;
  Normalize(r);
  return r;
}

std::string I128ToString(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  if (neg) v = -v;
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return neg ? "-" + s : s;
}

const char* DecimalSuffix(int exp) {
  switch (exp) {
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
      return nullptr;
  }
}

long double Approx(const Quantity& q) {
  return static_cast<long double>(q.mantissa) * std::pow(10.0L, q.exp10);
}

}  // namespace

std::optional<Quantity> ParseQuantity(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  bool neg = false;
  if (s[i] == '+' || s[i] == '-') {
    neg = s[i] == '-';
    ++i;
  }
  Quantity q;
  bool any_digit = false, seen_dot = false;
  int frac_digits = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    any_digit = true;
    if (q.mantissa == 0 && c == '0') {
      if (seen_dot) frac_digits++;
      continue;
    }
    if (!MulCheck(q.mantissa, 10)) return std::nullopt;
    q.mantissa += c - '0';
    if (seen_dot) frac_digits++;
  }
  if (!any_digit) return std::nullopt;
  q.exp10 = -frac_digits;
  std::string_view suffix = s.substr(i);
  if (suffix.empty()) {
  } else if (suffix.size() == 2 && suffix[1] == 'i') {
    int power = 0;
    switch (suffix[0]) {
      case 'K':
        power = 1;
        break;
      case 'M':
        power = 2;
        break;
      case 'G':
        power = 3;
        break;
      case 'T':
        power = 4;
        break;
      case 'P':
        power = 5;
        break;
      case 'E':
        power = 6;
        break;
      default:
        return std::nullopt;
    }
    for (int p = 0; p < power; ++p) {
      if (!MulCheck(q.mantissa, 1024)) return std::nullopt;
    }
    q.format = Quantity::Format::kBinarySI;
  } else if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view num = suffix.substr(1);
    size_t j = 0;
    bool eneg = false;
    if (!num.empty() && (num[0] == '+' || num[0] == '-')) {
      eneg = num[0] == '-';
      j = 1;
    }
    if (j >= num.size() || num.size() - j > 4) return std::nullopt;
    int e = 0;
    for (; j < num.size(); ++j) {
      if (!std::isdigit(static_cast<unsigned char>(num[j]))) return std::nullopt;
      e = e * 10 + (num[j] - '0');
    }
    q.exp10 += eneg ? -e : e;
    q.format = Quantity::Format::kDecimalExponent;
  } else {
    int exp = 0;
    if (suffix == "n")
      exp = -9;
    else if (suffix == "u")
      exp = -6;
    else if (suffix == "m")
      exp = -3;
    else if (suffix == "k")
      exp = 3;
    else if (suffix == "M")
      exp = 6;
    else if (suffix == "G")
      exp = 9;
    else if (suffix == "T")
      exp = 12;
    else if (suffix == "P")
      exp = 15;
    else if (suffix == "E")
      exp = 18;
    else
      return std::nullopt;
    q.exp10 += exp;
  }
  if (neg) q.mantissa = -q.mantissa;
  Normalize(q);
  if (q.exp10 < -9) q = RoundUpTo(q, -9);
  if (q.exp10 > 60) return std::nullopt;
  return q;
}

std::optional<Quantity> QuantityFromJson(const nlohmann::json& v) {
  if (v.is_string()) return ParseQuantity(v.get<std::string>());
  if (v.is_number_integer()) return ParseQuantity(std::to_string(v.get<int64_t>()));
  if (v.is_number_unsigned()) return ParseQuantity(std::to_string(v.get<uint64_t>()));
  if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.9f", v.get<double>());
    return ParseQuantity(buf);
  }
  return std::nullopt;
}

int CompareQuantity(const Quantity& a, const Quantity& b) {
  i128 am = a.mantissa, bm = b.mantissa;
  int diff = a.exp10 - b.exp10;
  bool ok = true;
  if (diff > 0) {
    for (int i = 0; i < diff && ok; ++i) ok = MulCheck(am, 10);
  } else {
    for (int i = 0; i < -diff && ok; ++i) ok = MulCheck(bm, 10);
  }
  if (!ok) {
    long double x = Approx(a), y = Approx(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return am < bm ? -1 : (am > bm ? 1 : 0);
}

Quantity AddQuantity(const Quantity& a, const Quantity& b) {
  Quantity r;
  r.format = a.format;
  int exp = std::min(a.exp10, b.exp10);
  i128 am = a.mantissa, bm = b.mantissa;
  bool ok = true;
  for (int i = exp; i < a.exp10 && ok; ++i) ok = MulCheck(am, 10);
  for (int i = exp; i < b.exp10 && ok; ++i) ok = MulCheck(bm, 10);
  if (!ok) return CompareQuantity(a, b) >= 0 ? a : b;
  r.mantissa = am + bm;
  r.exp10 = exp;
  Normalize(r);
  return r;
}

Quantity RoundUpToMilli(const Quantity& q) { return RoundUpTo(q, -3); }

int64_t MilliValue(const Quantity& q) {
  Quantity r = RoundUpTo(q, -3);
  i128 m = r.mantissa;
  for (int i = -3; i < r.exp10; ++i) {
    if (!MulCheck(m, 10)) return m > 0 ? INT64_MAX : INT64_MIN;
  }
  if (m > INT64_MAX) return INT64_MAX;
  if (m < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(m);
}

int64_t Value(const Quantity& q) {
  Quantity r = RoundUpTo(q, 0);
  i128 m = r.mantissa;
  for (int i = 0; i < r.exp10; ++i) {
    if (!MulCheck(m, 10)) return m > 0 ? INT64_MAX : INT64_MIN;
  }
  if (m > INT64_MAX) return INT64_MAX;
  if (m < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(m);
}

std::string CanonicalString(const Quantity& q) {
  if (q.IsZero()) return "0";
  Quantity::Format format = q.format;
  if (format == Quantity::Format::kBinarySI) {
    Quantity k1024;
    k1024.mantissa = 1024;
    Quantity kneg = k1024;
    kneg.mantissa = -1024;
    if (CompareQuantity(q, kneg) > 0 && CompareQuantity(q, k1024) < 0) {
      format = Quantity::Format::kDecimalSI;
    } else if (q.exp10 < 0) {
      format = Quantity::Format::kDecimalSI;  // not an integer: keep precision
    }
  }
  if (format == Quantity::Format::kBinarySI) {
    i128 v = q.mantissa;
    bool ok = true;
    for (int i = 0; i < q.exp10 && ok; ++i) ok = MulCheck(v, 10);
    if (ok) {
      static const char* kSuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      int power = 0;
      while (power < 6 && v % 1024 == 0) {
        v /= 1024;
        ++power;
      }
      return I128ToString(v) + kSuffixes[power];
    }
    format = Quantity::Format::kDecimalSI;
  }
  i128 amount = q.mantissa;
  int exp = q.exp10;
  int rem = ((exp % 3) + 3) % 3;
  if (rem != 0) {
    for (int i = 0; i < rem; ++i) amount *= 10;
    exp -= rem;
  }
  if (format == Quantity::Format::kDecimalSI) {
    if (const char* s = DecimalSuffix(exp)) return I128ToString(amount) + s;
  }
  if (exp == 0) return I128ToString(amount);
  return I128ToString(amount) + "e" + std::to_string(exp);
}

}  // namespace skiff::apis
