// The cache of ADD results, one JSON file per sandbox at <dir>/<network>-<sandbox>-eth0 (the
// naming libcni uses under /var/lib/cni/results), written atomically. Internal to skiff_cni.
// Thread-safe for different sandboxes; the caller serializes calls for one sandbox.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::net {

struct CacheEntry {
  std::string sandbox_id;
  std::string netns;
  std::string pod_namespace;
  std::string pod_name;
  nlohmann::json capability_args = nlohmann::json::object();  // {"portMappings": [...]}
  nlohmann::json result;                                      // the chain's final result
  nlohmann::json loopback_result;                             // the loopback plugin's
};

class ResultCache {
 public:
  ResultCache(std::string dir, std::string network);

  std::string PathOf(const std::string& sandbox_id) const;
  Status Write(const CacheEntry& entry) const;
  // kNotFound when absent; kCorrupt when the file is not an entry of this network.
  Result<CacheEntry> Read(const std::string& sandbox_id) const;
  // Idempotent.
  Status Remove(const std::string& sandbox_id) const;
  // The sandbox ids with an entry of this network (other networks' files are skipped).
  Result<std::vector<std::string>> List() const;

 private:
  std::string dir_;
  std::string network_;
};

}  // namespace skiff::net
