// Internal to skiff_auth: loading, checking and (at first start only) creating the cluster CA.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "openssl_util.h"
#include "skiff/common/status.h"

namespace skiff::auth::internal {

struct ClusterCa {
  std::string cert_path;
  std::string key_path;
  std::string cert_pem;
  ossl::X509Ptr cert;
  ossl::PkeyPtr key;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  bool created = false;  // made by this call
};

struct CaParams {
  std::string tls_dir;
  // Leaf files whose existence means the cluster has (had) a CA that clients may trust.
  std::vector<std::string> leaf_paths;
  std::chrono::seconds lifetime;
  std::chrono::system_clock::time_point now;  // whole seconds
};

// Loads <tls_dir>/ca.crt and ca.key and checks them (readable, matching, CA:TRUE, not expired).
// When ca.crt does not exist and no leaf file exists, creates a new CA (key file first).
// Any other problem is kCorrupt naming the file, with nothing written.
Result<ClusterCa> LoadOrCreateCa(const CaParams& params);

}  // namespace skiff::auth::internal
