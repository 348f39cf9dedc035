#include "skiff/apis/qos.h"

#include <map>
#include <optional>

#include "skiff/apis/quantity.h"

namespace skiff::apis {
namespace {

using nlohmann::json;

// The object member `key` of `o`, or a shared empty object.
const json& ObjectMember(const json& o, const char* key) {
  static const json kEmpty = json::object();
  if (!o.is_object()) return kEmpty;
  auto it = o.find(key);
  return it != o.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace

std::string PodQOSClass(const json& pod_spec) {
  std::map<std::string, Quantity> requests, limits;
  bool guaranteed = true;
  auto accumulate = [](std::map<std::string, Quantity>& into, const std::string& name,
                       const Quantity& q) {
    auto it = into.find(name);
    if (it == into.end()) {
      into[name] = q;
    } else {
      it->second = AddQuantity(it->second, q);
    }
  };
  auto positive = [](const json& v) -> std::optional<Quantity> {
    auto q = QuantityFromJson(v);
    if (q && !q->IsZero() && !q->IsNegative()) return q;
    return std::nullopt;
  };
  for (const char* key : {"containers", "initContainers"}) {
    if (!pod_spec.is_object()) break;
    auto list = pod_spec.find(key);
    if (list == pod_spec.end() || !list->is_array()) continue;
    for (const json& c : *list) {
      const json& res = ObjectMember(c, "resources");
      for (const auto& [name, v] : ObjectMember(res, "requests").items()) {
        if (name != "cpu" && name != "memory") continue;
        if (auto q = positive(v)) accumulate(requests, name, *q);
      }
      bool cpu = false, mem = false;
      for (const auto& [name, v] : ObjectMember(res, "limits").items()) {
        if (name != "cpu" && name != "memory") continue;
        if (auto q = positive(v)) {
          (name == "cpu" ? cpu : mem) = true;
          accumulate(limits, name, *q);
        }
      }
      if (!cpu || !mem) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto it = limits.find(name);
      if (it == limits.end() || CompareQuantity(it->second, req) != 0) {
        guaranteed = false;
        break;
      }
    }
  }
  if (guaranteed && requests.size() == limits.size()) return "Guaranteed";
  return "Burstable";
}

}  // namespace skiff::apis
