// Decoding the Kubernetes protobuf request bodies that kubectl 1.32+ sends for its typed
// creates (`kubectl create secret|deployment|service|...`, Content-Type
// application/vnd.kubernetes.protobuf) into the JSON object the rest of skiff works with.
//
// A body is the 4-byte magic "k8s\0" followed by a runtime.Unknown message:
//   1 typeMeta {1 apiVersion, 2 kind}, 2 raw (the object's own message), 3 contentEncoding,
//   4 contentType.
// The object message is decoded generically, driven by the schema's protobuf field numbers
// (the top-level type is Schema::KindType(group, version, kind) of the envelope's apiVersion
// and kind). The result is what kubectl would have sent as JSON for the same object (what
// Go's encoding/json makes of the typed object):
//   - "apiVersion" and "kind" come from the envelope;
//   - nested messages that are present always appear (`"resources": {}`, `"status": {}`);
//   - strings, bytes, numbers and bools that are zero ("", 0, false) are left out, as Go's
//     omitempty does, unless the field is required (no omitempty in Kubernetes' Go types) or is
//     a Go pointer field (e.g. Deployment spec.replicas: an explicit 0 is kept);
//   - repeated fields and maps appear when they have elements; map values are always kept;
//   - bytes are base64 (Secret data); Quantity is its string; IntOrString a number or string;
//     Time "2024-01-02T03:04:05Z" (an empty Time message, Go's zero time, is null, as in
//     `"creationTimestamp": null`); MicroTime with 6 fractional digits; Duration Go's form
//     ("1h2m3s"); RawExtension its embedded JSON (null when empty);
//   - embedded Go structs (TypeDef::inlined, e.g. Volume's VolumeSource) are decoded from their
//     own message into the same JSON object;
//   - invalid UTF-8 in strings becomes U+FFFD, as Go's JSON encoder does;
//   - absent fields stay absent: Go would write null for an unset pointer or slice field
//     without omitempty (TokenRequest spec.boundObjectRef), which protobuf cannot tell apart.
// Which scalars are Go pointers is not in the schema; src/apis/protobuf/pointer_fields.cc
// lists them. A pointer field missing there loses an explicit zero (then defaulting applies).
// metadata.namespace is empty in these bodies (and so absent): the caller takes the URL's.
// Unknown field numbers are skipped. Malformed input (bad magic, truncated varints, lengths
// past the end, a wrong wire type for a known field, nesting deeper than kMaxProtobufDepth,
// a kind the schema does not know) gives kInvalidArgument with a message naming the field
// path; the decoder never reads outside `body`.
//
// Thread-safety: the functions are pure; concurrent calls with a shared Schema are safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "skiff/apis/schema.h"
#include "skiff/common/status.h"

namespace skiff::apis {

// The media type of Kubernetes' protobuf encoding.
inline constexpr std::string_view kKubernetesProtobufMediaType =
    "application/vnd.kubernetes.protobuf";

// The deepest nesting of messages (objects, list elements, map values) that is decoded.
inline constexpr int kMaxProtobufDepth = 64;

// True when a Content-Type header names the Kubernetes protobuf encoding: the media type
// (before any ';' parameters, case-insensitive, surrounding spaces ignored) is
// application/vnd.kubernetes.protobuf.
bool IsKubernetesProtobuf(std::string_view content_type);

// Decodes a whole body (magic + runtime.Unknown) into {"apiVersion", "kind", ...}.
// Errors (messages start "protobuf body: "): kInvalidArgument for bad input; kInternal when the
// schema gives a message field no type (a schema defect). Nothing is thrown.
Result<nlohmann::json> DecodeKubernetesProtobuf(std::string_view body, const Schema& schema);

// Decodes one object message (the Unknown's raw bytes) of the given type, without adding
// apiVersion/kind. Errors as above.
Result<nlohmann::json> DecodeProtobufMessage(std::string_view message, const TypeDef& type);

}  // namespace skiff::apis
