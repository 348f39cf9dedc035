// Endpoint resolution (mirrors first, then the registry), URL parsing, loopback detection,
// repository rewrites, and WWW-Authenticate parsing.
#include "runtime/registry/endpoints.h"

#include <catch2/catch.hpp>

#include "runtime/registry/auth_challenge.h"
#include "runtime/registry/rewrite.h"
#include "runtime/registry/token_cache.h"

namespace skiff::runtime::registry {
namespace {

RegistriesConfig MustParse(const char* yaml) {
  Result<RegistriesConfig> c = RegistriesConfig::Parse(yaml, "test.yaml");
  REQUIRE(c.ok());
  return *c;
}

std::vector<std::string> Urls(const std::vector<Endpoint>& eps) {
  std::vector<std::string> out;
  for (const Endpoint& e : eps) out.push_back(e.BaseUrl());
  return out;
}

TEST_CASE("endpoints: without configuration a registry is its own https endpoint") {
  RegistriesConfig none;
  CHECK(Urls(ResolveEndpoints(none, "docker.io")) ==
        std::vector<std::string>{"https://registry-1.docker.io/v2"});
  CHECK(Urls(ResolveEndpoints(none, "quay.io")) == std::vector<std::string>{"https://quay.io/v2"});
  std::vector<Endpoint> local = ResolveEndpoints(none, "127.0.0.1:5000");
  REQUIRE(local.size() == 1);
  CHECK(local[0].BaseUrl() == "https://127.0.0.1:5000/v2");
  CHECK(local[0].http_fallback);  // loopback may answer in plain http
  CHECK_FALSE(local[0].mirror);
  CHECK_FALSE(ResolveEndpoints(none, "quay.io")[0].http_fallback);
}

TEST_CASE("endpoints: mirrors come first, then the registry, and paths get /v2") {
  RegistriesConfig c = MustParse(R"(mirrors:
  docker.io:
    endpoint: ["https://m1:5000", "http://m2/cache/", "m3:7000/v2", "https://registry-1.docker.io"]
    rewrite: {"^library/(.*)$": "hub/$1"}
  "*":
    endpoint: ["http://any:5000"]
configs:
  "m1:5000": {auth: {username: u, password: p}, tls: {insecure_skip_verify: true}}
  docker.io: {auth: {username: hub, password: hp}}
  "*": {tls: {ca_file: /ca.pem}}
)");
  std::vector<Endpoint> eps = ResolveEndpoints(c, "docker.io");
  // The default endpoint is listed explicitly, so it is not added again.
  REQUIRE(Urls(eps) == std::vector<std::string>{"https://m1:5000/v2", "http://m2/cache/v2",
                                                "https://m3:7000/v2",
                                                "https://registry-1.docker.io/v2"});
  CHECK(eps[0].mirror);
  CHECK(eps[0].config.auth == RegistryAuth{"u", "p", ""});
  CHECK(eps[0].config.tls.insecure_skip_verify);
  CHECK(eps[1].config.tls.ca_file == "/ca.pem");  // the "*" config
  CHECK_FALSE(eps[3].mirror);
  CHECK(eps[3].rewrites.empty());  // rewrites never apply to the registry itself

  CHECK(RewriteRepository(eps[0], "library/busybox") == "hub/busybox");
  CHECK(RewriteRepository(eps[0], "team/app") == "team/app");
  CHECK(RewriteRepository(eps[3], "library/busybox") == "library/busybox");

  // Registries without their own mirror entry use "*", then themselves.
  std::vector<Endpoint> other = ResolveEndpoints(c, "ghcr.io");
  CHECK(Urls(other) == std::vector<std::string>{"http://any:5000/v2", "https://ghcr.io/v2"});

  // A docker.io config applies to the hub's default endpoint when it has none of its own.
  RegistriesConfig hub_auth =
      MustParse("configs:\n  docker.io: {auth: {username: a, password: b}}\n");
  std::vector<Endpoint> hub = ResolveEndpoints(hub_auth, "docker.io");
  REQUIRE(hub.size() == 1);
  CHECK(hub[0].config.auth == RegistryAuth{"a", "b", ""});
}

TEST_CASE("rewrites: POSIX patterns with Go's replacement syntax, every match replaced") {
  struct Case {
    const char* pattern;
    const char* replacement;
    const char* repository;
    std::optional<std::string> expected;
  };
  const Case cases[] = {
      {"^rancher/(.*)", "mirrorproject/rancher-images/$1", "rancher/coredns-coredns",
       "mirrorproject/rancher-images/coredns-coredns"},
      {"^rancher/(.*)", "x/$1", "library/busybox", std::nullopt},
      {"^([a-z]+)/([a-z]+)$", "${2}_$1", "team/app", "app_team"},
      {"-", "_", "a-b-c", "a_b_c"},     // every match
      {"^", "pre/", "app", "pre/app"},  // an empty match at the start
      {"(a)", "$$1", "bab", "b$1b"},    // $$ is a literal dollar
      {"(a)", "$1x", "bab", "bb"},      // Go reads $1x as the (missing) group "1x"
      {"^(lib)rary/(.+)", "${1}/$2", "library/busybox", "lib/busybox"},
  };
  for (const Case& c : cases) {
    INFO(c.pattern << " -> " << c.replacement << " on " << c.repository);
    CHECK(ApplyRewrite({c.pattern, c.replacement}, c.repository) == c.expected);
  }
  CHECK(CheckRewritePattern("^(a").code() == Code::kInvalidArgument);
  CHECK_THAT(CheckRewritePattern("a[").message(),
             Catch::StartsWith("invalid regular expression: "));
  CHECK(CheckRewritePattern("^library/(.*)$").ok());
}

TEST_CASE("endpoints: endpoint URLs are parsed and loopback hosts recognised") {
  Result<EndpointUrl> u = ParseEndpointUrl("http://[::1]:5000/a/b/");
  REQUIRE(u.ok());
  CHECK(u->scheme == "http");
  CHECK(u->host == "[::1]:5000");
  CHECK(u->api_root == "/a/b/v2");
  CHECK(u->explicit_scheme);
  Result<EndpointUrl> bare = ParseEndpointUrl("registry.local");
  REQUIRE(bare.ok());
  CHECK(bare->scheme == "https");
  CHECK(bare->api_root == "/v2");
  CHECK_FALSE(bare->explicit_scheme);
  CHECK_FALSE(ParseEndpointUrl("https://").ok());
  CHECK_FALSE(ParseEndpointUrl("https://[zz]:5000").ok());
  CHECK_FALSE(ParseEndpointUrl("https://host:").ok());

  for (const char* h :
       {"localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000", "::1"}) {
    INFO(h);
    CHECK(IsLoopbackHost(h));
  }
  for (const char* h : {"10.0.0.1", "128.0.0.1:5000", "registry", "localhost.example", "[::2]"}) {
    INFO(h);
    CHECK_FALSE(IsLoopbackHost(h));
  }
}

TEST_CASE("auth challenges: Bearer and Basic headers are parsed") {
  std::vector<AuthChallenge> c = ParseAuthChallenges(
      {R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")",
       R"(Basic realm="Registry \"Realm\"", Bearer realm=http://x/token)"});
  REQUIRE(c.size() == 3);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].params ==
        std::map<std::string, std::string>{{"realm", "https://auth.docker.io/token"},
                                           {"service", "registry.docker.io"},
                                           {"scope", "repository:library/busybox:pull"}});
  CHECK(c[1].scheme == "basic");
  CHECK(c[1].params.at("realm") == "Registry \"Realm\"");
  CHECK(c[2].scheme == "bearer");
  CHECK(c[2].params.at("realm") == "http://x/token");
  CHECK(ParseAuthChallenges({""}).empty());
  std::vector<AuthChallenge> bare = ParseAuthChallenges({"Basic"});
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].params.empty());
}

TEST_CASE("token cache: tokens expire and are keyed by credential, never by the secret") {
  TokenCache cache;
  const auto now = TokenCache::Clock::now();
  const std::string anon = TokenCache::Key("reg:5000", "team/app", {});
  const std::string alice = TokenCache::Key("reg:5000", "team/app", {"alice", "pw", ""});
  const std::string bob = TokenCache::Key("reg:5000", "team/app", {"bob", "pw", ""});
  CHECK(anon == "reg:5000|team/app|anonymous");
  CHECK(alice != bob);
  CHECK(alice.find("pw") == std::string::npos);
  CHECK(alice.find("alice") == std::string::npos);

  cache.Put(alice, "t1", now + std::chrono::seconds(60));
  CHECK(cache.Get(alice, now) == std::optional<std::string>("t1"));
  CHECK_FALSE(cache.Get(bob, now).has_value());
  CHECK_FALSE(cache.Get(anon, now).has_value());
  CHECK_FALSE(cache.Get(alice, now + std::chrono::seconds(61)).has_value());
  cache.Drop(alice, "other");  // a different token: kept
  CHECK(cache.Get(alice, now).has_value());
  cache.Drop(alice, "t1");
  CHECK_FALSE(cache.Get(alice, now).has_value());
}

}  // namespace
}  // namespace skiff::runtime::registry
