#include "cert_builder.h"

#include <climits>

namespace skiff::auth::internal {
namespace {

using ossl::OpenSslError;

Status AddNameEntry(X509_NAME* name, int nid, const std::string& value) {
  if (value.size() > static_cast<size_t>(INT_MAX) ||
      X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return OpenSslError("cannot add \"" + value + "\" to a certificate subject");
  }
  return Status::Ok();
}

// Adds an extension given in OpenSSL's config syntax ("critical,CA:TRUE").
Status AddConfExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(std::string("cannot add certificate extension ") + OBJ_nid2sn(nid));
  }
  return Status::Ok();
}

Status AddSubjectAltNames(X509* cert, const CertRequest& request) {
  if (request.dns_sans.empty() && request.ip_sans.empty()) return Status::Ok();
  ossl::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return OpenSslError("cannot allocate subjectAltName");
  auto push = [&](int type, const std::string& value) -> bool {
    ossl::GeneralNamePtr name(GENERAL_NAME_new());
    if (!name || value.size() > static_cast<size_t>(INT_MAX)) return false;
    ASN1_STRING* s = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
    if (s == nullptr) return false;
    // `name` owns `s` from here on.
    GENERAL_NAME_set0_value(name.get(), type, s);
    if (ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) return false;
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) return false;
    static_cast<void>(name.release());  // the stack owns it now
    return true;
  };
  for (const std::string& dns : request.dns_sans) {
    if (!push(GEN_DNS, dns)) return OpenSslError("cannot add DNS name " + dns);
  }
  for (const std::string& ip : request.ip_sans) {
    if (!push(GEN_IPADD, ip)) return OpenSslError("cannot add an IP address SAN");
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("cannot add subjectAltName");
  }
  return Status::Ok();
}

Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (Status s = ossl::RandomBytes(bytes, sizeof bytes); !s.ok()) return s;
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // and never zero or short
  ossl::BignumPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return OpenSslError("cannot set a certificate serial number");
  }
  return Status::Ok();
}

Status SetValidity(X509* cert, const CertRequest& request) {
  time_t from = std::chrono::system_clock::to_time_t(request.not_before);
  time_t to = std::chrono::system_clock::to_time_t(request.not_after);
  if (ASN1_TIME_set(X509_getm_notBefore(cert), from) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), to) == nullptr) {
    return OpenSslError("cannot set certificate validity");
  }
  return Status::Ok();
}

}  // namespace

Result<ossl::X509Ptr> IssueCertificate(const CertRequest& request, EVP_PKEY* subject_key,
                                       X509* issuer, EVP_PKEY* issuer_key) {
  ossl::X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("cannot allocate a certificate");
  X509* x = cert.get();
  if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_pubkey(x, subject_key) != 1) {
    return OpenSslError("cannot initialise a certificate");
  }
  if (Status s = SetRandomSerial(x); !s.ok()) return s;
  if (Status s = SetValidity(x, request); !s.ok()) return s;

  ossl::X509NamePtr subject(X509_NAME_new());
  if (!subject) return OpenSslError("cannot allocate a certificate subject");
  for (const std::string& o : request.organizations) {
    if (Status s = AddNameEntry(subject.get(), NID_organizationName, o); !s.ok()) return s;
  }
  if (Status s = AddNameEntry(subject.get(), NID_commonName, request.common_name); !s.ok()) {
    return s;
  }
  if (X509_set_subject_name(x, subject.get()) != 1 ||
      X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject.get()) != 1) {
    return OpenSslError("cannot set certificate names");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  bool ca = request.kind == CertKind::kCa;
  if (Status s = AddConfExtension(x, &ctx, NID_basic_constraints,
                                  ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
      !s.ok()) {
    return s;
  }
  if (Status s = AddConfExtension(
          x, &ctx, NID_key_usage,
          ca ? "critical,digitalSignature,keyCertSign,cRLSign" : "critical,digitalSignature");
      !s.ok()) {
    return s;
  }
  if (!ca) {
    const char* eku = request.kind == CertKind::kServer ? "serverAuth" : "clientAuth";
    if (Status s = AddConfExtension(x, &ctx, NID_ext_key_usage, eku); !s.ok()) return s;
  }
  if (Status s = AddConfExtension(x, &ctx, NID_subject_key_identifier, "hash"); !s.ok()) {
    return s;
  }
  if (issuer != nullptr) {
    if (Status s = AddConfExtension(x, &ctx, NID_authority_key_identifier, "keyid:always");
        !s.ok()) {
      return s;
    }
  }
  if (Status s = AddSubjectAltNames(x, request); !s.ok()) return s;

  if (X509_sign(x, issuer ? issuer_key : subject_key, EVP_sha256()) <= 0) {
    return OpenSslError("cannot sign a certificate");
  }
  return cert;
}

}  // namespace skiff::auth::internal
