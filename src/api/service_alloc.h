// Service address allocation on create: a ClusterIP from the service CIDR for every Service
// that needs one (a requested IP is checked to be in range and free), and nodePorts in
// 30000-32767 for NodePort and LoadBalancer Services. What is allocated is recorded in the
// Services themselves, so nothing is handed out twice, also across restarts. Creates of
// Services are serialized by the caller-held lock.
#pragma once

#include <mutex>
#include <string>

#include "api_error.h"
#include "object_util.h"
#include "skiff/store/store.h"

namespace skiff::api {

class ServiceAllocator {
 public:
  // service_cidr: "10.43.0.0/16"; an empty string disables allocation.
  void SetServiceCidr(const std::string& cidr) { cidr_ = cidr; }
  // Fills spec.clusterIP(s), ipFamilies, ipFamilyPolicy and nodePorts of `svc` (a Service
  // about to be created). Holds `lock()` while the caller stores the object.
  ApiResult<bool> Allocate(store::Store& store, const apis::ResourceType& rt, json& svc);
  std::mutex& lock() { return mu_; }

 private:
  std::string cidr_;
  std::mutex mu_;  // serializes service creates, so two cannot take the same address
};

}  // namespace skiff::api
