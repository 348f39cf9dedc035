// SHA-256 for manifest digests and cache keys (OpenSSL EVP). Internal to skiff_registry.
#pragma once

#include <string>
#include <string_view>

namespace skiff::runtime::registry {

// 64 lower-case hex digits.
std::string Sha256Hex(std::string_view bytes);
// "sha256:<hex>".
inline std::string Sha256Digest(std::string_view bytes) { return "sha256:" + Sha256Hex(bytes); }

}  // namespace skiff::runtime::registry
