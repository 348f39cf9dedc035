#include "openssl_util.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <time.h>

#include <climits>

namespace skiff::auth::ossl {
namespace {

// A PEM password callback that supplies no password, so an encrypted key fails to load instead
// of prompting on the terminal.
int NoPassword(char*, int, int, void*) { return 0; }

BioPtr MemReader(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(n));
}

bool AsnTime(const ASN1_TIME* t, std::chrono::system_clock::time_point* out) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  time_t secs = timegm(&tm);
  *out = std::chrono::system_clock::from_time_t(secs);
  return true;
}

}  // namespace

std::string DrainErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Status OpenSslError(const std::string& what) {
  std::string detail = DrainErrors();
  return InternalError(detail.empty() ? what : what + ": " + detail);
}

Result<X509Ptr> ParseCertPem(std::string_view pem) {
  BioPtr bio = MemReader(pem);
  if (!bio) return OpenSslError("cannot create a memory BIO");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr));
  if (!cert) {
    std::string detail = DrainErrors();
    return CorruptError("not a PEM certificate" + (detail.empty() ? "" : " (" + detail + ")"));
  }
  return cert;
}

Result<PkeyPtr> ParsePrivateKeyPem(std::string_view pem) {
  BioPtr bio = MemReader(pem);
  if (!bio) return OpenSslError("cannot create a memory BIO");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (!key) {
    std::string detail = DrainErrors();
    return CorruptError("not an unencrypted PEM private key" +
                        (detail.empty() ? "" : " (" + detail + ")"));
  }
  return key;
}

Result<std::string> CertToPem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("cannot encode a certificate");
  }
  return BioContents(bio.get());
}

Result<std::string> PrivateKeyToPem(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("cannot encode a private key");
  }
  return BioContents(bio.get());
}

Result<PkeyPtr> GenerateEcKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("cannot generate an ECDSA P-256 key");
  return key;
}

bool NotBefore(const X509* cert, std::chrono::system_clock::time_point* out) {
  return AsnTime(X509_get0_notBefore(cert), out);
}

bool NotAfter(const X509* cert, std::chrono::system_clock::time_point* out) {
  return AsnTime(X509_get0_notAfter(cert), out);
}

std::string FormatTime(std::chrono::system_clock::time_point t) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

SubjectAltNames GetSubjectAltNames(const X509* cert) {
  SubjectAltNames out;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    ERR_clear_error();
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* s = name->d.dNSName;
      out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                           static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = name->d.iPAddress;
      out.ips.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                           static_cast<size_t>(ASN1_STRING_length(s)));
    }
  }
  return out;
}

std::vector<std::string> SubjectValues(const X509* cert, int nid) {
  std::vector<std::string> out;
  const X509_NAME* subject = X509_get_subject_name(cert);
  if (subject == nullptr) return out;
  for (int i = X509_NAME_get_index_by_NID(subject, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, nid, i)) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n < 0) {
      ERR_clear_error();
      continue;
    }
    out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
  }
  return out;
}

bool IsCa(const X509* cert) {
  BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert, NID_basic_constraints, nullptr, nullptr)));
  ERR_clear_error();
  return bc && bc->ca;
}

std::vector<int> ExtendedKeyUsages(const X509* cert, bool* present) {
  std::vector<int> out;
  ExtKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  ERR_clear_error();
  *present = eku != nullptr;
  if (!eku) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    out.push_back(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i)));
  }
  return out;
}


std::string HexEncode(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

Status RandomBytes(unsigned char* out, size_t size) {
  if (size > static_cast<size_t>(INT_MAX) || RAND_bytes(out, static_cast<int>(size)) != 1) {
    return OpenSslError("cannot read random bytes");
  }
  return Status::Ok();
}

}  // namespace skiff::auth::ossl
