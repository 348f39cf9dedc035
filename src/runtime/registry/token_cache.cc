#include "runtime/registry/token_cache.h"

#include "runtime/image/sha256.h"

namespace skiff::runtime::registry {

std::string TokenCache::Key(const std::string& endpoint_host, const std::string& repository,
                            const RegistryAuth& auth) {
  std::string identity = "anonymous";
  if (!auth.empty()) {
    std::string secret = auth.username;
    secret += '\0';
    secret += auth.password;
    secret += '\0';
    secret += auth.identity_token;
    identity = image_detail::Sha256Hex(secret).substr(0, 32);
  }
  return endpoint_host + "|" + repository + "|" + identity;
}

std::optional<std::string> TokenCache::Get(const std::string& key, Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(key);
  if (it == tokens_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.token;
}

void TokenCache::Put(const std::string& key, std::string token, Clock::time_point expires) {
  std::lock_guard<std::mutex> lock(mu_);
  const Clock::time_point now = Clock::now();
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = it->second.expires <= now ? tokens_.erase(it) : std::next(it);
  }
  tokens_[key] = Entry{std::move(token), expires};
}

void TokenCache::Drop(const std::string& key, const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(key);
  if (it != tokens_.end() && it->second.token == token) tokens_.erase(it);
}

}  // namespace skiff::runtime::registry
