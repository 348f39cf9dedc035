// imagePullSecrets: .dockerconfigjson / .dockercfg parsing and credential matching.
#include <catch2/catch.hpp>

#include "skiff/runtime/registry_config.h"

namespace skiff::runtime {
namespace {

// An image reference in the normalized form ImageRef::Parse gives ("busybox" is
// docker.io/library/busybox).
ImageRef Ref(const char* registry, const char* repository) {
  return ImageRef{registry, repository, "latest", ""};
}

TEST_CASE("docker config: .dockerconfigjson entries with auth or username/password") {
  // "YWxpY2U6cHc6MQ==" is base64("alice:pw:1").
  Result<std::vector<DockerConfigEntry>> e = ParseDockerConfigJson(R"({"auths": {
      "https://index.docker.io/v1/": {"auth": "YWxpY2U6cHc6MQ==", "email": "a@example.com"},
      "registry.example:5000": {"username": "bob", "password": "pw2"},
      "token.example": {"identitytoken": "refresh"}}})");
  REQUIRE(e.ok());
  REQUIRE(e->size() == 3);
  CHECK((*e)[0].server == "https://index.docker.io/v1/");
  CHECK((*e)[0].auth == RegistryAuth{"alice", "pw:1", ""});
  CHECK((*e)[1].auth == RegistryAuth{"bob", "pw2", ""});
  CHECK((*e)[2].auth == RegistryAuth{"", "", "refresh"});
}

TEST_CASE("docker config: legacy .dockercfg has the entries at the top level") {
  Result<std::vector<DockerConfigEntry>> e =
      ParseDockerCfg(R"({"registry.example": {"auth": "dTpw", "email": "x"}})");
  REQUIRE(e.ok());
  REQUIRE(e->size() == 1);
  CHECK((*e)[0].server == "registry.example");
  CHECK((*e)[0].auth == RegistryAuth{"u", "p", ""});
}

TEST_CASE("docker config: malformed secrets are refused naming the entry") {
  struct Case {
    bool legacy;
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {false, "{", ".dockerconfigjson: invalid JSON: "},
      {false, "[]", ".dockerconfigjson: expected an object"},
      {false, R"({"registry": {}})", ".dockerconfigjson: missing \"auths\""},
      {false, R"({"auths": []})", ".dockerconfigjson: auths: expected an object of registry"},
      {false, R"({"auths": {"r": "x"}})", ".dockerconfigjson: auths: entry \"r\": expected an"},
      {false, R"({"auths": {"r": {"auth": "%%%"}}})",
       ".dockerconfigjson: auths: entry \"r\": auth is not valid base64"},
      {false, R"({"auths": {"r": {"auth": "dXNlcg=="}}})",
       ".dockerconfigjson: auths: entry \"r\": auth must encode \"username:password\""},
      {false, R"({"auths": {"r": {"username": 5}}})",
       ".dockerconfigjson: auths: entry \"r\": username must be a string"},
      {true, "nope", ".dockercfg: invalid JSON: "},
      {true, R"({"r": {"password": ["x"]}})", ".dockercfg: entry \"r\": password must be a string"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    Result<std::vector<DockerConfigEntry>> r =
        c.legacy ? ParseDockerCfg(c.json) : ParseDockerConfigJson(c.json);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::StartsWith(c.message));
  }
}

TEST_CASE("docker config: credentials match by registry host, port, glob and path prefix") {
  const std::vector<DockerConfigEntry> entries = {
      {"https://index.docker.io/v1/", {"hub", "1", ""}},
      {"registry.example:5000", {"port5000", "2", ""}},
      {"registry.example", {"noport", "3", ""}},
      {"*.corp.example", {"glob", "4", ""}},
      {"https://app.corp.example/team", {"team", "5", ""}},
      {"app.corp.example/team/app/extra", {"too-deep", "6", ""}},
      {"app.corp.example/tea", {"partial-component", "7", ""}},
      {"registry.example:5000", {"port5000", "2", ""}},  // a duplicate is offered once
  };
  auto users = [&](const ImageRef& image) {
    std::vector<std::string> out;
    for (const RegistryAuth& a : MatchCredentials(entries, image)) out.push_back(a.username);
    return out;
  };
  CHECK(users(Ref("docker.io", "library/busybox")) == std::vector<std::string>{"hub"});
  CHECK(users(Ref("docker.io", "team/app")) == std::vector<std::string>{"hub"});
  CHECK(users(Ref("registry.example:5000", "app")) == std::vector<std::string>{"port5000"});
  CHECK(users(Ref("registry.example", "app")) == std::vector<std::string>{"noport"});
  CHECK(users(Ref("registry.example:6000", "app")).empty());
  // The most specific key first: a path beats a bare host, an exact host beats a glob.
  CHECK(users(Ref("app.corp.example", "team/app")) == std::vector<std::string>{"team", "glob"});
  CHECK(users(Ref("other.corp.example", "x")) == std::vector<std::string>{"glob"});
  CHECK(users(Ref("a.b.corp.example", "x")).empty());  // '*' spans one label
  CHECK(users(Ref("quay.io", "x")).empty());

  // "docker.io" and "registry-1.docker.io" keys name the hub too.
  CHECK(MatchCredentials({{"docker.io", {"d", "", ""}}}, Ref("docker.io", "library/busybox"))
            .size() == 1);
  CHECK(MatchCredentials({{"registry-1.docker.io", {"d", "", ""}}},
                         Ref("docker.io", "library/busybox"))
            .size() == 1);
  CHECK(
      MatchCredentials({{"docker.io/library", {"d", "", ""}}}, Ref("docker.io", "library/busybox"))
          .size() == 1);
  CHECK(MatchCredentials({{"docker.io/other", {"d", "", ""}}}, Ref("docker.io", "library/busybox"))
            .empty());
}

}  // namespace
}  // namespace skiff::runtime
