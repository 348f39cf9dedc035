// Making protobuf strings safe for JSON. Protobuf does not check that strings are UTF-8, but a
// JSON document must be; Go's encoding/json replaces each invalid byte with U+FFFD, and so do
// we (nlohmann::json would otherwise throw when the object is serialised). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace skiff::apis::protobuf {

// `bytes` unchanged when it is valid UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF); otherwise a copy with every invalid byte replaced by U+FFFD.
std::string ToValidUtf8(std::string_view bytes);

}  // namespace skiff::apis::protobuf
