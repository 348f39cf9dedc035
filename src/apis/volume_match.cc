#include "skiff/apis/volume_match.h"

#include <algorithm>

#include "json_path.h"

namespace skiff::apis {
namespace {

using nlohmann::json;
using internal::Member;
using internal::Path;
using internal::Str;

constexpr char kBetaClassAnnotation[] = "volume.beta.kubernetes.io/storage-class";
constexpr char kBindCompleted[] = "pv.kubernetes.io/bind-completed";

const json* Annotation(const json& obj, const char* key) {
  const json* annotations = Path(obj, {"metadata", "annotations"});
  return annotations ? Member(*annotations, key) : nullptr;
}

Quantity OrZero(std::optional<Quantity> q) { return q ? *q : Quantity{}; }

// One matchExpressions entry against a labels object.
bool ExpressionMatches(const json& expr, const json& labels) {
  if (!expr.is_object()) return false;
  const std::string key = expr.value("key", "");
  const std::string op = expr.value("operator", "");
  const json* value = Member(labels, key.c_str());
  const bool has = value && value->is_string();
  auto listed = [&] {
    const json* values = Member(expr, "values");
    if (!has || !values || !values->is_array()) return false;
    return std::find(values->begin(), values->end(), *value) != values->end();
  };
  if (op == "In") return has && listed();
  if (op == "NotIn") return !has || !listed();
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  return false;  // not a valid operator: the selector does not parse
}

}  // namespace

std::optional<Quantity> ClaimStorageRequest(const json& claim) {
  const json* v = Path(claim, {"spec", "resources", "requests", "storage"});
  return v ? QuantityFromJson(*v) : std::nullopt;
}

std::optional<Quantity> VolumeStorageCapacity(const json& volume) {
  const json* v = Path(volume, {"spec", "capacity", "storage"});
  return v ? QuantityFromJson(*v) : std::nullopt;
}

std::string ClaimStorageClass(const json& claim) {
  if (const json* a = Annotation(claim, kBetaClassAnnotation); a && a->is_string()) {
    return a->get<std::string>();
  }
  return Str(claim, {"spec", "storageClassName"});
}

bool ClaimHasStorageClass(const json& claim) {
  return Annotation(claim, kBetaClassAnnotation) != nullptr ||
         Path(claim, {"spec", "storageClassName"}) != nullptr;
}

std::string VolumeStorageClass(const json& volume) {
  if (const json* a = Annotation(volume, kBetaClassAnnotation); a && a->is_string()) {
    return a->get<std::string>();
  }
  return Str(volume, {"spec", "storageClassName"});
}

std::string VolumeModeOf(const json& obj) {
  const std::string mode = Str(obj, {"spec", "volumeMode"});
  return mode.empty() ? "Filesystem" : mode;
}

bool AccessModesSatisfied(const json& claim, const json& volume) {
  const json* wanted = Path(claim, {"spec", "accessModes"});
  if (!wanted || !wanted->is_array()) return true;
  const json* offered = Path(volume, {"spec", "accessModes"});
  for (const json& mode : *wanted) {
    if (!offered || !offered->is_array() ||
        std::find(offered->begin(), offered->end(), mode) == offered->end()) {
      return false;
    }
  }
  return true;
}

bool ClaimSelectorMatches(const json& claim, const json& volume) {
  const json* selector = Path(claim, {"spec", "selector"});
  if (!selector) return true;
  if (!selector->is_object()) return false;
  static const json kNoLabels = json::object();
  const json* labels_ptr = Path(volume, {"metadata", "labels"});
  const json& labels = labels_ptr && labels_ptr->is_object() ? *labels_ptr : kNoLabels;
  if (const json* match = Member(*selector, "matchLabels")) {
    if (!match->is_object()) return false;
    for (const auto& [k, v] : match->items()) {
      const json* have = Member(labels, k.c_str());
      if (!have || *have != v) return false;
    }
  }
  if (const json* exprs = Member(*selector, "matchExpressions")) {
    if (!exprs->is_array()) return false;
    for (const json& expr : *exprs) {
      if (!ExpressionMatches(expr, labels)) return false;
    }
  }
  return true;
}

bool VolumeIsBoundToClaim(const json& volume, const json& claim) {
  const json* ref = Path(volume, {"spec", "claimRef"});
  if (!ref || !ref->is_object()) return false;
  if (Str(*ref, {"name"}) != Str(claim, {"metadata", "name"}) ||
      Str(*ref, {"namespace"}) != Str(claim, {"metadata", "namespace"})) {
    return false;
  }
  const std::string uid = Str(*ref, {"uid"});
  return uid.empty() || uid == Str(claim, {"metadata", "uid"});
}

bool ClaimIsBound(const json& claim) {
  return !Str(claim, {"spec", "volumeName"}).empty() &&
         Annotation(claim, kBindCompleted) != nullptr;
}

bool VolumeIsBeingDeleted(const json& volume) {
  return Path(volume, {"metadata", "deletionTimestamp"}) != nullptr;
}

std::string VolumeMismatch(const json& volume, const json& claim) {
  if (VolumeIsBeingDeleted(volume)) {
    return "the volume is marked for deletion \"" + Str(volume, {"metadata", "name"}) + "\"";
  }
  if (CompareQuantity(OrZero(VolumeStorageCapacity(volume)), OrZero(ClaimStorageRequest(claim))) <
      0) {
    return "requested PV is too small";
  }
  if (VolumeStorageClass(volume) != ClaimStorageClass(claim)) {
    return "storageClassName does not match";
  }
  if (VolumeModeOf(volume) != VolumeModeOf(claim)) return "incompatible volumeMode";
  if (!AccessModesSatisfied(claim, volume)) return "incompatible accessMode";
  return "";
}

const json* FindMatchingVolume(const json& claim, const std::vector<const json*>& volumes,
                               bool delay_binding,
                               const std::function<bool(const json& pv)>& node_fits) {
  const Quantity request = OrZero(ClaimStorageRequest(claim));
  const std::string claim_class = ClaimStorageClass(claim);
  const std::string claim_mode = VolumeModeOf(claim);
  const json* best = nullptr;
  Quantity best_size;
  for (const json* volume : volumes) {
    if (!volume) continue;
    if (Path(*volume, {"spec", "claimRef"}) && !VolumeIsBoundToClaim(*volume, claim)) continue;
    const Quantity size = OrZero(VolumeStorageCapacity(*volume));
    if (CompareQuantity(size, request) < 0) continue;
    if (VolumeModeOf(*volume) != claim_mode) continue;
    if (VolumeIsBeingDeleted(*volume)) continue;
    if (!AccessModesSatisfied(claim, *volume)) continue;
    const bool fits = !node_fits || node_fits(*volume);
    if (VolumeIsBoundToClaim(*volume, claim)) return fits ? volume : nullptr;
    if (delay_binding && !node_fits) continue;  // the scheduler binds these
    if (Str(*volume, {"status", "phase"}) != "Available") continue;
    if (!ClaimSelectorMatches(claim, *volume)) continue;
    if (VolumeStorageClass(*volume) != claim_class) continue;
    if (!fits) continue;
    if (!best || CompareQuantity(size, best_size) < 0) {
      best = volume;
      best_size = size;
    }
  }
  return best;
}

}  // namespace skiff::apis
