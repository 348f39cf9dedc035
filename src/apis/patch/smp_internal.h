// Internal: the pieces of strategic merge patch shared by strategic_merge_patch.cc (maps,
// directives, the public entry point) and strategic_merge_lists.cc (lists and their order).
// The behaviour follows k8s.io/apimachinery/pkg/util/strategicpatch as kube-apiserver runs it
// (StrategicMergeMapPatch: MergeParallelList and IgnoreUnmatchedNulls both on).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "skiff/apis/schema.h"
#include "skiff/common/status.h"

namespace skiff::apis::patch_internal {

using json = nlohmann::json;

inline constexpr std::string_view kDirectiveMarker = "$patch";
inline constexpr std::string_view kRetainKeysDirective = "$retainKeys";
inline constexpr std::string_view kDeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
inline constexpr std::string_view kSetElementOrderPrefix = "$setElementOrder";

// Where the patch metadata of one JSON object's members comes from.
struct SchemaContext {
  const TypeDef* type = nullptr;  // the object's type, or the values' type when map_values
  bool map_values = false;        // the object is a map[string]T (FieldDef kMap)
};

// Patch metadata of one member.
struct FieldMeta {
  SchemaContext child;      // context of the member's value, or of its list elements
  bool merge_list = false;  // patchStrategy "merge" on a list
  std::string merge_key;    // patchMergeKey ("" for lists of scalars)
};

FieldMeta LookupField(const SchemaContext& ctx, const std::string& key);

// Merges `patch` (an object) into `original` (made an object if it is not one).
Status MergeMap(json& original, json patch, const SchemaContext& ctx);

// Processes the patch value of a key the original lacks: directives applied, nulls dropped,
// as if merged into an empty value.
Status CleanValue(json& value, const FieldMeta& meta);

// The result of merging a list, and the "server order" that kube-apiserver's
// $setElementOrder step compares against. In Go that step reads the original slice after
// mergeSlice changed it in place: elements deleted by {"$patch": "delete"} shifted the
// survivors down and elements new to the list were appended into the freed slots. The view
// reproduces that: the survivors followed by as many new elements as were deleted.
struct MergedList {
  json list = json::array();
  json server_view = json::array();
};

// Merges two lists by `meta` (replace unless merge_list).
Status MergeList(const json& original, json patch, const FieldMeta& meta, MergedList* out);

// Handles one "$setElementOrder/<list>" key of `patch`: removes it (and the list it orders)
// from `patch` and stores the merged, ordered list in `original`.
Status ApplySetElementOrder(json& original, json& patch, const std::string& directive_key,
                            const SchemaContext& ctx);

// strategicpatch's error texts.
std::string ErrNoMergeKey(const json& map, const std::string& key);
std::string ErrBadPatchType(const json& directive, const json& map);
std::string ErrBadArgType(std::string_view expected_type, const json& actual);
inline constexpr std::string_view kErrBadPatchFormatForPrimitiveList =
    "invalid patch format of primitive list";
inline constexpr std::string_view kErrBadPatchFormatForRetainKeys =
    "invalid patch format of retainKeys";
inline constexpr std::string_view kErrBadPatchFormatForSetElementOrderList =
    "invalid patch format of setElementOrder list";
inline constexpr std::string_view kErrNoListOfLists = "lists of lists are not supported";

// "$setElementOrder/containers" -> "containers"; false when `key` is not "<prefix>/<name>".
bool ExtractDirectiveKey(std::string_view key, std::string_view prefix, std::string* name);

}  // namespace skiff::apis::patch_internal
