#include "json_util.h"

#include <algorithm>

#include "skiff/apis/validation.h"

namespace skiff::apis::internal {
namespace {

const json& EmptyArray() {
  static const json kEmpty = json::array();
  return kEmpty;
}
const json& EmptyObject() {
  static const json kEmpty = json::object();
  return kEmpty;
}

}  // namespace

const json* Get(const json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return nullptr;
  return &*it;
}

json* GetMut(json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string Str(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

bool HasStr(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  return v && v->is_string();
}

std::optional<int64_t> Int(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_unsigned()) return static_cast<int64_t>(v->get<uint64_t>());
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<bool> Bool(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

bool IsTrue(const json& o, std::string_view key) { return Bool(o, key).value_or(false); }

const json& Arr(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  return v && v->is_array() ? *v : EmptyArray();
}

const json& Obj(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  return v && v->is_object() ? *v : EmptyObject();
}

bool HasObj(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  return v && v->is_object();
}

bool HasArr(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  return v && v->is_array();
}

size_t Len(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  if (!v || !(v->is_array() || v->is_object())) return 0;
  return v->size();
}

std::vector<std::pair<std::string, std::string>> StrMap(const json& o, std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : Obj(o, key).items()) {
    if (v.is_string()) out.emplace_back(k, v.get<std::string>());
  }
  return out;
}

void SetDefault(json& o, std::string_view key, const json& value) {
  if (!o.is_object()) return;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) o[std::string(key)] = value;
}

void SetDefaultStr(json& o, std::string_view key, std::string_view value) {
  if (!o.is_object()) return;
  auto it = o.find(key);
  if (it == o.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
    o[std::string(key)] = std::string(value);
  }
}

json* EnsureObj(json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    json& v = o[std::string(key)];
    v = json::object();
    return &v;
  }
  return it->is_object() ? &*it : nullptr;
}

void AddInvalid(FieldErrors& errs, const std::string& path, const json& value,
                const std::vector<std::string>& msgs) {
  for (const auto& m : msgs) errs.push_back(FieldError::Invalid(path, value, m));
}

void Append(FieldErrors& errs, FieldErrors more) {
  for (auto& e : more) errs.push_back(std::move(e));
}

bool SemanticEqual(const json& a, const json& b) {
  if (a.is_null() && b.is_null()) return true;
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items()) {
      auto it = b.find(k);
      if (it == b.end()) {
        if (!v.is_null()) return false;
      } else if (!SemanticEqual(v, *it)) {
        return false;
      }
    }
    for (const auto& [k, v] : b.items()) {
      if (!a.contains(k) && !v.is_null()) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SemanticEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    return a == b;
  }
  return a == b;
}

namespace {

void Diff(const json& a, const json& b, const std::string& path, std::string& out) {
  if (SemanticEqual(a, b)) return;
  if (a.is_object() && b.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.push_back(k);
    for (const auto& [k, v] : b.items()) {
      if (!a.contains(k)) keys.push_back(k);
    }
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys) {
      Diff(a.contains(k) ? a[k] : json(), b.contains(k) ? b[k] : json(), path + "." + k, out);
    }
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      Diff(a[i], b[i], path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  out += "  - " + path + ": " + a.dump() + "\n  + " + path + ": " + b.dump() + "\n";
}

}  // namespace

std::string DescribeDiff(const json& old_value, const json& new_value, const std::string& path) {
  std::string out;
  Diff(old_value, new_value, path, out);
  return out;
}

IntOrString GetIntOrString(const json& o, std::string_view key) {
  IntOrString r;
  const json* v = Get(o, key);
  if (!v) return r;
  if (v->is_string()) {
    r.set = true;
    r.s = v->get<std::string>();
  } else if (auto i = Int(o, key)) {
    r.set = true;
    r.is_int = true;
    r.i = *i;
  }
  return r;
}

void ValidateNonnegative(FieldErrors& errs, const std::string& path, int64_t v) {
  if (v < 0) errs.push_back(FieldError::Invalid(path, v, kIsNegativeErrorMsg));
}

void ValidateNonnegativeMember(FieldErrors& errs, const json& o, std::string_view key,
                               const Path& parent) {
  if (auto v = Int(o, key)) ValidateNonnegative(errs, parent.Child(std::string(key)), *v);
}

void ValidateDNS1123Label(FieldErrors& errs, const std::string& path, const std::string& value) {
  AddInvalid(errs, path, value, IsDNS1123Label(value));
}

void ValidateDNS1123Subdomain(FieldErrors& errs, const std::string& path,
                              const std::string& value) {
  AddInvalid(errs, path, value, IsDNS1123Subdomain(value));
}

void ValidateQualifiedName(FieldErrors& errs, const std::string& path, const std::string& value) {
  AddInvalid(errs, path, value, IsQualifiedName(value));
}

void ValidatePortProtocol(FieldErrors& errs, const std::string& path, const std::string& protocol) {
  static const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};
  if (protocol.empty()) {
    errs.push_back(FieldError::Required(path));
  } else if (std::find(kProtocols.begin(), kProtocols.end(), protocol) == kProtocols.end()) {
    errs.push_back(FieldError::NotSupported(path, protocol, kProtocols));
  }
}

}  // namespace skiff::apis::internal
