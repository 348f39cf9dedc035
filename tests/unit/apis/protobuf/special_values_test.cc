#include "apis/protobuf/special_values.h"

#include <catch2/catch.hpp>

#include "pb_builder.h"

using nlohmann::json;
using skiff::apis::ValueKind;
using skiff::apis::protobuf::DecodeSpecialValue;
using skiff::apis::protobuf::SpecialZeroValue;

namespace {

json Decode(ValueKind kind, const std::string& message) {
  json out;
  std::string error;
  REQUIRE(DecodeSpecialValue(kind, message, &out, &error));
  return out;
}

std::string Error(ValueKind kind, const std::string& message) {
  json out;
  std::string error;
  CHECK_FALSE(DecodeSpecialValue(kind, message, &out, &error));
  return error;
}

}  // namespace

TEST_CASE("Quantity is its string and an empty one is \"0\"") {
  CHECK(Decode(ValueKind::kQuantity, pb::Str(1, "500m")) == json("500m"));
  CHECK(Decode(ValueKind::kQuantity, "") == json("0"));
  CHECK(Decode(ValueKind::kQuantity, pb::Cat({pb::Varint(9, 1), pb::Str(1, "1Gi")})) ==
        json("1Gi"));
  CHECK(Error(ValueKind::kQuantity, pb::Varint(1, 5)) ==
        "bad Quantity: field 1 has wire type varint, want length-delimited");
}

TEST_CASE("IntOrString is a number or a string by its type") {
  CHECK(Decode(ValueKind::kIntOrString,
               pb::Cat({pb::Varint(1, 0), pb::Varint(2, 8080), pb::Str(3, "")})) == json(8080));
  CHECK(Decode(ValueKind::kIntOrString,
               pb::Cat({pb::Varint(1, 1), pb::Varint(2, 0), pb::Str(3, "50%")})) == json("50%"));
  CHECK(Decode(ValueKind::kIntOrString, pb::Cat({pb::Varint(1, 0), pb::Int(2, -3)})) == json(-3));
  CHECK(Decode(ValueKind::kIntOrString, "") == json(0));
  CHECK(Error(ValueKind::kIntOrString, pb::Varint(1, 2)) ==
        "bad IntOrString: type 2 is neither 0 (int) nor 1 (string)");
  CHECK(Error(ValueKind::kIntOrString, pb::Str(2, "x")) ==
        "bad IntOrString: field 2 has wire type length-delimited, want varint");
}

TEST_CASE("Time is RFC 3339 seconds and an empty message is Go's zero time (null)") {
  CHECK(Decode(ValueKind::kTime, "").is_null());
  CHECK(Decode(ValueKind::kTime, pb::Cat({pb::Varint(1, 1704164645), pb::Varint(2, 5000)})) ==
        json("2024-01-02T03:04:05Z"));
  // Written but zero: the Unix epoch, not null (Go tells them apart by the empty message).
  CHECK(Decode(ValueKind::kTime, pb::Cat({pb::Varint(1, 0), pb::Varint(2, 0)})) ==
        json("1970-01-01T00:00:00Z"));
  CHECK(Decode(ValueKind::kTime, pb::Int(1, -1)) == json("1969-12-31T23:59:59Z"));
  CHECK(Error(ValueKind::kTime, pb::Varint(1, 253402300800)) ==
        "time 253402300800s is outside the years 0000-9999");
  CHECK(Error(ValueKind::kTime, pb::Varint(1, 1) + "\x10") == "bad Time: truncated varint");
}

TEST_CASE("MicroTime keeps microseconds") {
  CHECK(Decode(ValueKind::kMicroTime, "").is_null());
  CHECK(Decode(ValueKind::kMicroTime,
               pb::Cat({pb::Varint(1, 1704164645), pb::Varint(2, 123456789)})) ==
        json("2024-01-02T03:04:05.123456Z"));
  CHECK(Decode(ValueKind::kMicroTime, pb::Varint(1, 1704164645)) ==
        json("2024-01-02T03:04:05.000000Z"));
}

TEST_CASE("Duration is Go's duration string") {
  CHECK(Decode(ValueKind::kDuration, pb::Varint(1, 3723000000000)) == json("1h2m3s"));
  CHECK(Decode(ValueKind::kDuration, "") == json("0s"));
  CHECK(Decode(ValueKind::kDuration, pb::Int(1, -1500000000)) == json("-1.5s"));
}

TEST_CASE("RawExtension is its embedded JSON") {
  CHECK(Decode(ValueKind::kRawJSON, pb::Str(1, R"({"a":[1,true]})")) ==
        json::parse(R"({"a":[1,true]})"));
  CHECK(Decode(ValueKind::kRawJSON, "").is_null());
  CHECK(Decode(ValueKind::kRawJSON, pb::Str(1, "")).is_null());
  CHECK(Error(ValueKind::kRawJSON, pb::Str(1, "{not json")) ==
        "RawExtension holds 9 bytes that are not JSON");
}

TEST_CASE("missing special values are Go's zero values") {
  CHECK(SpecialZeroValue(ValueKind::kQuantity) == json("0"));
  CHECK(SpecialZeroValue(ValueKind::kIntOrString) == json(0));
  CHECK(SpecialZeroValue(ValueKind::kDuration) == json("0s"));
  CHECK(SpecialZeroValue(ValueKind::kTime).is_null());
  CHECK(SpecialZeroValue(ValueKind::kRawJSON).is_null());
}
