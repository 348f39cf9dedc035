// Go's strconv.Quote (what fmt's %q prints for a string), which Kubernetes uses in error
// messages and in the downward API's label/annotation files. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace skiff {

// The bytes of s in double quotes, escaped as Go does:
//   - \" and \\; \a \b \f \n \r \t \v; other ASCII controls and DEL as \xNN;
//   - each byte that is not part of valid UTF-8 (bad lead or continuation byte, truncated,
//     overlong, surrogate, above U+10FFFF) as \xNN;
//   - non-printable runes as \uNNNN (or \UNNNNNNNN above U+FFFF).
// Printable non-ASCII runes are kept as they are. Printability is approximated without Unicode
// tables: C1 controls, U+00AD, U+2028, U+2029, U+FEFF, U+FFF9..U+FFFB and the U+xxFFFE/U+xxFFFF
// non-characters are escaped; every other non-ASCII rune is treated as printable.
std::string GoQuote(std::string_view s);

}  // namespace skiff
