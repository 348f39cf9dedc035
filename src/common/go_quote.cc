#include "skiff/common/go_quote.h"

namespace skiff {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

void AppendHexByte(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xf];
}

void AppendHexRune(std::string& out, char32_t r) {
  int digits = r <= 0xffff ? 4 : 8;
  out += digits == 4 ? "\\u" : "\\U";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(r >> shift) & 0xf];
}

// Decodes one UTF-8 rune at s[i]; returns its length, or 0 for an invalid byte.
size_t DecodeRune(std::string_view s, size_t i, char32_t* rune) {
  auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  char32_t r = 0;
  if (b0 < 0x80) {
    *rune = b0;
    return 1;
  } else if ((b0 & 0xe0) == 0xc0) {
    len = 2;
    r = b0 & 0x1f;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3;
    r = b0 & 0x0f;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4;
    r = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    r = (r << 6) | (b & 0x3f);
  }
  // Reject overlong forms, surrogates and out-of-range values, as Go's decoder does.
  if ((len == 2 && r < 0x80) || (len == 3 && r < 0x800) || (len == 4 && r < 0x10000) ||
      (r >= 0xd800 && r <= 0xdfff) || r > 0x10ffff) {
    return 0;
  }
  *rune = r;
  return len;
}

// Go's strconv.IsPrint for the runes skiff can tell apart without Unicode tables: C1 controls,
// the soft hyphen, line/paragraph separators, BOM, interlinear annotation controls and
// non-characters are not printable; every other non-ASCII rune is treated as printable.
bool IsPrintableNonAscii(char32_t r) {
  if (r >= 0x80 && r <= 0x9f) return false;  // C1 controls
  if (r == 0xad || r == 0x2028 || r == 0x2029 || r == 0xfeff) return false;
  if (r >= 0xfff9 && r <= 0xfffb) return false;
  if ((r & 0xfffe) == 0xfffe) return false;  // U+xxFFFE, U+xxFFFF
  return true;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    char32_t r = 0;
    size_t len = DecodeRune(s, i, &r);
    if (len == 0) {
      AppendHexByte(out, static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (r < 0x80) {
      char c = static_cast<char>(r);
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default:
          if (r < 0x20 || r == 0x7f) {
            AppendHexByte(out, static_cast<unsigned char>(r));
          } else {
            out += c;
          }
      }
    } else if (IsPrintableNonAscii(r)) {
      out.append(s.substr(i, len));
    } else {
      AppendHexRune(out, r);
    }
    i += len;
  }
  out += "\"";
  return out;
}

}  // namespace skiff
