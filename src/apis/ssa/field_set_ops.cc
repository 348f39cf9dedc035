// ToFieldSet, EnsureNamedFieldsAreMembers and RemoveItems.
#include <optional>

#include "typed_ops.h"

namespace skiff::apis::ssa {
namespace {

using nlohmann::json;

void Collect(const json& v, const Shape& s, FieldPath& path, FieldSet& out) {
  if (s.IsLeaf()) {
    out.Insert(path);
    return;
  }
  switch (s.kind) {
    case Shape::Kind::kList: {
      if (!v.is_array()) return;
      Shape elem = ElementShape(s);
      for (size_t i = 0; i < v.size(); ++i) {
        auto pe = ListItemElement(s, v[i], i);
        if (!pe.ok()) continue;
        path.push_back(*pe);
        Collect(v[i], elem, path, out);
        out.Insert(path);
        path.pop_back();
      }
      return;
    }
    case Shape::Kind::kMap:
    case Shape::Kind::kStruct: {
      if (!v.is_object()) return;
      for (auto it = v.begin(); it != v.end(); ++it) {
        path.push_back(PathElement::Field(it.key()));
        std::optional<Shape> child = ChildShape(s, it.key());
        if (child) {
          Collect(it.value(), *child, path, out);
          // Map entries are members; declared struct fields only through their leaves.
          if (s.kind == Shape::Kind::kMap) out.Insert(path);
        } else {
          out.Insert(path);  // a field the schema does not know: a leaf
        }
        path.pop_back();
      }
      return;
    }
    default:
      return;
  }
}

// The shape below `pe` of a value of shape `s`, when it has one.
std::optional<Shape> Below(const Shape& s, const PathElement& pe) {
  if (s.atomic) return std::nullopt;
  if (pe.kind == PathElement::Kind::kField) return ChildShape(s, pe.field);
  if (s.kind == Shape::Kind::kList && pe.kind == PathElement::Kind::kKey) return ElementShape(s);
  return std::nullopt;
}

std::optional<json> Remove(const json& v, const Shape& s, const FieldSet& set) {
  if (s.kind == Shape::Kind::kScalar || s.kind == Shape::Kind::kUntyped) return v;
  if (s.kind == Shape::Kind::kList) {
    if (!v.is_array() || v.empty() || s.atomic) return std::nullopt;
    Shape elem = ElementShape(s);
    json out = json::array();
    for (size_t i = 0; i < v.size(); ++i) {
      auto pe = ListItemElement(s, v[i], i);
      if (!pe.ok()) {
        out.push_back(v[i]);
        continue;
      }
      if (set.Has({*pe})) continue;
      FieldSet sub = set.WithPrefix(*pe);
      if (sub.empty()) {
        out.push_back(v[i]);
        continue;
      }
      if (auto r = Remove(v[i], elem, sub)) out.push_back(std::move(*r));
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
  if (!v.is_object() || v.empty() || s.atomic) return std::nullopt;
  json out = json::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    PathElement pe = PathElement::Field(it.key());
    if (set.Has({pe})) continue;
    FieldSet sub = set.WithPrefix(pe);
    if (sub.empty()) {
      out[it.key()] = it.value();
      continue;
    }
    std::optional<Shape> child = ChildShape(s, it.key());
    if (!child) {
      out[it.key()] = it.value();
      continue;
    }
    if (auto r = Remove(it.value(), *child, sub)) out[it.key()] = std::move(*r);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

FieldSet ToFieldSet(const json& obj, const TypeDef& type) {
  FieldSet out;
  FieldPath path;
  Shape s = TypeShape(type);
  s.atomic = false;  // the object itself is never one leaf
  Collect(obj, s, path, out);
  return out;
}

FieldSet EnsureNamedFieldsAreMembers(const FieldSet& set, const TypeDef& type) {
  FieldSet out = set;
  Shape root = TypeShape(type);
  root.atomic = false;
  set.ForEach([&](const FieldPath& p) {
    Shape s = root;
    FieldPath prefix;
    for (size_t i = 0; i + 1 < p.size(); ++i) {
      const PathElement& pe = p[i];
      bool named = pe.kind == PathElement::Kind::kField && s.kind == Shape::Kind::kStruct &&
                   !s.atomic && s.type && s.type->Field(pe.field) != nullptr;
      prefix.push_back(pe);
      if (named) out.Insert(prefix);
      std::optional<Shape> next = Below(s, pe);
      if (!next) break;
      s = *next;
    }
  });
  return out;
}

json RemoveItems(const json& obj, const TypeDef& type, const FieldSet& set) {
  if (set.empty()) return obj;
  Shape s = TypeShape(type);
  s.atomic = false;
  auto r = Remove(obj, s, set);
  return r ? *r : json::object();
}

const FieldSet& StripSet() {
  static const FieldSet kStrip = [] {
    FieldSet s;
    auto f = [](const char* n) { return PathElement::Field(n); };
    s.Insert({f("apiVersion")});
    s.Insert({f("kind")});
    s.Insert({f("metadata")});
    for (const char* m : {"name", "namespace", "creationTimestamp", "selfLink", "uid",
                          "clusterName", "generation", "managedFields", "resourceVersion"}) {
      s.Insert({f("metadata"), f(m)});
    }
    return s;
  }();
  return kStrip;
}

}  // namespace skiff::apis::ssa
