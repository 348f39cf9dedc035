// Server-side apply and metadata.managedFields, as kube-apiserver 1.32 implements them
// (sigs.k8s.io/structured-merge-diff v4 and k8s.io/apimachinery/pkg/util/managedfields).
//
// Two entry points serve the API layer:
//   - Apply():       PATCH with Content-Type application/apply-patch+yaml (server-side apply).
//   - TrackUpdate(): every other write (POST, PUT, JSON/merge/strategic PATCH) records which
//                    fields the request changed as owned by its field manager.
// Both read and write metadata.managedFields on the objects they are given; both take the
// object's schema TypeDef (a top-level kind from BuiltinSchema()).
//
// How the schema drives ownership (FieldDef in schema.h):
//   - struct fields (kObject) are granular: each field is tracked on its own; a few reference
//     and selector types that Kubernetes marks +structType=atomic (LabelSelector,
//     OwnerReference, LocalObjectReference, ObjectReference, NodeSelector, ...) are one leaf;
//   - maps (Container::kMap) are granular per key, except the +mapType=atomic ones
//     (PodSpec.nodeSelector, ServiceSpec.selector, ReplicationControllerSpec.selector);
//   - lists: list_type "map" (keys list_map_keys) is associative, "set" is a set of scalars,
//     "atomic" is one leaf; without list_type, patch strategy "merge" makes a list associative
//     by merge_key (or a set for scalars), anything else is atomic;
//   - kRawJSON values are atomic leaves.
//
// Fields that are never tracked (kube-apiserver strips them from every manager's set):
// apiVersion, kind, metadata itself, and metadata.{name, namespace, creationTimestamp,
// selfLink, uid, clusterName, generation, managedFields, resourceVersion}.
//
// Thread-safety: every function is pure apart from the objects passed by non-const reference;
// calls on different objects may run concurrently. Nothing here throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/apis/field_error.h"
#include "skiff/apis/schema.h"
#include "skiff/common/status.h"

namespace skiff::apis {

// One step of a field path.
struct PathElement {
  enum class Kind { kField, kKey, kValue, kIndex };
  Kind kind = Kind::kField;
  std::string field;                                        // kField: the JSON field or map key
  std::vector<std::pair<std::string, nlohmann::json>> key;  // kKey: key fields, sorted by name
  nlohmann::json value;                                     // kValue: the set member
  int64_t index = 0;                                        // kIndex: position in the list

  static PathElement Field(std::string name);
  static PathElement Key(std::vector<std::pair<std::string, nlohmann::json>> fields);  // sorts
  static PathElement Value(nlohmann::json v);
  static PathElement Index(int64_t i);

  // The fieldsV1 spelling: f:name, k:{"name":"web"} (compact JSON, keys sorted), v:"a", i:3.
  std::string FieldsV1Key() const;
  static Result<PathElement> FromFieldsV1Key(std::string_view text);
  // The spelling of conflict messages: .name, [name="web"], [=value], [3].
  std::string String() const;
};

// Total order of structured-merge-diff: fields < keys < values < indexes; values ordered
// numbers (ints and floats together) < strings < bools < lists < maps < null.
int Compare(const PathElement& a, const PathElement& b);
inline bool operator<(const PathElement& a, const PathElement& b) { return Compare(a, b) < 0; }
inline bool operator==(const PathElement& a, const PathElement& b) { return Compare(a, b) == 0; }

using FieldPath = std::vector<PathElement>;
// ".spec.template.spec.containers[name=\"web\"].image" (the Field of a conflict cause).
std::string FieldPathString(const FieldPath& path);

// A set of field paths: the value of one managedFields entry. In the fieldsV1 encoding every
// path element is a key ("f:", "k:", "v:", "i:") whose value is an object holding the next
// level; {} (or an object with ".": {}) marks the path itself as a member. A struct that only
// has owned children is not itself a member: {"f:spec":{"f:replicas":{}}} owns spec.replicas,
// not spec. Value semantics; cheap enough to copy for objects of ordinary size.
class FieldSet {
 public:
  FieldSet() = default;

  // Parses a fieldsV1 object. Errors (InvalidArgument) name the bad key.
  static Result<FieldSet> FromFieldsV1(const nlohmann::json& fields_v1);
  // The fieldsV1 object ({} when empty). nlohmann::json orders keys by their text.
  nlohmann::json ToFieldsV1() const;
  // The exact bytes kube-apiserver writes: keys in structured-merge-diff order, "." first.
  std::string ToFieldsV1String() const;

  bool empty() const { return root_.children.empty(); }
  bool Has(const FieldPath& path) const;
  void Insert(const FieldPath& path);

  FieldSet Union(const FieldSet& other) const;
  // Removes the members of `other`; a member of `other` does not remove this set's paths below
  // it (structured-merge-diff's Difference).
  FieldSet Difference(const FieldSet& other) const;
  // Removes the members of `other` and everything below them.
  FieldSet RecursiveDifference(const FieldSet& other) const;
  FieldSet Intersection(const FieldSet& other) const;
  // The paths below `element`, with `element` stripped from their front.
  FieldSet WithPrefix(const PathElement& element) const;

  // Every member path, in structured-merge-diff's order (a level's members, then its children).
  void ForEach(const std::function<void(const FieldPath&)>& fn) const;
  std::vector<FieldPath> Paths() const;

  bool operator==(const FieldSet& other) const;
  bool operator!=(const FieldSet& other) const { return !(*this == other); }

  struct Child;
  struct Node {
    bool member = false;          // the path ending here is in the set
    std::vector<Child> children;  // sorted by PathElement; no empty (non-member, childless) nodes
  };

 private:
  Node root_;
};

struct FieldSet::Child {
  PathElement element;
  Node node;
};

// The fields set in `obj` (structured-merge-diff's ToFieldSet) minus the never-tracked fields
// listed at the top: scalars and atomic values are leaves; list items and map entries are
// members; a struct field is a member only when it is an atomic struct. Values the schema does
// not know are leaves.
FieldSet FieldsOf(const nlohmann::json& obj, const TypeDef& type);

// Per-request options of Apply and TrackUpdate.
struct FieldManagerOptions {
  // The subresource written ("status", "scale"), "" for the main resource. Entries written
  // through a subresource carry it and are distinct from the main resource's entries; updates
  // through a subresource ignore managedFields in the request body.
  std::string subresource;
  // Fields the registry strategy resets on this endpoint (Kubernetes' GetResetFields): never
  // owned and never in conflict, each with everything below it. Pass {"f:status":{}} for the
  // main resource of kinds with a status subresource, {"f:spec":{}} for their /status.
  FieldSet reset_fields;
};

// A field of the applied configuration that another manager owns with a different value.
struct ApplyConflict {
  std::string manager;  // the other manager's name
  std::string field;    // ".spec.replicas"
  std::string message;  // conflict with "kubectl-client-side-apply" using apps/v1
};

struct ApplyResult {
  // The merged object with metadata.managedFields; null when `conflicts` is not empty.
  nlohmann::json object;
  // Non-empty: the apply was refused (409 Conflict). Ordered by the managers' identifiers,
  // then by path.
  std::vector<ApplyConflict> conflicts;
  // The Status message: "Apply failed with 1 conflict: conflict with \"x\" using apps/v1:
  // .spec.replicas", or "Apply failed with 2 conflicts: conflicts with \"x\" using apps/v1:\n-
  // .a\n- .b" for several.
  std::string conflict_message;
};

// Server-side apply of `applied` (the decoded apply-patch body) to `live` (null when the
// object does not exist; pass it as stored, managedFields included).
//   - Fields of `applied` are set; associative lists are merged by key, sets unioned, atomic
//     values replaced; a null leaf in `applied` removes that field.
//   - Fields this manager applied before and applies no longer are removed unless another
//     manager (applier or updater) also owns them.
//   - A field of `applied` whose new value differs from the live value and that another
//     manager owns is a conflict: with force == false nothing is changed and the conflicts are
//     returned (ok status); with force == true the field moves to this manager.
//   - Applying the same value as another manager shares ownership.
//   - If `live` exists but has no managedFields, its current fields first become owned by
//     "before-first-apply" (operation Update).
//   - Manager "kubectl" (the client-side apply upgrade path): when every conflicting field is
//     one the kubectl.kubernetes.io/last-applied-configuration annotation records with the
//     live value, the apply proceeds as if forced; otherwise only the other conflicts are
//     reported. An existing annotation is rewritten from `applied`.
//   - metadata.managedFields gets one entry per (manager, operation, subresource, and for Update
//     the apiVersion): {manager, operation: "Apply"|"Update", apiVersion, time, fieldsType:
//     "FieldsV1", fieldsV1[, subresource]}, Apply entries first, then by time; entries whose set
//     becomes empty are dropped; more than 10 Update entries are folded oldest-first into
//     "ancient-changes". The applier's time is `now` unless the object did not change; when
//     neither the object nor the ownership changed every time stays as it was.
// The result is not defaulted: default it afterwards (kube-apiserver does), then set
// namespace/uid/... as for any write. The caller checks that the result's metadata.name and
// namespace match the URL (kube: "the name of the object (x) does not match the name on the
// URL (y)"; an empty name: "the name of the object (y based on URL) was undeterminable: name
// must be provided").
// Errors:
//   - InvalidArgument, answered 400 by kube-apiserver: apiVersion/kind not the type's
//     ("invalid object type: apps/v1, Kind=" for a missing kind), metadata.managedFields present
//     ("metadata.managedFields must be nil"), `applied` not an object;
//   - InvalidArgument "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value:
//     is required for apply patch" (422) for an empty manager;
//   - Internal, answered 500 by kube-apiserver 1.32: the body does not fit the schema
//     ("failed to create typed patch object (default/web; apps/v1, Kind=Deployment):
//     .spec.foo: field not declared in schema"), or the live managedFields cannot be decoded
//     ("failed to decode managed fields: ...").
Result<ApplyResult> Apply(const nlohmann::json& live, const nlohmann::json& applied,
                          const TypeDef& type, const std::string& manager, bool force,
                          std::chrono::system_clock::time_point now,
                          const FieldManagerOptions& options = {});

// Records an ordinary write: `new_obj` is the object about to be stored (defaulted, before the
// server sets uid/resourceVersion/generation), `old_obj` the stored one (null on create).
//   - The fields that changed (all fields on create) become owned by `manager` with operation
//     Update and leave every other manager's set; fields that disappeared leave every set.
//     Never-tracked fields and `options.reset_fields` are not recorded.
//   - managedFields in `new_obj` set explicitly by the client are honoured: a non-empty list
//     that decodes replaces the stored one; an empty list or [{}] clears all tracking (the
//     object then has no managedFields until the next apply); absent, null or undecodable keeps
//     the stored list. Through a subresource the request's managedFields are always ignored.
//   - An existing object (old_obj with a metadata.uid) without managedFields stays untracked
//     (kube-apiserver skips it); a create is always tracked.
//   - The entry's time becomes `now` only when the request changed one of its fields.
// Nothing fails (kube's UpdateNoErrors): stored managedFields that do not decode are treated as
// none. A `new_obj` that is not an object is left alone.
void TrackUpdate(nlohmann::json& new_obj, const nlohmann::json& old_obj, const TypeDef& type,
                 const std::string& manager, std::chrono::system_clock::time_point now,
                 const FieldManagerOptions& options = {});

// The manager of a request: the fieldManager query parameter when given, otherwise the
// User-Agent up to its first "/", without unprintable characters, at most 128 bytes
// ("kubectl/v1.32.0 (linux/amd64) kubernetes/abc" -> "kubectl"). kubectl passes fieldManager
// itself for most commands (kubectl-client-side-apply, kubectl-edit, kubectl-create,
// kubectl-patch, ...); `kubectl scale` and the Python client do not ("kubectl",
// "OpenAPI-Generator").
std::string FieldManagerName(std::string_view field_manager_param, std::string_view user_agent);

// Validates a fieldManager query parameter as kube-apiserver does (at most 128 bytes,
// printable characters): errors on `path` (e.g. "fieldManager").
FieldErrors ValidateFieldManager(std::string_view manager, const std::string& path);

// Validates metadata.managedFields of a written object (ObjectMeta validation): operation
// "Apply"/"Update", fieldsType "FieldsV1" (or empty), manager as ValidateFieldManager,
// subresource at most 256 bytes. `path` is e.g. "metadata.managedFields".
FieldErrors ValidateManagedFields(const nlohmann::json& managed_fields, const std::string& path);

// The 409 Status kube-apiserver answers for `result.conflicts`: {"kind":"Status","apiVersion":
// "v1","metadata":{},"status":"Failure","message":...,"reason":"Conflict","details":{"causes":
// [{"reason":"FieldManagerConflict","message":...,"field":...}]},"code":409}.
nlohmann::json ConflictStatus(const ApplyResult& result);

}  // namespace skiff::apis
