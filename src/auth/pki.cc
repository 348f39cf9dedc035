// EnsurePki: the cluster CA plus the leaves it keeps issued.
#include "skiff/auth/pki.h"

#include <openssl/err.h>

#include <algorithm>
#include <set>

#include "cluster_ca.h"
#include "leaf_cert.h"
#include "names.h"
#include "skiff/auth/user.h"
#include "skiff/common/file_lock.h"
#include "skiff/common/file_util.h"

namespace skiff::auth {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

// Clears this thread's OpenSSL error queue on every way out of EnsurePki.
struct ErrorQueueGuard {
  ~ErrorQueueGuard() { ERR_clear_error(); }
};

bool ValidClientName(const std::string& name) {
  if (name.empty() || name == "ca" || name == "serving") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Status CheckOptions(const PkiOptions& o) {
  if (o.tls_dir.empty()) return InvalidArgumentError("PKI options: tls_dir is empty");
  if (o.ca_lifetime.count() <= 0 || o.leaf_lifetime.count() <= 0) {
    return InvalidArgumentError("PKI options: certificate lifetimes must be positive");
  }
  if (o.renew_before.count() < 0 || o.renew_before >= o.leaf_lifetime) {
    return InvalidArgumentError("PKI options: renew_before (" +
                                std::to_string(o.renew_before.count()) +
                                "s) must be at least 0 and less than leaf_lifetime (" +
                                std::to_string(o.leaf_lifetime.count()) + "s)");
  }
  std::set<std::string> names;
  for (const ClientCertSpec& c : o.clients) {
    if (!ValidClientName(c.name)) {
      return InvalidArgumentError("PKI options: invalid client certificate name \"" + c.name +
                                  "\": use lower-case letters, digits and '-', not ca or serving");
    }
    if (!names.insert(c.name).second) {
      return InvalidArgumentError("PKI options: duplicate client certificate name \"" + c.name +
                                  "\"");
    }
    if (c.common_name.empty()) {
      return InvalidArgumentError("PKI options: client certificate \"" + c.name +
                                  "\" has an empty common name");
    }
  }
  return Status::Ok();
}

// When a leaf should next be looked at: the start of its renewal window, or the CA's expiry
// when the leaf already lasts as long as the CA.
TimePoint RenewAt(const CertKeyPair& leaf, const internal::ClusterCa& ca,
                  std::chrono::seconds renew_before) {
  if (leaf.not_after >= ca.not_after) return ca.not_after;
  return leaf.not_after - renew_before;
}

}  // namespace

ClientCertSpec AdminClientCert() {
  return ClientCertSpec{"client-admin", kAdminUserName, {kMastersGroup}};
}

Result<ServingMaterial> EnsurePki(const PkiOptions& options) {
  ErrorQueueGuard guard;
  if (Status s = CheckOptions(options); !s.ok()) return s;
  Result<ServingNames> names = ComputeServingNames(options);
  if (!names.ok()) return names.status();
  TimePoint now = options.now == TimePoint{} ? std::chrono::system_clock::now() : options.now;
  now = std::chrono::floor<std::chrono::seconds>(now);
  const std::string& dir = options.tls_dir;
  if (Status s = MakeDirs(dir, 0700); !s.ok()) return s;
  Result<FileLock> lock = FileLock::Acquire(dir + "/.lock");
  if (!lock.ok()) return lock.status();

  // The leaves: serving first, then the clients.
  std::vector<internal::LeafParams> leaves;
  internal::LeafParams serving;
  serving.cert_path = dir + "/serving.crt";
  serving.key_path = dir + "/serving.key";
  serving.want.kind = internal::CertKind::kServer;
  serving.want.common_name = "kube-apiserver";
  serving.want.dns_sans = names->dns;
  for (const std::string& ip : names->ips) {
    std::string raw;
    internal::ParseIp(ip, &raw);
    serving.want.ip_sans.push_back(std::move(raw));
  }
  leaves.push_back(std::move(serving));
  for (const ClientCertSpec& c : options.clients) {
    internal::LeafParams client;
    client.cert_path = dir + "/" + c.name + ".crt";
    client.key_path = dir + "/" + c.name + ".key";
    client.want.kind = internal::CertKind::kClient;
    client.want.common_name = c.common_name;
    client.want.organizations = c.organizations;
    leaves.push_back(std::move(client));
  }

  internal::CaParams ca_params;
  ca_params.tls_dir = dir;
  for (const internal::LeafParams& leaf : leaves) {
    ca_params.leaf_paths.push_back(leaf.cert_path);
    ca_params.leaf_paths.push_back(leaf.key_path);
  }
  ca_params.lifetime = options.ca_lifetime;
  ca_params.now = now;
  Result<internal::ClusterCa> ca = internal::LoadOrCreateCa(ca_params);
  if (!ca.ok()) return ca.status();

  ServingMaterial out;
  out.ca_cert_path = ca->cert_path;
  out.ca_cert_pem = ca->cert_pem;
  out.ca_not_after = ca->not_after;
  out.renew_at = ca->not_after;
  if (ca->created) out.issued.push_back(ca->cert_path);
  for (size_t i = 0; i < leaves.size(); ++i) {
    internal::LeafParams& leaf = leaves[i];
    leaf.lifetime = options.leaf_lifetime;
    leaf.renew_before = options.renew_before;
    leaf.now = now;
    leaf.renew = options.renew_all;
    Result<internal::LeafOutcome> outcome = internal::EnsureLeaf(leaf, *ca);
    if (!outcome.ok()) return outcome.status();
    if (outcome->issued) out.issued.push_back(leaf.cert_path);
    out.renew_at = std::min(out.renew_at, RenewAt(outcome->pair, *ca, options.renew_before));
    if (i == 0) {
      out.serving = std::move(outcome->pair);
    } else {
      out.clients.emplace(options.clients[i - 1].name, std::move(outcome->pair));
    }
  }
  return out;
}

}  // namespace skiff::auth
