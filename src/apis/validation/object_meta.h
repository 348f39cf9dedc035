// Validation of ObjectMeta pieces and label selectors (apimachinery's api/validation and
// meta/v1/validation).
#pragma once

#include <map>
#include <string>

#include "json_util.h"
#include "skiff/apis/validation.h"

namespace skiff::apis::internal {

// metadata.labels-style map: keys qualified names, values label values. `path` is the map's
// path (errors are not keyed, as in Kubernetes).
void ValidateLabels(FieldErrors& errs, const json& labels, const std::string& path);
// Annotation keys (qualified names, case-insensitive) and the 256 KiB total size.
void ValidateAnnotations(FieldErrors& errs, const json& annotations, const std::string& path);

// A metav1.LabelSelector (matchLabels / matchExpressions).
void ValidateLabelSelector(FieldErrors& errs, const json& selector, const std::string& path);
// Whether the selector (a metav1.LabelSelector) matches the labels. A null/absent selector
// matches nothing; an empty one matches everything.
bool SelectorMatches(const json* selector, const json& labels);
// True when the selector has no matchLabels and no matchExpressions.
bool SelectorIsEmpty(const json& selector);

// field.Invalid(path, new, "field is immutable") when new != old (semantically).
void ValidateImmutable(FieldErrors& errs, const json& new_value, const json& old_value,
                       const std::string& path);
// Same for the member `key` of two objects (missing reads as null).
void ValidateImmutableMember(FieldErrors& errs, const json& n, const json& o, std::string_view key,
                             const Path& parent);

}  // namespace skiff::apis::internal
