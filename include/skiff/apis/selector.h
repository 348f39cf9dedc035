// Label selectors and field selectors, as kube-apiserver 1.32 parses and applies them to list
// and watch requests (?labelSelector=..., ?fieldSelector=...) and as controllers evaluate a
// meta.v1.LabelSelector (Deployment/ReplicaSet/Job/Service selectors, Scale.status.selector).
//
// Label selectors follow k8s.io/apimachinery/pkg/labels: the grammar
//   a=b, a==b, a!=b, a in (x,y), a notin (x), a, !a, a>5, a<5   (comma = AND)
// with label-key validation (qualified name, optional DNS-1123 subdomain prefix) and label-value
// validation (empty or [A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9], at most 63 bytes).
// Field selectors follow k8s.io/apimachinery/pkg/fields: terms f=v, f==v, f!=v with the
// backslash escaping of ',', '=' and '\' in values; which fields a kind accepts, and how they
// are read from an object, follow the field label conversion functions (pkg/apis/*/v1) and the
// GetAttrs/ToSelectableFields functions (pkg/registry/*/strategy.go) of Kubernetes 1.32.
//
// Errors: every failure is a Status with Code::kInvalidArgument whose message is the exact text
// kube-apiserver puts in its 400 BadRequest Status for the same input (e.g.
// "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" or
// "field label not supported: spec.foo"). The HTTP layer answers such errors with 400
// BadRequest (reason BadRequest), not 422 Invalid. Nothing here throws.
//
// Inputs are the already URL-decoded query values. Labels are a JSON object of string values
// (metadata.labels); null or absent means "no labels".
//
// Thread-safety: every type here is an immutable value once built; const methods may be called
// from any number of threads at once. The per-kind tables are constant data (no global state).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::apis {

// ---------------------------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------------------------

// Kubernetes' selection.Operator values.
enum class SelectorOperator {
  kIn,            // "in"
  kNotIn,         // "notin"
  kEquals,        // "="
  kDoubleEquals,  // "=="
  kNotEquals,     // "!="
  kExists,        // "exists"
  kDoesNotExist,  // "!"
  kGreaterThan,   // "gt"
  kLessThan,      // "lt"
};

// The Kubernetes spelling of an operator: "in", "notin", "=", "==", "!=", "exists", "!", "gt",
// "lt".
std::string_view SelectorOperatorName(SelectorOperator op);

class LabelSelector;

// One term of a label selector: key, operator, values.
class LabelRequirement {
 public:
  // labels.NewRequirement: validates the key (qualified name), the value count for the operator,
  // Gt/Lt integers and every value (label value syntax). On failure the message is Kubernetes'
  // aggregated field error text, e.g.
  //   values[0][app]: Invalid value: "-x": a valid label must be an empty string or ...
  // Values are kept as given (duplicates and order too); ToString() sorts them.
  static Result<LabelRequirement> Create(std::string key, SelectorOperator op,
                                         std::vector<std::string> values);

  const std::string& key() const { return key_; }
  SelectorOperator op() const { return op_; }
  const std::vector<std::string>& values() const { return values_; }

  // Kubernetes semantics: In/=/== need the key present with a listed value; NotIn/!= match when
  // the key is absent or its value is not listed; Exists/DoesNotExist test presence; Gt/Lt need
  // the key present with a base-10 int64 value strictly greater/less than the requirement's.
  bool Matches(const nlohmann::json& labels) const;

  // "app=web", "app==web", "app!=web", "tier in (a,b)", "tier notin (a)", "app", "!app",
  // "n>5", "n<5" (In/NotIn values sorted).
  std::string ToString() const;

  bool operator==(const LabelRequirement&) const = default;

 private:
  LabelRequirement(std::string key, SelectorOperator op, std::vector<std::string> values)
      : key_(std::move(key)), op_(op), values_(std::move(values)) {}
  friend LabelSelector SelectorFromMap(const std::map<std::string, std::string>& set);

  std::string key_;
  SelectorOperator op_ = SelectorOperator::kExists;
  std::vector<std::string> values_;
};

// An AND of requirements, or the special selector that matches nothing.
//
// Two special selectors, as in Kubernetes:
//   Everything() (also the default and what "" parses to): Empty() is true, matches all objects.
//   Nothing() (what a null/absent meta.v1.LabelSelector converts to): matches no object; Empty()
//   is false; ToString() is "".
class LabelSelector {
 public:
  LabelSelector() = default;  // Everything
  static LabelSelector Everything() { return LabelSelector(); }
  static LabelSelector Nothing();

  // True when the selector does not restrict anything (Everything).
  bool Empty() const { return !nothing_ && requirements_.empty(); }
  // True only for Nothing().
  bool MatchesNothing() const { return nothing_; }

  // `labels` is the labels map (a JSON object of strings), or null when the object has none.
  bool Matches(const nlohmann::json& labels) const;
  // Reads object["metadata"]["labels"].
  bool MatchesObject(const nlohmann::json& object) const;

  // The canonical string: requirements sorted by key (stable), joined with ",", e.g.
  // "app=web,tier in (a,b)". This is what Scale.status.selector carries. "" for Everything and
  // for Nothing.
  std::string ToString() const;

  // Requirements sorted by key; empty for Everything and Nothing.
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }

  // A copy with `r` added (re-sorted by key). Adding to Nothing() gives Nothing().
  LabelSelector Add(LabelRequirement r) const;

  // If the first requirement on `key` is =, == or "in" with exactly one value, that value
  // (labels.Selector.RequiresExactMatch).
  std::optional<std::string> RequiresExactMatch(std::string_view key) const;

  // The map form (the old RC-style selector), where one exists: =, == and single-value "in"
  // become entries. Other operators fail with
  //   operator "notin" cannot be converted into the old label selector format
  // (multi-value in: operator "in" without a single value cannot be converted into ...).
  // Nothing() fails ("a selector that matches nothing has no map form").
  Result<std::map<std::string, std::string>> AsMap() const;

  // The meta.v1.LabelSelector JSON for this selector (metav1.ParseToLabelSelector): =/== go to
  // matchLabels; in, notin, exists and ! go to matchExpressions (values sorted, de-duplicated);
  // empty members are omitted. gt/lt fail with `"gt" isn't supported in label selectors`, != with
  // `"!=" is not a valid label selector operator`. Nothing() gives null.
  Result<nlohmann::json> ToLabelSelectorJson() const;

  bool operator==(const LabelSelector&) const = default;

 private:
  bool nothing_ = false;
  std::vector<LabelRequirement> requirements_;

  friend Result<LabelSelector> ParseLabelSelector(std::string_view text);
  friend Result<LabelSelector> LabelSelectorFromJson(const nlohmann::json& label_selector);
  friend LabelSelector SelectorFromMap(const std::map<std::string, std::string>& set);
  friend Result<LabelSelector> ValidatedSelectorFromMap(
      const std::map<std::string, std::string>& set);
};

// labels.Parse: the ?labelSelector= string form. "" (or only whitespace) gives Everything.
// Parse errors carry Kubernetes' text, e.g.
//   "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
//   "found ',', expected: !, identifier, or 'end of string'"
//   "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must ..."
Result<LabelSelector> ParseLabelSelector(std::string_view text);

// metav1.LabelSelectorAsSelector on a meta.v1.LabelSelector JSON value:
//   null (or a discarded/absent value)            -> Nothing()
//   {} or no matchLabels/matchExpressions entries -> Everything()
//   otherwise matchLabels (each key=value) AND matchExpressions (In, NotIn, Exists,
//   DoesNotExist). A bad operator fails with `"Foo" is not a valid label selector operator`;
//   bad keys/values fail with NewRequirement's text (e.g.
//   "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be
//   empty"). JSON of the wrong shape (matchLabels not an object of strings, ...) fails with a
//   message naming the member.
Result<LabelSelector> LabelSelectorFromJson(const nlohmann::json& label_selector);

// metav1.LabelSelectorAsMap on a meta.v1.LabelSelector JSON value (null gives an empty map).
Result<std::map<std::string, std::string>> LabelSelectorAsMap(const nlohmann::json& label_selector);

// metav1.FormatLabelSelector: the selector string for table columns; "<none>" when it is empty
// (including null) and "<error>" when the JSON does not convert.
std::string FormatLabelSelector(const nlohmann::json& label_selector);

// labels.SelectorFromSet: key=value for each entry, without validation. Empty map: Everything.
LabelSelector SelectorFromMap(const std::map<std::string, std::string>& set);
// labels.ValidatedSelectorFromSet: the same, validating keys and values.
Result<LabelSelector> ValidatedSelectorFromMap(const std::map<std::string, std::string>& set);

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

struct FieldRequirement {
  std::string field;        // as written (no trimming; fields are never escaped)
  bool not_equals = false;  // "!=" (otherwise "=" or "==")
  std::string value;        // unescaped

  bool operator==(const FieldRequirement&) const = default;
};

// An AND of field terms. Matching treats a field the object does not have as "".
class FieldSelector {
 public:
  FieldSelector() = default;  // Everything
  static FieldSelector Everything() { return FieldSelector(); }
  // fields.SelectorFromSet: field=value for each entry.
  static FieldSelector FromMap(const std::map<std::string, std::string>& set);

  bool Empty() const { return requirements_.empty(); }
  // Terms in parse order: the raw terms sorted as strings (fields.ParseSelector's order).
  const std::vector<FieldRequirement>& requirements() const { return requirements_; }

  // "f=v" / "f!=v" joined with ",", values escaped ("==" prints as "=").
  std::string ToString() const;

  // The value `field` must equal, from the first "=" term on it (fields.RequiresExactMatch).
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;

  // Matches a field set as GetAttrs builds it; fields absent from `fields` read as "".
  bool Matches(const std::map<std::string, std::string>& fields) const;

  bool operator==(const FieldSelector&) const = default;

 private:
  std::vector<FieldRequirement> requirements_;
  friend Result<FieldSelector> ParseFieldSelector(std::string_view text);
  friend Result<FieldSelector> ConvertFieldSelector(std::string_view group, std::string_view kind,
                                                    const FieldSelector& selector);
};

// fields.ParseSelector. "" gives Everything; empty terms (",,") and terms with both sides empty
// ("=", "!=") are dropped. Errors:
//   invalid selector: 'a,b'; can't understand 'a'
//   invalid field selector: invalid escape sequence: \x
//   invalid field selector: unescaped character in value: 61      (the rune as a number)
Result<FieldSelector> ParseFieldSelector(std::string_view text);

// fields.EscapeValue / fields.UnescapeValue.
std::string EscapeFieldSelectorValue(std::string_view value);
Result<std::string> UnescapeFieldSelectorValue(std::string_view value);

// --- Per kind ---------------------------------------------------------------------------------
// `group` is the API group ("" for the core group; "core" is accepted too), `kind` the Kind
// ("Pod"). Kinds without a field label conversion in Kubernetes (ConfigMap, Deployment,
// ReplicaSet, CronJob, custom resources, ...) accept exactly metadata.name and
// metadata.namespace.

// The field labels a kind accepts, sorted (aliases such as Pod's legacy spec.host included).
std::vector<std::string> SupportedFieldLabels(std::string_view group, std::string_view kind);

// The scheme's ConvertFieldLabel applied to every term: renames aliases to the field names
// GetAttrs produces (Pod spec.host -> spec.nodeName; events.k8s.io regarding.name ->
// involvedObject.name, reportingController -> reportingComponent) and rejects unsupported
// fields with the kind's own message:
//   field label not supported: spec.foo                         (core Pod, Node, Event, ...)
//   field label "spec.foo" not supported for batchv1.Job        (batch Job)
//   "spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"
//                                                                (kinds without a conversion)
Result<FieldSelector> ConvertFieldSelector(std::string_view group, std::string_view kind,
                                           const FieldSelector& selector);

// OK when ConvertFieldSelector succeeds; otherwise its error (to be answered with 400).
Status CheckFieldSelectorSupported(std::string_view group, std::string_view kind,
                                   const FieldSelector& selector);

// The selectable field set of an object (GetAttrs/ToSelectableFields) read from its JSON:
// always metadata.name and metadata.namespace ("" for cluster-scoped objects), plus the kind's
// own fields, e.g. Pod spec.hostNetwork "true"/"false", Pod status.podIP (podIPs[0].ip first),
// ReplicationController status.replicas and Job status.successful as decimal strings, Node
// spec.unschedulable "true"/"false", Event source (source.component, else reportingComponent).
// Events are read from either shape (core involvedObject/reportingComponent/source or
// events.k8s.io regarding/reportingController/deprecatedSource). Fields Kubernetes accepts but
// never sets (Pod status.podIPs) are absent and so read as "".
std::map<std::string, std::string> SelectableFields(std::string_view group, std::string_view kind,
                                                    const nlohmann::json& object);

// Whether `object` of group/kind satisfies `selector` (aliases converted first; unsupported
// fields read as "", so call CheckFieldSelectorSupported before listing).
bool MatchesFields(const FieldSelector& selector, std::string_view group, std::string_view kind,
                   const nlohmann::json& object);

// The name a selector pins with "metadata.name=X" (kubectl's watch-by-name, rollout status,
// delete --wait): lets the server read one key instead of scanning. nullopt otherwise.
std::optional<std::string> FieldSelectorExactName(const FieldSelector& selector);

}  // namespace skiff::apis
