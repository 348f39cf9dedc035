// Byte strings written as numbers in tests: Bytes({0x08, 0x96, 0x01}) is "\x08\x96\x01".
#pragma once

#include <initializer_list>
#include <string>

namespace skiff::testing {

// Each value is one byte (0..255; higher bits are dropped).
inline std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

}  // namespace skiff::testing
