// Strict decoding checks (strict.h). Messages follow Go's encoding/json and apimachinery:
//   json: cannot unmarshal <json kind> into Go struct field <Struct>.<path> of type <go type>
// where <path> is the dotted JSON path without list indices or map keys, as Go prints it.
#include "skiff/apis/strict.h"

#include <cctype>
#include <limits>
#include <regex>

namespace skiff::apis {
namespace {

// The Go type a field decodes into, as Go's error messages name it.
std::string GoElemType(const FieldDef& f) {
  switch (f.kind) {
    case ValueKind::kString:
      return "string";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kInt32:
      return "int32";
    case ValueKind::kInt64:
      return "int64";
    case ValueKind::kFloat64:
      return "float64";
    case ValueKind::kBytes:
      return "[]uint8";
    case ValueKind::kQuantity:
      return "resource.Quantity";
    case ValueKind::kIntOrString:
      return "intstr.IntOrString";
    case ValueKind::kTime:
      return "v1.Time";
    case ValueKind::kMicroTime:
      return "v1.MicroTime";
    case ValueKind::kDuration:
      return "v1.Duration";
    case ValueKind::kRawJSON:
      return "runtime.RawExtension";
    case ValueKind::kObject: {
      // "core.v1.PodSpec" -> "v1.PodSpec" (Go's package.Type).
      const std::string& n = f.type->name;
      size_t last = n.rfind('.');
      size_t prev =
          last == std::string::npos || last == 0 ? std::string::npos : n.rfind('.', last - 1);
      return prev == std::string::npos ? n : n.substr(prev + 1);
    }
  }
  return "?";
}

std::string GoFieldType(const FieldDef& f) {
  switch (f.container) {
    case Container::kArray:
      return "[]" + GoElemType(f);
    case Container::kMap:
      return "map[string]" + GoElemType(f);
    case Container::kNone:
      break;
  }
  return GoElemType(f);
}

std::string ShortName(const TypeDef& t) {
  size_t dot = t.name.rfind('.');
  return dot == std::string::npos ? t.name : t.name.substr(dot + 1);
}

// How Go names a JSON value in "cannot unmarshal X": number literals into integers are shown.
std::string JsonKind(const nlohmann::json& v, bool show_number) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_number()) return show_number ? "number " + v.dump() : "number";
  return "null";
}

bool IsBase64(const std::string& s, size_t* bad_at) {
  // Go's base64.StdEncoding as encoding/json uses it: newlines are ignored, padding required.
  std::string clean;
  std::vector<size_t> pos;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') continue;
    clean.push_back(s[i]);
    pos.push_back(i);
  }
  auto in_alphabet = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  };
  size_t n = clean.size();
  size_t pad_start = n;
  while (pad_start > 0 && clean[pad_start - 1] == '=' && n - pad_start < 2) --pad_start;
  for (size_t i = 0; i < pad_start; ++i) {
    if (!in_alphabet(clean[i])) {
      *bad_at = pos[i];
      return false;
    }
  }
  if (pad_start < n && clean[pad_start] != '=') {  // cannot happen; defensive
    *bad_at = pos[pad_start];
    return false;
  }
  if (n % 4 != 0) {
    // Go reports the offset where the incomplete quantum starts.
    size_t at = n - n % 4;
    *bad_at = at < pos.size() ? pos[at] : s.size();
    return false;
  }
  return true;
}

bool IsQuantity(const std::string& s) {
  // The syntax resource.ParseQuantity accepts (its error message quotes this expression).
  static const std::regex kQuantity("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$");
  return std::regex_match(s, kQuantity);
}

class Checker {
 public:
  Checker(UnknownFields unknown, FieldErrors* out) : unknown_(unknown), out_(out) {}

  void Object(const TypeDef& t, const nlohmann::json& obj, const Path& path,
              const std::string& go_path) {
    for (const auto& [key, value] : obj.items()) {
      const FieldDef* f = t.Field(key);
      Path child = path.Child(key);
      std::string go_child = go_path.empty() ? key : go_path + "." + key;
      if (f == nullptr) {
        if (unknown_ == UnknownFields::kReport) {
          out_->push_back(FieldError{std::string(kReasonUnknownField),
                                     child.str(),
                                     "unknown field \"" + child.str() + "\"",
                                     nullptr,
                                     {}});
        }
        continue;
      }
      Field(t, *f, value, child, go_child);
    }
  }

 private:
  void TypeError(const TypeDef& owner, const FieldDef& f, const nlohmann::json& v, const Path& path,
                 const std::string& go_path, bool whole_field, bool show_number) {
    std::string go_type = whole_field ? GoFieldType(f) : GoElemType(f);
    std::string msg = "json: cannot unmarshal " + JsonKind(v, show_number) +
                      " into Go struct field " + ShortName(owner) + "." + go_path + " of type " +
                      go_type;
    out_->push_back(FieldError::TypeInvalid(path.str(), v, msg));
  }

  void Field(const TypeDef& owner, const FieldDef& f, const nlohmann::json& v, const Path& path,
             const std::string& go_path) {
    if (v.is_null()) return;
    switch (f.container) {
      case Container::kArray:
        if (!v.is_array()) return TypeError(owner, f, v, path, go_path, true, false);
        for (size_t i = 0; i < v.size(); ++i) Value(owner, f, v[i], path.Index(i), go_path);
        return;
      case Container::kMap:
        if (!v.is_object()) return TypeError(owner, f, v, path, go_path, true, false);
        for (const auto& [k, e] : v.items()) Value(owner, f, e, path.Key(k), go_path);
        return;
      case Container::kNone:
        return Value(owner, f, v, path, go_path);
    }
  }

  // One value of f's element kind.
  void Value(const TypeDef& owner, const FieldDef& f, const nlohmann::json& v, const Path& path,
             const std::string& go_path) {
    if (v.is_null()) return;
    auto bad = [&](bool show_number = false) {
      TypeError(owner, f, v, path, go_path, false, show_number);
    };
    switch (f.kind) {
      case ValueKind::kString:
      case ValueKind::kTime:
      case ValueKind::kMicroTime:
      case ValueKind::kDuration:
        if (!v.is_string()) bad();
        return;
      case ValueKind::kBool:
        if (!v.is_boolean()) bad();
        return;
      case ValueKind::kInt32:
      case ValueKind::kInt64: {
        if (!v.is_number()) return bad();
        if (v.is_number_float()) return bad(true);
        bool is32 = f.kind == ValueKind::kInt32;
        if (v.is_number_unsigned()) {
          uint64_t u = v.get<uint64_t>();
          uint64_t max = is32 ? static_cast<uint64_t>(std::numeric_limits<int32_t>::max())
                              : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
          if (u > max) bad(true);
        } else {
          int64_t i = v.get<int64_t>();
          if (is32 &&
              (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max()))
            bad(true);
        }
        return;
      }
      case ValueKind::kFloat64:
        if (!v.is_number()) bad();
        return;
      case ValueKind::kBytes: {
        if (!v.is_string()) return bad();
        size_t at = 0;
        if (!IsBase64(v.get<std::string>(), &at)) {
          out_->push_back(FieldError::TypeInvalid(
              path.str(), v, "illegal base64 data at input byte " + std::to_string(at)));
        }
        return;
      }
      case ValueKind::kQuantity:
        if (v.is_number()) return;
        if (!v.is_string()) return bad();
        if (!IsQuantity(v.get<std::string>())) {
          out_->push_back(
              FieldError::TypeInvalid(path.str(), v,
                                      "quantities must match the regular expression "
                                      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
        }
        return;
      case ValueKind::kIntOrString:
        if (v.is_string()) return;
        if (!v.is_number()) return bad();
        if (v.is_number_float()) return bad(true);
        if (v.is_number_unsigned() ? v.get<uint64_t>() > 2147483647u
                                   : (v.get<int64_t>() < std::numeric_limits<int32_t>::min() ||
                                      v.get<int64_t>() > std::numeric_limits<int32_t>::max()))
          bad(true);
        return;
      case ValueKind::kRawJSON:
        return;
      case ValueKind::kObject:
        if (!v.is_object()) return bad();
        Object(*f.type, v, path, go_path);
        return;
    }
  }

  UnknownFields unknown_;
  FieldErrors* out_;
};

}  // namespace

FieldErrors CheckDecode(const TypeDef& type, const nlohmann::json& obj, UnknownFields unknown) {
  FieldErrors out;
  try {
    if (!obj.is_object()) {
      std::string n = type.name;
      size_t last = n.rfind('.');
      size_t prev =
          last == std::string::npos || last == 0 ? std::string::npos : n.rfind('.', last - 1);
      out.push_back(FieldError::TypeInvalid(
          "", obj,
          "json: cannot unmarshal " + JsonKind(obj, false) + " into Go value of type " +
              (prev == std::string::npos ? n : n.substr(prev + 1))));
      return out;
    }
    Checker(unknown, &out).Object(type, obj, Path(), "");
  } catch (const std::exception& e) {  // allocation failure; nothing else throws here
    out.push_back(FieldError::TypeInvalid("", nullptr, std::string("internal error: ") + e.what()));
  }
  return out;
}

bool IsUnknownField(const FieldError& e) { return e.reason == kReasonUnknownField; }

bool HasTypeErrors(const FieldErrors& errs) {
  for (const FieldError& e : errs) {
    if (!IsUnknownField(e)) return true;
  }
  return false;
}

std::string StrictProblemText(const FieldError& e) { return e.detail; }

std::string StrictDecodingErrorMessage(const FieldErrors& errs) {
  std::string m;
  for (const FieldError& e : errs) {
    if (!IsUnknownField(e)) continue;
    m += m.empty() ? "strict decoding error: " : ", ";
    m += e.detail;
  }
  return m;
}

std::string DecodeFailureMessage(std::string_view kind, std::string_view version,
                                 const FieldErrors& errs) {
  std::string detail;
  for (const FieldError& e : errs) {
    if (!IsUnknownField(e)) {
      detail = e.detail;
      break;
    }
  }
  if (detail.empty()) detail = StrictDecodingErrorMessage(errs);
  std::string k(kind);
  return k + " in version \"" + std::string(version) + "\" cannot be handled as a " + k + ": " +
         detail;
}

}  // namespace skiff::apis
