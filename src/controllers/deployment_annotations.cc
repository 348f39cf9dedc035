// Revisions and the annotations a Deployment keeps on its ReplicaSets
// (deployment/util/deployment_util.go: SetNewReplicaSetAnnotations and friends).
#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "controllers/deployment_util.h"

namespace skiff::controllers::deployment {
namespace {

// strconv.ParseInt(s, 10, 64): the whole string, optional sign.
std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size() || s.front() == ' ' || s.front() == '\t') {
    return std::nullopt;
  }
  return v;
}

bool SkipCopy(const std::string& key) {
  return key == kLastAppliedAnnotation || key == kRevisionAnnotation ||
         key == kRevisionHistoryAnnotation || key == kDesiredReplicasAnnotation ||
         key == kMaxReplicasAnnotation || key == kRollbackToAnnotation;
}

json& AnnotationsOf(json& obj) {
  json& meta = obj["metadata"];
  if (!meta.is_object()) meta = json::object();
  json& ann = meta["annotations"];
  if (!ann.is_object()) ann = json::object();
  return ann;
}

std::string Annotation(const json& obj, const char* key) {
  return StrAt(obj, {"metadata", "annotations", key});
}

bool HasAnnotation(const json& obj, const char* key) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return false;
  auto ann = meta->find("annotations");
  return ann != meta->end() && ann->is_object() && ann->contains(key);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

}  // namespace

std::optional<int64_t> Revision(const json& obj) {
  if (!HasAnnotation(obj, kRevisionAnnotation)) return 0;
  return ParseInt(Annotation(obj, kRevisionAnnotation));
}

int64_t MaxRevision(const RsList& rss) {
  int64_t max = 0;
  for (const RsPtr& rs : rss) {
    // A revision that does not parse is skipped, as Kubernetes does.
    if (auto v = rs ? Revision(*rs) : std::nullopt; v && *v > max) max = *v;
  }
  return max;
}

std::optional<int32_t> IntAnnotation(const json& rs, const char* key) {
  if (!HasAnnotation(rs, key)) return std::nullopt;
  auto v = ParseInt(Annotation(rs, key));
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(*v);
}

bool SetReplicasAnnotations(json& rs, int32_t desired, int32_t max) {
  json& ann = AnnotationsOf(rs);
  bool updated = false;
  const std::string desired_s = std::to_string(desired), max_s = std::to_string(max);
  if (ann.value(kDesiredReplicasAnnotation, json()) != desired_s) {
    ann[kDesiredReplicasAnnotation] = desired_s;
    updated = true;
  }
  if (ann.value(kMaxReplicasAnnotation, json()) != max_s) {
    ann[kMaxReplicasAnnotation] = max_s;
    updated = true;
  }
  return updated;
}

bool ReplicasAnnotationsNeedUpdate(const json& rs, int32_t desired, int32_t max) {
  return !HasAnnotation(rs, kDesiredReplicasAnnotation) ||
         Annotation(rs, kDesiredReplicasAnnotation) != std::to_string(desired) ||
         !HasAnnotation(rs, kMaxReplicasAnnotation) ||
         Annotation(rs, kMaxReplicasAnnotation) != std::to_string(max);
}

bool SetNewReplicaSetAnnotations(const json& d, json& rs, const std::string& new_revision,
                                 bool exists) {
  json& ann = AnnotationsOf(rs);
  bool changed = false;
  // First the Deployment's own annotations, but not kubectl's or the revision bookkeeping.
  const json* d_meta = d.contains("metadata") ? &d["metadata"] : nullptr;
  if (d_meta && d_meta->contains("annotations") && (*d_meta)["annotations"].is_object()) {
    for (const auto& [key, value] : (*d_meta)["annotations"].items()) {
      if (SkipCopy(key) || ann.value(key, json()) == value) continue;
      ann[key] = value;
      changed = true;
    }
  }
  // Then the revision: only ever raised (old ReplicaSets may have been deleted meanwhile).
  const bool had_revision = ann.contains(kRevisionAnnotation);
  const std::string old_revision = ann.value(kRevisionAnnotation, json()).is_string()
                                       ? ann[kRevisionAnnotation].get<std::string>()
                                       : "";
  int64_t old_int = 0;
  if (auto v = ParseInt(old_revision)) {
    old_int = *v;
  } else if (!old_revision.empty()) {
    return false;  // not a number: leave it alone
  }
  const auto new_int = ParseInt(new_revision);
  if (!new_int) return false;
  if (old_int < *new_int) {
    ann[kRevisionAnnotation] = new_revision;
    changed = true;
    // A ReplicaSet that had a revision and gets a newer one is being rolled back to: keep
    // the revisions it served before, within kMaxRevisionHistoryChars.
    if (had_revision) {
      const std::string history = ann.value(kRevisionHistoryAnnotation, json()).is_string()
                                      ? ann[kRevisionHistoryAnnotation].get<std::string>()
                                      : "";
      std::vector<std::string> old_revisions = Split(history, ',');
      if (old_revisions.front().empty()) {
        ann[kRevisionHistoryAnnotation] = old_revision;
      } else {
        size_t total = history.size() + old_revision.size() + 1;
        size_t start = 0;
        while (total > kMaxRevisionHistoryChars && start < old_revisions.size()) {
          total -= old_revisions[start].size() + 1;
          ++start;
        }
        if (total <= kMaxRevisionHistoryChars) {
          std::string joined;
          for (size_t i = start; i < old_revisions.size(); ++i) joined += old_revisions[i] + ",";
          ann[kRevisionHistoryAnnotation] = joined + old_revision;
        }
      }
    }
  }
  // A ReplicaSet about to be created also records the Deployment's size.
  if (!exists && SetReplicasAnnotations(rs, SpecReplicas(d), SpecReplicas(d) + MaxSurge(d))) {
    changed = true;
  }
  return changed;
}

}  // namespace skiff::controllers::deployment
