// The garbage collector's absentOwnerCache: owners verified not to exist (a 404, another uid
// under that name, or the informer saw them deleted), so that the dependents of a deleted owner
// do not each ask the API again. Keyed by the owner's full coordinates (apiVersion, kind,
// namespace, name, uid): a uid is never reused, but a reference with wrong coordinates may
// "not exist" where the right one does. Bounded: the least recently used entry goes first
// (Kubernetes keeps 500). Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace skiff::controllers {

struct ObjectRef;

class AbsentOwnerCache {
 public:
  explicit AbsentOwnerCache(size_t capacity = 500) : capacity_(capacity) {}

  void Add(const ObjectRef& owner);
  // True when `owner` was added (and not evicted since); refreshes it.
  bool Has(const ObjectRef& owner);
  size_t Size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;         // guards order_, index_
  std::list<std::string> order_;  // most recently used first
  std::unordered_map<std::string, std::list<std::string>::iterator> index_;
};

}  // namespace skiff::controllers
