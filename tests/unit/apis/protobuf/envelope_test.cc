// The "k8s\0" + runtime.Unknown envelope and the Content-Type check.
#include <catch2/catch.hpp>

#include "pb_builder.h"
#include "skiff/apis/protobuf.h"
#include "test_schema.h"

using nlohmann::json;
using skiff::Code;
using skiff::apis::DecodeKubernetesProtobuf;
using skiff::apis::IsKubernetesProtobuf;
using skiff::apis::testing::SyntheticSchema;

namespace {

std::string Error(const std::string& body) {
  const auto schema = SyntheticSchema();
  auto r = DecodeKubernetesProtobuf(body, *schema);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

const std::string kMagic("k8s\0", 4);

}  // namespace

TEST_CASE("IsKubernetesProtobuf matches the media type only") {
  CHECK(IsKubernetesProtobuf("application/vnd.kubernetes.protobuf"));
  CHECK(IsKubernetesProtobuf(" Application/VND.Kubernetes.Protobuf ; charset=binary"));
  CHECK(IsKubernetesProtobuf("application/vnd.kubernetes.protobuf;stream=watch"));
  CHECK_FALSE(IsKubernetesProtobuf("application/json"));
  CHECK_FALSE(IsKubernetesProtobuf("application/vnd.kubernetes.protobuf+json"));
  CHECK_FALSE(IsKubernetesProtobuf("application/json, application/vnd.kubernetes.protobuf"));
  CHECK_FALSE(IsKubernetesProtobuf(""));
}

TEST_CASE("the envelope's apiVersion and kind pick the type and are added to the object") {
  const auto schema = SyntheticSchema();
  auto r = DecodeKubernetesProtobuf(
      pb::Envelope("test.example/v1", "Sample", pb::Cat({pb::Str(1, "x"), pb::Varint(2, 3)})),
      *schema);
  REQUIRE(r.ok());
  CHECK(*r ==
        json{{"apiVersion", "test.example/v1"}, {"kind", "Sample"}, {"name", "x"}, {"count", 3}});
  // contentType may name protobuf; unknown Unknown fields are skipped; raw may be empty.
  const std::string body =
      kMagic +
      pb::Cat({pb::Varint(9, 1), pb::Msg(1, {pb::Str(2, "Sample"), pb::Str(1, "test.example/v1")}),
               pb::Str(4, "application/vnd.kubernetes.protobuf")});
  auto empty = DecodeKubernetesProtobuf(body, *schema);
  REQUIRE(empty.ok());
  CHECK(*empty == json{{"apiVersion", "test.example/v1"}, {"kind", "Sample"}});
}

TEST_CASE("malformed envelopes are refused") {
  CHECK(Error("") == "protobuf body: does not start with the magic \"k8s\\0\"");
  CHECK(Error("k8s") == "protobuf body: does not start with the magic \"k8s\\0\"");
  CHECK(Error(R"({"kind":"Pod"})") == "protobuf body: does not start with the magic \"k8s\\0\"");
  CHECK(Error(kMagic) == "protobuf body: the envelope names no apiVersion and kind");
  CHECK(Error(kMagic + pb::Msg(1, {pb::Str(2, "Sample")})) ==
        "protobuf body: the envelope names no apiVersion and kind");
  CHECK(Error(kMagic + pb::Varint(2, 1)) ==
        "protobuf body: runtime.Unknown: field 2 has wire type varint, want length-delimited");
  CHECK(Error(kMagic + pb::Msg(1, {pb::Varint(1, 1)})) ==
        "protobuf body: typeMeta: field 1 has wire type varint, want length-delimited");
  CHECK(Error(kMagic + pb::Key(1, 2) + "\x09" + "abc") ==
        "protobuf body: runtime.Unknown: length 9 runs past the end (3 bytes left)");
}

TEST_CASE("unknown kinds and encodings are refused") {
  CHECK(Error(pb::Envelope("apps/v1", "Deployment", "")) ==
        "protobuf body: no kind \"Deployment\" is known in \"apps/v1\"");
  CHECK(Error(pb::Envelope("test.example/v2", "Sample", "")) ==
        "protobuf body: no kind \"Sample\" is known in \"test.example/v2\"");
  CHECK(Error(pb::Envelope("v1", "Sample", "")) ==
        "protobuf body: no kind \"Sample\" is known in \"v1\"");
  CHECK(Error(kMagic + pb::Cat({pb::Msg(1, {pb::Str(1, "test.example/v1"), pb::Str(2, "Sample")}),
                                pb::Str(3, "gzip")})) ==
        "protobuf body: unsupported contentEncoding \"gzip\"");
  CHECK(Error(kMagic + pb::Cat({pb::Msg(1, {pb::Str(1, "test.example/v1"), pb::Str(2, "Sample")}),
                                pb::Str(4, "application/json")})) ==
        "protobuf body: unsupported contentType \"application/json\"");
}

TEST_CASE("errors inside the object name the field path") {
  CHECK(Error(pb::Envelope("test.example/v1", "Sample", pb::Msg(13, {pb::Str(2, "x")}))) ==
        "protobuf body: child.count: wire type length-delimited, want varint (int32 field)");
}
