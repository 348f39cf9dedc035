#include "controllers/expectations.h"

namespace skiff::controllers {

void Expectations::Expect(const std::string& key, int adds, int deletes) {
  std::lock_guard lock(mu_);
  records_[key] = Record{adds, deletes, {}, Clock::now()};
}

void Expectations::ExpectDeletionsOf(const std::string& key,
                                     const std::vector<std::string>& objects) {
  std::lock_guard lock(mu_);
  Record r{0, 0, {}, Clock::now()};
  r.deleting.insert(objects.begin(), objects.end());
  r.deletes = static_cast<int>(r.deleting.size());
  records_[key] = std::move(r);
}

void Expectations::CreationObserved(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it != records_.end() && it->second.adds > 0) --it->second.adds;
}

void Expectations::DeletionObserved(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it != records_.end() && it->second.deletes > 0) --it->second.deletes;
}

void Expectations::DeletionObservedOf(const std::string& key, const std::string& object) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end() || it->second.deleting.erase(object) == 0) return;
  if (it->second.deletes > 0) --it->second.deletes;
}

bool Expectations::Satisfied(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return true;
  const Record& r = it->second;
  if (r.adds <= 0 && r.deletes <= 0) return true;
  return Clock::now() - r.at > timeout_;
}

void Expectations::Delete(const std::string& key) {
  std::lock_guard lock(mu_);
  records_.erase(key);
}

}  // namespace skiff::controllers
