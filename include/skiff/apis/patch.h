// The three patch formats of the Kubernetes PATCH verb, applied the way kube-apiserver does:
//   application/json-patch+json           RFC 6902, with the quirks of evanphx/json-patch v4
//   application/merge-patch+json          RFC 7386
//   application/strategic-merge-patch+json  k8s.io/apimachinery/pkg/util/strategicpatch
// (application/apply-patch+yaml, server-side apply, is not handled here.)
//
// All functions are pure: they read their arguments and return a new document; none keeps
// state, so they are safe to call from any number of threads at once. TypeDef pointers are
// borrowed for the duration of the call. Nothing throws: failures come back as a Status whose
// message is the one kube-apiserver produces for the same input (see DescribePatchError for
// the HTTP answer kube-apiserver gives).
//
// A typical PATCH handler:
//   auto type = PatchTypeFromContentType(content_type);       // nullopt -> 415
//   auto patch = ParsePatchBody(*type, body);                  // stage kParse
//   auto patched = ApplyPatch(*type, current, *patch, kind_type); // stage kApply
//   on error: DescribePatchError(*type, stage, status) gives code, reason, message, cause.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "skiff/apis/schema.h"
#include "skiff/common/status.h"

namespace skiff::apis {

enum class PatchType {
  kJson,            // application/json-patch+json
  kMerge,           // application/merge-patch+json
  kStrategicMerge,  // application/strategic-merge-patch+json
};

// Maps a request Content-Type (parameters such as "; charset=utf-8" and letter case ignored)
// to a patch type; nullopt for anything else (kube-apiserver answers 415, see
// kUnsupportedPatchMediaTypeMessage).
std::optional<PatchType> PatchTypeFromContentType(std::string_view content_type);
// The canonical media type, e.g. "application/merge-patch+json".
std::string_view PatchContentType(PatchType type);

// kube-apiserver's 415 message for a patch Content-Type it does not accept on built-in kinds.
inline constexpr std::string_view kUnsupportedPatchMediaTypeMessage =
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, "
    "application/apply-patch+yaml, application/strategic-merge-patch+json";
// The 415 message kube-apiserver gives for strategic merge patch on kinds without Go types
// (custom resources). ApplyStrategicMergePatch returns it when `type` is null.
inline constexpr std::string_view kStrategicMergeUnsupportedMessage =
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

// Parses a PATCH request body for `type`. Errors (kInvalidArgument unless noted):
//   kJson: malformed JSON; a body that is not an array of objects ("json: cannot unmarshal
//     object into Go value of type jsonpatch.Patch"); more than 10000 operations is
//     kTooLarge ("The allowed maximum operations in a JSON patch is 10000, got N").
//     A JSON null body is an empty patch.
//   kMerge: malformed JSON or a body that is not an object: "Invalid JSON Patch".
//   kStrategicMerge: malformed JSON; a non-object body ("json: cannot unmarshal array into Go
//     value of type map[string]interface {}"). A JSON null body is the empty patch {}.
Result<nlohmann::json> ParsePatchBody(PatchType type, std::string_view body);

// RFC 6902 JSON patch (`patch` is the array of operations) applied to `doc`, with the
// behaviour of evanphx/json-patch v4 that kube-apiserver uses:
//   - paths are JSON pointers ("/spec/template", "~1" -> "/", "~0" -> "~"); "" is the root
//     (only "replace" and "test" accept it); array indexes may be negative (counted from the
//     end); "-" appends in "add";
//   - "add" creates or overwrites one member but never a missing parent: "add operation does
//     not apply: doc is missing path: \"/spec/foo/bar\": missing value";
//   - "replace" of a missing object member adds it (v4 does not check), a missing parent or
//     array index fails: "replace operation does not apply: doc is missing key: /a/5: missing
//     value";
//   - "remove" of a missing member fails ("error in remove for path: '/metadata/labels/x':
//     Unable to remove nonexistent key: x: missing value");
//   - "test" compares JSON values (a missing member equals null): "testing value /spec/replicas
//     failed: test failed";
//   - "move"/"copy" read "from"; an unknown op is "Unexpected kind: <op>".
// Operations apply in order and the whole patch fails on the first error (kInvalidArgument).
Result<nlohmann::json> ApplyJsonPatch(const nlohmann::json& doc, const nlohmann::json& patch);

// RFC 7386 JSON merge patch, exactly: an object patch merges member by member (null deletes,
// objects recurse, everything else, arrays included, replaces); a non-object patch replaces
// the whole document. Never fails on parsed JSON.
Result<nlohmann::json> ApplyMergePatch(const nlohmann::json& doc, const nlohmann::json& patch);

// Strategic merge patch, as k8s.io/apimachinery/pkg/util/strategicpatch applies it on the
// server (StrategicMergeMapPatch), with patch metadata from `type` (the object's TypeDef,
// nested types through FieldDef::type):
//   - maps merge recursively; null deletes a key; scalars and lists without the merge
//     strategy replace; map-valued fields (Container::kMap) merge key by key;
//   - lists with strategy_merge and a merge_key merge element-wise by merge key; lists of
//     scalars with strategy_merge are ordered sets (union without duplicates);
//   - order: without $setElementOrder the patch's elements keep the patch's relative order and
//     are interleaved with the server-only elements by their server order, a new element going
//     before the server-only elements that follow (Kubernetes prepends new containers);
//     $setElementOrder/<list> sets the order of the elements it names, server-only elements
//     keep their relative order around them (exactly as kube-apiserver interleaves them);
//   - directives, none of which is left in the result:
//       {"$patch": "replace", ...} on a map: the map becomes the rest of the patch map;
//       {"$patch": "delete"} on a map: the map becomes {};
//       [{"$patch": "replace"}, ...] in a merge list (any element carrying it): the list
//         becomes the other elements;
//       [{"name": "x", "$patch": "delete"}] in a merge list: removes every element named x;
//       "$retainKeys": [...] clears the keys of the map that are not listed (and every
//         non-null key of the patch map must be listed: "invalid patch format of retainKeys");
//       "$setElementOrder/<list>": [...] orders <list> (see above);
//       "$deleteFromPrimitiveList/<list>": [...] removes those values from a scalar list;
//     "$patch": "merge" is rejected as Kubernetes does ("unknown patch type: merge in map:
//     ..."; in lists "merging lists cannot yet be specified in the patch");
//   - FieldDef::list_type / list_map_keys / strategy_retain_keys are not consulted: like
//     kube-apiserver, only the patchStrategy "merge" and patchMergeKey tags matter ($retainKeys
//     is honoured wherever it appears);
//   - keys the TypeDef does not know (and fields of kind kRawJSON) merge without metadata:
//     maps recurse, lists replace.
// `doc` and `patch` must be objects. Errors are kInvalidArgument with strategicpatch's
// messages, e.g. "map: map[image:nginx] does not contain declared merge key: name",
// "lists of lists are not supported", "invalid patch format of setElementOrder list".
// `type` == nullptr means the kind has no schema (a custom resource): kube-apiserver does not
// accept strategic merge patch for those, so the result is kUnimplemented with
// kStrategicMergeUnsupportedMessage (answer 415 UnsupportedMediaType).
Result<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& doc,
                                                const nlohmann::json& patch, const TypeDef* type);

// Dispatches to the three functions above (`type` is used by kStrategicMerge only).
Result<nlohmann::json> ApplyPatch(PatchType patch_type, const nlohmann::json& doc,
                                  const nlohmann::json& patch, const TypeDef* type);

// Where a patch failed: reading the body (ParsePatchBody) or applying it (Apply*).
enum class PatchStage { kParse, kApply };

// The Status kube-apiserver answers for a failed patch.
struct PatchErrorResponse {
  int code = 0;               // HTTP status: 400, 413, 415, 422 or 500
  std::string reason;         // Status.reason: BadRequest, RequestEntityTooLarge,
                              // UnsupportedMediaType, Invalid, or "" (unknown, with 500)
  std::string message;        // Status.message
  std::string cause_type;     // details.causes[0].type ("UnexpectedServerResponse") or ""
  std::string cause_message;  // details.causes[0].message, the error itself, or ""
};

// kube-apiserver's answers, by patch type and stage:
//   parse errors: 400 BadRequest with the message (413 RequestEntityTooLarge "Request entity
//     too large: ..." for too many JSON patch operations);
//   JSON patch apply errors: 422 Invalid "the server rejected our request due to an error in
//     our request", the error as cause UnexpectedServerResponse (kubectl prints "The request
//     is invalid: the server rejected our request due to an error in our request");
//   strategic merge patch apply errors: 400 for malformed directives (invalid patch format of
//     ...), 422 as above for lists of lists and retainKeys mismatches, 415 for kinds without a
//     schema, otherwise 500 with the message (kube-apiserver does not classify the rest);
//   merge patch apply errors: 500 (they cannot happen for parsed bodies).
PatchErrorResponse DescribePatchError(PatchType type, PatchStage stage, const Status& error);

}  // namespace skiff::apis
