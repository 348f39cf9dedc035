#include "apis/protobuf/formats.h"

#include <catch2/catch.hpp>
#include <climits>

using skiff::apis::protobuf::FormatGoDuration;
using skiff::apis::protobuf::FormatRfc3339;

TEST_CASE("times format as RFC 3339 in UTC") {
  CHECK(FormatRfc3339(0, 0, 0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(1704164645, 0, 0) == "2024-01-02T03:04:05Z");
  CHECK(FormatRfc3339(951782400, 0, 0) == "2000-02-29T00:00:00Z");  // leap day
  CHECK(FormatRfc3339(-1, 0, 0) == "1969-12-31T23:59:59Z");
  CHECK(FormatRfc3339(-62135596800, 0, 0) == "0001-01-01T00:00:00Z");  // Go's zero time
  CHECK(FormatRfc3339(-62167219200, 0, 0) == "0000-01-01T00:00:00Z");
  CHECK(FormatRfc3339(253402300799, 0, 0) == "9999-12-31T23:59:59Z");
  CHECK_FALSE(FormatRfc3339(253402300800, 0, 0).has_value());  // year 10000
  CHECK_FALSE(FormatRfc3339(-62167219201, 0, 0).has_value());  // year -1
  CHECK_FALSE(FormatRfc3339(INT64_MAX, 0, 0).has_value());
  CHECK_FALSE(FormatRfc3339(INT64_MIN, 0, 0).has_value());
}

TEST_CASE("micro times keep six truncated fraction digits") {
  CHECK(FormatRfc3339(1704164645, 123456789, 6) == "2024-01-02T03:04:05.123456Z");
  CHECK(FormatRfc3339(1704164645, 0, 6) == "2024-01-02T03:04:05.000000Z");
  CHECK(FormatRfc3339(1704164645, 999, 6) == "2024-01-02T03:04:05.000000Z");
  // Nanoseconds outside [0, 1e9) carry into the seconds, as Go's time.Unix does.
  CHECK(FormatRfc3339(1704164645, 1500000000, 6) == "2024-01-02T03:04:06.500000Z");
  CHECK(FormatRfc3339(1704164645, -1000, 6) == "2024-01-02T03:04:04.999999Z");
}

TEST_CASE("durations format as Go's time.Duration.String") {
  CHECK(FormatGoDuration(0) == "0s");
  CHECK(FormatGoDuration(1) == "1ns");
  CHECK(FormatGoDuration(999) == "999ns");
  CHECK(FormatGoDuration(1500) == "1.5\u00b5s");
  CHECK(FormatGoDuration(1000000) == "1ms");
  CHECK(FormatGoDuration(1234567) == "1.234567ms");
  CHECK(FormatGoDuration(1000000000) == "1s");
  CHECK(FormatGoDuration(1500000000) == "1.5s");
  CHECK(FormatGoDuration(90LL * 1000000000) == "1m30s");
  CHECK(FormatGoDuration(3600LL * 1000000000) == "1h0m0s");
  CHECK(FormatGoDuration(3723004000000) == "1h2m3.004s");
  CHECK(FormatGoDuration(-180LL * 1000000000) == "-3m0s");
  CHECK(FormatGoDuration(-1) == "-1ns");
  CHECK(FormatGoDuration(INT64_MAX) == "2562047h47m16.854775807s");
  CHECK(FormatGoDuration(INT64_MIN) == "-2562047h47m16.854775808s");
}
