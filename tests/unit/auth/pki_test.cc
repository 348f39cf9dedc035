// EnsurePki: what it creates, what it keeps, what it renews and what it refuses to touch.
#include "skiff/auth/pki.h"

#include <catch2/catch.hpp>
#include <thread>

#include "auth_test_util.h"
#include "skiff/auth/user.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace skiff::testing {
namespace {

using auth::EnsurePki;
using auth::PkiOptions;
using auth::ServingMaterial;
using std::chrono::seconds;

const std::vector<std::string> kAllFiles = {"ca.crt",      "ca.key",           "serving.crt",
                                            "serving.key", "client-admin.crt", "client-admin.key"};

PkiOptions Options(const TempDir& dir) {
  PkiOptions o;
  o.tls_dir = dir / "server/tls";
  o.hostname = "edge-1";
  o.node_ips = {"192.168.7.20"};
  return o;
}

bool HasDns(const X509* cert, const std::string& name) {
  auto sans = ossl::GetSubjectAltNames(cert);
  return std::find(sans.dns.begin(), sans.dns.end(), name) != sans.dns.end();
}

bool HasIp(const X509* cert, const std::string& ip) {
  return X509_check_ip_asc(const_cast<X509*>(cert), ip.c_str(), 0) == 1;
}

bool CriticalExtension(const X509* cert, int nid) {
  int i = X509_get_ext_by_NID(cert, nid, -1);
  REQUIRE(i >= 0);
  return X509_EXTENSION_get_critical(X509_get_ext(cert, i)) == 1;
}

TEST_CASE("first start creates the CA, serving and admin certificates that verify") {
  TempDir dir;
  ServingMaterial m = MustEnsure(Options(dir));
  const std::string tls = dir / "server/tls";

  CHECK(m.ca_cert_path == tls + "/ca.crt");
  CHECK(m.serving.cert_path == tls + "/serving.crt");
  CHECK(m.serving.key_path == tls + "/serving.key");
  REQUIRE(m.clients.count("client-admin") == 1);
  CHECK(m.clients.at("client-admin").cert_path == tls + "/client-admin.crt");
  CHECK(m.issued ==
        std::vector<std::string>{tls + "/ca.crt", tls + "/serving.crt", tls + "/client-admin.crt"});
  // The returned PEMs are the files' bytes.
  CHECK(m.ca_cert_pem == ReadOrEmpty(tls + "/ca.crt"));
  CHECK(m.serving.cert_pem == ReadOrEmpty(tls + "/serving.crt"));
  CHECK(m.serving.key_pem == ReadOrEmpty(tls + "/serving.key"));
  CHECK(m.serving.key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);

  CHECK(VerifyChain(m.ca_cert_pem, m.serving.cert_pem, X509_PURPOSE_SSL_SERVER) == X509_V_OK);
  CHECK(VerifyChain(m.ca_cert_pem, m.clients.at("client-admin").cert_pem,
                    X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
  // Each leaf is for its own purpose only.
  CHECK(VerifyChain(m.ca_cert_pem, m.serving.cert_pem, X509_PURPOSE_SSL_CLIENT) ==
        X509_V_ERR_INVALID_PURPOSE);
  CHECK(VerifyChain(m.ca_cert_pem, m.clients.at("client-admin").cert_pem,
                    X509_PURPOSE_SSL_SERVER) == X509_V_ERR_INVALID_PURPOSE);
  // Keys match their certificates.
  CHECK(X509_check_private_key(Cert(m.serving.cert_pem).get(), Key(m.serving.key_pem).get()) == 1);
}

TEST_CASE("the CA is a 10-year self-signed ECDSA P-256 CA with the right extensions") {
  TempDir dir;
  PkiOptions o = Options(dir);
  o.now = FixedNow();
  ServingMaterial m = MustEnsure(o);
  ossl::X509Ptr ca = Cert(m.ca_cert_pem);
  CHECK(X509_check_issued(ca.get(), ca.get()) == X509_V_OK);
  CHECK(ossl::IsCa(ca.get()));
  CHECK(CriticalExtension(ca.get(), NID_basic_constraints));
  CHECK(CriticalExtension(ca.get(), NID_key_usage));
  CHECK(X509_get_key_usage(ca.get()) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE));
  CHECK(X509_get0_subject_key_id(ca.get()) != nullptr);
  CHECK(ToTime(NotAfterOf(m.ca_cert_pem)) == ToTime(o.now + 3650 * auth::kOneDay));
  CHECK(ToTime(NotBeforeOf(m.ca_cert_pem)) == ToTime(o.now - std::chrono::hours(1)));
  CHECK(m.ca_not_after == NotAfterOf(m.ca_cert_pem));
  auto cn = ossl::SubjectValues(ca.get(), NID_commonName);
  REQUIRE(cn.size() == 1);
  CHECK(cn[0] == "skiff-server-ca@" + std::to_string(ToTime(o.now)));
  const EVP_PKEY* key = X509_get0_pubkey(ca.get());
  CHECK(EVP_PKEY_is_a(key, "EC") == 1);
  char group[64] = {};
  size_t len = 0;
  REQUIRE(EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &len) == 1);
  CHECK(std::string(group) == "prime256v1");
  CHECK(X509_get_signature_nid(ca.get()) == NID_ecdsa_with_SHA256);
}

TEST_CASE("the serving certificate carries every Kubernetes SAN and serverAuth for one year") {
  TempDir dir;
  PkiOptions o = Options(dir);
  o.now = FixedNow();
  o.extra_sans = {"skiff.example.com", "203.0.113.9"};
  ServingMaterial m = MustEnsure(o);
  ossl::X509Ptr cert = Cert(m.serving.cert_pem);
  for (const char* dns : {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                          "kubernetes.default.svc.cluster.local", "edge-1", "skiff.example.com"}) {
    INFO(dns);
    CHECK(HasDns(cert.get(), dns));
    CHECK(X509_check_host(cert.get(), dns, 0, 0, nullptr) == 1);
  }
  for (const char* ip : {"127.0.0.1", "::1", "10.43.0.1", "192.168.7.20", "203.0.113.9"}) {
    INFO(ip);
    CHECK(HasIp(cert.get(), ip));
  }
  CHECK_FALSE(HasIp(cert.get(), "10.43.0.10"));
  CHECK(X509_check_host(cert.get(), "evil.example", 0, 0, nullptr) == 0);
  auto sans = ossl::GetSubjectAltNames(cert.get());
  CHECK(sans.dns.size() == 7);
  CHECK(sans.ips.size() == 5);

  CHECK((X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER) != 0);
  CHECK((X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT) == 0);
  CHECK(X509_get_key_usage(cert.get()) == KU_DIGITAL_SIGNATURE);
  CHECK_FALSE(ossl::IsCa(cert.get()));
  CHECK(X509_get0_subject_key_id(cert.get()) != nullptr);
  CHECK(X509_get0_authority_key_id(cert.get()) != nullptr);
  CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()),
                              X509_get0_subject_key_id(Cert(m.ca_cert_pem).get())) == 0);
  CHECK(ToTime(NotAfterOf(m.serving.cert_pem)) == ToTime(o.now + 365 * auth::kOneDay));
  CHECK(m.serving.not_after == NotAfterOf(m.serving.cert_pem));
  // Renewal is due 90 days before the leaves expire.
  CHECK(ToTime(m.renew_at) == ToTime(o.now + 275 * auth::kOneDay));
}

TEST_CASE("the admin certificate is CN=system:admin, O=system:masters with clientAuth") {
  TempDir dir;
  ServingMaterial m = MustEnsure(Options(dir));
  ossl::X509Ptr cert = Cert(m.clients.at("client-admin").cert_pem);
  CHECK(ossl::SubjectValues(cert.get(), NID_commonName) ==
        std::vector<std::string>{"system:admin"});
  CHECK(ossl::SubjectValues(cert.get(), NID_organizationName) ==
        std::vector<std::string>{"system:masters"});
  char buf[256];
  X509_NAME_oneline(X509_get_subject_name(cert.get()), buf, sizeof buf);
  CHECK(std::string(buf) == "/O=system:masters/CN=system:admin");
  CHECK(X509_get_extended_key_usage(cert.get()) == XKU_SSL_CLIENT);
  CHECK(ossl::GetSubjectAltNames(cert.get()).dns.empty());
}

TEST_CASE("extra client certificates are issued from the same CA") {
  TempDir dir;
  PkiOptions o = Options(dir);
  o.clients.push_back({"client-node", "system:node:edge-1", {"system:nodes"}});
  ServingMaterial m = MustEnsure(o);
  REQUIRE(m.clients.count("client-node") == 1);
  const auto& node = m.clients.at("client-node");
  CHECK(node.cert_path == dir / "server/tls/client-node.crt");
  CHECK(VerifyChain(m.ca_cert_pem, node.cert_pem, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
  ossl::X509Ptr cert = Cert(node.cert_pem);
  CHECK(ossl::SubjectValues(cert.get(), NID_commonName) ==
        std::vector<std::string>{"system:node:edge-1"});
  CHECK(ossl::SubjectValues(cert.get(), NID_organizationName) ==
        std::vector<std::string>{"system:nodes"});
}

TEST_CASE("keys are written 0600, certificates 0644 and the TLS directory 0700") {
  TempDir dir;
  mode_t old = ::umask(0);  // the modes must not depend on the umask
  ServingMaterial m = MustEnsure(Options(dir));
  ::umask(old);
  const std::string tls = dir / "server/tls";
  CHECK(FileMode(tls) == 0700);
  for (const char* f : {"ca.key", "serving.key", "client-admin.key"}) {
    INFO(f);
    CHECK(FileMode(tls + "/" + f) == 0600);
  }
  for (const char* f : {"ca.crt", "serving.crt", "client-admin.crt"}) {
    INFO(f);
    CHECK(FileMode(tls + "/" + f) == 0644);
  }
}

TEST_CASE("a restart reuses every file byte for byte") {
  TempDir dir;
  ServingMaterial first = MustEnsure(Options(dir));
  auto before = Snapshot(dir / "server/tls", kAllFiles);
  ServingMaterial second = MustEnsure(Options(dir));
  CHECK(second.issued.empty());
  CHECK(Snapshot(dir / "server/tls", kAllFiles) == before);
  CHECK(second.ca_cert_pem == first.ca_cert_pem);
  CHECK(second.serving.cert_pem == first.serving.cert_pem);
  CHECK(second.serving.key_pem == first.serving.key_pem);
  CHECK(second.clients.at("client-admin").key_pem == first.clients.at("client-admin").key_pem);
  CHECK(Serial(Cert(second.serving.cert_pem).get()) == Serial(Cert(first.serving.cert_pem).get()));
  CHECK(second.renew_at == first.renew_at);
}

TEST_CASE("leaves are re-issued from the same CA when they enter the renewal window") {
  TempDir dir;
  PkiOptions o = Options(dir);
  auto t0 = FixedNow();
  o.now = t0;
  o.leaf_lifetime = seconds(10);
  o.renew_before = seconds(5);
  ServingMaterial first = MustEnsure(o);
  CHECK(first.renew_at == t0 + seconds(5));

  o.now = t0 + seconds(4);  // 6s left: outside the window
  ServingMaterial kept = MustEnsure(o);
  CHECK(kept.issued.empty());
  CHECK(kept.serving.cert_pem == first.serving.cert_pem);

  o.now = t0 + seconds(6);  // 4s left: renew
  ServingMaterial renewed = MustEnsure(o);
  const std::string tls = dir / "server/tls";
  CHECK(renewed.issued ==
        std::vector<std::string>{tls + "/serving.crt", tls + "/client-admin.crt"});
  CHECK(renewed.ca_cert_pem == first.ca_cert_pem);
  CHECK(ReadOrEmpty(tls + "/ca.key").size() > 0);
  CHECK(Serial(Cert(renewed.serving.cert_pem).get()) != Serial(Cert(first.serving.cert_pem).get()));
  CHECK(renewed.serving.key_pem != first.serving.key_pem);  // a fresh key
  CHECK(ToTime(renewed.serving.not_after) == ToTime(t0 + seconds(16)));
  CHECK(renewed.renew_at == t0 + seconds(11));
  CHECK(VerifyChain(renewed.ca_cert_pem, renewed.serving.cert_pem, X509_PURPOSE_SSL_SERVER,
                    ToTime(t0 + seconds(6))) == X509_V_OK);
  CHECK(VerifyChain(renewed.ca_cert_pem, renewed.clients.at("client-admin").cert_pem,
                    X509_PURPOSE_SSL_CLIENT, ToTime(t0 + seconds(6))) == X509_V_OK);
  // The old leaf has expired by t0+11; the new one has not.
  CHECK(VerifyChain(first.ca_cert_pem, first.serving.cert_pem, X509_PURPOSE_SSL_SERVER,
                    ToTime(t0 + seconds(11))) == X509_V_ERR_CERT_HAS_EXPIRED);
  CHECK(VerifyChain(renewed.ca_cert_pem, renewed.serving.cert_pem, X509_PURPOSE_SSL_SERVER,
                    ToTime(t0 + seconds(11))) == X509_V_OK);
}

TEST_CASE("renew_all re-issues every leaf now and keeps the CA") {
  TempDir dir;
  PkiOptions o = Options(dir);
  ServingMaterial first = MustEnsure(o);
  const std::string tls = dir / "server/tls";
  const std::string ca_key = ReadOrEmpty(tls + "/ca.key");
  o.renew_all = true;
  ServingMaterial rotated = MustEnsure(o);
  CHECK(rotated.issued ==
        std::vector<std::string>{tls + "/serving.crt", tls + "/client-admin.crt"});
  CHECK(rotated.ca_cert_pem == first.ca_cert_pem);
  CHECK(ReadOrEmpty(tls + "/ca.key") == ca_key);
  CHECK(rotated.serving.key_pem != first.serving.key_pem);
  CHECK(rotated.clients.at("client-admin").key_pem != first.clients.at("client-admin").key_pem);
  CHECK(VerifyChain(rotated.ca_cert_pem, rotated.serving.cert_pem, X509_PURPOSE_SSL_SERVER) ==
        X509_V_OK);
  // The next ordinary call keeps what the rotation wrote.
  o.renew_all = false;
  ServingMaterial after = MustEnsure(o);
  CHECK(after.issued.empty());
  CHECK(after.serving.cert_pem == rotated.serving.cert_pem);
}

TEST_CASE("concurrent first starts on one directory agree on one CA") {
  TempDir dir;
  PkiOptions o = Options(dir);
  constexpr int kCallers = 4;
  std::vector<std::string> cas(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      auto m = EnsurePki(o);
      if (m.ok()) cas[i] = m->ca_cert_pem;
    });
  }
  for (auto& t : threads) t.join();
  const std::string on_disk = ReadOrEmpty(dir / "server/tls/ca.crt");
  REQUIRE_FALSE(on_disk.empty());
  for (const std::string& ca : cas) CHECK(ca == on_disk);
}

TEST_CASE("an expired leaf is re-issued") {
  TempDir dir;
  PkiOptions o = Options(dir);
  auto t0 = FixedNow();
  o.now = t0;
  o.leaf_lifetime = seconds(2);
  o.renew_before = seconds(1);
  ServingMaterial first = MustEnsure(o);
  o.now = t0 + seconds(60);
  ServingMaterial renewed = MustEnsure(o);
  CHECK(renewed.issued.size() == 2);
  CHECK(ToTime(renewed.serving.not_after) == ToTime(t0 + seconds(62)));
  CHECK(renewed.ca_cert_pem == first.ca_cert_pem);
}

TEST_CASE("leaves never outlive the CA and are not churned when they cannot last longer") {
  TempDir dir;
  PkiOptions o = Options(dir);
  auto t0 = FixedNow();
  o.now = t0;
  o.ca_lifetime = seconds(100);
  o.leaf_lifetime = seconds(1000);
  o.renew_before = seconds(500);
  ServingMaterial first = MustEnsure(o);
  CHECK(first.serving.not_after == first.ca_not_after);
  CHECK(ToTime(first.ca_not_after) == ToTime(t0 + seconds(100)));
  CHECK(first.renew_at == first.ca_not_after);
  o.now = t0 + seconds(50);  // inside the window, but a new leaf would end at the same time
  ServingMaterial second = MustEnsure(o);
  CHECK(second.issued.empty());
  CHECK(second.serving.cert_pem == first.serving.cert_pem);
}

TEST_CASE("the serving certificate is re-issued when the requested SANs change") {
  TempDir dir;
  PkiOptions o = Options(dir);
  ServingMaterial first = MustEnsure(o);
  const std::string tls = dir / "server/tls";

  o.node_ips = {"192.168.7.21"};  // DHCP gave the node a new address
  ServingMaterial moved = MustEnsure(o);
  CHECK(moved.issued == std::vector<std::string>{tls + "/serving.crt"});
  CHECK(moved.ca_cert_pem == first.ca_cert_pem);
  CHECK(moved.clients.at("client-admin").cert_pem == first.clients.at("client-admin").cert_pem);
  ossl::X509Ptr cert = Cert(moved.serving.cert_pem);
  CHECK(HasIp(cert.get(), "192.168.7.21"));
  CHECK_FALSE(HasIp(cert.get(), "192.168.7.20"));
  CHECK(VerifyChain(moved.ca_cert_pem, moved.serving.cert_pem, X509_PURPOSE_SSL_SERVER) ==
        X509_V_OK);

  o.extra_sans = {"skiff.example.com"};
  ServingMaterial named = MustEnsure(o);
  CHECK(named.issued == std::vector<std::string>{tls + "/serving.crt"});
  CHECK(HasDns(Cert(named.serving.cert_pem).get(), "skiff.example.com"));

  o.cluster_domain = "edge.internal";
  ServingMaterial domain = MustEnsure(o);
  CHECK(domain.issued == std::vector<std::string>{tls + "/serving.crt"});
  CHECK(HasDns(Cert(domain.serving.cert_pem).get(), "kubernetes.default.svc.edge.internal"));

  // Asking for fewer names than the certificate has is still covered: no churn.
  o.extra_sans.clear();
  ServingMaterial fewer = MustEnsure(o);
  CHECK(fewer.issued.empty());
  CHECK(fewer.serving.cert_pem == domain.serving.cert_pem);
}

TEST_CASE("a client certificate is re-issued when its subject changes") {
  TempDir dir;
  PkiOptions o = Options(dir);
  o.clients = {{"client-ops", "ops", {"team-a"}}};
  ServingMaterial first = MustEnsure(o);
  o.clients = {{"client-ops", "ops", {"team-a", "team-b"}}};
  ServingMaterial second = MustEnsure(o);
  CHECK(second.issued == std::vector<std::string>{dir / "server/tls/client-ops.crt"});
  CHECK(ossl::SubjectValues(Cert(second.clients.at("client-ops").cert_pem).get(),
                            NID_organizationName) == std::vector<std::string>{"team-a", "team-b"});
  CHECK(second.serving.cert_pem == first.serving.cert_pem);
}

TEST_CASE("damaged or foreign leaves are re-issued, the CA is kept") {
  TempDir dir;
  PkiOptions o = Options(dir);
  ServingMaterial first = MustEnsure(o);
  const std::string tls = dir / "server/tls";

  SECTION("garbage certificate") {
    REQUIRE(WriteFileAtomic(tls + "/serving.crt", "not a certificate\n", 0644).ok());
  }
  SECTION("missing key") { REQUIRE(::unlink((tls + "/serving.key").c_str()) == 0); }
  SECTION("key of another certificate") {
    REQUIRE(
        WriteFileAtomic(tls + "/serving.key", first.clients.at("client-admin").key_pem, 0600).ok());
  }
  SECTION("issued by another CA") {
    TempDir other;
    ServingMaterial foreign = MustEnsure(Options(other));
    REQUIRE(WriteFileAtomic(tls + "/serving.crt", foreign.serving.cert_pem, 0644).ok());
    REQUIRE(WriteFileAtomic(tls + "/serving.key", foreign.serving.key_pem, 0600).ok());
  }
  ServingMaterial fixed = MustEnsure(o);
  CHECK(fixed.issued == std::vector<std::string>{tls + "/serving.crt"});
  CHECK(fixed.ca_cert_pem == first.ca_cert_pem);
  CHECK(VerifyChain(fixed.ca_cert_pem, fixed.serving.cert_pem, X509_PURPOSE_SSL_SERVER) ==
        X509_V_OK);
  CHECK(X509_check_private_key(Cert(ReadOrEmpty(tls + "/serving.crt")).get(),
                               Key(ReadOrEmpty(tls + "/serving.key")).get()) == 1);
}

TEST_CASE("an unusable CA is an error naming the file, and no file is touched") {
  TempDir dir;
  PkiOptions o = Options(dir);
  ServingMaterial first = MustEnsure(o);
  const std::string tls = dir / "server/tls";
  std::string expect_in_message;

  SECTION("corrupt ca.crt") {
    REQUIRE(WriteFileAtomic(tls + "/ca.crt", "-----BEGIN CERTIFICATE-----\ngarbage\n", 0644).ok());
    expect_in_message = "the cluster CA certificate " + tls + "/ca.crt is unreadable";
  }
  SECTION("corrupt ca.key") {
    REQUIRE(WriteFileAtomic(tls + "/ca.key", "junk", 0600).ok());
    expect_in_message = "the cluster CA key " + tls + "/ca.key is unreadable";
  }
  SECTION("missing ca.crt while leaves exist") {
    REQUIRE(::unlink((tls + "/ca.crt").c_str()) == 0);
    expect_in_message = "the cluster CA certificate " + tls + "/ca.crt is missing but " + tls +
                        "/serving.crt exists";
  }
  SECTION("missing ca.key") {
    REQUIRE(::unlink((tls + "/ca.key").c_str()) == 0);
    expect_in_message = "the cluster CA key " + tls + "/ca.key is missing";
  }
  SECTION("ca.key of another CA") {
    TempDir other;
    MustEnsure(Options(other));
    REQUIRE(WriteFileAtomic(tls + "/ca.key", ReadOrEmpty(other / "server/tls/ca.key"), 0600).ok());
    expect_in_message =
        "the cluster CA key " + tls + "/ca.key does not match the certificate " + tls + "/ca.crt";
  }
  SECTION("ca.crt that is not a CA") {
    REQUIRE(WriteFileAtomic(tls + "/ca.crt", first.serving.cert_pem, 0644).ok());
    REQUIRE(WriteFileAtomic(tls + "/ca.key", first.serving.key_pem, 0600).ok());
    expect_in_message = "the cluster CA certificate " + tls + "/ca.crt is not a CA certificate";
  }
  SECTION("expired CA") {
    o.now = NotAfterOf(first.ca_cert_pem) + seconds(1);
    expect_in_message = "the cluster CA certificate " + tls + "/ca.crt expired at ";
  }
  auto before = Snapshot(tls, kAllFiles);
  auto result = EnsurePki(o);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Code::kCorrupt);
  CHECK_THAT(result.status().message(), Catch::Contains(expect_in_message));
  CHECK_THAT(result.status().message(), Catch::Contains("never replaced automatically"));
  CHECK(Snapshot(tls, kAllFiles) == before);
}

TEST_CASE("an interrupted first start (CA key written, certificate not) starts over") {
  TempDir dir;
  PkiOptions o = Options(dir);
  REQUIRE(MakeDirs(o.tls_dir).ok());
  REQUIRE(WriteFileAtomic(o.tls_dir + "/ca.key", "half-written", 0600).ok());
  ServingMaterial m = MustEnsure(o);
  CHECK(m.issued.size() == 3);
  CHECK(VerifyChain(m.ca_cert_pem, m.serving.cert_pem, X509_PURPOSE_SSL_SERVER) == X509_V_OK);
}

TEST_CASE("bad PKI options are rejected before anything is written") {
  TempDir dir;
  PkiOptions o = Options(dir);
  std::string expect;
  SECTION("renewal window not shorter than the lifetime") {
    o.leaf_lifetime = seconds(10);
    o.renew_before = seconds(10);
    expect = "PKI options: renew_before (10s) must be at least 0 and less than leaf_lifetime (10s)";
  }
  SECTION("bad client name") {
    o.clients = {{"Admin/x", "a", {}}};
    expect = "PKI options: invalid client certificate name \"Admin/x\"";
  }
  SECTION("reserved client name") {
    o.clients = {{"serving", "a", {}}};
    expect = "PKI options: invalid client certificate name \"serving\"";
  }
  SECTION("duplicate client") {
    o.clients = {auth::AdminClientCert(), auth::AdminClientCert()};
    expect = "PKI options: duplicate client certificate name \"client-admin\"";
  }
  SECTION("bad node IP") {
    o.node_ips = {"192.168.7.300"};
    expect = "invalid node IP \"192.168.7.300\": not an IPv4 or IPv6 address";
  }
  SECTION("no TLS dir") {
    o.tls_dir.clear();
    expect = "PKI options: tls_dir is empty";
  }
  auto result = EnsurePki(o);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Code::kInvalidArgument);
  CHECK_THAT(result.status().message(), Catch::StartsWith(expect));
  CHECK_FALSE(Exists(dir / "server"));
}

TEST_CASE("openssl verify accepts the serving and admin certificates") {
  const std::string openssl = "/usr/bin/openssl";
  if (!Exists(openssl)) {
    FAIL("no " << openssl << ": scripts/install-deps.sh installs it");
  }
  TempDir dir;
  ServingMaterial m = MustEnsure(Options(dir));
  const std::string tls = dir / "server/tls";
  auto run = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), openssl);
    return Run(argv);
  };
  RunResult plain = run({"verify", "-CAfile", tls + "/ca.crt", tls + "/serving.crt"});
  INFO(plain.err);
  CHECK(plain.exit_code == 0);
  CHECK(plain.out == tls + "/serving.crt: OK\n");

  RunResult server = run({"verify", "-CAfile", tls + "/ca.crt", "-purpose", "sslserver",
                          "-verify_hostname", "kubernetes.default.svc", tls + "/serving.crt"});
  CHECK(server.exit_code == 0);
  RunResult ip = run({"verify", "-CAfile", tls + "/ca.crt", "-purpose", "sslserver", "-verify_ip",
                      "10.43.0.1", tls + "/serving.crt"});
  CHECK(ip.exit_code == 0);
  RunResult client = run(
      {"verify", "-CAfile", tls + "/ca.crt", "-purpose", "sslclient", tls + "/client-admin.crt"});
  CHECK(client.exit_code == 0);

  RunResult wrong_host = run({"verify", "-CAfile", tls + "/ca.crt", "-verify_hostname",
                              "evil.example", tls + "/serving.crt"});
  CHECK(wrong_host.exit_code != 0);
  TempDir other;
  MustEnsure(Options(other));
  RunResult foreign = run({"verify", "-CAfile", other / "server/tls/ca.crt", tls + "/serving.crt"});
  CHECK(foreign.exit_code != 0);
}

}  // namespace
}  // namespace skiff::testing
