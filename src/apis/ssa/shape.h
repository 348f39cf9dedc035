// How the schema shapes a value for field management: the structured-merge-diff view of a
// TypeDef/FieldDef (struct, granular map, associative list, set, atomic leaf). Internal to
// skiff_apis_ssa.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "skiff/apis/managed_fields.h"
#include "skiff/apis/schema.h"

namespace skiff::apis::ssa {

struct Shape {
  enum class Kind {
    kScalar,   // a scalar leaf (scalar = its ValueKind)
    kStruct,   // an object with declared fields (type)
    kMap,      // map[string]T (element described by field)
    kList,     // []T (element described by field)
    kUntyped,  // any JSON (kRawJSON): an atomic leaf
  };
  Kind kind = Kind::kUntyped;
  bool atomic = false;              // struct/map/list tracked and replaced as one leaf
  const TypeDef* type = nullptr;    // kStruct
  const FieldDef* field = nullptr;  // kMap/kList: the field whose elements these are
  ValueKind scalar = ValueKind::kString;
  // kList, not atomic: a set of scalars, or associative by `keys`.
  bool set = false;
  std::vector<std::string> keys;

  bool IsLeaf() const { return atomic || kind == Kind::kScalar || kind == Kind::kUntyped; }
};

// The shape of a top-level or nested struct type.
Shape TypeShape(const TypeDef& type);
// The shape of `field`'s value inside an object of type `owner`.
Shape FieldShape(const TypeDef& owner, const FieldDef& field);
// The shape of one element of a kMap/kList shape.
Shape ElementShape(const Shape& container);
// The shape of a key of a kStruct/kMap value: the declared field, the map's element, or
// nullopt for a field the struct does not declare.
std::optional<Shape> ChildShape(const Shape& parent, const std::string& key);

// Whether a struct field exists in Go's zero value of its parent even when absent from JSON:
// fields without omitempty (required) and non-pointer struct fields (ObjectMeta, *Spec,
// *Status, deployment/daemonset/statefulset strategies, ResourceRequirements). Used so that
// updates record containers as kube-apiserver's typed comparison does.
bool FieldAlwaysPresent(const TypeDef& owner, const std::string& key);
// The zero value of such a field ({} for structs, null otherwise).
nlohmann::json AlwaysPresentValue(const TypeDef& owner, const std::string& key);

// The path element of item `index` of a list: an index for atomic lists, the value for sets,
// the key fields (with schema defaults for absent keys, e.g. protocol "TCP") for associative
// lists. Errors read as structured-merge-diff's ("associative list with keys has an element
// that omits key field \"name\" (and doesn't have default value)").
Result<PathElement> ListItemElement(const Shape& list, const nlohmann::json& item, size_t index);

}  // namespace skiff::apis::ssa
