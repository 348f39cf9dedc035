#include "shape.h"

#include <algorithm>
#include <string_view>

namespace skiff::apis::ssa {
namespace {

// Types Kubernetes 1.32 marks +structType=atomic (k8s.io/api, k8s.io/apimachinery).
constexpr std::string_view kAtomicStructs[] = {
    "meta.v1.LabelSelector",
    "meta.v1.OwnerReference",
    "core.v1.ObjectReference",
    "core.v1.LocalObjectReference",
    "core.v1.TypedLocalObjectReference",
    "core.v1.SecretReference",
    "core.v1.ConfigMapKeySelector",
    "core.v1.SecretKeySelector",
    "core.v1.ObjectFieldSelector",
    "core.v1.ResourceFieldSelector",
    "core.v1.NodeSelector",
    "core.v1.NodeSelectorTerm",
    "core.v1.TopologySelectorTerm",
    "core.v1.ScopeSelector",
    "autoscaling.v1.CrossVersionObjectReference",
    "autoscaling.v2.CrossVersionObjectReference",
};

// Map fields Kubernetes marks +mapType=atomic: {owner type, field}.
constexpr std::pair<std::string_view, std::string_view> kAtomicMaps[] = {
    {"core.v1.PodSpec", "nodeSelector"},
    {"core.v1.ServiceSpec", "selector"},
    {"core.v1.ReplicationControllerSpec", "selector"},
};

// Non-pointer struct types (always present in Go's zero value of their parent).
constexpr std::string_view kValueStructs[] = {
    "meta.v1.ObjectMeta",
    "apps.v1.DeploymentStrategy",
    "apps.v1.DaemonSetUpdateStrategy",
    "apps.v1.StatefulSetUpdateStrategy",
    "core.v1.ResourceRequirements",
};

// Defaults of list-map key fields ("+default" markers that reach the OpenAPI of 1.32).
constexpr std::pair<std::string_view, std::string_view> kKeyDefaults[] = {
    {"core.v1.ContainerPort", "protocol"},
    {"core.v1.ServicePort", "protocol"},
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsAtomicStruct(const TypeDef& t) {
  return std::find(std::begin(kAtomicStructs), std::end(kAtomicStructs), t.name) !=
         std::end(kAtomicStructs);
}

Shape ScalarOrStruct(const FieldDef& f) {
  Shape s;
  if (f.kind == ValueKind::kObject && f.type) {
    s.kind = Shape::Kind::kStruct;
    s.type = f.type;
    s.atomic = IsAtomicStruct(*f.type);
  } else if (f.kind == ValueKind::kRawJSON || f.kind == ValueKind::kObject) {
    s.kind = Shape::Kind::kUntyped;
  } else {
    s.kind = Shape::Kind::kScalar;
    s.scalar = f.kind;
  }
  return s;
}

}  // namespace

Shape TypeShape(const TypeDef& type) {
  Shape s;
  s.kind = Shape::Kind::kStruct;
  s.type = &type;
  s.atomic = IsAtomicStruct(type);
  return s;
}

Shape FieldShape(const TypeDef& owner, const FieldDef& f) {
  Shape s;
  switch (f.container) {
    case Container::kNone:
      return ScalarOrStruct(f);
    case Container::kMap:
      s.kind = Shape::Kind::kMap;
      s.field = &f;
      for (const auto& [type, field] : kAtomicMaps) {
        if (owner.name == type && f.name == field) s.atomic = true;
      }
      return s;
    case Container::kArray:
      s.kind = Shape::Kind::kList;
      s.field = &f;
      // kube-openapi's rules: +listType first, then patch strategy "merge" with a merge key
      // (associative) or without one (a set); everything else is atomic.
      if (f.list_type == "map") {
        s.keys = f.list_map_keys;
        if (s.keys.empty() && !f.merge_key.empty()) s.keys = {f.merge_key};
      } else if (f.list_type == "set") {
        s.set = true;
      } else if (f.list_type == "atomic") {
        s.atomic = true;
      } else if (f.strategy_merge && !f.merge_key.empty()) {
        s.keys = {f.merge_key};
      } else if (f.strategy_merge) {
        s.set = true;
      } else {
        s.atomic = true;
      }
      if (!s.atomic && !s.set && s.keys.empty()) s.atomic = true;
      return s;
  }
  return s;
}

Shape ElementShape(const Shape& container) {
  if (!container.field) return Shape{};
  return ScalarOrStruct(*container.field);
}

std::optional<Shape> ChildShape(const Shape& parent, const std::string& key) {
  if (parent.kind == Shape::Kind::kMap) return ElementShape(parent);
  if (parent.kind == Shape::Kind::kStruct && parent.type) {
    if (const FieldDef* f = parent.type->Field(key)) return FieldShape(*parent.type, *f);
  }
  return std::nullopt;
}

bool FieldAlwaysPresent(const TypeDef& owner, const std::string& key) {
  const FieldDef* f = owner.Field(key);
  if (!f) return false;
  if (f->required) return true;
  if (f->container != Container::kNone || f->kind != ValueKind::kObject || !f->type) return false;
  const std::string& t = f->type->name;
  if (EndsWith(t, "Spec") || EndsWith(t, "Status")) return true;
  return std::find(std::begin(kValueStructs), std::end(kValueStructs), t) !=
         std::end(kValueStructs);
}

nlohmann::json AlwaysPresentValue(const TypeDef& owner, const std::string& key) {
  const FieldDef* f = owner.Field(key);
  if (f && f->container == Container::kNone && f->kind == ValueKind::kObject && f->type) {
    return nlohmann::json::object();
  }
  return nullptr;
}

Result<PathElement> ListItemElement(const Shape& list, const nlohmann::json& item, size_t index) {
  if (list.atomic) return PathElement::Index(static_cast<int64_t>(index));
  if (list.set) {
    if (item.is_object()) {
      return InvalidArgumentError("associative list without keys has an element that's a map type");
    }
    if (item.is_array()) {
      return InvalidArgumentError("not supported: associative list with lists as elements");
    }
    if (item.is_null()) {
      return InvalidArgumentError(
          "associative list without keys has an element that's an explicit null");
    }
    return PathElement::Value(item);
  }
  if (item.is_null()) {
    return InvalidArgumentError("associative list with keys may not have a null element");
  }
  if (!item.is_object()) {
    return InvalidArgumentError("associative list with keys may not have non-map elements");
  }
  const TypeDef* elem = list.field ? list.field->type : nullptr;
  std::vector<std::pair<std::string, nlohmann::json>> fields;
  for (const std::string& k : list.keys) {
    auto it = item.find(k);
    if (it != item.end()) {
      fields.emplace_back(k, *it);
      continue;
    }
    bool defaulted = false;
    for (const auto& [type, field] : kKeyDefaults) {
      if (elem && elem->name == type && k == field) {
        fields.emplace_back(k, "TCP");
        defaulted = true;
      }
    }
    if (!defaulted) {
      return InvalidArgumentError(
          "associative list with keys has an element that omits key field \"" + k +
          "\" (and doesn't have default value)");
    }
  }
  return PathElement::Key(std::move(fields));
}

}  // namespace skiff::apis::ssa
