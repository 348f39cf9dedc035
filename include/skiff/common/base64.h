// Base64 (RFC 4648, standard alphabet with padding), as Kubernetes uses for Secret data and
// kubeconfig certificate data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace skiff {

std::string Base64Encode(std::string_view bytes);
// nullopt when the text is not valid base64 (padding is required; whitespace is not allowed).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace skiff
