// skiff/common/string_util.h: ASCII case and space, strings.Join, the utilerrors aggregate text.
#include "skiff/common/string_util.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using skiff::AggregateMessages;
using skiff::AsciiLower;
using skiff::Join;
using skiff::TrimAsciiSpace;

TEST_CASE("AsciiLower lowers A-Z only", "[string_util]") {
  CHECK(AsciiLower("") == "");
  CHECK(AsciiLower("TCP/Udp-9_Z@[") == "tcp/udp-9_z@[");
  CHECK(AsciiLower("\xC3\x84x") == "\xC3\x84x");  // non-ASCII bytes are left alone
}

TEST_CASE("TrimAsciiSpace trims the six ASCII spaces at both ends", "[string_util]") {
  CHECK(TrimAsciiSpace(" \t\n\v\f\rapplication/json \r\n") == "application/json");
  CHECK(TrimAsciiSpace("a b") == "a b");
  CHECK(TrimAsciiSpace(" \t ") == "");
  CHECK(TrimAsciiSpace("\xC2\xA0x") == "\xC2\xA0x");  // U+00A0 is not ASCII space
}

TEST_CASE("Join puts the separator between parts", "[string_util]") {
  CHECK(Join({}, ",") == "");
  CHECK(Join({"a"}, ",") == "a");
  CHECK(Join({"a", "", "c"}, "; ") == "a; ; c");
}

TEST_CASE("AggregateMessages renders utilerrors' aggregate", "[string_util]") {
  CHECK(AggregateMessages({}) == "");
  CHECK(AggregateMessages({"x is bad"}) == "x is bad");
  CHECK(AggregateMessages({"x is bad", "x is bad"}) == "x is bad");
  CHECK(AggregateMessages({"b", "a", "b", "c"}) == "[b, a, c]");
}
