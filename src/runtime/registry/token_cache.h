// Bearer tokens kept until they expire, keyed by (endpoint, repository, credential identity) so
// a token obtained with one pod's credentials is never presented for a pull without them.
// Internal to skiff_registry. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "skiff/runtime/registry_config.h"

namespace skiff::runtime::registry {

class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;

  // The cache key of a token for `repository` on `endpoint_host` obtained with `auth`; the
  // credential part is a digest, never the secret itself.
  static std::string Key(const std::string& endpoint_host, const std::string& repository,
                         const RegistryAuth& auth);

  // The token for `key` when one is cached and valid at `now`.
  std::optional<std::string> Get(const std::string& key, Clock::time_point now) const;
  // Stores a token valid until `expires`; drops expired entries.
  void Put(const std::string& key, std::string token, Clock::time_point expires);
  // Forgets `token` under `key` (the registry refused it).
  void Drop(const std::string& key, const std::string& token);

 private:
  struct Entry {
    std::string token;
    Clock::time_point expires;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> tokens_;  // guarded by mu_
};

}  // namespace skiff::runtime::registry
