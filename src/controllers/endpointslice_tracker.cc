#include "controllers/endpointslice_tracker.h"

#include <set>

#include "api/object_util.h"
#include "controllers/endpoint_util.h"

namespace skiff::controllers {
namespace {

std::string Uid(const json& obj) { return api::GetString(obj, {"metadata", "uid"}); }

int64_t Version(const json& slice) { return static_cast<int64_t>(ResourceVersionNumber(slice)); }

}  // namespace

std::string EndpointSliceTracker::ServiceKeyOf(const json& slice) {
  return api::GetString(slice, {"metadata", "namespace"}) + "/" +
         api::GetString(slice, {"metadata", "labels", kLabelServiceName});
}

bool EndpointSliceTracker::Has(const json& slice) const {
  std::lock_guard lock(mu_);
  auto it = by_service_.find(ServiceKeyOf(slice));
  return it != by_service_.end() && it->second.count(Uid(slice)) > 0;
}

bool EndpointSliceTracker::ShouldSync(const json& slice) const {
  std::lock_guard lock(mu_);
  auto it = by_service_.find(ServiceKeyOf(slice));
  if (it == by_service_.end()) return true;
  auto v = it->second.find(Uid(slice));
  return v == it->second.end() || Version(slice) > v->second;
}

bool EndpointSliceTracker::StaleSlices(const json& service,
                                       const std::vector<client::ObjectPtr>& slices,
                                       uint64_t cache_version) {
  const std::string key = client::KeyOf(service);
  const std::string uid = Uid(service);
  std::lock_guard lock(mu_);
  auto tracked_uid = service_uids_.find(key);
  if (tracked_uid != service_uids_.end() && !tracked_uid->second.empty() && !uid.empty() &&
      tracked_uid->second != uid) {
    by_service_.erase(key);
  }
  service_uids_[key] = uid;
  auto it = by_service_.find(key);
  if (it == by_service_.end()) return false;
  const Versions& versions = it->second;
  std::set<std::string> provided;
  for (const auto& slice : slices) {
    const std::string slice_uid = Uid(*slice);
    provided.insert(slice_uid);
    auto v = versions.find(slice_uid);
    if (v != versions.end() && (v->second == kDeletionExpected || v->second > Version(*slice))) {
      return true;
    }
  }
  for (const auto& [slice_uid, version] : versions) {
    if (version != kDeletionExpected && !provided.count(slice_uid) &&
        static_cast<uint64_t>(version) > cache_version) {
      return true;
    }
  }
  return false;
}

void EndpointSliceTracker::Update(const json& slice) {
  std::lock_guard lock(mu_);
  by_service_[ServiceKeyOf(slice)][Uid(slice)] = Version(slice);
}

void EndpointSliceTracker::ExpectDeletion(const json& slice) {
  std::lock_guard lock(mu_);
  by_service_[ServiceKeyOf(slice)][Uid(slice)] = kDeletionExpected;
}

bool EndpointSliceTracker::HandleDeletion(const json& slice) {
  std::lock_guard lock(mu_);
  auto it = by_service_.find(ServiceKeyOf(slice));
  if (it == by_service_.end()) return true;
  auto v = it->second.find(Uid(slice));
  if (v == it->second.end()) return true;
  const bool expected = v->second == kDeletionExpected;
  it->second.erase(v);
  return expected;
}

void EndpointSliceTracker::DeleteService(const std::string& service_key) {
  std::lock_guard lock(mu_);
  by_service_.erase(service_key);
  service_uids_.erase(service_key);
}

}  // namespace skiff::controllers
