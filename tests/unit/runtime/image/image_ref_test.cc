#include "skiff/runtime/image_ref.h"

#include <catch2/catch.hpp>

namespace skiff::runtime {
namespace {

const std::string kHex = "4b7ce07a8b3b5e1c6f2c1a9e0d3f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5";

TEST_CASE("ImageRef normalizes references as Docker and Kubernetes do") {
  struct Case {
    std::string in, registry, repository, tag, digest, string;
  };
  const std::vector<Case> cases = {
      {"busybox", "docker.io", "library/busybox", "latest", "", "docker.io/library/busybox:latest"},
      {"library/busybox", "docker.io", "library/busybox", "latest", "",
       "docker.io/library/busybox:latest"},
      {"docker.io/busybox", "docker.io", "library/busybox", "latest", "",
       "docker.io/library/busybox:latest"},
      {"index.docker.io/busybox:1.36", "docker.io", "library/busybox", "1.36", "",
       "docker.io/library/busybox:1.36"},
      {"someuser/app", "docker.io", "someuser/app", "latest", "", "docker.io/someuser/app:latest"},
      {"localhost/x", "localhost", "x", "latest", "", "localhost/x:latest"},
      {"localhost:5000/x:dev", "localhost:5000", "x", "dev", "", "localhost:5000/x:dev"},
      {"host:5000/a/b:t", "host:5000", "a/b", "t", "", "host:5000/a/b:t"},
      {"127.0.0.1:5000/app:v1", "127.0.0.1:5000", "app", "v1", "", "127.0.0.1:5000/app:v1"},
      {"registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "3.9", "",
       "registry.k8s.io/pause:3.9"},
      {"Example.com/app", "Example.com", "app", "latest", "", "Example.com/app:latest"},
      {"[::1]:5000/app", "[::1]:5000", "app", "latest", "", "[::1]:5000/app:latest"},
      {"a@sha256:" + kHex, "docker.io", "library/a", "", "sha256:" + kHex,
       "docker.io/library/a@sha256:" + kHex},
      {"a:t@sha256:" + kHex, "docker.io", "library/a", "t", "sha256:" + kHex,
       "docker.io/library/a:t@sha256:" + kHex},
      {"ghcr.io/org/team/app__x.y-z--w:V_1.0-rc", "ghcr.io", "org/team/app__x.y-z--w", "V_1.0-rc",
       "", "ghcr.io/org/team/app__x.y-z--w:V_1.0-rc"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    auto ref = ImageRef::Parse(c.in);
    REQUIRE(ref.ok());
    CHECK(ref->registry == c.registry);
    CHECK(ref->repository == c.repository);
    CHECK(ref->tag == c.tag);
    CHECK(ref->digest == c.digest);
    CHECK(ref->String() == c.string);
    CHECK(ref->Name() == c.registry + "/" + c.repository);
    // The normalized form parses to itself.
    auto again = ImageRef::Parse(ref->String());
    REQUIRE(again.ok());
    CHECK(again->String() == c.string);
  }
}

TEST_CASE("ImageRef refuses malformed references with the reason") {
  struct Case {
    std::string in, message;
  };
  const std::vector<Case> cases = {
      {"", "invalid image reference \"\": empty reference"},
      {"Busybox", "invalid image reference \"Busybox\": repository name must be lowercase"},
      {"docker.io/Library/busybox",
       "invalid image reference \"docker.io/Library/busybox\": repository name must be lowercase"},
      {"a@sha256:abc",
       "invalid image reference \"a@sha256:abc\": invalid digest \"sha256:abc\" (want sha256: and "
       "64 lower-case hex digits)"},
      {"a@md5:d41d8cd98f00b204e9800998ecf8427e",
       "invalid image reference \"a@md5:d41d8cd98f00b204e9800998ecf8427e\": invalid digest "
       "\"md5:d41d8cd98f00b204e9800998ecf8427e\" (want sha256: and 64 lower-case hex digits)"},
      {"a@sha256:" + std::string(64, 'A'),
       "invalid image reference \"a@sha256:" + std::string(64, 'A') +
           "\": invalid digest \"sha256:" + std::string(64, 'A') +
           "\" (want sha256: and 64 lower-case hex digits)"},
      {"a:", "invalid image reference \"a:\": invalid tag \"\""},
      {"a:-x", "invalid image reference \"a:-x\": invalid tag \"-x\""},
      {"a:" + std::string(129, 't'), "invalid image reference \"a:" + std::string(129, 't') +
                                         "\": invalid tag \"" + std::string(129, 't') + "\""},
      {"a//b", "invalid image reference \"a//b\": invalid repository path component \"\""},
      {"a/b_", "invalid image reference \"a/b_\": invalid repository path component \"b_\""},
      {"a/.b", "invalid image reference \"a/.b\": invalid repository path component \".b\""},
      {"a___b", "invalid image reference \"a___b\": invalid repository path component \"a___b\""},
      {"-host.io/a", "invalid image reference \"-host.io/a\": invalid registry host \"-host.io\""},
      {"host.io:port/a",
       "invalid image reference \"host.io:port/a\": invalid registry host \"host.io:port\""},
      {"host.io:99999999/a",
       "invalid image reference \"host.io:99999999/a\": invalid registry host "
       "\"host.io:99999999\""},
      {kHex, "invalid image reference \"" + kHex +
                 "\": repository name cannot be a 64-byte hexadecimal string"},
      {"a b", "invalid image reference \"a b\": invalid repository path component \"a b\""},
      {std::string(256, 'a'), "invalid image reference \"" + std::string(256, 'a') +
                                  "\": repository name must not be more than 255 characters"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    auto ref = ImageRef::Parse(c.in);
    REQUIRE_FALSE(ref.ok());
    CHECK(ref.status().code() == Code::kInvalidArgument);
    CHECK(ref.status().message() == c.message);
  }
}

}  // namespace
}  // namespace skiff::runtime
