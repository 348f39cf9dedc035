#include "resources.h"

#include "json_access.h"
#include "skiff/apis/qos.h"
#include "skiff/apis/quantity.h"

namespace skiff::runtime::internal {
namespace {

using apis::Quantity;
using nlohmann::json;

constexpr int64_t kMinShares = 2;
constexpr int64_t kMaxShares = 262144;
constexpr int64_t kCfsPeriod = 100000;  // microseconds
constexpr int64_t kMinQuota = 1000;
constexpr int kGuaranteedOomScoreAdj = -997;
constexpr int kBestEffortOomScoreAdj = 1000;

Quantity ResourceOf(const json& container, const char* kind, const char* name) {
  auto q = apis::QuantityFromJson(Field(Path(container, {"resources", kind}), name));
  return q ? *q : Quantity{};
}

int64_t MilliCpuToShares(int64_t milli) {
  if (milli == 0) return kMinShares;
  int64_t shares = milli * 1024 / 1000;
  if (shares < kMinShares) return kMinShares;
  if (shares > kMaxShares) return kMaxShares;
  return shares;
}

int64_t MilliCpuToQuota(int64_t milli, int64_t period) {
  if (milli == 0) return 0;
  int64_t quota = milli * period / 1000;
  return quota < kMinQuota ? kMinQuota : quota;
}

}  // namespace

std::string PodQosClass(const json& pod) {
  std::string given = StrField(Field(pod, "status"), "qosClass");
  if (!given.empty()) return given;
  return apis::PodQOSClass(Field(pod, "spec"));
}

json LinuxResources(const json& container, int64_t pids_limit, bool privileged) {
  int64_t cpu_request = apis::MilliValue(ResourceOf(container, "requests", "cpu"));
  int64_t cpu_limit = apis::MilliValue(ResourceOf(container, "limits", "cpu"));
  int64_t memory_limit = apis::Value(ResourceOf(container, "limits", "memory"));

  json cpu;
  cpu["shares"] = MilliCpuToShares(cpu_request == 0 && cpu_limit != 0 ? cpu_limit : cpu_request);
  cpu["period"] = kCfsPeriod;
  if (int64_t quota = MilliCpuToQuota(cpu_limit, kCfsPeriod); quota != 0) cpu["quota"] = quota;

  json resources;
  resources["devices"] = json::array({{{"allow", privileged}, {"access", "rwm"}}});
  resources["cpu"] = cpu;
  if (memory_limit != 0) resources["memory"] = {{"limit", memory_limit}};
  if (pids_limit > 0) resources["pids"] = {{"limit", pids_limit}};
  return resources;
}

int OomScoreAdj(const json& pod, const json& container, int64_t memory_capacity_bytes) {
  const json& spec = Field(pod, "spec");
  if (StrField(spec, "priorityClassName") == "system-node-critical") {
    return kGuaranteedOomScoreAdj;
  }
  std::string qos = PodQosClass(pod);
  if (qos == "Guaranteed") return kGuaranteedOomScoreAdj;
  if (qos == "BestEffort") return kBestEffortOomScoreAdj;
  int64_t request = apis::Value(ResourceOf(container, "requests", "memory"));
  if (memory_capacity_bytes <= 0) memory_capacity_bytes = 1;
  auto adj = static_cast<int64_t>(1000 - (static_cast<apis::Int128>(1000) * request) /
                                             memory_capacity_bytes);
  if (adj < 1000 + kGuaranteedOomScoreAdj) return 1000 + kGuaranteedOomScoreAdj;
  if (adj == kBestEffortOomScoreAdj) return static_cast<int>(adj - 1);
  return static_cast<int>(adj);
}

}  // namespace skiff::runtime::internal
