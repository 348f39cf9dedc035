// Pulls from a real docker-registry on loopback into a real ImageStore: references, media
// types, indexes, mirrors and the errors Kubernetes shows.
#include <catch2/catch.hpp>

#include "pull_test_env.h"

namespace skiff::runtime::pulltest {
namespace {

TEST_CASE("pull: by tag and by digest from a loopback registry in plain http, no config") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "test/app", "v1", "hello v1\n");
  Puller puller(RegistriesConfig{}, *env.store, Fast());

  Result<Image> by_tag = puller.Pull(Ref(reg.host() + "/test/app:v1"), {});
  CheckPulled(by_tag, built, env);
  CHECK(by_tag->repo_tags == std::vector<std::string>{reg.host() + "/test/app:v1"});
  CHECK(by_tag->repo_digests ==
        std::vector<std::string>{reg.host() + "/test/app@" + built.manifest_digest});

  Env env2;
  Puller puller2(RegistriesConfig{}, *env2.store, Fast());
  Result<Image> by_digest =
      puller2.Pull(Ref(reg.host() + "/test/app@" + built.manifest_digest), {});
  CheckPulled(by_digest, built, env2);
  CHECK(by_digest->repo_tags.empty());
}

TEST_CASE("pull: Docker schema2 manifests and multi-arch indexes (host platform chosen)") {
  LocalRegistry reg;
  Env env;
  const std::string host_arch = HostPlatform().architecture;
  const std::string other_arch = host_arch == "s390x" ? "ppc64le" : "s390x";
  BuiltImage native = BuildImage(env.layout, "native", "native\n", host_arch);
  BuiltImage foreign = BuildImage(env.layout, "foreign", "foreign\n", other_arch);
  REQUIRE(native.config_digest != foreign.config_digest);
  Puller puller(RegistriesConfig{}, *env.store, Fast());

  SECTION("docker v2 schema 2") {
    std::string digest =
        Push(env.layout, "native", reg.host() + "/test/v2s2:1", {"--format", "v2s2"});
    CHECK(digest != native.manifest_digest);  // converted to Docker media types
    Result<Image> image = puller.Pull(Ref(reg.host() + "/test/v2s2:1"), {});
    INFO(image.status().ToString());
    REQUIRE(image.ok());
    CHECK(image->id == native.config_digest);
    CHECK(env.store->content().Has(digest));
  }
  SECTION("OCI index: the host's entry, whatever its position") {
    std::string index =
        testing::AddIndex(env.layout, "multi", {{"foreign", other_arch}, {"native", host_arch}});
    CHECK(Push(env.layout, "multi", reg.host() + "/test/multi:1", {"--all"}) == index);
    Result<Image> image = puller.Pull(Ref(reg.host() + "/test/multi:1"), {});
    INFO(image.status().ToString());
    REQUIRE(image.ok());
    CHECK(image->id == native.config_digest);
    CHECK(image->config.architecture == host_arch);
    CHECK(image->repo_digests == std::vector<std::string>{reg.host() + "/test/multi@" + index});
    CHECK(env.store->content().Has(index));
    CHECK(env.store->content().Has(native.manifest_digest));
    CHECK_FALSE(env.store->content().Has(foreign.config_digest));
    CHECK_FALSE(env.store->content().Has(foreign.layers[1]));
  }
  SECTION("an index without the host platform is not found, naming what it has") {
    testing::AddIndex(env.layout, "alien", {{"foreign", other_arch}});
    Push(env.layout, "alien", reg.host() + "/test/alien:1", {"--all"});
    Result<Image> image = puller.Pull(Ref(reg.host() + "/test/alien:1"), {});
    REQUIRE_FALSE(image.ok());
    CHECK(image.status().code() == Code::kNotFound);
    CHECK_THAT(image.status().message(), Catch::StartsWith("failed to resolve reference \"" +
                                                           reg.host() + "/test/alien:1\": ") &&
                                             Catch::Contains("linux/" + other_arch));
  }
}

TEST_CASE("pull: a missing image is kNotFound with the message Kubernetes shows") {
  LocalRegistry reg;
  Env env;
  env.Publish(reg.host(), "test/app", "v1", "x\n");
  Puller puller(RegistriesConfig{}, *env.store, Fast());
  for (const std::string& ref : {reg.host() + "/test/app:v2", reg.host() + "/test/none:v1"}) {
    Result<Image> image = puller.Pull(Ref(ref), {});
    REQUIRE_FALSE(image.ok());
    CHECK(image.status().code() == Code::kNotFound);
    CHECK(image.status().message() ==
          "failed to resolve reference \"" + ref + "\": " + ref + ": not found");
  }
}

TEST_CASE("pull: connection refused is kUnavailable naming the host and the cause") {
  Env env;
  const int port = testing::FreeLoopbackPort();  // nothing listens there
  const std::string host = "127.0.0.1:" + std::to_string(port);
  Puller puller(RegistriesConfig{}, *env.store, Fast());
  Result<Image> image = puller.Pull(Ref(host + "/app:v1"), {});
  REQUIRE_FALSE(image.ok());
  CHECK(image.status().code() == Code::kUnavailable);
  CHECK(image.status().message() ==
        "failed to resolve reference \"" + host + "/app:v1\": Get \"https://" + host +
            "/v2/app/manifests/v1\": dial tcp " + host + ": connect: connection refused");
}

TEST_CASE("pull: registries.yaml mirrors are tried first, with rewrites, then the registry") {
  LocalRegistry upstream;
  LocalRegistry mirror;
  Env env;
  BuiltImage on_mirror = env.Publish(mirror.host(), "cache/app", "v1", "from mirror\n");
  BuiltImage on_upstream = env.Publish(upstream.host(), "app", "v1", "from upstream\n");
  BuiltImage only_upstream = env.Publish(upstream.host(), "app", "v2", "only upstream\n");
  const int dead = testing::FreeLoopbackPort();
  RegistriesConfig config =
      Config("mirrors:\n  \"" + upstream.host() + "\":\n    endpoint:\n      - http://127.0.0.1:" +
             std::to_string(dead) + "\n      - http://" + mirror.host() +
             "\n    rewrite:\n      \"^(.*)$\": \"cache/$1\"\n");
  Puller puller(config, *env.store, Fast());

  // The dead mirror is skipped, the live one has the (rewritten) repository.
  Result<Image> first = puller.Pull(Ref(upstream.host() + "/app:v1"), {});
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->id == on_mirror.config_digest);
  CHECK(first->id != on_upstream.config_digest);
  // The image keeps the name it was asked for.
  CHECK(first->repo_tags == std::vector<std::string>{upstream.host() + "/app:v1"});

  // Not on any mirror: the registry itself.
  Result<Image> second = puller.Pull(Ref(upstream.host() + "/app:v2"), {});
  INFO(second.status().ToString());
  REQUIRE(second.ok());
  CHECK(second->id == only_upstream.config_digest);

  // Nowhere: the first real failure (the dead mirror) is what the user is told.
  Result<Image> third = puller.Pull(Ref(upstream.host() + "/app:v3"), {});
  REQUIRE_FALSE(third.ok());
  CHECK(third.status().code() == Code::kUnavailable);
  CHECK_THAT(third.status().message(), Catch::Contains("connect: connection refused"));
}

TEST_CASE("pull: docker.io images come from a docker.io mirror") {
  LocalRegistry mirror;
  Env env;
  BuiltImage built = env.Publish(mirror.host(), "library/skiff-test", "v1", "hub\n");
  Puller puller(
      Config("mirrors:\n  docker.io:\n    endpoint: [\"http://" + mirror.host() + "\"]\n"),
      *env.store, Fast());
  Result<Image> image = puller.Pull(Ref("skiff-test:v1"), {});
  CheckPulled(image, built, env);
  CHECK(image->repo_tags == std::vector<std::string>{"docker.io/library/skiff-test:v1"});
}

}  // namespace
}  // namespace skiff::runtime::pulltest
