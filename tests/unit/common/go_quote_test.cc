// GoQuote against what Go's strconv.Quote prints for the same bytes.
#include "skiff/common/go_quote.h"

#include <catch2/catch.hpp>
#include <string>

using skiff::GoQuote;

TEST_CASE("GoQuote quotes plain ASCII and escapes quote and backslash", "[go_quote]") {
  CHECK(GoQuote("") == R"("")");
  CHECK(GoQuote("web-1") == R"("web-1")");
  CHECK(GoQuote(R"(a"b\c)") == R"("a\"b\\c")");
}

TEST_CASE("GoQuote escapes ASCII controls by name or as \\xNN", "[go_quote]") {
  CHECK(GoQuote("\a\b\f\n\r\t\v") == R"("\a\b\f\n\r\t\v")");
  CHECK(GoQuote(std::string("x\0y", 3)) == R"("x\x00y")");
  CHECK(GoQuote("\x01\x1f\x7f") == R"("\x01\x1f\x7f")");
}

TEST_CASE("GoQuote keeps printable UTF-8 and escapes invalid bytes one by one", "[go_quote]") {
  CHECK(GoQuote("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80") ==
        "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  CHECK(GoQuote("\xff\xfe") == R"("\xff\xfe")");
  CHECK(GoQuote("\xC3") == R"("\xc3")");                          // truncated sequence
  CHECK(GoQuote("\xC3(") == R"("\xc3(")");                        // bad continuation byte
  CHECK(GoQuote("\xC0\xAF") == R"("\xc0\xaf")");                  // overlong '/'
  CHECK(GoQuote("\xED\xA0\x80") == R"("\xed\xa0\x80")");          // surrogate U+D800
  CHECK(GoQuote("\xF4\x90\x80\x80") == R"("\xf4\x90\x80\x80")");  // above U+10FFFF
}

TEST_CASE("GoQuote escapes non-printable runes as \\u or \\U", "[go_quote]") {
  CHECK(GoQuote("\xC2\x85") == R"("\u0085")");  // C1 control NEL
  CHECK(GoQuote("\xC2\xAD") == R"("\u00ad")");  // soft hyphen
  CHECK(GoQuote("\xE2\x80\xA8\xE2\x80\xA9") == R"("\u2028\u2029")");
  CHECK(GoQuote("\xEF\xBB\xBF") == R"("\ufeff")");          // BOM
  CHECK(GoQuote("\xEF\xBF\xB9") == R"("\ufff9")");          // interlinear annotation anchor
  CHECK(GoQuote("\xEF\xBF\xBF") == R"("\uffff")");          // non-character
  CHECK(GoQuote("\xF0\x9F\xBF\xBE") == R"("\U0001fffe")");  // non-character, plane 1
}
