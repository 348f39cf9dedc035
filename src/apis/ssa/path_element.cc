// PathElement: ordering, the fieldsV1 spelling and the conflict-message spelling.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "go_json.h"
#include "skiff/apis/managed_fields.h"
#include "skiff/common/go_quote.h"

namespace skiff::apis {
namespace {

using nlohmann::json;

int Sign(int64_t d) { return d < 0 ? -1 : (d > 0 ? 1 : 0); }

// structured-merge-diff's value.Compare: numbers < strings < bools < lists < maps < null.
int Rank(const json& v) {
  if (v.is_number()) return 0;
  if (v.is_string()) return 1;
  if (v.is_boolean()) return 2;
  if (v.is_array()) return 3;
  if (v.is_object()) return 4;
  return 5;
}

int CompareValues(const json& a, const json& b) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      if (a.is_number_integer() && b.is_number_integer()) {
        if (a.is_number_unsigned() || b.is_number_unsigned()) {
          // Mixed signedness: compare carefully.
          if (a.is_number_unsigned() && b.is_number_unsigned()) {
            uint64_t x = a.get<uint64_t>(), y = b.get<uint64_t>();
            return x < y ? -1 : (x > y ? 1 : 0);
          }
          if (a.is_number_unsigned()) return b.get<int64_t>() < 0 ? 1 : -CompareValues(b, a);
          int64_t x = a.get<int64_t>();
          if (x < 0) return -1;
          uint64_t ux = static_cast<uint64_t>(x), y = b.get<uint64_t>();
          return ux < y ? -1 : (ux > y ? 1 : 0);
        }
        int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
        return x < y ? -1 : (x > y ? 1 : 0);
      } else {
        double x = a.get<double>(), y = b.get<double>();
        return x < y ? -1 : (x > y ? 1 : 0);
      }
    case 1:
      return Sign(a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>()));
    case 2:
      return a.get<bool>() == b.get<bool>() ? 0 : (a.get<bool>() ? 1 : -1);
    case 3: {
      size_t n = std::min(a.size(), b.size());
      for (size_t i = 0; i < n; ++i) {
        if (int c = CompareValues(a[i], b[i])) return c;
      }
      return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
    }
    case 4: {
      auto ia = a.begin(), ib = b.begin();
      for (; ia != a.end() && ib != b.end(); ++ia, ++ib) {
        if (int c = Sign(ia.key().compare(ib.key()))) return c;
        if (int c = CompareValues(ia.value(), ib.value())) return c;
      }
      return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
    }
    default:
      return 0;
  }
}

// Go's %v of a float64 (strconv 'g' with the shortest precision): the exponent form when the
// decimal exponent is below -4 or at least 6, with at least two exponent digits.
std::string GoFloat(double f) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  size_t e = sci.find('e');
  int exp = e == std::string::npos ? 0 : std::atoi(sci.c_str() + e + 1);
  if (f != 0 && (exp < -4 || exp >= 6)) {
    if (e != std::string::npos && sci.size() - e == 3) sci.insert(e + 2, "0");
    return sci;
  }
  r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

// structured-merge-diff's value.ToString.
std::string ValueString(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_number_float()) return GoFloat(v.get<double>());
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_string()) return GoQuote(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ",";
      out += ValueString(v[i]);
    }
    return out + "]";
  }
  std::string out;
  for (auto it = v.begin(); it != v.end(); ++it) out += it.key() + "=" + ValueString(it.value());
  return out;
}

}  // namespace

PathElement PathElement::Field(std::string name) {
  PathElement pe;
  pe.kind = Kind::kField;
  pe.field = std::move(name);
  return pe;
}

PathElement PathElement::Key(std::vector<std::pair<std::string, nlohmann::json>> fields) {
  std::stable_sort(fields.begin(), fields.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  PathElement pe;
  pe.kind = Kind::kKey;
  pe.key = std::move(fields);
  return pe;
}

PathElement PathElement::Value(nlohmann::json v) {
  PathElement pe;
  pe.kind = Kind::kValue;
  pe.value = std::move(v);
  return pe;
}

PathElement PathElement::Index(int64_t i) {
  PathElement pe;
  pe.kind = Kind::kIndex;
  pe.index = i;
  return pe;
}

int Compare(const PathElement& a, const PathElement& b) {
  if (a.kind != b.kind) return static_cast<int>(a.kind) < static_cast<int>(b.kind) ? -1 : 1;
  switch (a.kind) {
    case PathElement::Kind::kField:
      return Sign(a.field.compare(b.field));
    case PathElement::Kind::kKey: {
      size_t n = std::min(a.key.size(), b.key.size());
      for (size_t i = 0; i < n; ++i) {
        if (int c = Sign(a.key[i].first.compare(b.key[i].first))) return c;
        if (int c = CompareValues(a.key[i].second, b.key[i].second)) return c;
      }
      return a.key.size() < b.key.size() ? -1 : (a.key.size() > b.key.size() ? 1 : 0);
    }
    case PathElement::Kind::kValue:
      return CompareValues(a.value, b.value);
    case PathElement::Kind::kIndex:
      return a.index < b.index ? -1 : (a.index > b.index ? 1 : 0);
  }
  return 0;
}

std::string PathElement::FieldsV1Key() const {
  switch (kind) {
    case Kind::kField:
      return "f:" + field;
    case Kind::kKey: {
      std::string out = "k:{";
      for (size_t i = 0; i < key.size(); ++i) {
        if (i) out += ',';
        ssa::AppendGoString(out, key[i].first);
        out += ':';
        ssa::AppendGoJson(out, key[i].second);
      }
      return out + "}";
    }
    case Kind::kValue:
      return "v:" + ssa::GoJson(value);
    case Kind::kIndex:
      return "i:" + std::to_string(index);
  }
  return "";
}

Result<PathElement> PathElement::FromFieldsV1Key(std::string_view text) {
  if (text.size() < 2 || text[1] != ':') {
    return InvalidArgumentError("unknown path element \"" + std::string(text) + "\"");
  }
  std::string_view rest = text.substr(2);
  switch (text[0]) {
    case 'f':
      return Field(std::string(rest));
    case 'k':
    case 'v': {
      json parsed = json::parse(rest.begin(), rest.end(), nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) {
        return InvalidArgumentError("invalid JSON in path element \"" + std::string(text) + "\"");
      }
      if (text[0] == 'v') return Value(std::move(parsed));
      if (!parsed.is_object()) {
        return InvalidArgumentError("key path element \"" + std::string(text) +
                                    "\" is not a JSON object");
      }
      std::vector<std::pair<std::string, json>> fields;
      for (auto it = parsed.begin(); it != parsed.end(); ++it) fields.emplace_back(it.key(), *it);
      return Key(std::move(fields));
    }
    case 'i': {
      int64_t i = 0;
      auto r = std::from_chars(rest.data(), rest.data() + rest.size(), i);
      if (r.ec != std::errc() || r.ptr != rest.data() + rest.size()) {
        return InvalidArgumentError("invalid index in path element \"" + std::string(text) + "\"");
      }
      return Index(i);
    }
    default:
      return InvalidArgumentError("unknown path element \"" + std::string(text) + "\"");
  }
}

std::string PathElement::String() const {
  switch (kind) {
    case Kind::kField:
      return "." + field;
    case Kind::kKey: {
      std::string out = "[";
      for (size_t i = 0; i < key.size(); ++i) {
        if (i) out += ",";
        out += key[i].first + "=" + ValueString(key[i].second);
      }
      return out + "]";
    }
    case Kind::kValue:
      return "[=" + ValueString(value) + "]";
    case Kind::kIndex:
      return "[" + std::to_string(index) + "]";
  }
  return "";
}

std::string FieldPathString(const FieldPath& path) {
  std::string out;
  for (const PathElement& pe : path) out += pe.String();
  return out;
}

}  // namespace skiff::apis
