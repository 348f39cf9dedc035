#include "scheduler/volume_binding.h"

#include <algorithm>

#include "scheduler/json_access.h"
#include "scheduler/node_affinity.h"
#include "skiff/apis/pod_claims.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"

namespace skiff::scheduler {
namespace {

using nlohmann::json;
using internal::At;

std::string Str(const json& obj, std::initializer_list<const char*> path) {
  const json* v = &obj;
  for (const char* key : path) v = &At(*v, key);
  return v->is_string() ? v->get<std::string>() : std::string();
}

FilterStatus Reject(std::string reason) {
  return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kVolumeBinding,
                              std::move(reason));
}

}  // namespace

bool VolumeAdmitsNode(const json& volume, const json& node_labels, std::string_view node_name) {
  const json& terms =
      At(At(At(At(volume, "spec"), "nodeAffinity"), "required"), "nodeSelectorTerms");
  if (!terms.is_array()) return true;
  std::vector<std::string> errors;
  for (const json& t : terms) {
    auto term = NodeSelectorTerm::Parse(t, &errors);
    if (term && term->Matches(node_labels, node_name)) return true;
  }
  return false;
}

PodVolumes PodVolumes::Build(const json& pod, const VolumeListers& listers,
                             const std::set<std::string>& assumed) {
  PodVolumes out;
  const std::string ns = Str(pod, {"metadata", "namespace"});
  bool unbound_immediate = false;
  for (const apis::PodClaim& c : apis::PodClaims(pod)) {
    const std::string& name = c.claim;
    out.skip_ = false;
    out.claims_.emplace_back(ns, name);
    ObjectRef claim = listers.claim ? listers.claim(ns, name) : nullptr;
    if (!claim) {
      std::string reason = "persistentvolumeclaim \"" + name + "\" not found";
      // Normal for an ephemeral volume right after the pod was created.
      if (c.ephemeral) {
        reason = "waiting for ephemeral volume controller to create the persistentvolumeclaim \"" +
                 name + "\"";
      }
      out.rejection_ = Reject(std::move(reason));
      return out;
    }
    if (!At(At(*claim, "metadata"), "deletionTimestamp").is_null()) {
      out.rejection_ = Reject("persistentvolumeclaim \"" + name + "\" is being deleted");
      return out;
    }
    if (c.ephemeral) {
      if (std::string refused = apis::EphemeralClaimNotForPod(pod, *claim); !refused.empty()) {
        out.rejection_ = Reject(std::move(refused));
        return out;
      }
    }
    const std::string bound_to = Str(*claim, {"spec", "volumeName"});
    if (!bound_to.empty()) {
      ObjectRef volume = listers.volume ? listers.volume(bound_to) : nullptr;
      if (!volume) {
        out.missing_volume_ = true;
      } else {
        out.bound_volumes_.push_back(std::move(volume));
      }
      continue;
    }
    const std::string class_name = apis::ClaimStorageClass(*claim);
    ObjectRef sc = class_name.empty() || !listers.storage_class
                       ? nullptr
                       : listers.storage_class(class_name);
    if (!class_name.empty() && !sc) {
      out.rejection_ = Reject("storageclass.storage.k8s.io \"" + class_name + "\" not found");
      return out;
    }
    if (!sc || Str(*sc, {"volumeBindingMode"}) != "WaitForFirstConsumer") {
      unbound_immediate = true;
      continue;
    }
    out.delayed_.push_back(
        Delayed{std::move(claim), Str(*sc, {"provisioner"}) != apis::kNoProvisioner});
  }
  if (unbound_immediate) {
    out.rejection_ = Reject(std::string(reasons::kUnboundImmediateClaims));
    return out;
  }
  if (!out.delayed_.empty() && listers.volumes) {
    for (ObjectRef& v : listers.volumes()) {
      if (!v || assumed.count(Str(*v, {"metadata", "name"}))) continue;
      if (!At(At(*v, "metadata"), "deletionTimestamp").is_null()) continue;
      out.available_.push_back(std::move(v));
    }
  }
  // Bound volumes without node affinity constrain nothing.
  if (!out.missing_volume_ && out.delayed_.empty() &&
      std::none_of(out.bound_volumes_.begin(), out.bound_volumes_.end(), [](const ObjectRef& v) {
        return At(At(*v, "spec"), "nodeAffinity").is_object();
      })) {
    out.skip_ = true;
  }
  return out;
}

std::optional<std::vector<std::string>> PodVolumes::Choose(const NodeInfo& node) const {
  std::vector<std::string> chosen;
  std::vector<const json*> candidates;
  candidates.reserve(available_.size());
  for (const ObjectRef& v : available_) candidates.push_back(v.get());
  auto fits = [&](const json& v) { return VolumeAdmitsNode(v, node.labels(), node.name()); };
  for (const Delayed& d : delayed_) {
    const std::string selected =
        Str(*d.claim, {"metadata", "annotations", apis::kSelectedNodeAnnotation});
    if (!selected.empty() && selected != node.name()) return std::nullopt;
    const json* match = apis::FindMatchingVolume(*d.claim, candidates, true, fits);
    if (match) {
      chosen.push_back(Str(*match, {"metadata", "name"}));
      candidates.erase(std::find(candidates.begin(), candidates.end(), match));
    } else if (d.can_provision) {
      chosen.emplace_back();
    } else {
      return std::nullopt;
    }
  }
  return chosen;
}

FilterStatus PodVolumes::Filter(const NodeInfo& node) const {
  if (skip_) return FilterStatus::Success();
  if (missing_volume_) return Reject(std::string(reasons::kVolumeNotExist));
  for (const ObjectRef& v : bound_volumes_) {
    if (!VolumeAdmitsNode(*v, node.labels(), node.name())) {
      return Reject(std::string(reasons::kVolumeNodeConflict));
    }
  }
  if (!delayed_.empty() && !Choose(node)) return Reject(std::string(reasons::kVolumeBindConflict));
  return FilterStatus::Success();
}

std::vector<VolumeAction> PodVolumes::Plan(const NodeInfo& node) const {
  std::vector<VolumeAction> actions;
  if (delayed_.empty()) return actions;
  auto chosen = Choose(node);
  if (!chosen) return actions;
  for (size_t i = 0; i < delayed_.size(); ++i) {
    const json& claim = *delayed_[i].claim;
    actions.push_back(VolumeAction{Str(claim, {"metadata", "namespace"}),
                                   Str(claim, {"metadata", "name"}),
                                   Str(claim, {"metadata", "uid"}), (*chosen)[i]});
  }
  return actions;
}

}  // namespace skiff::scheduler
