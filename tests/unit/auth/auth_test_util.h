// Helpers shared by the skiff_auth tests: real OpenSSL checks of what the PKI wrote.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>

#include "auth/openssl_util.h"
#include "skiff/auth/pki.h"
#include "skiff/common/file_util.h"

namespace skiff::testing {

namespace ossl = auth::ossl;

inline ossl::X509Ptr Cert(const std::string& pem) {
  auto cert = ossl::ParseCertPem(pem);
  INFO(cert.status().ToString());
  REQUIRE(cert.ok());
  return std::move(cert).value();
}

inline ossl::PkeyPtr Key(const std::string& pem) {
  auto key = ossl::ParsePrivateKeyPem(pem);
  INFO(key.status().ToString());
  REQUIRE(key.ok());
  return std::move(key).value();
}

inline std::string ReadOrEmpty(const std::string& path) {
  auto data = ReadFile(path);
  return data.ok() ? *data : std::string();
}

// Verifies `leaf_pem` against a store holding only `ca_pem` with X509_verify_cert, for
// `purpose` (X509_PURPOSE_SSL_SERVER / _CLIENT), at `at` (0: now). Returns the X509_V_* code.
inline int VerifyChain(const std::string& ca_pem, const std::string& leaf_pem, int purpose,
                       time_t at = 0) {
  ossl::X509Ptr ca = Cert(ca_pem);
  ossl::X509Ptr leaf = Cert(leaf_pem);
  ossl::X509StorePtr store(X509_STORE_new());
  REQUIRE(store);
  REQUIRE(X509_STORE_add_cert(store.get(), ca.get()) == 1);
  ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  REQUIRE(ctx);
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) == 1);
  REQUIRE(X509_STORE_CTX_set_purpose(ctx.get(), purpose) == 1);
  if (at != 0) X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), at);
  int rc = X509_verify_cert(ctx.get());
  int err = X509_STORE_CTX_get_error(ctx.get());
  ossl::DrainErrors();
  return rc == 1 ? X509_V_OK : (err == X509_V_OK ? -1 : err);
}

inline std::string Serial(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  return ossl::HexEncode(ASN1_STRING_get0_data(serial),
                         static_cast<size_t>(ASN1_STRING_length(serial)));
}

inline mode_t FileMode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

inline bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// The name and content of every file in a directory.
inline std::map<std::string, std::string> Snapshot(const std::string& dir,
                                                   const std::vector<std::string>& names) {
  std::map<std::string, std::string> out;
  for (const std::string& n : names) out[n] = ReadOrEmpty(dir + "/" + n);
  return out;
}

inline std::chrono::system_clock::time_point NotAfterOf(const std::string& pem) {
  std::chrono::system_clock::time_point t;
  REQUIRE(ossl::NotAfter(Cert(pem).get(), &t));
  return t;
}

inline std::chrono::system_clock::time_point NotBeforeOf(const std::string& pem) {
  std::chrono::system_clock::time_point t;
  REQUIRE(ossl::NotBefore(Cert(pem).get(), &t));
  return t;
}

inline time_t ToTime(std::chrono::system_clock::time_point t) {
  return std::chrono::system_clock::to_time_t(t);
}

// A fixed, whole-second "now" for tests that move time by hand.
inline std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

inline auth::ServingMaterial MustEnsure(const auth::PkiOptions& options) {
  auto m = auth::EnsurePki(options);
  INFO(m.status().ToString());
  REQUIRE(m.ok());
  return std::move(m).value();
}

}  // namespace skiff::testing
