// Internal to skiff_auth: builds and signs X.509 v3 certificates.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "openssl_util.h"
#include "skiff/common/status.h"

namespace skiff::auth::internal {

enum class CertKind {
  kCa,      // CA:TRUE (critical), keyUsage keyCertSign, cRLSign, digitalSignature (critical)
  kServer,  // CA:FALSE, keyUsage digitalSignature, extendedKeyUsage serverAuth
  kClient,  // CA:FALSE, keyUsage digitalSignature, extendedKeyUsage clientAuth
};

struct CertRequest {
  CertKind kind = CertKind::kClient;
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_sans;
  std::vector<std::string> ip_sans;  // raw network-order bytes (4 or 16)
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// Issues a certificate for `subject_key`'s public key with a random 127-bit serial, a
// subjectKeyIdentifier and (when issued by a CA) an authorityKeyIdentifier, signed with
// SHA-256. A null `issuer` makes it self-signed by `subject_key`; otherwise `issuer_key` signs.
Result<ossl::X509Ptr> IssueCertificate(const CertRequest& request, EVP_PKEY* subject_key,
                                       X509* issuer, EVP_PKEY* issuer_key);

}  // namespace skiff::auth::internal
