#include "skiff/runtime/manifest.h"

#include <catch2/catch.hpp>

namespace skiff::runtime {
namespace {

using nlohmann::json;

std::string D(char c) { return "sha256:" + std::string(64, c); }

json Entry(const std::string& digest, const std::string& os, const std::string& arch,
           const std::string& variant = "") {
  json platform = {{"os", os}, {"architecture", arch}};
  if (!variant.empty()) platform["variant"] = variant;
  return {{"mediaType", media_type::kOciManifest},
          {"digest", digest},
          {"size", 100},
          {"platform", platform}};
}

json Index(const std::vector<json>& entries, const char* type = media_type::kOciIndex) {
  return {{"schemaVersion", 2}, {"mediaType", type}, {"manifests", entries}};
}

TEST_CASE("SelectPlatformManifest picks linux and this machine's architecture") {
  Platform host = HostPlatform();
  CHECK(host.os == "linux");
#if defined(__x86_64__)
  CHECK(host.String() == "linux/amd64");
#endif
  json index = Index({Entry(D('1'), "windows", host.architecture), Entry(D('2'), "linux", "s390x"),
                      Entry(D('3'), "linux", host.architecture, host.variant),
                      Entry(D('4'), "linux", host.architecture, host.variant)});
  auto picked = SelectPlatformManifest(index);
  REQUIRE(picked.ok());
  CHECK(*picked == D('3'));  // the first of equal matches

  // Docker manifest lists work the same way.
  json list = Index({Entry(D('5'), "linux", "amd64")}, media_type::kDockerManifestList);
  list["manifests"][0]["mediaType"] = media_type::kDockerManifest;
  auto docker = SelectPlatformManifest(list, {"linux", "amd64", ""});
  REQUIRE(docker.ok());
  CHECK(*docker == D('5'));

  auto none = SelectPlatformManifest(
      Index({Entry(D('1'), "linux", "arm64", "v8"), Entry(D('2'), "linux", "arm", "v7")}),
      {"linux", "amd64", ""});
  CHECK(none.status().code() == Code::kNotFound);
  CHECK(none.status().message() ==
        "no image for linux/amd64 in index (has linux/arm64/v8, linux/arm/v7)");

  // Attestation entries (platform unknown/unknown) never match.
  auto attest = SelectPlatformManifest(
      Index({Entry(D('6'), "unknown", "unknown"), Entry(D('7'), "linux", "amd64", "v1")}),
      {"linux", "amd64", ""});
  REQUIRE(attest.ok());
  CHECK(*attest == D('7'));
}

TEST_CASE("SelectPlatformManifest prefers the exact arm variant, then older ones") {
  json index = Index({Entry(D('5'), "linux", "arm", "v5"), Entry(D('6'), "linux", "arm", "v6"),
                      Entry(D('7'), "linux", "arm", "v7"), Entry(D('8'), "linux", "arm64", "v8")});
  CHECK(*SelectPlatformManifest(index, {"linux", "arm", "v7"}) == D('7'));
  CHECK(*SelectPlatformManifest(index, {"linux", "arm", "v6"}) == D('6'));
  CHECK(*SelectPlatformManifest(index, {"linux", "arm64", "v8"}) == D('8'));
  json older = Index({Entry(D('5'), "linux", "arm", "v5"), Entry(D('6'), "linux", "arm", "v6")});
  CHECK(*SelectPlatformManifest(older, {"linux", "arm", "v7"}) == D('6'));
  json newer = Index({Entry(D('7'), "linux", "arm", "v7")});
  CHECK(SelectPlatformManifest(newer, {"linux", "arm", "v6"}).status().code() == Code::kNotFound);
  json plain = Index({Entry(D('9'), "linux", "arm64")});  // no variant: any
  CHECK(*SelectPlatformManifest(plain, {"linux", "arm64", "v8"}) == D('9'));
}

TEST_CASE("Manifests: OCI and Docker media types accepted, others refused") {
  json oci = {{"schemaVersion", 2},
              {"mediaType", media_type::kOciManifest},
              {"config", {{"mediaType", media_type::kOciConfig}, {"digest", D('c')}, {"size", 7}}},
              {"layers",
               {{{"mediaType", media_type::kOciLayerGzip}, {"digest", D('1')}, {"size", 10}},
                {{"mediaType", media_type::kOciLayerZstd}, {"digest", D('2')}, {"size", 20}},
                {{"mediaType", media_type::kOciLayer}, {"digest", D('3')}, {"size", 30}}}}};
  CHECK(*ManifestKindOf(oci, "") == ManifestKind::kImage);
  auto m = ParseImageManifest(oci);
  REQUIRE(m.ok());
  CHECK(m->config.digest == D('c'));
  REQUIRE(m->layers.size() == 3);
  CHECK(m->layers[1].media_type == media_type::kOciLayerZstd);
  CHECK(m->layers[2].size == 30);

  json docker = oci;
  docker["mediaType"] = media_type::kDockerManifest;
  docker["config"]["mediaType"] = media_type::kDockerConfig;
  docker["layers"] = {{{"mediaType", media_type::kDockerLayerGzip}, {"digest", D('1')}}};
  CHECK(*ManifestKindOf(docker, "") == ManifestKind::kImage);
  REQUIRE(ParseImageManifest(docker).ok());

  // No mediaType field: the hint, then the shape decides.
  json bare = oci;
  bare.erase("mediaType");
  CHECK(*ManifestKindOf(bare, media_type::kOciManifest) == ManifestKind::kImage);
  CHECK(*ManifestKindOf(bare, "") == ManifestKind::kImage);
  CHECK(*ManifestKindOf(json{{"schemaVersion", 2}, {"manifests", json::array()}}, "") ==
        ManifestKind::kIndex);
  CHECK(*ManifestKindOf(json{{"mediaType", media_type::kDockerManifestList}}, "") ==
        ManifestKind::kIndex);

  auto schema1 =
      ManifestKindOf(json{{"schemaVersion", 1},
                          {"mediaType", "application/vnd.docker.distribution.manifest.v1+json"}},
                     "");
  CHECK(schema1.status().code() == Code::kUnimplemented);
  CHECK(schema1.status().message() == "Docker schema 1 manifests are not supported");

  json helm = oci;
  helm["config"]["mediaType"] = "application/vnd.cncf.helm.config.v1+json";
  CHECK(ParseImageManifest(helm).status().message() ==
        "not a container image: config media type \"application/vnd.cncf.helm.config.v1+json\"");

  json encrypted = oci;
  encrypted["layers"][0]["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip+encrypted";
  CHECK(ParseImageManifest(encrypted).status().message() ==
        "unsupported layer media type \"application/vnd.oci.image.layer.v1.tar+gzip+encrypted\" "
        "(layer " +
            D('1') + ")");

  json bad_digest = oci;
  bad_digest["layers"][1]["digest"] = "sha256:1234";
  CHECK(ParseImageManifest(bad_digest).status().code() == Code::kInvalidArgument);

  CHECK(ParseManifestBytes("not json").status().code() == Code::kInvalidArgument);
  CHECK(ManifestAcceptHeader() ==
        "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
        "application/vnd.docker.distribution.manifest.list.v2+json, "
        "application/vnd.docker.distribution.manifest.v2+json");
}

}  // namespace
}  // namespace skiff::runtime
