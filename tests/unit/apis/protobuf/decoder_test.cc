// The generic decoder on the synthetic schema: every value kind, container and rule.
#include <catch2/catch.hpp>

#include "pb_builder.h"
#include "skiff/apis/protobuf.h"
#include "test_schema.h"

using nlohmann::json;
using skiff::Code;
using skiff::apis::DecodeKubernetesProtobuf;
using skiff::apis::DecodeProtobufMessage;
using skiff::apis::testing::SyntheticSchema;

namespace {

const skiff::apis::Schema& Synthetic() {
  static const auto schema = SyntheticSchema();
  return *schema;
}

const skiff::apis::TypeDef& Sample() { return *Synthetic().Type("test.v1.Sample"); }

json Decode(const std::string& message) {
  auto r = DecodeProtobufMessage(message, Sample());
  INFO(r.status().message());
  REQUIRE(r.ok());
  return *r;
}

std::string Error(const std::string& message) {
  auto r = DecodeProtobufMessage(message, Sample());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

}  // namespace

TEST_CASE("scalars decode to their JSON values") {
  const std::string blob("\x00\xff\x10", 3);
  json got =
      Decode(pb::Cat({pb::Str(1, "n"), pb::Int(2, -7), pb::Int(3, -9000000000LL), pb::Varint(4, 1),
                      pb::Double(5, 0.25), pb::Str(6, blob), pb::Int(22, 4)}));
  CHECK(got == json{{"name", "n"},
                    {"count", -7},
                    {"big", -9000000000LL},
                    {"flag", true},
                    {"ratio", 0.25},
                    {"blob", "AP8Q"},
                    {"zeroCount", 4}});
}

TEST_CASE("int32 keeps the low 32 bits of its varint") {
  // -1 written as a sign-extended ten-byte varint, and 2^32 + 5 truncated to 5.
  CHECK(Decode(pb::Int(2, -1))["count"] == -1);
  CHECK(Decode(pb::Varint(2, (1ull << 32) + 5))["count"] == 5);
  CHECK(Decode(pb::Varint(2, 2147483648ull))["count"] == -2147483648LL);
  CHECK(Decode(pb::Varint(3, UINT64_MAX))["big"] == -1);
}

TEST_CASE("zero scalars are left out unless the field is required") {
  json got =
      Decode(pb::Cat({pb::Str(1, ""), pb::Varint(2, 0), pb::Varint(3, 0), pb::Varint(4, 0),
                      pb::Double(5, 0.0), pb::Str(6, ""), pb::Str(21, ""), pb::Varint(22, 0)}));
  CHECK(got == json{{"name", ""}, {"zeroCount", 0}});
}

TEST_CASE("the last occurrence of a scalar wins and a zero one removes it") {
  CHECK(Decode(pb::Cat({pb::Varint(2, 5), pb::Varint(2, 6)})) == json{{"count", 6}});
  CHECK(Decode(pb::Cat({pb::Varint(2, 5), pb::Varint(2, 0)})) == json::object());
}

TEST_CASE("special kinds appear whenever present") {
  json got = Decode(pb::Cat({
      pb::Msg(7, {pb::Str(1, "1Gi")}),
      pb::Msg(8, {pb::Varint(1, 1), pb::Str(3, "http")}),
      pb::Msg(9, {}),  // Go's zero time: null, as "creationTimestamp": null
      pb::Msg(10, {pb::Varint(1, 1704164645), pb::Varint(2, 1000)}),
      pb::Msg(11, {pb::Varint(1, 30000000000)}),
      pb::Msg(12, {pb::Str(1, "[1,2]")}),
  }));
  CHECK(got == json{{"quantity", "1Gi"},
                    {"port", "http"},
                    {"when", nullptr},
                    {"micro", "2024-01-02T03:04:05.000001Z"},
                    {"timeout", "30s"},
                    {"raw", {1, 2}}});
  // A zero IntOrString is still a value (Go never omits the struct).
  CHECK(Decode(pb::Msg(8, {pb::Varint(1, 0), pb::Varint(2, 0)})) == json{{"port", 0}});
}

TEST_CASE("nested messages appear even when empty and merge when repeated") {
  CHECK(Decode(pb::Msg(13, {})) == json{{"child", json::object()}});
  json got = Decode(pb::Cat({pb::Msg(13, {pb::Str(1, "a"), pb::Str(14, "x")}),
                             pb::Msg(13, {pb::Varint(2, 3), pb::Str(14, "y")})}));
  CHECK(got == json{{"child", {{"name", "a"}, {"count", 3}, {"items", {"x", "y"}}}}});
}

TEST_CASE("repeated fields keep every element including zero ones") {
  json got = Decode(pb::Cat({pb::Str(14, "a"), pb::Str(14, ""), pb::Varint(15, 0), pb::Int(15, -2),
                             pb::Msg(16, {}), pb::Msg(16, {pb::Str(1, "c")})}));
  CHECK(got == json{{"items", {"a", ""}},
                    {"numbers", {0, -2}},
                    {"children", {json::object(), {{"name", "c"}}}}});
}

TEST_CASE("packed repeated scalars are accepted mixed with unpacked ones") {
  const std::string packed =
      pb::RawVarint(1) + pb::RawVarint(300) + pb::RawVarint(static_cast<uint64_t>(-1));
  json got = Decode(pb::Cat({pb::Varint(15, 7), pb::Str(15, packed)}));
  CHECK(got == json{{"numbers", {7, 1, 300, -1}}});
  CHECK(Decode(pb::Str(15, "")) == json::object());  // an empty packed run
  CHECK(Error(pb::Str(15, "\x80")) == "protobuf body: numbers[0]: truncated varint");
}

TEST_CASE("maps decode from entry messages with missing keys and values as zero values") {
  json got = Decode(pb::Cat({
      pb::Msg(17, {pb::Str(1, "app"), pb::Str(2, "web")}),
      pb::Msg(17, {pb::Str(1, "empty"), pb::Str(2, "")}),
      pb::Msg(17, {pb::Str(1, "novalue")}),
      pb::Msg(17, {pb::Str(2, "nokey")}),
      pb::Msg(17, {pb::Str(1, "app"), pb::Str(2, "api")}),  // a later entry replaces
      pb::Msg(18, {pb::Str(1, "cpu"), pb::Msg(2, {pb::Str(1, "500m")})}),
      pb::Msg(18, {pb::Str(1, "memory")}),
      pb::Msg(19, {pb::Str(1, "k"), pb::Msg(2, {pb::Varint(2, 9)})}),
      pb::Msg(19, {pb::Str(1, "e")}),
      pb::Msg(20, {pb::Str(1, "a"), pb::Str(2, "b")}),
      pb::Msg(20, {pb::Str(1, "z"), pb::Str(2, "")}),
  }));
  CHECK(got == json{{"labels", {{"app", "api"}, {"empty", ""}, {"novalue", ""}, {"", "nokey"}}},
                    {"limits", {{"cpu", "500m"}, {"memory", "0"}}},
                    {"byChild", {{"k", {{"count", 9}}}, {"e", json::object()}}},
                    {"blobs", {{"a", "Yg=="}, {"z", ""}}}});
}

TEST_CASE("unknown fields of every wire type are skipped") {
  json got = Decode(
      pb::Cat({pb::Varint(99, 5), pb::Fixed64(100, 1), pb::Str(101, "zz"), pb::Fixed32(102, 7),
               pb::Str(1, "kept"), pb::Msg(13, {pb::Varint(536870911, 1), pb::Str(1, "inner")})}));
  CHECK(got == json{{"name", "kept"}, {"child", {{"name", "inner"}}}});
}

TEST_CASE("wrong wire types for known fields are refused with the field path") {
  CHECK(Error(pb::Str(2, "x")) ==
        "protobuf body: count: wire type length-delimited, want varint (int32 field)");
  CHECK(Error(pb::Varint(1, 1)) ==
        "protobuf body: name: wire type varint, want length-delimited (string field)");
  CHECK(Error(pb::Varint(5, 1)) ==
        "protobuf body: ratio: wire type varint, want 64-bit (float64 field)");
  CHECK(Error(pb::Msg(16, {}) + pb::Msg(16, {pb::Msg(13, {pb::Varint(14, 1)})})) ==
        "protobuf body: children[1].child.items[0]: wire type varint, want length-delimited "
        "(string field)");
  CHECK(Error(pb::Varint(17, 1)) ==
        "protobuf body: labels: map entry has wire type varint, want length-delimited");
  CHECK(Error(pb::Msg(17, {pb::Varint(1, 1)})) ==
        "protobuf body: labels: map key has wire type varint, want length-delimited");
  CHECK(Error(pb::Msg(17, {pb::Str(1, "k"), pb::Varint(2, 1)})) ==
        "protobuf body: labels[k]: wire type varint, want length-delimited (string field)");
  CHECK(Error(pb::Msg(8, {pb::Varint(1, 7)})) ==
        "protobuf body: port: bad IntOrString: type 7 is neither 0 (int) nor 1 (string)");
  CHECK(Error(pb::Fixed32(99, 1) + pb::Key(98, 3)) ==
        "protobuf body: unknown field 98: unsupported wire type start-group (groups are not "
        "used)");
  CHECK(Error(pb::Key(3, 3)) ==
        "protobuf body: big: wire type start-group, want varint (int64 field)");
}

TEST_CASE("truncated and overlong input is refused") {
  CHECK(Error(pb::Key(2, 0)) == "protobuf body: count: truncated varint");
  CHECK(Error(pb::Key(1, 2) + "\x05" + "ab") ==
        "protobuf body: name: length 5 runs past the end (2 bytes left)");
  CHECK(Error(pb::Msg(13, {pb::Key(1, 2)})) ==
        "protobuf body: child.name: bad length: truncated varint");
  CHECK(Error(pb::Msg(13, {pb::Key(1, 2) + "\x02" + "a"}) + pb::Str(1, "x")) ==
        "protobuf body: child.name: length 2 runs past the end (1 bytes left)");
  CHECK(Error("\x80") == "protobuf body: bad field key: truncated varint");
  CHECK(Error(pb::Fixed64(5, 0).substr(0, 5)) == "protobuf body: ratio: truncated 64-bit value");
  CHECK(Error(pb::Double(5, 1.0 / 0.0)) == "protobuf body: ratio: not a finite number");
}

TEST_CASE("nesting deeper than the limit is refused but the limit itself is fine") {
  auto nest = [](int levels) {
    std::string m;
    for (int i = 0; i < levels; ++i) m = pb::Str(13, m);
    return m;
  };
  json ok = Decode(nest(skiff::apis::kMaxProtobufDepth));
  int depth = 0;
  for (const json* j = &ok; j->contains("child"); j = &(*j)["child"]) ++depth;
  CHECK(depth == skiff::apis::kMaxProtobufDepth);
  std::string error = Error(nest(skiff::apis::kMaxProtobufDepth + 1));
  CHECK(error.find("messages nested deeper than 64") != std::string::npos);
  // Lists and maps of messages count as nesting too.
  std::string deep_list;
  for (int i = 0; i < 100; ++i) deep_list = pb::Str(i % 2 == 0 ? 16 : 13, deep_list);
  CHECK(Error(deep_list).find("nested deeper than 64") != std::string::npos);
  std::string deep_map;
  for (int i = 0; i < 100; ++i) deep_map = pb::Msg(19, {pb::Str(1, "k"), pb::Str(2, deep_map)});
  CHECK(Error(deep_map).find("nested deeper than 64") != std::string::npos);
}

TEST_CASE("invalid UTF-8 becomes U+FFFD as in Go's JSON encoder") {
  json got = Decode(pb::Cat({pb::Str(1,
                                     "a\xff"
                                     "b"),
                             pb::Str(14, "\xed\xa0\x80"),
                             pb::Msg(17, {pb::Str(1, "k\xc0"), pb::Str(2, "\xe2\x82\xac")})}));
  CHECK(got["name"] ==
        "a\xef\xbf\xbd"
        "b");
  CHECK(got["items"][0] == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(got["labels"]["k\xef\xbf\xbd"] == "\xe2\x82\xac");
  CHECK_NOTHROW(got.dump());
}

TEST_CASE("a message field without a type in the schema is an internal error") {
  const auto* broken = Synthetic().Type("test.v1.Broken");
  REQUIRE(broken != nullptr);
  auto r = DecodeProtobufMessage(pb::Msg(1, {}), *broken);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInternal);
  CHECK(r.status().message() ==
        "protobuf body: child: the schema gives this message field no type");
}

TEST_CASE("embedded (inline) structs decode into the same JSON object") {
  const auto* holder = Synthetic().Type("test.v1.Holder");
  REQUIRE(holder != nullptr);
  auto r = DecodeProtobufMessage(
      pb::Msg(1, {pb::Str(1, "n"), pb::Msg(2, {pb::Str(1, "/p"), pb::Varint(2, 0)}),
                  pb::Varint(3, 4), pb::Msg(2, {pb::Varint(2, 7)})}),
      *holder);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(*r == json{{"wrapped", {{{"name", "n"}, {"path", "/p"}, {"mode", 7}, {"mode2", 4}}}}});

  auto wrong = DecodeProtobufMessage(pb::Msg(1, {pb::Varint(2, 1)}), *holder);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message() ==
        "protobuf body: wrapped[0]: embedded source has wire type varint, want length-delimited");
  auto inner = DecodeProtobufMessage(pb::Msg(1, {pb::Msg(2, {pb::Str(2, "x")})}), *holder);
  REQUIRE_FALSE(inner.ok());
  CHECK(inner.status().message() ==
        "protobuf body: wrapped[0].mode: wire type length-delimited, want varint (int32 field)");
}
