#include "skiff/server/certificates.h"

#include <unistd.h>

#include <ostream>

#include "api/object_util.h"
#include "bootstrap.h"
#include "data_dir.h"

namespace skiff::server {

auth::PkiOptions PkiOptionsFor(const cli::ServerOptions& options) {
  auth::PkiOptions pki;
  pki.tls_dir = DataDir{options.data_dir}.tls_dir();
  pki.hostname = options.node_name;
  pki.cluster_domain = options.cluster_domain;
  pki.service_cidrs = {options.service_cidr};
  pki.node_ips = {NodeAddress(options)};
  pki.leaf_lifetime = options.certificate_lifetime;
  pki.renew_before = options.certificate_renew_before;
  return pki;
}

int RotateCertificates(const cli::ServerOptions& options, std::ostream& out, std::ostream& err) {
  auth::PkiOptions pki = PkiOptionsFor(options);
  // Rotation renews leaves; a missing CA would be created here, which is a first start's job.
  if (::access((pki.tls_dir + "/ca.crt").c_str(), F_OK) != 0) {
    err << "skiff: certificate rotate: no cluster CA in " << pki.tls_dir
        << ": start `skiff server --data-dir " << options.data_dir << "` once first\n";
    return 1;
  }
  pki.renew_all = true;
  Result<auth::ServingMaterial> material = auth::EnsurePki(pki);
  if (!material.ok()) {
    err << "skiff: certificate rotate: " << material.status().message() << "\n";
    return 1;
  }
  auto line = [&out](const auth::CertKeyPair& pair) {
    out << "rotated " << pair.cert_path << " (expires " << api::Rfc3339(pair.not_after) << ")\n";
  };
  line(material->serving);
  for (const auto& [name, pair] : material->clients) line(pair);
  out << "The CA " << material->ca_cert_path << " is unchanged (expires "
      << api::Rfc3339(material->ca_not_after)
      << "). A running skiff server serves new connections with these within 10s and rewrites "
         "its kubeconfig; a stopped one uses them at its next start.\n";
  return 0;
}

}  // namespace skiff::server
