// Validating an applied configuration against the schema, with structured-merge-diff's
// messages (what kube-apiserver reports as "failed to create typed patch object").
#include "typed_ops.h"

namespace skiff::apis::ssa {
namespace {

using nlohmann::json;

// Go's %T of a decoded JSON value.
std::string GoType(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number_integer()) return "int64";
  if (v.is_number_float()) return "float64";
  if (v.is_array()) return "[]interface {}";
  if (v.is_object()) return "map[string]interface {}";
  return "<nil>";
}

struct Validator {
  bool allow_duplicates;
  std::vector<std::string> errors;

  void Error(const std::string& path, const std::string& msg) {
    errors.push_back(path.empty() ? msg : path + ": " + msg);
  }

  void Scalar(const json& v, ValueKind kind, const std::string& path) {
    if (v.is_null()) return;
    switch (kind) {
      case ValueKind::kInt32:
      case ValueKind::kInt64:
      case ValueKind::kFloat64:
        if (!v.is_number()) Error(path, "expected numeric (int or float), got " + GoType(v));
        return;
      case ValueKind::kBool:
        if (!v.is_boolean()) Error(path, "expected boolean, got " + v.dump());
        return;
      case ValueKind::kQuantity:
      case ValueKind::kIntOrString:
        if (!v.is_number() && !v.is_string()) {
          Error(path, "expected string or number, got " + GoType(v));
        }
        return;
      case ValueKind::kRawJSON:
      case ValueKind::kObject:
        return;
      default:
        if (!v.is_string()) Error(path, "expected string, got " + v.dump());
        return;
    }
  }

  void Value(const json& v, const Shape& s, const std::string& path) {
    switch (s.kind) {
      case Shape::Kind::kUntyped:
        return;
      case Shape::Kind::kScalar:
        Scalar(v, s.scalar, path);
        return;
      case Shape::Kind::kList:
        List(v, s, path);
        return;
      case Shape::Kind::kMap:
      case Shape::Kind::kStruct:
        Object(v, s, path);
        return;
    }
  }

  void Object(const json& v, const Shape& s, const std::string& path) {
    if (v.is_null()) return;
    if (!v.is_object()) {
      Error(path, "expected map, got " + v.dump());
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string child_path = path + "." + it.key();
      std::optional<Shape> child = ChildShape(s, it.key());
      if (!child) {
        // structured-merge-diff stops at the first undeclared field of a map.
        Error(child_path, "field not declared in schema");
        return;
      }
      Value(it.value(), *child, child_path);
    }
  }

  void List(const json& v, const Shape& s, const std::string& path) {
    if (v.is_null()) return;
    if (!v.is_array()) {
      Error(path, "expected list, got " + v.dump());
      return;
    }
    Shape elem = ElementShape(s);
    std::vector<PathElement> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      auto pe = ListItemElement(s, v[i], i);
      if (!pe.ok()) {
        Error(path, "element " + std::to_string(i) + ": " + pe.status().message());
        return;  // no element, no deeper reports
      }
      if (!s.atomic) {
        bool dup = false;
        for (const PathElement& p : seen) dup = dup || p == *pe;
        if (dup && !allow_duplicates) Error(path, "duplicate entries for key " + pe->String());
        seen.push_back(*pe);
      }
      Value(v[i], elem, path + pe->String());
    }
  }
};

}  // namespace

std::vector<std::string> ValidateTyped(const json& obj, const TypeDef& type,
                                       bool allow_duplicates) {
  Validator v{allow_duplicates, {}};
  Shape s = TypeShape(type);
  s.atomic = false;
  v.Object(obj, s, "");
  return v.errors;
}

}  // namespace skiff::apis::ssa
