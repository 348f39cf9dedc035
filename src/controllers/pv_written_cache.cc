#include "controllers/pv_written_cache.h"

#include <cstdlib>

namespace skiff::controllers {
namespace {

// The store's revision behind a resourceVersion; 0 when it is not a number.
uint64_t Revision(const std::string& rv) {
  if (rv.empty()) return 0;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(rv.c_str(), &end, 10);
  return end && *end == '\0' ? n : 0;
}

uint64_t RevisionOf(const nlohmann::json& obj) {
  const auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return 0;
  return Revision(meta->value("resourceVersion", std::string()));
}

}  // namespace

client::ObjectPtr WrittenObjectCache::Fresher(const std::string& key,
                                              const client::ObjectPtr& cached) const {
  std::lock_guard lock(mu_);
  auto it = written_.find(key);
  if (it == written_.end()) return nullptr;
  const uint64_t mine = RevisionOf(*it->second);
  const bool stale =
      cached ? RevisionOf(*cached) >= mine : Revision(informer_.LastSyncResourceVersion()) >= mine;
  if (stale) {
    written_.erase(it);
    return nullptr;
  }
  return it->second;
}

client::ObjectPtr WrittenObjectCache::Get(const std::string& key) const {
  client::ObjectPtr cached = informer_.Get(key);
  if (client::ObjectPtr mine = Fresher(key, cached)) return mine;
  return cached;
}

std::vector<client::ObjectPtr> WrittenObjectCache::List() const {
  std::vector<client::ObjectPtr> out;
  std::map<std::string, bool> seen;
  for (client::ObjectPtr& obj : informer_.List()) {
    const std::string key = client::KeyOf(*obj);
    seen[key] = true;
    if (client::ObjectPtr mine = Fresher(key, obj)) obj = mine;
    out.push_back(std::move(obj));
  }
  std::vector<std::string> extra;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, obj] : written_) {
      if (!seen.count(key)) extra.push_back(key);
    }
  }
  for (const std::string& key : extra) {
    if (client::ObjectPtr obj = Get(key)) out.push_back(std::move(obj));
  }
  return out;
}

void WrittenObjectCache::Written(const nlohmann::json& obj) {
  auto ptr = std::make_shared<const nlohmann::json>(obj);
  const std::string key = client::KeyOf(obj);
  std::lock_guard lock(mu_);
  auto it = written_.find(key);
  if (it != written_.end() && RevisionOf(*it->second) >= RevisionOf(obj)) return;
  written_[key] = std::move(ptr);
}

void WrittenObjectCache::Deleted(const std::string& key) {
  std::lock_guard lock(mu_);
  written_.erase(key);
}

}  // namespace skiff::controllers
