// skiff/common/proto_wire.h's Writer, checked byte for byte and read back with its Reader.
#include <catch2/catch.hpp>
#include <string>

#include "skiff/common/proto_wire.h"
#include "support/bytes.h"

using skiff::protowire::Reader;
using skiff::protowire::Tag;
using skiff::protowire::WireType;
using skiff::protowire::Writer;
using skiff::testing::Bytes;

TEST_CASE("protowire Writer encodes scalars as protobuf does and omits zero values") {
  Writer w;
  w.Uint32(1, 150);  // the protobuf documentation's example: 08 96 01
  w.Bool(2, true);
  w.String(3, "hi");
  w.Int64(4, 0);
  w.Bool(5, false);
  w.String(6, "");
  w.Uint64(7, 0);
  CHECK(w.bytes() == Bytes({0x08, 0x96, 0x01, 0x10, 0x01, 0x1a, 0x02, 'h', 'i'}));
}

TEST_CASE("protowire Writer encodes negative int64 and int32 in ten bytes") {
  Writer w;
  w.Int64(1, -1);
  CHECK(w.bytes() == Bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  Writer w32;
  w32.Int32(2, -2);
  CHECK(w32.bytes().size() == 11);

  // Go's zero time, the shim's "never": seconds = -62135596800.
  Writer ts;
  ts.Int64(1, -62135596800);
  Reader r(ts.bytes());
  std::string error;
  Tag tag;
  REQUIRE(r.ReadTag(&tag, &error));
  uint64_t v = 0;
  REQUIRE(r.ReadVarint(&v, &error));
  CHECK(static_cast<int64_t>(v) == -62135596800);
  CHECK(r.done());
}

TEST_CASE("protowire Writer writes present empty messages and empty repeated strings") {
  Writer inner;
  Writer w;
  w.Message(1, inner);
  w.RepeatedString(2, "");
  w.RepeatedString(2, "x");
  CHECK(w.bytes() == Bytes({0x0a, 0x00, 0x12, 0x00, 0x12, 0x01, 'x'}));
}

TEST_CASE("protowire Writer and Reader round-trip nested messages and long strings") {
  const std::string long_value(300, 'z');  // length needs a two-byte varint
  Writer inner;
  inner.String(1, long_value);
  inner.Uint64(2, 0xffffffffffffffffULL);
  Writer outer;
  outer.String(1, "id-1");
  outer.Message(3, inner);
  outer.Uint32(9, 137);

  Reader r(outer.bytes());
  std::string error;
  Tag tag;
  std::string_view s;
  REQUIRE(r.ReadTag(&tag, &error));
  CHECK(tag.field == 1);
  CHECK(tag.wire == WireType::kLengthDelimited);
  REQUIRE(r.ReadLengthDelimited(&s, &error));
  CHECK(s == "id-1");

  REQUIRE(r.ReadTag(&tag, &error));
  CHECK(tag.field == 3);
  std::string_view nested;
  REQUIRE(r.ReadLengthDelimited(&nested, &error));
  Reader ir(nested);
  REQUIRE(ir.ReadTag(&tag, &error));
  REQUIRE(ir.ReadLengthDelimited(&s, &error));
  CHECK(s == long_value);
  REQUIRE(ir.ReadTag(&tag, &error));
  CHECK(tag.field == 2);
  uint64_t v = 0;
  REQUIRE(ir.ReadVarint(&v, &error));
  CHECK(v == 0xffffffffffffffffULL);
  CHECK(ir.done());

  REQUIRE(r.ReadTag(&tag, &error));
  CHECK(tag.field == 9);
  REQUIRE(r.ReadVarint(&v, &error));
  CHECK(v == 137);
  CHECK(r.done());
}

TEST_CASE("protowire Reader refuses a truncated length-delimited field from a Writer") {
  Writer w;
  w.String(1, "hello");
  const std::string cut = w.bytes().substr(0, w.bytes().size() - 1);
  Reader r(cut);
  std::string error;
  Tag tag;
  REQUIRE(r.ReadTag(&tag, &error));
  std::string_view s;
  CHECK_FALSE(r.ReadLengthDelimited(&s, &error));
  CHECK(error == "length 5 runs past the end (4 bytes left)");
}
