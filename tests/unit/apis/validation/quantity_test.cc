// Quantities: parsing, canonical form (as kubectl shows them) and comparison.
#include "skiff/apis/quantity.h"

#include <catch2/catch.hpp>

using namespace skiff::apis;

namespace {
std::string Canon(const char* s) {
  auto q = ParseQuantity(s);
  REQUIRE(q.has_value());
  return CanonicalString(*q);
}
std::string CanonMilli(const char* s) {
  auto q = ParseQuantity(s);
  REQUIRE(q.has_value());
  return CanonicalString(RoundUpToMilli(*q));
}
}  // namespace

TEST_CASE("Quantities print in Kubernetes' canonical form") {
  CHECK(Canon("100m") == "100m");
  CHECK(Canon("0.5") == "500m");
  CHECK(Canon("1000m") == "1");
  CHECK(Canon("1.5") == "1500m");
  CHECK(Canon("2000") == "2k");
  CHECK(Canon("128Mi") == "128Mi");
  CHECK(Canon("1024Mi") == "1Gi");
  CHECK(Canon("1.5Gi") == "1536Mi");
  CHECK(Canon("512Ki") == "512Ki");
  CHECK(Canon("0.5Ki") == "512");
  CHECK(Canon("1e3") == "1e3");
  CHECK(Canon("1G") == "1G");
  CHECK(Canon("0") == "0");
  CHECK(Canon("-1") == "-1");
  CHECK(Canon("0.0000000001") == "1n");
}

TEST_CASE("Resource defaulting rounds up to milli precision") {
  CHECK(CanonMilli("0.0001") == "1m");
  CHECK(CanonMilli("100m") == "100m");
  CHECK(CanonMilli("1.0005") == "1001m");
}

TEST_CASE("Invalid quantities do not parse") {
  CHECK_FALSE(ParseQuantity("").has_value());
  CHECK_FALSE(ParseQuantity("abc").has_value());
  CHECK_FALSE(ParseQuantity("1Xi").has_value());
  CHECK_FALSE(ParseQuantity("1.2.3").has_value());
  CHECK_FALSE(ParseQuantity("1 Gi").has_value());
}

TEST_CASE("Quantities compare and add by value") {
  auto a = *ParseQuantity("1Gi");
  auto b = *ParseQuantity("1024Mi");
  auto c = *ParseQuantity("1G");
  CHECK(CompareQuantity(a, b) == 0);
  CHECK(CompareQuantity(c, a) < 0);
  CHECK(CompareQuantity(*ParseQuantity("500m"), *ParseQuantity("1")) < 0);
  CHECK(CanonicalString(AddQuantity(*ParseQuantity("500m"), *ParseQuantity("1"))) == "1500m");
  CHECK(MilliValue(*ParseQuantity("2")) == 2000);
  CHECK(MilliValue(*ParseQuantity("1.5")) == 1500);
}

TEST_CASE("Quantities convert to integers rounding up, as Value() and MilliValue() do") {
  CHECK(Value(*ParseQuantity("1.5")) == 2);
  CHECK(Value(*ParseQuantity("100m")) == 1);
  CHECK(Value(*ParseQuantity("128Mi")) == 134217728);
  CHECK(Value(*ParseQuantity("1e3")) == 1000);
  CHECK(Value(*ParseQuantity("-1.5")) == -2);
  CHECK(MilliValue(*ParseQuantity("0.1m")) == 1);
  CHECK(Value(*ParseQuantity("2E")) == 2000000000000000000);  // "E" alone is exa
  CHECK(Canon("2E") == "2E");
  CHECK(Value(*ParseQuantity("100E")) == INT64_MAX);
}
