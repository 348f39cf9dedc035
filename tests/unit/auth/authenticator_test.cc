// Bearer-token and client-certificate authentication, including a real TLS handshake between
// OpenSSL client and server objects loaded with the PKI's files.
#include "skiff/auth/authenticator.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "auth_test_util.h"
#include "support/temp_dir.h"

namespace skiff::testing {
namespace {

using auth::Authenticator;
using auth::AuthnOutcome;
using auth::AuthnResult;
using auth::UserInfo;

using Strings = std::vector<std::string>;
const std::string kToken(64, 'a');

UserInfo AdminWithAuthenticated() {
  return UserInfo{"system:admin", "", {"system:masters", "system:authenticated"}};
}

TEST_CASE("ParseBearerToken follows kube-apiserver's header parsing") {
  using auth::ParseBearerToken;
  CHECK(ParseBearerToken("Bearer abc") == std::optional<std::string_view>("abc"));
  CHECK(ParseBearerToken("bearer abc") == std::optional<std::string_view>("abc"));
  CHECK(ParseBearerToken("BEARER abc") == std::optional<std::string_view>("abc"));
  CHECK(ParseBearerToken("  Bearer abc \r\n") == std::optional<std::string_view>("abc"));
  CHECK(ParseBearerToken("Bearer abc extra") == std::optional<std::string_view>("abc"));
  CHECK(ParseBearerToken("") == std::nullopt);
  CHECK(ParseBearerToken("Bearer") == std::nullopt);
  CHECK(ParseBearerToken("Bearer ") == std::nullopt);
  CHECK(ParseBearerToken("Bearer  abc") == std::nullopt);  // the second word is empty
  CHECK(ParseBearerToken("Basic dXNlcjpwYXNz") == std::nullopt);
  CHECK(ParseBearerToken("Bearerabc") == std::nullopt);
  CHECK(ParseBearerToken("Bearer\tabc") == std::nullopt);
}

TEST_CASE("the admin token authenticates as system:admin and nothing else does") {
  Authenticator authn;
  REQUIRE(authn.AddToken(kToken, auth::AdminUser()).ok());

  AuthnResult ok = authn.AuthenticateBearer("Bearer " + kToken);
  CHECK(ok.outcome == AuthnOutcome::kAuthenticated);
  CHECK(ok.user == AdminWithAuthenticated());
  CHECK(authn.AuthenticateBearer("bearer " + kToken).outcome == AuthnOutcome::kAuthenticated);

  for (const std::string& bad :
       Strings{"Bearer " + std::string(64, 'b'), "Bearer " + kToken.substr(0, 63),
               "Bearer " + kToken + "a", "Bearer " + std::string(63, 'a') + "A", "Bearer x"}) {
    INFO(bad);
    AuthnResult r = authn.AuthenticateBearer(bad);
    CHECK(r.outcome == AuthnOutcome::kRejected);
    CHECK(r.reason == "invalid bearer token");
    CHECK(r.user.name.empty());
  }
  CHECK(authn.AuthenticateBearer("").outcome == AuthnOutcome::kNoCredentials);
  CHECK(authn.AuthenticateBearer("Basic " + kToken).outcome == AuthnOutcome::kNoCredentials);
}

TEST_CASE("tokens can be added, replaced and removed") {
  Authenticator authn;
  CHECK(authn.AuthenticateBearer("Bearer t1").outcome == AuthnOutcome::kRejected);
  REQUIRE(authn.AddToken("t1", UserInfo{"alice", "u-1", {"dev"}}).ok());
  REQUIRE(authn.AddToken("t2", auth::AdminUser()).ok());
  AuthnResult alice = authn.AuthenticateBearer("Bearer t1");
  CHECK(alice.user == UserInfo{"alice", "u-1", {"dev", "system:authenticated"}});
  REQUIRE(authn.AddToken("t1", UserInfo{"bob", "", {}}).ok());
  CHECK(authn.AuthenticateBearer("Bearer t1").user ==
        UserInfo{"bob", "", {"system:authenticated"}});
  CHECK(authn.RemoveToken("t1"));
  CHECK_FALSE(authn.RemoveToken("t1"));
  CHECK(authn.AuthenticateBearer("Bearer t1").outcome == AuthnOutcome::kRejected);
  CHECK(authn.AuthenticateBearer("Bearer t2").outcome == AuthnOutcome::kAuthenticated);

  Status empty = authn.AddToken("", auth::AdminUser());
  CHECK(empty.code() == Code::kInvalidArgument);
  CHECK(empty.message() == "a bearer token must not be empty");
  Status nameless = authn.AddToken("t3", UserInfo{});
  CHECK(nameless.message() == "a bearer token's user must have a name");
}

TEST_CASE("the authenticator serves concurrent requests while tokens change") {
  Authenticator authn;
  REQUIRE(authn.AddToken(kToken, auth::AdminUser()).ok());
  std::atomic<int> wrong{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (authn.AuthenticateBearer("Bearer " + kToken).user != AdminWithAuthenticated()) ++wrong;
        if (authn.AuthenticateBearer("Bearer nope").outcome != AuthnOutcome::kRejected) ++wrong;
      }
    });
  }
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      std::string t = "rotating-" + std::to_string(i % 16);
      if (!authn.AddToken(t, UserInfo{"u", "", {}}).ok()) ++wrong;
      authn.RemoveToken(t);
    }
  });
  for (auto& r : readers) r.join();
  stop = true;
  writer.join();
  CHECK(wrong == 0);
}

TEST_CASE("a client certificate's user is its CN and its groups its O values") {
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  o.clients = {auth::AdminClientCert(), {"client-dev", "jane", {"dev", "ops"}}};
  auth::ServingMaterial m = MustEnsure(o);

  ossl::X509Ptr admin = Cert(m.clients.at("client-admin").cert_pem);
  AuthnResult plain = auth::UserFromCertificate(admin.get());
  CHECK(plain.outcome == AuthnOutcome::kAuthenticated);
  CHECK(plain.user == auth::AdminUser());

  ossl::X509Ptr dev = Cert(m.clients.at("client-dev").cert_pem);
  Authenticator authn;
  CHECK(authn.AuthenticateCertificate(dev.get()).user ==
        UserInfo{"jane", "", {"dev", "ops", "system:authenticated"}});

  // A serving certificate is not a client credential.
  ossl::X509Ptr serving = Cert(m.serving.cert_pem);
  AuthnResult rejected = auth::UserFromCertificate(serving.get());
  CHECK(rejected.outcome == AuthnOutcome::kRejected);
  CHECK(rejected.reason == "x509: certificate specifies an incompatible key usage");

  CHECK(auth::UserFromCertificate(nullptr).outcome == AuthnOutcome::kNoCredentials);
}

TEST_CASE("a certificate without a common name carries no user") {
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  auth::ServingMaterial m = MustEnsure(o);
  // Strip the subject of a copy of the admin certificate (the signature no longer matters
  // here: the TLS layer would have rejected it; this checks the subject rule alone).
  ossl::X509Ptr cert = Cert(m.clients.at("client-admin").cert_pem);
  ossl::X509NamePtr empty(X509_NAME_new());
  REQUIRE(X509_NAME_add_entry_by_NID(empty.get(), NID_organizationName, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>("system:masters"), -1,
                                     -1, 0) == 1);
  REQUIRE(X509_set_subject_name(cert.get(), empty.get()) == 1);
  CHECK(auth::UserFromCertificate(cert.get()).outcome == AuthnOutcome::kNoCredentials);
}

TEST_CASE("Authenticate prefers the certificate, then the token, then reports rejection") {
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  o.clients = {{"client-dev", "jane", {"dev"}}};
  auth::ServingMaterial m = MustEnsure(o);
  ossl::X509Ptr jane = Cert(m.clients.at("client-dev").cert_pem);
  ossl::X509Ptr serving = Cert(m.serving.cert_pem);
  Authenticator authn;
  REQUIRE(authn.AddToken(kToken, auth::AdminUser()).ok());

  CHECK(authn.Authenticate(jane.get(), "Bearer wrong").user.name == "jane");
  CHECK(authn.Authenticate(nullptr, "Bearer " + kToken).user == AdminWithAuthenticated());
  CHECK(authn.Authenticate(serving.get(), "Bearer " + kToken).user == AdminWithAuthenticated());
  AuthnResult bad_token = authn.Authenticate(nullptr, "Bearer wrong");
  CHECK(bad_token.outcome == AuthnOutcome::kRejected);
  CHECK(bad_token.reason == "invalid bearer token");
  AuthnResult bad_cert = authn.Authenticate(serving.get(), "");
  CHECK(bad_cert.outcome == AuthnOutcome::kRejected);
  CHECK(authn.Authenticate(nullptr, "").outcome == AuthnOutcome::kNoCredentials);
}

// ---- A TLS handshake in memory, as the API server and kubectl would do it ----

using SslCtxPtr = std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, ossl::Deleter<SSL_free>>;

SslCtxPtr Context(bool server, const std::string& ca_pem, const std::string& cert_pem,
                  const std::string& key_pem) {
  SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  REQUIRE(ctx);
  ossl::X509Ptr ca = Cert(ca_pem);
  REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca.get()) == 1);
  if (!cert_pem.empty()) {
    REQUIRE(SSL_CTX_use_certificate(ctx.get(), Cert(cert_pem).get()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), Key(key_pem).get()) == 1);
  }
  // The server asks for a client certificate but lets token users in without one.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (server) REQUIRE(SSL_CTX_add_client_CA(ctx.get(), ca.get()) == 1);
  return ctx;
}

struct Handshake {
  bool ok = false;
  long client_verify = -1;
  long server_verify = -1;
  AuthnResult user;
};

Handshake Connect(SSL_CTX* server_ctx, SSL_CTX* client_ctx, const char* host) {
  SslPtr server(SSL_new(server_ctx));
  SslPtr client(SSL_new(client_ctx));
  REQUIRE(server);
  REQUIRE(client);
  BIO* a = nullptr;
  BIO* b = nullptr;
  REQUIRE(BIO_new_bio_pair(&a, 0, &b, 0) == 1);
  SSL_set_bio(client.get(), a, a);  // each SSL owns its end
  SSL_set_bio(server.get(), b, b);
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
  REQUIRE(SSL_set1_host(client.get(), host) == 1);
  SSL_set_tlsext_host_name(client.get(), host);
  bool client_done = false;
  bool server_done = false;
  bool failed = false;
  for (int i = 0; i < 50 && !(client_done && server_done) && !failed; ++i) {
    if (!client_done) {
      int rc = SSL_do_handshake(client.get());
      client_done = rc == 1;
      if (rc <= 0 && SSL_get_error(client.get(), rc) != SSL_ERROR_WANT_READ) failed = true;
    }
    if (!server_done) {
      int rc = SSL_do_handshake(server.get());
      server_done = rc == 1;
      if (rc <= 0 && SSL_get_error(server.get(), rc) != SSL_ERROR_WANT_READ) failed = true;
    }
  }
  ERR_clear_error();
  Handshake h;
  h.ok = client_done && server_done;
  h.client_verify = SSL_get_verify_result(client.get());
  h.server_verify = SSL_get_verify_result(server.get());
  if (h.ok) {
    // TLS 1.3 sends the client certificate in the client's last flight; the server has it now.
    h.user = Authenticator().AuthenticateCertificate(SSL_get0_peer_certificate(server.get()));
  }
  return h;
}

TEST_CASE("a TLS handshake with the PKI's files authenticates the admin by certificate") {
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  o.hostname = "edge-1";
  auth::ServingMaterial m = MustEnsure(o);
  const auto& admin = m.clients.at("client-admin");
  SslCtxPtr server = Context(true, m.ca_cert_pem, m.serving.cert_pem, m.serving.key_pem);

  SECTION("kubectl with the admin certificate") {
    SslCtxPtr client = Context(false, m.ca_cert_pem, admin.cert_pem, admin.key_pem);
    for (const char* host : {"127.0.0.1", "kubernetes.default.svc", "edge-1", "localhost"}) {
      INFO(host);
      Handshake h = Connect(server.get(), client.get(), host);
      CHECK(h.ok);
      CHECK(h.client_verify == X509_V_OK);
      CHECK(h.server_verify == X509_V_OK);
      CHECK(h.user.outcome == AuthnOutcome::kAuthenticated);
      CHECK(h.user.user == AdminWithAuthenticated());
    }
  }
  SECTION("a client without a certificate connects (and would use a token)") {
    SslCtxPtr client = Context(false, m.ca_cert_pem, "", "");
    Handshake h = Connect(server.get(), client.get(), "kubernetes");
    CHECK(h.ok);
    CHECK(h.user.outcome == AuthnOutcome::kNoCredentials);
  }
  SECTION("a name the certificate does not cover fails the client's check") {
    SslCtxPtr client = Context(false, m.ca_cert_pem, admin.cert_pem, admin.key_pem);
    Handshake h = Connect(server.get(), client.get(), "evil.example");
    CHECK_FALSE(h.ok);
    CHECK(h.client_verify == X509_V_ERR_HOSTNAME_MISMATCH);
  }
  SECTION("a client certificate from another CA is refused by the server") {
    TempDir other_dir;
    auth::PkiOptions other = o;
    other.tls_dir = other_dir / "tls";
    auth::ServingMaterial foreign = MustEnsure(other);
    const auto& intruder = foreign.clients.at("client-admin");
    SslCtxPtr client = Context(false, m.ca_cert_pem, intruder.cert_pem, intruder.key_pem);
    Handshake h = Connect(server.get(), client.get(), "kubernetes");
    CHECK_FALSE(h.ok);
    CHECK(h.server_verify != X509_V_OK);
  }
}

}  // namespace
}  // namespace skiff::testing
