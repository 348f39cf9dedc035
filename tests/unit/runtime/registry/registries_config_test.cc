// registries.yaml parsing: what a good file yields, and the exact error a bad one gets.
#include <catch2/catch.hpp>
#include <fstream>

#include "skiff/runtime/registry_config.h"
#include "support/temp_dir.h"

namespace skiff::runtime {
namespace {

TEST_CASE("registries.yaml: a full k3s-style file parses into mirrors and configs") {
  const char* yaml = R"yaml(mirrors:
  docker.io:
    endpoint:
      - "https://mirror.example:5000"
      - "http://10.0.0.1:5000/cache"
    rewrite:
      "^rancher/(.*)": "mirrored/rancher/$1"
      "^library/(.*)": "lib/$1"
  "*":
    endpoint: ["mirror.example:5000"]
configs:
  "mirror.example:5000":
    auth:
      username: alice
      password: "s3cret"
    tls:
      ca_file: /etc/ssl/mirror-ca.pem
      cert_file: /etc/ssl/client.pem
      key_file: /etc/ssl/client.key
  "10.0.0.1:5000":
    auth:
      auth: Ym9iOnB3OmQ=
    tls:
      insecure_skip_verify: true
  token.example:
    auth:
      identitytoken: refresh-me
)yaml";
  Result<RegistriesConfig> c = RegistriesConfig::Parse(yaml, "registries.yaml");
  REQUIRE(c.ok());
  REQUIRE(c->mirrors.size() == 2);
  const RegistryMirror& hub = c->mirrors.at("docker.io");
  CHECK(hub.endpoints ==
        std::vector<std::string>{"https://mirror.example:5000", "http://10.0.0.1:5000/cache"});
  REQUIRE(hub.rewrites.size() == 2);
  // File order is kept: the first matching rule applies.
  CHECK(hub.rewrites[0] == RepositoryRewrite{"^rancher/(.*)", "mirrored/rancher/$1"});
  CHECK(hub.rewrites[1] == RepositoryRewrite{"^library/(.*)", "lib/$1"});
  CHECK(c->mirrors.at("*").endpoints == std::vector<std::string>{"mirror.example:5000"});

  REQUIRE(c->configs.size() == 3);
  const RegistryHostConfig& m = c->configs.at("mirror.example:5000");
  CHECK(m.auth == RegistryAuth{"alice", "s3cret", ""});
  CHECK(m.tls ==
        RegistryTls{"/etc/ssl/mirror-ca.pem", "/etc/ssl/client.pem", "/etc/ssl/client.key", false});
  // auth: base64("bob:pw:d"): the password may contain ':'.
  CHECK(c->configs.at("10.0.0.1:5000").auth == RegistryAuth{"bob", "pw:d", ""});
  CHECK(c->configs.at("10.0.0.1:5000").tls.insecure_skip_verify);
  CHECK(c->configs.at("token.example").auth.identity_token == "refresh-me");
}

TEST_CASE("registries.yaml: empty text, comments only and empty sections are an empty config") {
  for (const char* yaml : {"", "# nothing here\n", "mirrors:\nconfigs:\n", "mirrors: {}\n"}) {
    INFO(yaml);
    Result<RegistriesConfig> c = RegistriesConfig::Parse(yaml, "r.yaml");
    REQUIRE(c.ok());
    CHECK(c->mirrors.empty());
    CHECK(c->configs.empty());
  }
}

TEST_CASE("registries.yaml: bad input is refused naming file, line and key") {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
      {"mirrors: [a, b]\n", "r.yaml:1: mirrors: expected a mapping"},
      {"mirror:\n  docker.io: {}\n",
       "r.yaml:1: (top level): unknown key \"mirror\" (expected one of: configs, mirrors)"},
      {"mirrors:\n  docker.io:\n    endpoints: [\"https://m\"]\n",
       "r.yaml:3: mirrors.docker.io: unknown key \"endpoints\" (expected one of: endpoint, "
       "rewrite)"},
      {"mirrors:\n  docker.io:\n    endpoint: https://m\n",
       "r.yaml:3: mirrors.docker.io.endpoint: expected a list of URLs"},
      {"mirrors:\n  docker.io:\n    endpoint:\n      - ftp://m\n",
       "r.yaml:4: mirrors.docker.io.endpoint[0]: invalid endpoint \"ftp://m\": scheme must be "
       "http or https"},
      {"mirrors:\n  docker.io:\n    endpoint:\n      - https://ok\n      - \"https://m?x=1\"\n",
       "r.yaml:5: mirrors.docker.io.endpoint[1]: invalid endpoint \"https://m?x=1\": a query or "
       "fragment is not allowed"},
      {"mirrors:\n  docker.io:\n    endpoint: [\"https://u:p@m\"]\n",
       "r.yaml:3: mirrors.docker.io.endpoint[0]: invalid endpoint \"https://u:p@m\": user info "
       "is not allowed"},
      {"mirrors:\n  docker.io:\n    endpoint: [\"https://m:99999\"]\n",
       "r.yaml:3: mirrors.docker.io.endpoint[0]: invalid endpoint \"https://m:99999\": host must "
       "be host[:port]"},
      {"mirrors:\n  docker.io:\n    endpoint: [[a]]\n",
       "r.yaml:3: mirrors.docker.io.endpoint[0]: expected a URL string"},
      {"mirrors:\n  docker.io:\n    rewrite:\n      \"^(a\": \"b\"\n",
       "r.yaml:4: mirrors.docker.io.rewrite[\"^(a\"]: invalid regular expression: "},
      {"mirrors:\n  docker.io:\n    rewrite:\n      \"^a\": [b]\n",
       "r.yaml:4: mirrors.docker.io.rewrite[\"^a\"]: expected a replacement string"},
      {"configs:\n  reg:\n    auth:\n      user: x\n",
       "r.yaml:4: configs.reg.auth: unknown key \"user\" (expected one of: auth, identitytoken, "
       "password, username)"},
      {"configs:\n  reg:\n    auth:\n      auth: \"not base64!\"\n",
       "r.yaml:4: configs.reg.auth.auth: auth is not valid base64"},
      {"configs:\n  reg:\n    auth:\n      auth: dXNlcg==\n",
       "r.yaml:4: configs.reg.auth.auth: auth must encode \"username:password\""},
      {"configs:\n  reg:\n    tls:\n      insecure_skip_verify: maybe\n",
       "r.yaml:4: configs.reg.tls.insecure_skip_verify: expected true or false, got \"maybe\""},
      {"configs:\n  reg:\n    tls:\n      cert_file: /c.pem\n",
       "r.yaml:4: configs.reg.tls: cert_file and key_file must be given together"},
      {"configs:\n  reg:\n    tls:\n      ca_file: {a: b}\n",
       "r.yaml:4: configs.reg.tls.ca_file: expected a string"},
      {"configs:\n  reg:\n    password: x\n",
       "r.yaml:3: configs.reg: unknown key \"password\" (expected one of: auth, tls)"},
      {"mirrors:\n  docker.io:\n    endpoint: [\"a\"\n", "r.yaml:4: invalid YAML: "},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    Result<RegistriesConfig> r = RegistriesConfig::Parse(c.yaml, "r.yaml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::StartsWith(c.message));
  }
}

TEST_CASE("registries.yaml: Load reads a file and a missing file is an empty config") {
  testing::TempDir dir;
  Result<RegistriesConfig> missing = RegistriesConfig::Load(dir / "registries.yaml");
  REQUIRE(missing.ok());
  CHECK(missing->mirrors.empty());

  std::ofstream(dir / "registries.yaml") << "mirrors:\n  docker.io:\n    endpoint: [x:1]\n";
  Result<RegistriesConfig> loaded = RegistriesConfig::Load(dir / "registries.yaml");
  REQUIRE(loaded.ok());
  CHECK(loaded->mirrors.at("docker.io").endpoints == std::vector<std::string>{"x:1"});

  std::ofstream(dir / "bad.yaml") << "mirrors:\n  docker.io:\n    endpoint: 5\n";
  Result<RegistriesConfig> bad = RegistriesConfig::Load(dir / "bad.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        dir / "bad.yaml" + ":3: mirrors.docker.io.endpoint: expected a list of URLs");
}

}  // namespace
}  // namespace skiff::runtime
