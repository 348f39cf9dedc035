#include <catch2/catch.hpp>
#include <string>

#include "skiff/common/proto_wire.h"
#include "support/bytes.h"

using skiff::protowire::Reader;
using skiff::protowire::Tag;
using skiff::protowire::WireType;
using skiff::testing::Bytes;

TEST_CASE("varints decode from one to ten bytes") {
  std::string error;
  uint64_t v = 0;
  std::string one = Bytes({0x05});
  Reader r1(one);
  REQUIRE(r1.ReadVarint(&v, &error));
  CHECK(v == 5);
  CHECK(r1.done());

  std::string two = Bytes({0xac, 0x02});  // 300
  Reader r2(two);
  REQUIRE(r2.ReadVarint(&v, &error));
  CHECK(v == 300);

  // -1 as an int32/int64 varint: ten bytes, sign-extended.
  std::string minus_one = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  Reader r3(minus_one);
  REQUIRE(r3.ReadVarint(&v, &error));
  CHECK(v == UINT64_MAX);
  CHECK(r3.position() == 10);
}

TEST_CASE("malformed varints are refused") {
  std::string error;
  uint64_t v = 0;
  std::string truncated = Bytes({0x80, 0x80});
  Reader r1(truncated);
  CHECK_FALSE(r1.ReadVarint(&v, &error));
  CHECK(error == "truncated varint");

  std::string overflow = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
  Reader r2(overflow);
  CHECK_FALSE(r2.ReadVarint(&v, &error));
  CHECK(error == "varint overflows 64 bits");

  std::string eleven = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00});
  Reader r3(eleven);
  CHECK_FALSE(r3.ReadVarint(&v, &error));
  CHECK(error == "varint overflows 64 bits");

  Reader empty("");
  CHECK_FALSE(empty.ReadVarint(&v, &error));
  CHECK(error == "truncated varint");
}

TEST_CASE("tags carry the field number and wire type") {
  std::string error;
  Tag tag;
  std::string key = Bytes({0x92, 0x01});  // field 18, length-delimited
  Reader r(key);
  REQUIRE(r.ReadTag(&tag, &error));
  CHECK(tag.field == 18);
  CHECK(tag.wire == WireType::kLengthDelimited);

  std::string zero = Bytes({0x02});  // field 0
  Reader r0(zero);
  CHECK_FALSE(r0.ReadTag(&tag, &error));
  CHECK(error == "invalid field number 0");

  std::string wire7 = Bytes({0x0f});
  Reader r7(wire7);
  CHECK_FALSE(r7.ReadTag(&tag, &error));
  CHECK(error == "invalid wire type 7 for field 1");

  std::string cut = Bytes({0x80});
  Reader rc(cut);
  CHECK_FALSE(rc.ReadTag(&tag, &error));
  CHECK(error == "bad field key: truncated varint");
}

TEST_CASE("length-delimited values never reach past the end") {
  std::string error;
  std::string_view value;
  std::string ok = Bytes({0x03, 'a', 'b', 'c', 0x7f});
  Reader r(ok);
  REQUIRE(r.ReadLengthDelimited(&value, &error));
  CHECK(value == "abc");
  CHECK(r.position() == 4);

  std::string past = Bytes({0x05, 'a', 'b'});
  Reader rp(past);
  CHECK_FALSE(rp.ReadLengthDelimited(&value, &error));
  CHECK(error == "length 5 runs past the end (2 bytes left)");

  // A length near 2^64 must not wrap around the bounds check.
  std::string huge = Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'x'});
  Reader rh(huge);
  CHECK_FALSE(rh.ReadLengthDelimited(&value, &error));
  CHECK(error == "length 18446744073709551615 runs past the end (1 bytes left)");
}

TEST_CASE("fixed-width values are little-endian and bounds-checked") {
  std::string error;
  uint64_t v64 = 0;
  uint32_t v32 = 0;
  std::string eight = Bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});
  Reader r(eight);
  REQUIRE(r.ReadFixed64(&v64, &error));
  CHECK(v64 == 0x0807060504030201ull);
  Reader r32(eight);
  REQUIRE(r32.ReadFixed32(&v32, &error));
  CHECK(v32 == 0x04030201u);
  std::string seven = eight.substr(0, 7);
  Reader short64(seven);
  CHECK_FALSE(short64.ReadFixed64(&v64, &error));
  CHECK(error == "truncated 64-bit value");
  std::string three = eight.substr(0, 3);
  Reader short32(three);
  CHECK_FALSE(short32.ReadFixed32(&v32, &error));
  CHECK(error == "truncated 32-bit value");
}

TEST_CASE("skipping handles every wire type but groups") {
  std::string error;
  std::string all = Bytes({0x96, 0x01,              // varint
                           1, 2, 3, 4, 5, 6, 7, 8,  // 64-bit
                           0x02, 'h', 'i',          // length-delimited
                           9, 9, 9, 9});            // 32-bit
  Reader r(all);
  REQUIRE(r.Skip(WireType::kVarint, &error));
  REQUIRE(r.Skip(WireType::kFixed64, &error));
  REQUIRE(r.Skip(WireType::kLengthDelimited, &error));
  REQUIRE(r.Skip(WireType::kFixed32, &error));
  CHECK(r.done());
  Reader g(all);
  CHECK_FALSE(g.Skip(WireType::kStartGroup, &error));
  CHECK(error == "unsupported wire type start-group (groups are not used)");
}
