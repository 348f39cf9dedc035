#include "controllers/gc_absent_owners.h"

#include "controllers/gc_graph.h"

namespace skiff::controllers {

void AbsentOwnerCache::Add(const ObjectRef& owner) {
  if (capacity_ == 0) return;
  std::string key = owner.ToString();
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.push_front(key);
  index_.emplace(std::move(key), order_.begin());
  if (order_.size() > capacity_) {
    index_.erase(order_.back());
    order_.pop_back();
  }
}

bool AbsentOwnerCache::Has(const ObjectRef& owner) {
  const std::string key = owner.ToString();
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  order_.splice(order_.begin(), order_, it->second);
  return true;
}

size_t AbsentOwnerCache::Size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

}  // namespace skiff::controllers
