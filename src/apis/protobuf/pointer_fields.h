// Which scalar fields of the built-in Kubernetes types are Go pointers (*int32, *int64, *bool,
// *string, *float64).
//
// Protobuf cannot tell "unset" from "zero" for the non-pointer scalars (gogo writes them
// always), and Go's JSON leaves their zero values out (omitempty). A pointer field is written
// only when set, so a zero there is meaningful (Deployment spec.replicas: 0 is not "default 1";
// automountServiceAccountToken: false is not "default true") and must be kept. The schema does
// not record Go pointer-ness, so this table does; it names types without their group/version
// ("PodSpec" matches "core.v1.PodSpec"), which is safe because every type of that name carries
// the same pointer fields in every group/version skiff serves.
// Thread-safe (constant data).
#pragma once

#include <string_view>

namespace skiff::apis::protobuf {

struct PointerField {
  std::string_view type;   // unqualified type name, e.g. "PodSpec"
  std::string_view field;  // JSON field name, e.g. "terminationGracePeriodSeconds"
};

// True when `field` of the type named `qualified_type` ("core.v1.PodSpec" or "PodSpec") is a
// Go pointer scalar.
bool IsPointerScalarField(std::string_view qualified_type, std::string_view field);

// The whole table, sorted by (type, field); for tests.
const PointerField* PointerFieldsBegin();
const PointerField* PointerFieldsEnd();

}  // namespace skiff::apis::protobuf
