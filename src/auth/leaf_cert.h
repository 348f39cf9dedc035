// Internal to skiff_auth: keeping one leaf certificate (serving or client) issued and current.
#pragma once

#include <chrono>
#include <string>

#include "cert_builder.h"
#include "cluster_ca.h"
#include "skiff/auth/pki.h"

namespace skiff::auth::internal {

struct LeafParams {
  std::string cert_path;
  std::string key_path;
  // What the certificate must be: kind, subject, SANs (validity is filled in on issue).
  CertRequest want;
  std::chrono::seconds lifetime;
  std::chrono::seconds renew_before;
  std::chrono::system_clock::time_point now;  // whole seconds
  bool renew = false;  // issue a new one even when the present one is good
};

struct LeafOutcome {
  CertKeyPair pair;
  bool issued = false;
  std::string reason;  // why it was (re)issued
};

// Reuses the leaf if it is fine, otherwise issues a new key and certificate from `ca` and
// writes them (key first). Errors: file-system errors (a missing or unparsable leaf is not an
// error but a reason to issue), OpenSSL failures.
Result<LeafOutcome> EnsureLeaf(const LeafParams& params, const ClusterCa& ca);

}  // namespace skiff::auth::internal
