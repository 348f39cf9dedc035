// Internal to skiff_auth (and its tests): owning handles for OpenSSL objects and the few PEM,
// time and encoding helpers the PKI code shares.
//
// Every OpenSSL object skiff creates is held by one of the unique_ptr aliases below, so no path
// leaks it. Functions that can fail drain OpenSSL's per-thread error queue into the returned
// Status, so no stale error is left for the TLS code that later runs on the same thread.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::auth::ossl {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<ASN1_OCTET_STRING_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;

// Removes every queued OpenSSL error of this thread and returns them as one line ("" if none).
std::string DrainErrors();

// An Internal status "<what>: <openssl errors>" (draining the queue).
Status OpenSslError(const std::string& what);

// Parses the first certificate / private key of a PEM text. An encrypted key is refused (no
// passphrase prompt). Errors are kCorrupt with the OpenSSL reason; callers add the file name.
Result<X509Ptr> ParseCertPem(std::string_view pem);
Result<PkeyPtr> ParsePrivateKeyPem(std::string_view pem);

// PEM encodings: "-----BEGIN CERTIFICATE-----" and PKCS#8 "-----BEGIN PRIVATE KEY-----".
Result<std::string> CertToPem(const X509* cert);
Result<std::string> PrivateKeyToPem(const EVP_PKEY* key);

// A new ECDSA P-256 key.
Result<PkeyPtr> GenerateEcKey();

// The certificate's notBefore / notAfter as a time point. Returns false on a malformed time.
bool NotBefore(const X509* cert, std::chrono::system_clock::time_point* out);
bool NotAfter(const X509* cert, std::chrono::system_clock::time_point* out);

// "2035-01-02T03:04:05Z".
std::string FormatTime(std::chrono::system_clock::time_point t);

// The SAN entries of a certificate: DNS names as written, IP addresses as 4 or 16 raw bytes.
struct SubjectAltNames {
  std::vector<std::string> dns;
  std::vector<std::string> ips;  // raw network-order bytes
};
SubjectAltNames GetSubjectAltNames(const X509* cert);

// Every value of a subject attribute (NID_commonName, NID_organizationName, ...), in order.
std::vector<std::string> SubjectValues(const X509* cert, int nid);

// True when the certificate has basicConstraints CA:TRUE.
bool IsCa(const X509* cert);

// The extended key usages (NIDs, e.g. NID_server_auth); empty when the extension is absent.
// Sets *present to whether the extension exists.
std::vector<int> ExtendedKeyUsages(const X509* cert, bool* present);


// Lower-case hex of bytes.
std::string HexEncode(const unsigned char* data, size_t size);

// Fills `out` with `size` cryptographically random bytes.
Status RandomBytes(unsigned char* out, size_t size);

}  // namespace skiff::auth::ossl
