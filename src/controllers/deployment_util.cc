// Reading Deployments and ReplicaSets, the pod-template hash, maxSurge/maxUnavailable, and
// choosing and ordering ReplicaSets (deployment/util/deployment_util.go, controller_utils.go).
#include "controllers/deployment_util.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "api/object_util.h"

namespace skiff::controllers::deployment {
namespace {

const json* At(const json& obj, std::initializer_list<const char*> path) {
  const json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

bool IsEmptyValue(const json& v) {
  return v.is_null() || ((v.is_object() || v.is_array()) && v.empty());
}

void Canonicalize(json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      Canonicalize(*it);
      if (IsEmptyValue(*it)) {
        it = v.erase(it);
      } else {
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (json& e : v) Canonicalize(e);
  }
}

TimePoint CreatedAt(const json& obj) {
  TimePoint t{};
  api::ParseRfc3339(StrAt(obj, {"metadata", "creationTimestamp"}), &t);
  return t;
}

std::string NameOf(const json& obj) { return StrAt(obj, {"metadata", "name"}); }

bool CreatedBefore(const RsPtr& a, const RsPtr& b) {
  const TimePoint ta = CreatedAt(*a), tb = CreatedAt(*b);
  if (ta == tb) return NameOf(*a) < NameOf(*b);
  return ta < tb;
}

}  // namespace

int64_t IntAt(const json& obj, std::initializer_list<const char*> path, int64_t fallback) {
  const json* v = At(obj, path);
  return v && v->is_number_integer() ? v->get<int64_t>() : fallback;
}

std::string StrAt(const json& obj, std::initializer_list<const char*> path) {
  const json* v = At(obj, path);
  return v && v->is_string() ? v->get<std::string>() : "";
}

int32_t SpecReplicas(const json& obj) {
  return static_cast<int32_t>(IntAt(obj, {"spec", "replicas"}, 1));
}

int32_t StatusInt(const json& obj, const char* field) {
  return static_cast<int32_t>(IntAt(obj, {"status", field}, 0));
}

json CanonicalTemplate(const json& pod_template) {
  json copy = pod_template;
  Canonicalize(copy);
  return copy;
}

std::string ComputeHash(const json& pod_template, std::optional<int64_t> collision_count) {
  uint32_t h = Fnv1a32(CanonicalTemplate(pod_template).dump());
  if (collision_count) {
    const auto n = static_cast<uint32_t>(*collision_count);
    const char bytes[8] = {static_cast<char>(n & 0xff),
                           static_cast<char>((n >> 8) & 0xff),
                           static_cast<char>((n >> 16) & 0xff),
                           static_cast<char>((n >> 24) & 0xff),
                           0,
                           0,
                           0,
                           0};
    h = Fnv1a32(std::string_view(bytes, sizeof bytes), h);
  }
  return SafeEncodeString(std::to_string(h));
}

bool EqualIgnoreHash(const json& t1, const json& t2) {
  json a = t1, b = t2;
  for (json* t : {&a, &b}) {
    if (t->is_object() && (*t)["metadata"].is_object() && (*t)["metadata"]["labels"].is_object()) {
      (*t)["metadata"]["labels"].erase(kPodTemplateHashLabel);
    }
    Canonicalize(*t);
  }
  return a == b;
}

Result<int32_t> IntOrPercentValue(const json& value, int32_t total, bool round_up) {
  if (value.is_null()) return 0;
  if (value.is_number_integer()) return static_cast<int32_t>(value.get<int64_t>());
  if (!value.is_string()) {
    return InvalidArgumentError(
        "invalid value for IntOrString: invalid type: not an int or string");
  }
  const std::string s = value.get<std::string>();
  if (s.empty() || s.back() != '%') {
    return InvalidArgumentError(
        "invalid value for IntOrString: invalid type: string is not a "
        "percentage");
  }
  int64_t pct = 0;
  try {
    size_t used = 0;
    pct = std::stoll(s.substr(0, s.size() - 1), &used);
    if (used != s.size() - 1) throw std::invalid_argument(s);
  } catch (const std::exception&) {
    return InvalidArgumentError("invalid value \"" + s + "\": strconv.Atoi: parsing \"" +
                                s.substr(0, s.size() - 1) + "\": invalid syntax");
  }
  const double scaled = static_cast<double>(pct) * static_cast<double>(total) / 100.0;
  return static_cast<int32_t>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

Result<Fenceposts> ResolveFenceposts(const json& max_surge, const json& max_unavailable,
                                     int32_t desired) {
  auto surge = IntOrPercentValue(max_surge, desired, true);
  if (!surge.ok()) return surge.status();
  auto unavailable = IntOrPercentValue(max_unavailable, desired, false);
  if (!unavailable.ok()) return unavailable.status();
  Fenceposts f{*surge, *unavailable};
  // Rounding down may turn a non-zero maxUnavailable into 0: then allow one unavailable pod.
  if (f.surge == 0 && f.unavailable == 0) f.unavailable = 1;
  return f;
}

bool IsRollingUpdate(const json& d) {
  return StrAt(d, {"spec", "strategy", "type"}) == "RollingUpdate";
}

namespace {
Fenceposts FencepostsOf(const json& d) {
  const json* ru = At(d, {"spec", "strategy", "rollingUpdate"});
  const json none;
  const json& surge = ru && ru->contains("maxSurge") ? (*ru)["maxSurge"] : none;
  const json& unavailable = ru && ru->contains("maxUnavailable") ? (*ru)["maxUnavailable"] : none;
  auto f = ResolveFenceposts(surge, unavailable, SpecReplicas(d));
  return f.ok() ? *f : Fenceposts{};  // validation refuses what does not resolve
}
}  // namespace

int32_t MaxSurge(const json& d) { return IsRollingUpdate(d) ? FencepostsOf(d).surge : 0; }

int32_t MaxUnavailable(const json& d) {
  const int32_t replicas = SpecReplicas(d);
  if (!IsRollingUpdate(d) || replicas == 0) return 0;
  return std::min(FencepostsOf(d).unavailable, replicas);
}

bool HasProgressDeadline(const json& d) {
  const json* v = At(d, {"spec", "progressDeadlineSeconds"});
  return v && v->is_number_integer() && v->get<int64_t>() != INT32_MAX;
}

bool HasRevisionHistoryLimit(const json& d) {
  const json* v = At(d, {"spec", "revisionHistoryLimit"});
  return v && v->is_number_integer() && v->get<int64_t>() != INT32_MAX;
}

int32_t SumSpecReplicas(const RsList& rss) {
  int32_t n = 0;
  for (const RsPtr& rs : rss) {
    if (rs) n += SpecReplicas(*rs);
  }
  return n;
}

int32_t SumStatus(const RsList& rss, const char* field) {
  int32_t n = 0;
  for (const RsPtr& rs : rss) {
    if (rs) n += StatusInt(*rs, field);
  }
  return n;
}

RsList FilterActive(const RsList& rss) {
  RsList out;
  for (const RsPtr& rs : rss) {
    if (rs && SpecReplicas(*rs) > 0) out.push_back(rs);
  }
  return out;
}

void SortByCreation(RsList& rss) { std::sort(rss.begin(), rss.end(), CreatedBefore); }

void SortBySizeOlder(RsList& rss) {
  std::sort(rss.begin(), rss.end(), [](const RsPtr& a, const RsPtr& b) {
    const int32_t ra = SpecReplicas(*a), rb = SpecReplicas(*b);
    if (ra == rb) return CreatedBefore(a, b);
    return ra > rb;
  });
}

void SortBySizeNewer(RsList& rss) {
  std::sort(rss.begin(), rss.end(), [](const RsPtr& a, const RsPtr& b) {
    const int32_t ra = SpecReplicas(*a), rb = SpecReplicas(*b);
    if (ra == rb) return CreatedBefore(b, a);
    return ra > rb;
  });
}

void SortByRevision(RsList& rss) {
  std::sort(rss.begin(), rss.end(), [](const RsPtr& a, const RsPtr& b) {
    const auto ra = Revision(*a), rb = Revision(*b);
    if (!ra || !rb || *ra == *rb) return CreatedBefore(a, b);
    return *ra < *rb;
  });
}

RsPtr FindNewReplicaSet(const json& d, RsList rss) {
  SortByCreation(rss);
  const json* tmpl = At(d, {"spec", "template"});
  if (!tmpl) return nullptr;
  for (const RsPtr& rs : rss) {
    const json* rs_tmpl = At(*rs, {"spec", "template"});
    // The oldest one wins when several match (kubernetes#40415).
    if (rs_tmpl && EqualIgnoreHash(*rs_tmpl, *tmpl)) return rs;
  }
  return nullptr;
}

RsList FindOldReplicaSets(const json& d, const RsList& rss) {
  const RsPtr new_rs = FindNewReplicaSet(d, rss);
  RsList out;
  for (const RsPtr& rs : rss) {
    if (new_rs && StrAt(*rs, {"metadata", "uid"}) == StrAt(*new_rs, {"metadata", "uid"})) continue;
    out.push_back(rs);
  }
  return out;
}

RsPtr FindActiveOrLatest(const RsPtr& new_rs, RsList old_rss) {
  if (!new_rs && old_rss.empty()) return nullptr;
  SortByCreation(old_rss);
  std::reverse(old_rss.begin(), old_rss.end());
  RsList all = old_rss;
  all.push_back(new_rs);
  const RsList active = FilterActive(all);
  switch (active.size()) {
    case 0:
      return new_rs ? new_rs : old_rss.front();
    case 1:
      return active.front();
    default:
      return nullptr;
  }
}

Result<int32_t> NewRSNewReplicas(const json& d, const RsList& all_rss, const json& new_rs) {
  const std::string type = StrAt(d, {"spec", "strategy", "type"});
  const int32_t replicas = SpecReplicas(d);
  if (type == "Recreate") return replicas;
  if (type != "RollingUpdate") {
    return InvalidArgumentError("deployment type " + type + " isn't supported");
  }
  const json* ru = At(d, {"spec", "strategy", "rollingUpdate"});
  auto surge = IntOrPercentValue(ru && ru->contains("maxSurge") ? (*ru)["maxSurge"] : json(),
                                 replicas, true);
  if (!surge.ok()) return surge.status();
  const int32_t current = SumSpecReplicas(all_rss);
  const int32_t max_total = replicas + *surge;
  const int32_t new_replicas = SpecReplicas(new_rs);
  if (current >= max_total) return new_replicas;  // cannot scale up
  // Scale up, but never past the desired count.
  return new_replicas + std::min(max_total - current, replicas - new_replicas);
}

bool IsSaturated(const json& d, const RsPtr& rs) {
  if (!rs) return false;
  const auto desired = IntAnnotation(*rs, kDesiredReplicasAnnotation);
  if (!desired) return false;
  const int32_t replicas = SpecReplicas(d);
  return SpecReplicas(*rs) == replicas && *desired == replicas &&
         StatusInt(*rs, "availableReplicas") == replicas;
}

int32_t GetProportion(const RsPtr& rs, const json& d, int32_t to_add, int32_t added) {
  if (!rs || SpecReplicas(*rs) == 0 || to_add == 0 || to_add == added) return 0;
  const int32_t rs_replicas = SpecReplicas(*rs);
  int32_t fraction = 0;
  if (SpecReplicas(d) == 0) {
    fraction = -rs_replicas;  // scaling to zero: its whole size
  } else {
    const int32_t deployment_replicas = SpecReplicas(d) + MaxSurge(d);
    // Without the annotation, fall back to the Deployment's current size.
    const int32_t annotated =
        IntAnnotation(*rs, kMaxReplicasAnnotation).value_or(StatusInt(d, "replicas"));
    if (annotated != 0) {
      const double size = static_cast<double>(rs_replicas) *
                          static_cast<double>(deployment_replicas) / static_cast<double>(annotated);
      fraction = static_cast<int32_t>(std::round(size)) - rs_replicas;
    }
  }
  const int32_t allowed = to_add - added;
  // Never more than what is left to add (scaling up) or to remove (scaling down).
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

}  // namespace skiff::controllers::deployment
