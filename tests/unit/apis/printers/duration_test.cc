// HumanDuration / ShortHumanDuration boundaries (k8s.io/apimachinery/pkg/util/duration) and
// the AGE of timestamps.
#include <catch2/catch.hpp>

#include "apis/printers/quantity.h"
#include "printer_test_util.h"

using namespace std::chrono_literals;
using printers_test::json;
using printers_test::Now;
using skiff::apis::HumanDuration;
using skiff::apis::ShortHumanDuration;
using skiff::apis::TimestampAge;

TEST_CASE("HumanDuration follows Kubernetes at every boundary", "[printers][duration]") {
  struct Case {
    std::chrono::nanoseconds d;
    const char* want;
  };
  const Case cases[] = {
      {-3s, "<invalid>"},
      {-2s, "<invalid>"},
      {-1500ms, "0s"},  // up to two seconds in the future is clock skew
      {-1s, "0s"},
      {0s, "0s"},
      {1900ms, "1s"},  // truncated, not rounded
      {59s, "59s"},
      {60s, "60s"},
      {119s, "119s"},
      {120s, "2m"},
      {125s, "2m5s"},
      {599s, "9m59s"},
      {600s, "10m"},
      {659s, "10m"},
      {179min, "179m"},
      {180min, "3h"},
      {210min, "3h30m"},
      {479min, "7h59m"},
      {8h, "8h"},
      {47h + 59min, "47h"},
      {48h, "2d"},
      {51h, "2d3h"},
      {7 * 24h + 23h, "7d23h"},
      {8 * 24h, "8d"},
      {729 * 24h, "729d"},
      {730 * 24h, "2y"},
      {731 * 24h, "2y1d"},
      {(365 * 8 - 1) * 24h, "7y364d"},
      {365 * 8 * 24h, "8y"},
      {3000 * 24h, "8y"},
  };
  for (const Case& c : cases) {
    INFO(c.d.count() << "ns");
    CHECK(HumanDuration(c.d) == c.want);
  }
}

TEST_CASE("ShortHumanDuration uses a single unit", "[printers][duration]") {
  CHECK(ShortHumanDuration(-2s) == "<invalid>");
  CHECK(ShortHumanDuration(-1s) == "0s");
  CHECK(ShortHumanDuration(59s) == "59s");
  CHECK(ShortHumanDuration(60s) == "1m");
  CHECK(ShortHumanDuration(59min + 59s) == "59m");
  CHECK(ShortHumanDuration(60min) == "1h");
  CHECK(ShortHumanDuration(23h) == "23h");
  CHECK(ShortHumanDuration(24h) == "1d");
  CHECK(ShortHumanDuration(364 * 24h) == "364d");
  CHECK(ShortHumanDuration(365 * 24h) == "1y");
  CHECK(ShortHumanDuration(800 * 24h) == "2y");
}

TEST_CASE("TimestampAge parses RFC 3339 and reports unset times as <unknown>",
          "[printers][duration]") {
  CHECK(TimestampAge("2024-05-01T11:55:00Z", Now()) == "5m");
  CHECK(TimestampAge("2024-05-01T11:59:30.500000Z", Now()) == "29s");
  CHECK(TimestampAge("2024-05-01T13:58:00+02:00", Now()) == "2m");
  CHECK(TimestampAge("2024-04-29T09:00:00Z", Now()) == "2d3h");
  CHECK(TimestampAge("2024-05-01T12:00:05Z", Now()) == "<invalid>");
  CHECK(TimestampAge(json(), Now()) == "<unknown>");
  CHECK(TimestampAge("yesterday", Now()) == "<unknown>");
  CHECK(TimestampAge("2024-13-01T00:00:00Z", Now()) == "<unknown>");
  CHECK(TimestampAge(42, Now()) == "<unknown>");
  CHECK(TimestampAge("0001-01-01T00:00:00Z", Now()) == "<unknown>");  // Go's zero time
  // Older than Go's Duration range (292 years) saturates like time.Since.
  CHECK(TimestampAge("1000-01-01T00:00:00Z", Now()) == "292y");
}

TEST_CASE("Quantities print in Kubernetes' canonical form", "[printers][quantity]") {
  using skiff::apis::printers::CanonicalQuantity;
  CHECK(CanonicalQuantity(std::string("1024Mi")) == "1Gi");
  CHECK(CanonicalQuantity(std::string("500Mi")) == "500Mi");
  CHECK(CanonicalQuantity(std::string("1000Ki")) == "1000Ki");
  CHECK(CanonicalQuantity(std::string("1.5Gi")) == "1536Mi");
  CHECK(CanonicalQuantity(std::string("0.5Ki")) == "512");  // below 1024: decimal
  CHECK(CanonicalQuantity(std::string("1.1Ki")) == "1126400m");
  CHECK(CanonicalQuantity(std::string("-1Gi")) == "-1Gi");
  CHECK(CanonicalQuantity(std::string("0.5")) == "500m");
  CHECK(CanonicalQuantity(std::string("1.5")) == "1500m");
  CHECK(CanonicalQuantity(std::string("100m")) == "100m");
  CHECK(CanonicalQuantity(std::string("1000m")) == "1");
  CHECK(CanonicalQuantity(std::string("1000")) == "1k");
  CHECK(CanonicalQuantity(std::string("2048")) == "2048");
  CHECK(CanonicalQuantity(std::string("10G")) == "10G");
  CHECK(CanonicalQuantity(std::string("1e3")) == "1e3");
  CHECK(CanonicalQuantity(std::string("12e2")) == "1200");
  CHECK(CanonicalQuantity(std::string("0.1n")) == "1n");  // rounded up to the nano scale
  CHECK(CanonicalQuantity(std::string("0")) == "0");
  CHECK(CanonicalQuantity(std::string("0Gi")) == "0");
  CHECK(CanonicalQuantity(std::string("lots")) == "lots");
  CHECK(CanonicalQuantity(json(2)) == "2");
  CHECK(CanonicalQuantity(json(0.25)) == "250m");
  CHECK(CanonicalQuantity(json()) == "0");
}
