// What the PersistentVolume controller reads objects from: an informer's cache overlaid with
// the objects the controller itself wrote that the informer does not show yet (kube's
// storeVolumeUpdate/storeClaimUpdate), so a sync never decides on a state older than the
// controller's own last write (binding one volume twice, or undoing a bind it just made).
//
// A written object is kept while it is newer (resourceVersion, compared as the store's
// revision numbers) than the informer's copy; it is dropped once the informer has caught up,
// or, when the informer has no object under its key and has seen revisions past it, as
// deleted. Thread-safe; the informer must outlive the cache.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::controllers {

class WrittenObjectCache {
 public:
  explicit WrittenObjectCache(client::Informer& informer) : informer_(informer) {}

  // The newest known state under `key` (client::KeyOf), or nullptr.
  client::ObjectPtr Get(const std::string& key) const;
  // Every object, each in its newest known state (in no particular order).
  std::vector<client::ObjectPtr> List() const;
  // Records what a write returned (Create, Update, MergePatch).
  void Written(const nlohmann::json& obj);
  // Forgets the key (the informer reported its deletion).
  void Deleted(const std::string& key);

 private:
  // The overlay entry for key if it is still newer than `cached` (dropping it otherwise).
  client::ObjectPtr Fresher(const std::string& key, const client::ObjectPtr& cached) const;

  client::Informer& informer_;
  mutable std::mutex mu_;  // guards written_
  mutable std::map<std::string, client::ObjectPtr> written_;
};

}  // namespace skiff::controllers
