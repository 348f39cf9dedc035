#include "controllers/daemonset_util.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace skiff::controllers::daemonset {

const json* At(const json& obj, std::initializer_list<const char*> path) {
  const json* cur = &obj;
  for (const char* step : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(step);
    if (it == cur->end() || it->is_null()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string StrAt(const json& obj, std::initializer_list<const char*> path) {
  const json* v = At(obj, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

int64_t IntAt(const json& obj, std::initializer_list<const char*> path, int64_t fallback) {
  const json* v = At(obj, path);
  return v && v->is_number_integer() ? v->get<int64_t>() : fallback;
}

std::string ResourceVersionOf(const json& obj) {
  return StrAt(obj, {"metadata", "resourceVersion"});
}

const json& LabelsOf(const json& obj) {
  static const json kNone = json::object();
  const json* labels = At(obj, {"metadata", "labels"});
  return labels && labels->is_object() ? *labels : kNone;
}

std::string LabelOf(const json& obj, const std::string& key) {
  const json& labels = LabelsOf(obj);
  auto it = labels.find(key);
  return it != labels.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t MinReadySeconds(const json& ds) { return IntAt(ds, {"spec", "minReadySeconds"}, 0); }

std::optional<int64_t> TemplateGeneration(const json& ds) {
  const json* v = At(ds, {"metadata", "annotations", kTemplateGenerationAnnotation});
  if (!v || !v->is_string()) return std::nullopt;
  const std::string& s = v->get_ref<const std::string&>();
  int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

std::string UpdateStrategyType(const json& ds) {
  std::string type = StrAt(ds, {"spec", "updateStrategy", "type"});
  return type.empty() ? "RollingUpdate" : type;
}

bool FailedPodBackoff::InBackoffSinceUpdate(const std::string& key, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || Expired(it->second, now)) return false;
  return now - it->second.last_update < it->second.delay;
}

std::chrono::milliseconds FailedPodBackoff::Get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? std::chrono::milliseconds(0) : it->second.delay;
}

void FailedPodBackoff::Next(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || Expired(it->second, now)) {
    entries_[key] = Entry{initial_, now};
    return;
  }
  it->second.delay = std::min(it->second.delay * 2, max_);
  it->second.last_update = now;
}

void FailedPodBackoff::GC(Clock::time_point now) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = Expired(it->second, now) ? entries_.erase(it) : std::next(it);
  }
}

std::string FailedPodBackoffKey(const json& ds, const std::string& node) {
  return UidOf(ds) + "/" + std::to_string(IntAt(ds, {"status", "observedGeneration"}, 0)) + "/" +
         node;
}

}  // namespace skiff::controllers::daemonset
