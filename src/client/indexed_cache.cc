#include "indexed_cache.h"

#include <algorithm>
#include <mutex>

namespace skiff::client {
namespace {

const std::string& ResourceVersionOf(const json& obj) {
  static const std::string kNone;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return kNone;
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get_ref<const std::string&>() : kNone;
}

}  // namespace

IndexedCache::IndexedCache() { indexes_[kNamespaceIndex].fn = IndexByNamespace; }

std::vector<std::string> IndexedCache::ValuesOf(const Index& index, const json* obj) {
  if (!obj) return {};
  std::vector<std::string> values;
  try {
    values = index.fn(*obj);
  } catch (...) {
    return {};  // an index function that cannot read the object files it nowhere
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

void IndexedCache::ReindexLocked(const std::string& key, const json* old, const json* now) {
  for (auto& [name, index] : indexes_) {
    const std::vector<std::string> before = ValuesOf(index, old);
    const std::vector<std::string> after = ValuesOf(index, now);
    if (before == after) continue;
    for (const std::string& v : before) {
      if (std::binary_search(after.begin(), after.end(), v)) continue;
      auto it = index.keys.find(v);
      if (it == index.keys.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.keys.erase(it);
    }
    for (const std::string& v : after) {
      if (!std::binary_search(before.begin(), before.end(), v)) index.keys[v].insert(key);
    }
  }
}

Status IndexedCache::AddIndex(const std::string& name, IndexFunc fn) {
  std::unique_lock lock(mu_);
  if (indexes_.count(name)) return AlreadyExistsError("index \"" + name + "\" already exists");
  Index& index = indexes_[name];
  index.fn = std::move(fn);
  for (const auto& [key, obj] : items_) {
    for (std::string& v : ValuesOf(index, obj.get())) index.keys[std::move(v)].insert(key);
  }
  return Status::Ok();
}

ObjectPtr IndexedCache::Get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> IndexedCache::List() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<ObjectPtr> IndexedCache::ByIndex(const std::string& index,
                                             const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto ix = indexes_.find(index);
  if (ix == indexes_.end()) return out;
  auto keys = ix->second.keys.find(value);
  if (keys == ix->second.keys.end()) return out;
  out.reserve(keys->second.size());
  for (const std::string& key : keys->second) {
    auto it = items_.find(key);
    if (it != items_.end()) out.push_back(it->second);
  }
  return out;
}

size_t IndexedCache::Size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

void IndexedCache::Apply(std::vector<Change>& changes) {
  std::unique_lock lock(mu_);
  for (Change& c : changes) {
    auto it = items_.find(c.key);
    c.old = it == items_.end() ? nullptr : it->second;
    ReindexLocked(c.key, c.old.get(), c.object.get());
    if (c.object) {
      if (it == items_.end()) {
        items_.emplace(c.key, c.object);
      } else {
        it->second = c.object;
      }
    } else if (it != items_.end()) {
      items_.erase(it);
    }
  }
}

std::vector<IndexedCache::Change> IndexedCache::Replace(
    std::vector<std::pair<std::string, ObjectPtr>> fresh) {
  std::vector<Change> changes;
  std::unordered_map<std::string, ObjectPtr> next;
  next.reserve(fresh.size());
  std::unique_lock lock(mu_);
  for (auto& [key, obj] : fresh) {
    auto it = items_.find(key);
    if (it == items_.end()) {
      ReindexLocked(key, nullptr, obj.get());
      changes.push_back({key, obj, nullptr});
    } else if (ResourceVersionOf(*it->second) == ResourceVersionOf(*obj)) {
      obj = it->second;  // unchanged: keep the pointer consumers may already hold
    } else {
      ReindexLocked(key, it->second.get(), obj.get());
      changes.push_back({key, obj, it->second});
    }
    next[std::move(key)] = std::move(obj);
  }
  std::vector<Change> deletes;
  for (auto& [key, obj] : items_) {
    if (next.count(key)) continue;
    ReindexLocked(key, obj.get(), nullptr);
    deletes.push_back({key, nullptr, obj});
  }
  items_.swap(next);
  lock.unlock();
  std::sort(deletes.begin(), deletes.end(),
            [](const Change& a, const Change& b) { return a.key < b.key; });
  for (Change& d : deletes) changes.push_back(std::move(d));
  return changes;
}

}  // namespace skiff::client
