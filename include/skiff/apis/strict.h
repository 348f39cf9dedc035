// Strict decoding: checking a JSON object against its schema type the way kube-apiserver's
// decoder does, before any defaulting or validation.
//
//   - Wrong JSON types ("replicas": "3" where an int32 belongs) are always decode errors, for
//     every fieldValidation mode: the request fails with 400 BadRequest.
//   - Unknown fields ("spec.replicass") are errors under fieldValidation=Strict, warnings under
//     Warn, and ignored under Ignore.
//
// Typical use in a create/update handler:
//   FieldErrors problems = CheckStrict(*type, body);            // or CheckTypes for Ignore
//   if (HasTypeErrors(problems) || (strict && !problems.empty()))
//     -> 400 BadRequest, message DecodeFailureMessage(type->kind, type->version, problems)
//   else for Warn: one "Warning: 299" header per problem, text StrictProblemText(problem)
//
// Rules: field paths are JSON paths ("spec.template.spec.containers[0].image", map values as
// "metadata.labels[app]"). Map keys are free, map values are checked. kRawJSON accepts anything;
// kQuantity strings (matching Kubernetes' quantity syntax) and numbers; kIntOrString integers
// and strings; kTime, kMicroTime and kDuration strings; kBytes base64 strings. null is accepted
// for every field and list element (Go's decoder leaves the zero value), required or not:
// required values are the validation layer's business. Unknown fields are reported in the
// order of the object's keys (nlohmann::json sorts them), not the order of the request body,
// and duplicate keys cannot be seen once the body is parsed.
//
// All functions are pure and thread-safe; they never throw.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "skiff/apis/field_error.h"
#include "skiff/apis/schema.h"

namespace skiff::apis {

// FieldError::reason of an unknown field (the other problems are FieldValueTypeInvalid).
inline constexpr std::string_view kReasonUnknownField = "FieldValueUnknown";

enum class UnknownFields { kReport, kIgnore };

// Every problem in `obj` decoded as `type`: wrong JSON types (FieldValueTypeInvalid, detail is
// the full decode message, value the offending JSON value) and, with kReport, unknown fields
// (kReasonUnknownField, value null, detail `unknown field "<path>"`). Depth-first, in key order.
FieldErrors CheckDecode(const TypeDef& type, const nlohmann::json& obj, UnknownFields unknown);

// fieldValidation=Strict (and Warn): unknown fields and wrong types.
inline FieldErrors CheckStrict(const TypeDef& type, const nlohmann::json& obj) {
  return CheckDecode(type, obj, UnknownFields::kReport);
}
// fieldValidation=Ignore: wrong types only.
inline FieldErrors CheckTypes(const TypeDef& type, const nlohmann::json& obj) {
  return CheckDecode(type, obj, UnknownFields::kIgnore);
}

bool IsUnknownField(const FieldError& e);
bool HasTypeErrors(const FieldErrors& errs);

// One problem as kube-apiserver words it (and as a Warn-mode warning says it):
//   unknown field "spec.replicass"
//   json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
std::string StrictProblemText(const FieldError& e);

// The unknown fields joined the way apimachinery's strict decoding error is:
//   strict decoding error: unknown field "spec.a", unknown field "spec.b"
// Type errors in `errs` are skipped. Empty string when there are no unknown fields.
std::string StrictDecodingErrorMessage(const FieldErrors& errs);

// The message of the 400 BadRequest Status for a body that does not decode:
//   Deployment in version "v1" cannot be handled as a Deployment: <detail>
// where <detail> is the first type error if there is one (decoding stops there), otherwise the
// strict decoding error. `errs` must not be empty.
std::string DecodeFailureMessage(std::string_view kind, std::string_view version,
                                 const FieldErrors& errs);

}  // namespace skiff::apis
