// The ?fieldSelector= grammar (k8s.io/apimachinery/pkg/fields): comma-separated terms
// field=value, field==value, field!=value, with ',', '=' and '\' escaped by '\' in values.
#include <algorithm>

#include "skiff/apis/selector.h"

namespace skiff::apis {
namespace {

// Splits on commas not escaped by a backslash; the backslashes stay in the terms.
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_slash) {
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',') {
      terms.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(s.substr(start));
  return terms;
}

struct Term {
  std::string lhs;
  std::string op;
  std::string rhs;
};

// The first operator occurrence splits the term; "!=" and "==" are tried before "=" at each
// position, so "a==b" is a==b and not a = "=b".
std::optional<Term> SplitTerm(std::string_view term) {
  static constexpr std::string_view kOps[] = {"!=", "==", "="};
  for (size_t i = 0; i < term.size(); ++i) {
    for (std::string_view op : kOps) {
      if (term.substr(i, op.size()) == op) {
        return Term{std::string(term.substr(0, i)), std::string(op),
                    std::string(term.substr(i + op.size()))};
      }
    }
  }
  return std::nullopt;
}

// The bytes of the UTF-8 rune starting at s[i] (one byte when it is not valid UTF-8).
size_t RuneLength(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t len = b < 0x80             ? 1
               : (b & 0xe0) == 0xc0 ? 2
               : (b & 0xf0) == 0xe0 ? 3
               : (b & 0xf8) == 0xf0 ? 4
                                    : 1;
  if (i + len > s.size()) return 1;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 1;
  }
  return len;
}

}  // namespace

std::string EscapeFieldSelectorValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

Result<std::string> UnescapeFieldSelectorValue(std::string_view value) {
  if (value.find_first_of("\\,=") == std::string_view::npos) return std::string(value);
  std::string out;
  bool in_slash = false;
  for (size_t i = 0; i < value.size();) {
    size_t len = RuneLength(value, i);
    std::string_view rune = value.substr(i, len);
    i += len;
    if (in_slash) {
      if (rune == "\\" || rune == "," || rune == "=") {
        out += rune;
      } else {
        // Invalid UTF-8 bytes print as U+FFFD, as Go's string([]rune{...}) does.
        std::string shown = len == 1 && static_cast<unsigned char>(rune[0]) >= 0x80
                                ? std::string("\xEF\xBF\xBD")
                                : std::string(rune);
        return InvalidArgumentError("invalid field selector: invalid escape sequence: \\" + shown);
      }
      in_slash = false;
      continue;
    }
    if (rune == "\\") {
      in_slash = true;
    } else if (rune == "," || rune == "=") {
      return InvalidArgumentError("invalid field selector: unescaped character in value: " +
                                  std::to_string(static_cast<int>(rune[0])));
    } else {
      out += rune;
    }
  }
  if (in_slash) return InvalidArgumentError("invalid field selector: invalid escape sequence: \\");
  return out;
}

Result<FieldSelector> ParseFieldSelector(std::string_view text) {
  std::vector<std::string> parts = SplitTerms(text);
  std::sort(parts.begin(), parts.end());
  FieldSelector out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    std::optional<Term> term = SplitTerm(part);
    if (!term) {
      return InvalidArgumentError("invalid selector: '" + std::string(text) +
                                  "'; can't understand '" + part + "'");
    }
    auto value = UnescapeFieldSelectorValue(term->rhs);
    if (!value.ok()) return value.status();
    // A term whose field and value are both empty ("=", "!=") selects everything and is
    // dropped, as fields.ParseSelector's identity Transform does.
    if (term->lhs.empty() && value->empty()) continue;
    out.requirements_.push_back(
        FieldRequirement{std::move(term->lhs), term->op == "!=", std::move(value).value()});
  }
  return out;
}

FieldSelector FieldSelector::FromMap(const std::map<std::string, std::string>& set) {
  FieldSelector out;
  for (const auto& [field, value] : set) out.requirements_.push_back({field, false, value});
  return out;
}

std::string FieldSelector::ToString() const {
  std::string out;
  for (size_t i = 0; i < requirements_.size(); ++i) {
    const FieldRequirement& r = requirements_[i];
    if (i) out += ",";
    out += r.field;
    out += r.not_equals ? "!=" : "=";
    out += EscapeFieldSelectorValue(r.value);
  }
  return out;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const FieldRequirement& r : requirements_) {
    if (!r.not_equals && r.field == field) return r.value;
  }
  return std::nullopt;
}

bool FieldSelector::Matches(const std::map<std::string, std::string>& fields) const {
  for (const FieldRequirement& r : requirements_) {
    auto it = fields.find(r.field);
    const std::string& have = it == fields.end() ? std::string() : it->second;
    if ((have == r.value) == r.not_equals) return false;
  }
  return true;
}

std::optional<std::string> FieldSelectorExactName(const FieldSelector& selector) {
  return selector.RequiresExactMatch("metadata.name");
}

}  // namespace skiff::apis
