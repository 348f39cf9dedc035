#include "cluster_ca.h"

#include <sys/stat.h>

#include "cert_builder.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::auth::internal {
namespace {

using Clock = std::chrono::system_clock;

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string Hint(const std::string& tls_dir) {
  return "; the cluster CA is never replaced automatically because clients trust it: restore "
         "ca.crt and ca.key from a backup, or remove " +
         tls_dir +
         " to create a new cluster CA (every kubeconfig and joined node must then be replaced)";
}

Status Corrupt(const CaParams& p, const std::string& what) {
  return CorruptError(what + Hint(p.tls_dir));
}

Result<ClusterCa> CreateCa(const CaParams& p, ClusterCa ca) {
  Result<ossl::PkeyPtr> key = ossl::GenerateEcKey();
  if (!key.ok()) return key.status();
  CertRequest request;
  request.kind = CertKind::kCa;
  request.common_name =
      "skiff-server-ca@" + std::to_string(Clock::to_time_t(p.now));  // unique per cluster
  request.not_before = p.now - std::chrono::hours(1);
  request.not_after = p.now + p.lifetime;
  Result<ossl::X509Ptr> cert = IssueCertificate(request, key->get(), nullptr, nullptr);
  if (!cert.ok()) return cert.status();
  Result<std::string> key_pem = ossl::PrivateKeyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  Result<std::string> cert_pem = ossl::CertToPem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  // The certificate is written last: its presence is what marks the CA as existing.
  if (Status s = WriteFileAtomic(ca.key_path, *key_pem, 0600); !s.ok()) return s;
  if (Status s = WriteFileAtomic(ca.cert_path, *cert_pem, 0644); !s.ok()) return s;
  ca.cert_pem = std::move(*cert_pem);
  ca.cert = std::move(*cert);
  ca.key = std::move(*key);
  ossl::NotBefore(ca.cert.get(), &ca.not_before);
  ossl::NotAfter(ca.cert.get(), &ca.not_after);
  ca.created = true;
  log::Info("pki", "created the cluster CA",
            {{"file", ca.cert_path}, {"expires", ossl::FormatTime(ca.not_after)}});
  return ca;
}

}  // namespace

Result<ClusterCa> LoadOrCreateCa(const CaParams& p) {
  ClusterCa ca;
  ca.cert_path = p.tls_dir + "/ca.crt";
  ca.key_path = p.tls_dir + "/ca.key";

  Result<std::string> cert_pem = ReadFile(ca.cert_path);
  if (!cert_pem.ok() && cert_pem.status().code() != Code::kNotFound) return cert_pem.status();
  if (!cert_pem.ok()) {
    for (const std::string& leaf : p.leaf_paths) {
      if (Exists(leaf)) {
        return Corrupt(p, "the cluster CA certificate " + ca.cert_path + " is missing but " + leaf +
                              " exists, so certificates of the old CA are in use");
      }
    }
    return CreateCa(p, std::move(ca));
  }

  Result<ossl::X509Ptr> cert = ossl::ParseCertPem(*cert_pem);
  if (!cert.ok()) {
    return Corrupt(p, "the cluster CA certificate " + ca.cert_path +
                          " is unreadable: " + cert.status().message());
  }
  Result<std::string> key_pem = ReadFile(ca.key_path);
  if (!key_pem.ok() && key_pem.status().code() == Code::kNotFound) {
    return Corrupt(
        p, "the cluster CA key " + ca.key_path + " is missing but " + ca.cert_path + " exists");
  }
  if (!key_pem.ok()) return key_pem.status();
  Result<ossl::PkeyPtr> key = ossl::ParsePrivateKeyPem(*key_pem);
  if (!key.ok()) {
    return Corrupt(
        p, "the cluster CA key " + ca.key_path + " is unreadable: " + key.status().message());
  }
  if (EVP_PKEY_eq(X509_get0_pubkey(cert->get()), key->get()) != 1) {
    ossl::DrainErrors();
    return Corrupt(
        p, "the cluster CA key " + ca.key_path + " does not match the certificate " + ca.cert_path);
  }
  if (!ossl::IsCa(cert->get())) {
    return Corrupt(p, "the cluster CA certificate " + ca.cert_path +
                          " is not a CA certificate (basicConstraints CA:TRUE is missing)");
  }
  if (!ossl::NotBefore(cert->get(), &ca.not_before) ||
      !ossl::NotAfter(cert->get(), &ca.not_after)) {
    return Corrupt(p, "the cluster CA certificate " + ca.cert_path + " has a malformed validity");
  }
  if (ca.not_after <= p.now) {
    return Corrupt(p, "the cluster CA certificate " + ca.cert_path + " expired at " +
                          ossl::FormatTime(ca.not_after));
  }
  if (ca.not_before > p.now) {
    log::Warning("pki", "the cluster CA is not valid yet; is the clock right?",
                 {{"file", ca.cert_path}, {"valid-from", ossl::FormatTime(ca.not_before)}});
  }
  ca.cert_pem = std::move(*cert_pem);
  ca.cert = std::move(*cert);
  ca.key = std::move(*key);
  return ca;
}

}  // namespace skiff::auth::internal
