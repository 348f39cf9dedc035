// The small well-known messages that Kubernetes encodes specially in protobuf and that JSON
// shows as plain values: Quantity, IntOrString, Time, MicroTime, Duration and RawExtension
// (see ValueKind in skiff/apis/schema.h). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "skiff/apis/schema.h"

namespace skiff::apis::protobuf {

// True for the kinds handled here.
bool IsSpecialKind(ValueKind kind);

// Decodes the message bytes of a special kind into its JSON value. On malformed input returns
// false with *error saying why (without the field path).
bool DecodeSpecialValue(ValueKind kind, std::string_view message, nlohmann::json* out,
                        std::string* error);

// The JSON value of a special kind whose message is absent (a map entry without a value):
// what Go's zero value of that type marshals to.
nlohmann::json SpecialZeroValue(ValueKind kind);

}  // namespace skiff::apis::protobuf
