// Authentication and transport security: Bearer tokens and Basic auth answered by the python
// front (registry_front.py), redirects that must not carry credentials, and https registries.
#include <catch2/catch.hpp>

#include "pull_test_env.h"

namespace skiff::runtime::pulltest {
namespace {

TEST_CASE("pull: bearer token auth with credentials works, without is unauthorized") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "team/app", "v1", "private\n");
  RegistryFront front(reg, FrontOptions{.auth = "bearer", .user = "alice", .password = "pw"});
  Puller puller(RegistriesConfig{}, *env.store, Fast());
  const std::string ref = front.host() + "/team/app:v1";

  Result<Image> anonymous = puller.Pull(Ref(ref), {});
  REQUIRE_FALSE(anonymous.ok());
  CHECK(anonymous.status().code() == Code::kInvalidArgument);
  CHECK(anonymous.status().message() ==
        "failed to resolve reference \"" + ref +
            "\": failed to authorize: failed to fetch anonymous token: unexpected status from GET "
            "request to http://" +
            front.host() + "/token: 401 Unauthorized");

  PullOptions wrong;
  wrong.credentials = {{"alice", "nope", ""}};
  Result<Image> refused = puller.Pull(Ref(ref), wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kInvalidArgument);
  CHECK_THAT(refused.status().message(),
             Catch::Contains("failed to fetch oauth token") && Catch::Contains("401 Unauthorized"));

  // Candidates are tried in order: the wrong one, then the right one.
  PullOptions candidates;
  candidates.credentials = {{"alice", "nope", ""}, {"alice", "pw", ""}};
  Result<Image> image = puller.Pull(Ref(ref), candidates);
  CheckPulled(image, built, env);
  // The scope asked for is the repository's pull scope.
  CHECK(front.Count({"GET /token?service=skiff-test&scope=repository%3Ateam%2Fapp%3Apull",
                     "auth=basic", "status=200"}) == 1);

  // The token is cached for this credential: a second pull asks for no new one...
  const int tokens = front.Count({"/token"});
  PullOptions right;
  right.credentials = {{"alice", "pw", ""}};
  REQUIRE(puller.Pull(Ref(ref), right).ok());
  CHECK(front.Count({"/token"}) == tokens);
  // ...and is never presented for a pull without the credential.
  Result<Image> again = puller.Pull(Ref(ref), {});
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Code::kInvalidArgument);
}

TEST_CASE("pull: a token that expires during a pull is fetched again") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "team/app", "v1", "expiring\n");
  // Each token authorizes two requests; a pull makes four (manifest, config, two layers).
  RegistryFront front(
      reg, FrontOptions{.auth = "bearer", .user = "u", .password = "p", .token_uses = 2});
  Puller puller(RegistriesConfig{}, *env.store, Fast());
  PullOptions options;
  options.credentials = {{"u", "p", ""}};
  CheckPulled(puller.Pull(Ref(front.host() + "/team/app:v1"), options), built, env);
  CHECK(front.Count({"GET /token", "status=200"}) == 2);
}

TEST_CASE("pull: registries.yaml credentials and identity tokens answer the challenge") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "team/app", "v1", "configured\n");

  SECTION("configs.<host>.auth, alone or after the pod's credentials") {
    RegistryFront front(reg, FrontOptions{.auth = "bearer", .user = "bob", .password = "pw"});
    Puller puller(Config("configs:\n  \"" + front.host() +
                         "\":\n    auth:\n      username: bob\n      password: pw\n"),
                  *env.store, Fast());
    CheckPulled(puller.Pull(Ref(front.host() + "/team/app:v1"), {}), built, env);

    Env other;
    Puller second(Config("configs:\n  \"" + front.host() +
                         "\":\n    auth:\n      username: bob\n      password: pw\n"),
                  *other.store, Fast());
    PullOptions options;
    options.credentials = {{"mallory", "guess", ""}};
    CheckPulled(second.Pull(Ref(front.host() + "/team/app:v1"), options), built, other);
    CHECK(front.Count({"GET /token", "status=401"}) == 1);  // mallory's attempt
  }
  SECTION("an identity token is exchanged with the OAuth2 refresh-token grant") {
    RegistryFront front(reg, FrontOptions{.auth = "bearer", .identity_token = "refresh-123"});
    Puller puller(RegistriesConfig{}, *env.store, Fast());
    PullOptions options;
    options.credentials = {{"", "", "refresh-123"}};
    CheckPulled(puller.Pull(Ref(front.host() + "/team/app:v1"), options), built, env);
    CHECK(front.Count({"POST /token", "status=200"}) == 1);
  }
  SECTION("Basic challenges are answered with basic auth") {
    RegistryFront front(reg, FrontOptions{.auth = "basic", .user = "carol", .password = "pw"});
    Puller puller(RegistriesConfig{}, *env.store, Fast());
    Result<Image> none = puller.Pull(Ref(front.host() + "/team/app:v1"), {});
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().code() == Code::kInvalidArgument);
    CHECK_THAT(none.status().message(),
               Catch::Contains("pull access denied") &&
                   Catch::Contains("asks for basic authentication and no credentials were given"));
    PullOptions options;
    options.credentials = {{"carol", "pw", ""}};
    CheckPulled(puller.Pull(Ref(front.host() + "/team/app:v1"), options), built, env);
    CHECK(front.Count({"/blobs/", "auth=basic", "status=200"}) == 3);  // config and 2 layers
  }
}

TEST_CASE("pull: blob redirects are followed without the Authorization header") {
  LocalRegistry reg;
  Env env;
  BuiltImage built = env.Publish(reg.host(), "team/app", "v1", "redirected\n");
  RegistryFront front(
      reg, FrontOptions{.auth = "bearer", .user = "u", .password = "p", .redirect_blobs = true});
  Puller puller(RegistriesConfig{}, *env.store, Fast());
  PullOptions options;
  options.credentials = {{"u", "p", ""}};
  CheckPulled(puller.Pull(Ref(front.host() + "/team/app:v1"), options), built, env);
  // The redirect target refuses (400) any request that still carries credentials.
  CHECK(front.Count({"front GET /v2/team/app/blobs/", "auth=bearer", "status=307"}) == 3);
  CHECK(front.Count({"redirect GET /v2/team/app/blobs/", "auth=none", "status=200"}) == 3);
  CHECK(front.Count({"status=400"}) == 0);
}

TEST_CASE("pull: https registries: CA files, client certificates, loopback trust") {
  TempDir pki_dir;
  const testing::TestPki pki = testing::MakeTestPki(pki_dir.path());
  Env env;

  SECTION("a loopback https registry is used without configuration") {
    testing::RegistryTlsFiles files{pki.server_cert, pki.server_key, ""};
    LocalRegistry reg(&files);
    BuiltImage built = env.Publish(reg.host(), "test/app", "v1", "tls\n");
    Puller puller(RegistriesConfig{}, *env.store, Fast());
    CheckPulled(puller.Pull(Ref(reg.host() + "/test/app:v1"), {}), built, env);
  }
  SECTION("configured TLS is verified and client certificates are presented") {
    testing::RegistryTlsFiles files{pki.server_cert, pki.server_key, pki.ca};
    LocalRegistry reg(&files);
    BuiltImage built = BuildImage(env.layout, "v1", "mtls\n", HostPlatform().architecture);
    Push(env.layout, "v1", reg.host() + "/test/app:v1", {"--dest-cert-dir", pki.skopeo_cert_dir});
    auto config = [&](const std::string& tls) {
      return Config("configs:\n  \"" + reg.host() + "\":\n    tls:\n" + tls);
    };
    const std::string ref = reg.host() + "/test/app:v1";

    Puller good(config("      ca_file: " + pki.ca + "\n      cert_file: " + pki.client_cert +
                       "\n      key_file: " + pki.client_key + "\n"),
                *env.store, Fast());
    CheckPulled(good.Pull(Ref(ref), {}), built, env);

    Env other;
    Puller wrong_ca(config("      ca_file: " + pki.other_ca + "\n      cert_file: " +
                           pki.client_cert + "\n      key_file: " + pki.client_key + "\n"),
                    *other.store, Fast());
    Result<Image> refused = wrong_ca.Pull(Ref(ref), {});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Code::kUnavailable);
    CHECK_THAT(refused.status().message(),
               Catch::StartsWith("failed to resolve reference \"" + ref + "\": Get \"https://" +
                                 reg.host() +
                                 "/v2/test/app/manifests/v1\": tls: failed to "
                                 "verify certificate: "));

    Puller no_client_cert(config("      ca_file: " + pki.ca + "\n"), *other.store, Fast());
    Result<Image> anonymous = no_client_cert.Pull(Ref(ref), {});
    REQUIRE_FALSE(anonymous.ok());
    CHECK(anonymous.status().code() == Code::kUnavailable);
    CHECK_THAT(anonymous.status().message(), Catch::Contains("https://" + reg.host()));
  }
}

}  // namespace
}  // namespace skiff::runtime::pulltest
