// The hashes controllers put into generated names (pod-template-hash, ControllerRevision
// names): Go's hash/fnv 32-bit FNV-1 and FNV-1a, and apimachinery's rand.SafeEncodeString.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::controllers {

// FNV-1 (multiply, then xor) over `data`, continuing from `hash`.
uint32_t Fnv1_32(std::string_view data, uint32_t hash = 2166136261u);
// FNV-1a (xor, then multiply) over `data`, continuing from `hash`.
uint32_t Fnv1a32(std::string_view data, uint32_t hash = 2166136261u);
// rand.SafeEncodeString: each byte b becomes "bcdfghjklmnpqrstvwxz2456789"[b % 27].
std::string SafeEncodeString(std::string_view s);

}  // namespace skiff::controllers
