// Damaged copies of the real fixtures: every truncation and many byte flips must give a clean
// kInvalidArgument (or, where the damage still leaves a valid body, a result), never a crash or
// an out-of-bounds read (run under ASan to check the latter).
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "skiff/apis/protobuf.h"
#include "skiff/common/proto_wire.h"
#include "test_schema.h"

using nlohmann::json;
using skiff::Code;
using skiff::apis::BuiltinSchema;
using skiff::apis::DecodeKubernetesProtobuf;
using skiff::apis::testing::Fixture;
using skiff::apis::testing::LoadFixtures;
namespace wire = skiff::protowire;

namespace {

const skiff::apis::TypeDef* KindOf(const Fixture& f, const skiff::apis::Schema& schema) {
  const std::string api_version = f.expected["apiVersion"];
  const size_t slash = api_version.find('/');
  return schema.KindType(slash == std::string::npos ? "" : api_version.substr(0, slash),
                         api_version.substr(slash == std::string::npos ? 0 : slash + 1),
                         f.expected["kind"].get<std::string>());
}

// The built-in schema, or the hand-built types for kinds it does not have yet.
const skiff::apis::Schema& SchemaFor(const Fixture& f) {
  static const auto subset = skiff::apis::testing::KubernetesSubsetSchema();
  if (KindOf(f, BuiltinSchema()) != nullptr) return BuiltinSchema();
  REQUIRE(KindOf(f, *subset) != nullptr);
  return *subset;
}

// Where the runtime.Unknown's typeMeta (field 1) and raw (field 2) end in the body.
struct Layout {
  size_t type_meta_end = 0;
  size_t raw_end = 0;
};

Layout LayoutOf(const std::string& body) {
  Layout layout;
  std::string_view rest(body);
  rest.remove_prefix(4);
  wire::Reader reader(rest);
  std::string error;
  while (!reader.done()) {
    wire::Tag tag;
    REQUIRE(reader.ReadTag(&tag, &error));
    REQUIRE(reader.Skip(tag.wire, &error));
    if (tag.field == 1) layout.type_meta_end = 4 + reader.position();
    if (tag.field == 2) layout.raw_end = 4 + reader.position();
  }
  REQUIRE(layout.raw_end > layout.type_meta_end);
  return layout;
}

}  // namespace

TEST_CASE("every truncation of every fixture fails cleanly") {
  const auto fixtures = LoadFixtures();
  REQUIRE(fixtures.size() >= 25);
  for (const Fixture& f : fixtures) {
    const skiff::apis::Schema& schema = SchemaFor(f);
    const auto full = DecodeKubernetesProtobuf(f.body, schema);
    REQUIRE(full.ok());
    const Layout layout = LayoutOf(f.body);
    for (size_t length = 0; length < f.body.size(); ++length) {
      INFO(f.name << " cut to " << length << " of " << f.body.size() << " bytes");
      // A copy of exactly `length` bytes, so ASan sees any read past the end.
      const std::string cut = f.body.substr(0, length);
      const auto got = DecodeKubernetesProtobuf(cut, schema);
      if (length < layout.raw_end && length != layout.type_meta_end) {
        REQUIRE_FALSE(got.ok());
        CHECK(got.status().code() == Code::kInvalidArgument);
        CHECK(got.status().message().rfind("protobuf body: ", 0) == 0);
      } else if (got.ok()) {
        // Cut at a field boundary of the envelope: still a valid body. Past the object it
        // decodes to the same object; right after typeMeta it is an empty object.
        if (length >= layout.raw_end) CHECK(*got == *full);
        if (length == layout.type_meta_end) CHECK(got->size() == 2);  // apiVersion and kind
      } else {
        CHECK(got.status().code() == Code::kInvalidArgument);
      }
    }
  }
}

TEST_CASE("every truncation of every object message is refused or decodes without crashing") {
  for (const Fixture& f : LoadFixtures()) {
    const Layout layout = LayoutOf(f.body);
    // The raw field's bytes: re-read them to find the object message.
    std::string_view rest(f.body);
    rest.remove_prefix(layout.type_meta_end);
    wire::Reader reader(rest);
    wire::Tag tag;
    std::string error;
    std::string_view raw;
    REQUIRE(reader.ReadTag(&tag, &error));
    REQUIRE(reader.ReadLengthDelimited(&raw, &error));
    const auto* kind = KindOf(f, SchemaFor(f));
    REQUIRE(kind != nullptr);
    int refused = 0;
    for (size_t length = 0; length < raw.size(); ++length) {
      INFO(f.name << " object cut to " << length << " of " << raw.size() << " bytes");
      const std::string cut(raw.substr(0, length));
      const auto got = skiff::apis::DecodeProtobufMessage(cut, *kind);
      if (!got.ok()) {
        CHECK(got.status().code() == Code::kInvalidArgument);
        ++refused;
      } else {
        CHECK_NOTHROW(got->dump());
      }
    }
    // Most cuts land inside a field and must be refused.
    CHECK(refused > static_cast<int>(raw.size()) / 2);
  }
}

TEST_CASE("flipped bytes never crash the decoder") {
  int ok = 0;
  int refused = 0;
  for (const Fixture& f : LoadFixtures()) {
    for (size_t i = 0; i < f.body.size(); ++i) {
      for (unsigned mask : {0x01u, 0x08u, 0x80u, 0xffu}) {
        std::string damaged = f.body;
        damaged[i] = static_cast<char>(static_cast<unsigned char>(damaged[i]) ^ mask);
        const auto got = DecodeKubernetesProtobuf(damaged, SchemaFor(f));
        if (got.ok()) {
          ++ok;
          CHECK_NOTHROW(got->dump());
        } else {
          ++refused;
          INFO(f.name << " byte " << i << " ^ " << mask << ": " << got.status().message());
          CHECK(got.status().code() == Code::kInvalidArgument);
        }
      }
    }
  }
  CHECK(refused > 0);
  CHECK(ok > 0);
}
