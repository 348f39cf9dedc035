// Defaulting and validation of the built-in kinds, as kube-apiserver 1.32 does them.
//
// Objects are the external (versioned, JSON) form clients send, e.g. an apps/v1 Deployment.
// `group` is "" for the core group; `kind` is the Kind ("Deployment"). Kinds this module does not
// know get no defaults and only the generic metadata checks (see ValidateCreate).
//
// The calling order the API layer follows for a write (the same as kube-apiserver's):
//   create: decode -> ApplyDefaults -> (fill namespace, uid, creationTimestamp, generateName ...)
//           -> PrepareForCreate -> ValidateCreate
//   update: decode -> ApplyDefaults -> PrepareForUpdate(new, old) -> ValidateUpdate(new, old)
//   status: decode -> ApplyDefaults -> ValidateStatusUpdate(new, old)
// Resetting status from the old object on a spec update (and spec on a status update), bumping
// metadata.generation, resourceVersion and allocation of Service clusterIPs / nodePorts are the
// API layer's job, not this module's.
//
// Errors come back as FieldErrors with Kubernetes' field paths and messages; an empty list
// means valid. Nothing here throws: a value of the wrong JSON type is reported (or, for
// defaulting, left alone), never an exception.
//
// All functions are pure (no global mutable state) and safe to call from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/apis/field_error.h"

namespace skiff::apis {

// ---- Whole-object entry points -------------------------------------------------------------

// Sets every default kube-apiserver's defaulting sets for the kind (pod spec defaults inside
// templates included). Idempotent. No-op for kinds without defaults or non-object input.
// Also performs the two v1->internal conversions that show up as defaults: a Secret's
// stringData is merged into data (base64) and removed.
void ApplyDefaults(std::string_view group, std::string_view kind, nlohmann::json& obj);

// What kube-apiserver's registry strategies do to a new object before validating it (after the
// API layer has filled metadata.name/namespace/uid): the kind's initial status (Pod: phase
// Pending and qosClass; Namespace: phase Active; PVC/PV: phase Pending; Deployment etc.: {}),
// Namespace spec.finalizers ["kubernetes"] and its kubernetes.io/metadata.name label, a Job's
// generated selector and pod labels, Service clusterIP/clusterIPs kept in step.
void PrepareForCreate(std::string_view group, std::string_view kind, nlohmann::json& obj);

// What kube-apiserver does to an updated object before validation: for every kind, keeps
// metadata.uid when none is sent, keeps creationTimestamp and a deletionTimestamp /
// deletionGracePeriodSeconds from the stored object; per kind, keeps a Service's allocated
// clusterIP(s)/nodePorts/healthCheckNodePort when the update omits them (as `kubectl replace`
// of a manifest does), keeps a Namespace's spec.finalizers and name label.
void PrepareForUpdate(std::string_view group, std::string_view kind, nlohmann::json& obj,
                      const nlohmann::json& old);

// Validation of a new object: metadata (name format per kind, namespace presence per scope,
// labels, annotations, ownerReferences, finalizers) and the kind's own rules.
FieldErrors ValidateCreate(std::string_view group, std::string_view kind,
                           const nlohmann::json& obj);

// Validation of an update: everything ValidateCreate checks that Kubernetes re-checks on update,
// plus immutability (metadata.name/namespace/uid/creationTimestamp, selectors, Pod spec outside
// its mutable subset, Job template, Service clusterIPs, immutable Secrets/ConfigMaps, PVC spec,
// ...).
FieldErrors ValidateUpdate(std::string_view group, std::string_view kind, const nlohmann::json& obj,
                           const nlohmann::json& old);

// Validation of a write to the status subresource (metadata immutability plus the kind's status
// rules, e.g. Pod condition types, Namespace phase).
FieldErrors ValidateStatusUpdate(std::string_view group, std::string_view kind,
                                 const nlohmann::json& obj, const nlohmann::json& old);

// Whether skiff knows the kind, and whether it is namespaced (false for unknown kinds).
bool IsKnownKind(std::string_view group, std::string_view kind);
bool IsNamespacedKind(std::string_view group, std::string_view kind);

// ---- Metadata, for kinds validated elsewhere (custom resources) ------------------------------

// How a kind's metadata.name is checked; `prefix` is true for generateName (a trailing '-' is
// then allowed). Returns Kubernetes' messages; empty means valid.
using NameValidator = std::vector<std::string> (*)(std::string_view name, bool prefix);

FieldErrors ValidateObjectMeta(const nlohmann::json& metadata, bool namespaced,
                               NameValidator name_validator, const std::string& path = "metadata");
FieldErrors ValidateObjectMetaUpdate(const nlohmann::json& metadata, const nlohmann::json& old,
                                     const std::string& path = "metadata");

// ---- Name and value validators -----------------------------------------------------------
// Each returns the messages k8s.io/apimachinery/pkg/util/validation returns (empty = valid).

std::vector<std::string> IsDNS1123Label(std::string_view value);
std::vector<std::string> IsDNS1123Subdomain(std::string_view value);
std::vector<std::string> IsDNS1035Label(std::string_view value);
std::vector<std::string> IsWildcardDNS1123Subdomain(std::string_view value);
std::vector<std::string> IsQualifiedName(std::string_view value);
std::vector<std::string> IsValidLabelValue(std::string_view value);
std::vector<std::string> IsCIdentifier(std::string_view value);
std::vector<std::string> IsEnvVarName(std::string_view value);         // strict (pre-1.32) rule
std::vector<std::string> IsRelaxedEnvVarName(std::string_view value);  // 1.32 default rule
std::vector<std::string> IsConfigMapKey(std::string_view value);
std::vector<std::string> IsValidPortName(std::string_view value);
std::vector<std::string> IsValidPortNum(int64_t port);
std::vector<std::string> IsInRange(int64_t value, int64_t min, int64_t max);
std::vector<std::string> IsValidPercent(std::string_view value);
std::vector<std::string> IsHTTPHeaderName(std::string_view value);
std::vector<std::string> IsValidIP(std::string_view value);
std::vector<std::string> IsValidCIDR(std::string_view value);
std::vector<std::string> IsValidPathSegmentName(std::string_view value);
std::vector<std::string> IsValidUserID(int64_t uid);
std::vector<std::string> IsValidGroupID(int64_t gid);

// metadata.name validators (NameValidator), as apimachinery's api/validation names them.
std::vector<std::string> NameIsDNSSubdomain(std::string_view name, bool prefix);
std::vector<std::string> NameIsDNSLabel(std::string_view name, bool prefix);
std::vector<std::string> NameIsDNS1035Label(std::string_view name, bool prefix);
std::vector<std::string> NameIsPathSegment(std::string_view name, bool prefix);

// Message helpers with Kubernetes' wording.
std::string MaxLenError(int64_t length);  // "must be no more than N characters"
std::string RegexError(std::string_view msg, std::string_view fmt,
                       const std::vector<std::string>& examples);
std::string InclusiveRangeError(int64_t lo, int64_t hi);  // "must be between lo and hi, inclusive"

// Kubernetes' message for an immutable field ("field is immutable").
inline constexpr const char* kFieldImmutableErrorMsg = "field is immutable";

}  // namespace skiff::apis
