// EndpointSliceTracker (k8s.io/endpointslice/util): what a slice controller last wrote, per
// Service, so that a sync never acts on an informer cache that has not yet caught up with its
// own writes (which would create duplicate slices), and so that the informer's echo of those
// writes does not trigger another sync.
//
// Kubernetes tracks metadata.generation; skiff's API does not set one on EndpointSlices, so the
// tracker keeps the resourceVersion each write returned (skiff's resourceVersions are
// increasing store revisions). Slices are filed under their namespace and
// kubernetes.io/service-name label, by uid.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::controllers {

class EndpointSliceTracker {
 public:
  // True when the tracker has a record of this slice (by uid).
  bool Has(const nlohmann::json& slice) const;
  // True unless the tracker holds this slice at the same or a newer resourceVersion (i.e. the
  // notification is not just the echo of this controller's own write).
  bool ShouldSync(const nlohmann::json& slice) const;
  // True when the cached `slices` of `service` lag behind this controller's writes: a tracked
  // slice is older in the cache, still present though its deletion was expected, or missing
  // while the cache has not yet reached the write (`cache_version`: the informer's
  // LastSyncResourceVersion, read before `slices`; once the cache is past a write, a missing
  // slice was deleted by someone else). Records of a previous Service of the same name
  // (another uid) are dropped first.
  bool StaleSlices(const nlohmann::json& service, const std::vector<client::ObjectPtr>& slices,
                   uint64_t cache_version);
  // Records a slice as this controller wrote it (the API's answer).
  void Update(const nlohmann::json& slice);
  // Records that this controller deleted the slice.
  void ExpectDeletion(const nlohmann::json& slice);
  // The informer saw the slice deleted: forgets it. True if the deletion was expected (or the
  // slice was not tracked).
  bool HandleDeletion(const nlohmann::json& slice);
  // Forgets everything about the Service `service_key` ("ns/name").
  void DeleteService(const std::string& service_key);

 private:
  static constexpr int64_t kDeletionExpected = -1;
  using Versions = std::unordered_map<std::string, int64_t>;  // slice uid -> resourceVersion
  static std::string ServiceKeyOf(const nlohmann::json& slice);

  mutable std::mutex mu_;  // guards by_service_, service_uids_
  std::unordered_map<std::string, Versions> by_service_;
  std::unordered_map<std::string, std::string> service_uids_;
};

}  // namespace skiff::controllers
