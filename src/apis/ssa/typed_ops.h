// Schema-aware operations on JSON objects, with structured-merge-diff's semantics: the field
// set of a value, merging an applied configuration, removing a set of fields, comparing two
// versions, and validating an applied configuration against the schema. Internal to
// skiff_apis_ssa.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shape.h"
#include "skiff/apis/managed_fields.h"

namespace skiff::apis::ssa {

// Every field set in `obj`: leaves, list items, map entries and atomic values (typed
// ToFieldSet). Never-tracked fields are included; see StripSet().
FieldSet ToFieldSet(const nlohmann::json& obj, const TypeDef& type);

// `set` plus every struct field that has members below it (EnsureNamedFieldsAreMembers).
FieldSet EnsureNamedFieldsAreMembers(const FieldSet& set, const TypeDef& type);

// `obj` without the members of `set` (a member removes its whole value). Maps and lists left
// empty by the removal are dropped.
nlohmann::json RemoveItems(const nlohmann::json& obj, const TypeDef& type, const FieldSet& set);

// `config` merged into `live` (null: no object): config's leaves win (a null leaf removes the
// field), structs and maps merge per key, associative lists and sets merge per item keeping
// live's order for items config does not name.
nlohmann::json Merge(const nlohmann::json& live, const nlohmann::json& config, const TypeDef& type);

struct Comparison {
  FieldSet added, modified, removed;
};
// What changed from `lhs` to `rhs` (null: an empty object). JSON nulls count as absent;
// fields present in Go's zero value (FieldAlwaysPresent) count as present.
Comparison CompareObjects(const nlohmann::json& lhs, const nlohmann::json& rhs,
                          const TypeDef& type);

// Problems of `obj` against the schema, each "<path>: <message>" as structured-merge-diff
// words them (".spec.foo: field not declared in schema"). Duplicate associative-list keys are
// reported unless allow_duplicates.
std::vector<std::string> ValidateTyped(const nlohmann::json& obj, const TypeDef& type,
                                       bool allow_duplicates);

// The never-tracked fields (stripped from every manager's set).
const FieldSet& StripSet();

}  // namespace skiff::apis::ssa
