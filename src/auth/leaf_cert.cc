#include "leaf_cert.h"

#include <algorithm>
#include <cctype>

#include "names.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::auth::internal {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

struct Existing {
  std::string cert_pem;
  std::string key_pem;
  TimePoint not_after;
};

TimePoint NewNotAfter(const LeafParams& p, const ClusterCa& ca) {
  return std::min<TimePoint>(p.now + p.lifetime, ca.not_after);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string DescribeSubject(const std::vector<std::string>& cn, const std::vector<std::string>& o) {
  std::string out;
  for (const std::string& v : o) out += "O=" + v + ", ";
  for (const std::string& v : cn) out += "CN=" + v + ", ";
  if (out.size() >= 2) out.resize(out.size() - 2);
  return out;
}

// What must be true of the leaf's contents (beyond key, issuer and time).
std::string ContentMismatch(const LeafParams& p, X509* cert) {
  const CertRequest& want = p.want;
  bool has_eku = false;
  std::vector<int> eku = ossl::ExtendedKeyUsages(cert, &has_eku);
  int need = want.kind == CertKind::kServer ? NID_server_auth : NID_client_auth;
  if (std::find(eku.begin(), eku.end(), need) == eku.end()) {
    return std::string("it lacks the extended key usage ") + OBJ_nid2sn(need);
  }
  ossl::SubjectAltNames sans = ossl::GetSubjectAltNames(cert);
  for (const std::string& dns : want.dns_sans) {
    bool found = std::any_of(sans.dns.begin(), sans.dns.end(),
                             [&](const std::string& have) { return EqualsIgnoreCase(have, dns); });
    if (!found) return "it does not cover the DNS name " + dns;
  }
  for (const std::string& ip : want.ip_sans) {
    if (std::find(sans.ips.begin(), sans.ips.end(), ip) == sans.ips.end()) {
      return "it does not cover the IP address " + IpToString(ip);
    }
  }
  if (want.kind == CertKind::kClient) {
    std::vector<std::string> cn = ossl::SubjectValues(cert, NID_commonName);
    std::vector<std::string> o = ossl::SubjectValues(cert, NID_organizationName);
    if (cn != std::vector<std::string>{want.common_name} || o != want.organizations) {
      return "its subject is \"" + DescribeSubject(cn, o) + "\" instead of \"" +
             DescribeSubject({want.common_name}, want.organizations) + "\"";
    }
  }
  return "";
}

// Returns why the leaf must be (re)issued, or "" (and fills *e) when it can be kept.
Result<std::string> Inspect(const LeafParams& p, const ClusterCa& ca, Existing* e) {
  Result<std::string> cert_pem = ReadFile(p.cert_path);
  if (!cert_pem.ok()) {
    if (cert_pem.status().code() == Code::kNotFound) return std::string("it does not exist");
    return cert_pem.status();
  }
  Result<std::string> key_pem = ReadFile(p.key_path);
  if (!key_pem.ok()) {
    if (key_pem.status().code() == Code::kNotFound) return "its key " + p.key_path + " is missing";
    return key_pem.status();
  }
  Result<ossl::X509Ptr> cert = ossl::ParseCertPem(*cert_pem);
  if (!cert.ok()) return "it is unreadable: " + cert.status().message();
  Result<ossl::PkeyPtr> key = ossl::ParsePrivateKeyPem(*key_pem);
  if (!key.ok()) return "its key is unreadable: " + key.status().message();
  X509* x = cert->get();
  if (EVP_PKEY_eq(X509_get0_pubkey(x), key->get()) != 1) {
    ossl::DrainErrors();
    return std::string("its key does not match it");
  }
  if (X509_check_issued(ca.cert.get(), x) != X509_V_OK ||
      X509_verify(x, X509_get0_pubkey(ca.cert.get())) != 1) {
    ossl::DrainErrors();
    return std::string("it was not issued by the cluster CA");
  }
  TimePoint not_before;
  TimePoint not_after;
  if (!ossl::NotBefore(x, &not_before) || !ossl::NotAfter(x, &not_after)) {
    return std::string("its validity is malformed");
  }
  if (not_before > p.now) return "it is not valid until " + ossl::FormatTime(not_before);
  if (not_after - p.renew_before <= p.now && NewNotAfter(p, ca) > not_after) {
    return std::string(not_after <= p.now ? "it expired at " : "it expires at ") +
           ossl::FormatTime(not_after);
  }
  if (std::string why = ContentMismatch(p, x); !why.empty()) return why;
  e->cert_pem = std::move(*cert_pem);
  e->key_pem = std::move(*key_pem);
  e->not_after = not_after;
  return std::string();
}

}  // namespace

Result<LeafOutcome> EnsureLeaf(const LeafParams& p, const ClusterCa& ca) {
  LeafOutcome out;
  out.pair.cert_path = p.cert_path;
  out.pair.key_path = p.key_path;
  Existing existing;
  Result<std::string> why = Inspect(p, ca, &existing);
  if (!why.ok()) return why.status();
  if (why->empty() && p.renew) *why = "a rotation was asked for";
  if (why->empty()) {
    out.pair.cert_pem = std::move(existing.cert_pem);
    out.pair.key_pem = std::move(existing.key_pem);
    out.pair.not_after = existing.not_after;
    return out;
  }

  Result<ossl::PkeyPtr> key = ossl::GenerateEcKey();
  if (!key.ok()) return key.status();
  CertRequest request = p.want;
  request.not_before = std::max<TimePoint>(p.now - std::chrono::hours(1), ca.not_before);
  request.not_after = NewNotAfter(p, ca);
  Result<ossl::X509Ptr> cert = IssueCertificate(request, key->get(), ca.cert.get(), ca.key.get());
  if (!cert.ok()) return cert.status();
  Result<std::string> key_pem = ossl::PrivateKeyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  Result<std::string> cert_pem = ossl::CertToPem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  if (Status s = WriteFileAtomic(p.key_path, *key_pem, 0600); !s.ok()) return s;
  if (Status s = WriteFileAtomic(p.cert_path, *cert_pem, 0644); !s.ok()) return s;
  ossl::NotAfter(cert->get(), &out.pair.not_after);
  out.pair.cert_pem = std::move(*cert_pem);
  out.pair.key_pem = std::move(*key_pem);
  out.issued = true;
  out.reason = std::move(*why);
  log::Info("pki", "issued a certificate",
            {{"file", p.cert_path},
             {"reason", out.reason},
             {"expires", ossl::FormatTime(out.pair.not_after)}});
  return out;
}

}  // namespace skiff::auth::internal
