#include "controllers/node_util.h"

#include <cctype>

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::controllers {

void EnsurePodNodeNameIndex(client::Informer& pods, const char* component) {
  Status indexed = pods.AddIndex(kPodNodeNameIndex, client::IndexByNodeName);
  if (!indexed.ok() && indexed.code() != Code::kAlreadyExists) {
    log::Warning(component, "cannot index pods by node", {{"error", indexed.message()}});
  }
}

const json* FindCondition(const json& obj, const std::string& type) {
  const json* conditions = api::Find(obj, {"status", "conditions"});
  if (!conditions || !conditions->is_array()) return nullptr;
  for (const json& c : *conditions) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

std::string ConditionStatus(const json& obj, const std::string& type) {
  const json* c = FindCondition(obj, type);
  return c ? c->value("status", "") : "";
}

bool IsNodeReady(const json& node) { return ConditionStatus(node, "Ready") == "True"; }

std::string ZoneKey(const json& node) {
  const json* labels = api::Find(node, {"metadata", "labels"});
  auto label = [&](const char* key) -> std::string {
    if (!labels || !labels->is_object()) return "";
    auto it = labels->find(key);
    return it != labels->end() && it->is_string() ? it->get<std::string>() : "";
  };
  std::string zone = label("topology.kubernetes.io/zone");
  if (zone.empty()) zone = label("failure-domain.beta.kubernetes.io/zone");
  std::string region = label("topology.kubernetes.io/region");
  if (region.empty()) region = label("failure-domain.beta.kubernetes.io/region");
  if (region.empty() && zone.empty()) return "";
  // Kubernetes joins them with ":\x00:" so that no label value can forge a key.
  return region + std::string(":\0:", 3) + zone;
}

std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& text) {
  std::chrono::system_clock::time_point whole;
  if (text.empty() || !api::ParseRfc3339(text, &whole)) return std::nullopt;
  // ParseRfc3339 drops the fraction; add it back to the microsecond.
  const size_t dot = text.find('.');
  if (dot == std::string::npos) return whole;
  int64_t micros = 0;
  int digits = 0;
  for (size_t i = dot + 1; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));
       ++i) {
    if (digits < 6) {
      micros = micros * 10 + (text[i] - '0');
      ++digits;
    }
  }
  for (; digits < 6; ++digits) micros *= 10;
  return whole + std::chrono::microseconds(micros);
}

std::string FormatTime(std::chrono::system_clock::time_point t) { return api::Rfc3339(t); }

bool UpdatePodCondition(json& status, json condition, std::chrono::system_clock::time_point now) {
  condition["lastTransitionTime"] = FormatTime(now);
  if (!condition.contains("lastProbeTime")) condition["lastProbeTime"] = nullptr;
  if (!status.is_object()) status = json::object();
  if (!status.contains("conditions") || !status["conditions"].is_array()) {
    status["conditions"] = json::array();
  }
  json& conditions = status["conditions"];
  const std::string type = condition.value("type", "");
  for (json& old : conditions) {
    if (!old.is_object() || old.value("type", "") != type) continue;
    if (condition.value("status", "") == old.value("status", "")) {
      condition["lastTransitionTime"] =
          old.contains("lastTransitionTime") ? old["lastTransitionTime"] : json(nullptr);
    }
    auto field = [](const json& c, const char* name) {
      auto it = c.find(name);
      return it == c.end() ? json(nullptr) : *it;
    };
    bool equal = true;
    for (const char* name :
         {"status", "reason", "message", "lastProbeTime", "lastTransitionTime"}) {
      json a = field(condition, name), b = field(old, name);
      // An absent reason or message is the empty string (Go's zero value).
      if (a.is_null() && b.is_string() && b.get<std::string>().empty()) a = "";
      if (b.is_null() && a.is_string() && a.get<std::string>().empty()) b = "";
      equal = equal && a == b;
    }
    old = std::move(condition);
    return !equal;
  }
  conditions.push_back(std::move(condition));
  return true;
}

json ObjectRef(const std::string& kind, const std::string& ns, const std::string& name,
               const std::string& uid) {
  json meta = {{"name", name}};
  if (!ns.empty()) meta["namespace"] = ns;
  if (!uid.empty()) meta["uid"] = uid;
  return {{"apiVersion", "v1"}, {"kind", kind}, {"metadata", std::move(meta)}};
}

}  // namespace skiff::controllers
