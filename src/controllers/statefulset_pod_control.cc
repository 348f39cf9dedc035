// What a StatefulSet sync writes (kube-controller-manager's StatefulPodControl): pods and their
// claims, the claims' owner references, and the events that report each write. The plan's
// groups run in order; a group with a failure ends the sync.
#include <algorithm>
#include <cctype>

#include "api/object_util.h"
#include "controllers/statefulset_controller.h"

namespace skiff::controllers {
namespace {

namespace sts = statefulset;

std::string Title(std::string verb) {
  if (!verb.empty()) verb[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(verb[0])));
  return verb;
}

// Kubernetes aggregates several errors as "[a, b]" and one as itself.
Status Aggregate(const std::vector<std::string>& errors) {
  if (errors.empty()) return Status::Ok();
  if (errors.size() == 1) return InternalError(errors[0]);
  std::string msg = "[";
  for (size_t i = 0; i < errors.size(); ++i) msg += (i ? ", " : "") + errors[i];
  return InternalError(msg + "]");
}

}  // namespace

void StatefulSetController::RecordPodEvent(const std::string& verb, const json& set,
                                           const json& pod, const Status& s) {
  const std::string what = verb + " Pod " + sts::Name(pod) + " in StatefulSet " + sts::Name(set);
  if (s.ok()) {
    recorder_.Record(set, "", "Normal", "Successful" + Title(verb), what + " successful");
  } else {
    recorder_.Record(set, "", "Warning", "Failed" + Title(verb),
                     what + " failed error: " + s.message());
  }
}

void StatefulSetController::RecordClaimEvent(const std::string& verb, const json& set,
                                             const json& pod, const std::string& claim,
                                             const Status& s) {
  if (s.ok()) {
    recorder_.Record(set, "", "Normal", "Successful" + Title(verb),
                     verb + " Claim " + claim + " Pod " + sts::Name(pod) + " in StatefulSet " +
                         sts::Name(set) + " success");
  } else {
    recorder_.Record(set, "", "Warning", "Failed" + Title(verb),
                     verb + " Claim " + claim + " for Pod " + sts::Name(pod) + " in StatefulSet " +
                         sts::Name(set) + " failed error: " + s.message());
  }
}

Status StatefulSetController::CreateClaims(const json& set, const json& pod,
                                           std::map<std::string, json>* created) {
  std::vector<std::string> errors;
  const std::string ns = sts::Namespace(set);
  for (const auto& [tmpl, claim] : sts::ClaimsFor(set, sts::OrdinalOf(pod))) {
    const std::string name = sts::Name(claim);
    client::ObjectPtr cached = CachedClaim(ns, name);
    if (cached) {
      if (IsBeingDeleted(*cached)) errors.push_back("pvc " + name + " is being deleted");
      continue;
    }
    auto made = client_.Create(client::PersistentVolumeClaims(), ns, claim);
    if (made.ok()) {
      RecordClaimEvent("create", set, pod, name, Status::Ok());
      if (created) (*created)[name] = std::move(*made);
      continue;
    }
    if (made.status().code() == Code::kAlreadyExists) {
      // The cache is behind: the claim is there, unless it is on its way out.
      auto existing = client_.Get(client::PersistentVolumeClaims(), ns, name);
      if (existing.ok() && IsBeingDeleted(*existing)) {
        errors.push_back("pvc " + name + " is being deleted");
      } else if (existing.ok() && created) {
        (*created)[name] = std::move(*existing);
      }
      continue;
    }
    RecordClaimEvent("create", set, pod, name, made.status());
    errors.push_back("failed to create PVC " + name + ": " + made.status().message());
  }
  return Aggregate(errors);
}

Status StatefulSetController::UpdateClaimsForRetention(const json& set, const json& pod,
                                                       const std::map<std::string, json>& fresh) {
  const std::string ns = sts::Namespace(set);
  for (const auto& [tmpl, want] : sts::ClaimsFor(set, sts::OrdinalOf(pod))) {
    const std::string name = sts::Name(want);
    json claim;
    if (auto it = fresh.find(name); it != fresh.end()) {
      claim = it->second;
    } else if (client::ObjectPtr cached = CachedClaim(ns, name)) {
      claim = *cached;
    } else {
      continue;  // missing: a later sync picks it up
    }
    if (sts::HasUnexpectedController(claim, set, pod)) {
      recorder_.Record(set, "", "Warning", "ConflictingController",
                       "PersistentVolumeClaim " + name +
                           " has a conflicting OwnerReference that acts as a manging controller, "
                           "the retention policy is ignored for this claim");
    }
    if (sts::ClaimOwnerUpToDate(claim, set, pod)) continue;
    json refs = sts::UpdatedClaimOwnerRefs(claim, set, pod);
    json patch = {{"metadata",
                   {{"resourceVersion", api::GetString(claim, {"metadata", "resourceVersion"})},
                    {"ownerReferences", refs.empty() ? json(nullptr) : std::move(refs)}}}};
    auto patched = client_.MergePatch(client::PersistentVolumeClaims(), ns, name, patch);
    if (!patched.ok()) {
      return Status(patched.status().code(),
                    "could not update claim " + name +
                        " for delete policy ownerRefs: " + patched.status().message());
    }
  }
  return Status::Ok();
}

Status StatefulSetController::CreatePod(const json& set, const json& pod) {
  std::map<std::string, json> claims;
  Status s = CreateClaims(set, pod, &claims);
  if (!s.ok()) {
    RecordPodEvent("create", set, pod, s);
    return s;
  }
  auto created = client_.Create(client::Pods(), sts::Namespace(set), pod);
  if (!created.ok()) {
    if (created.status().code() != Code::kAlreadyExists) {
      RecordPodEvent("create", set, pod, created.status());
    }
    return created.status();
  }
  RecordPodEvent("create", set, pod, Status::Ok());
  s = UpdateClaimsForRetention(set, *created, claims);
  if (!s.ok()) RecordPodEvent("update", set, pod, s);
  return s;
}

Status StatefulSetController::DeletePod(const json& set, const json& pod) {
  client::Client::DeleteOptions options;
  options.precondition_uid = sts::Uid(pod);
  Status s = client_.Delete(client::Pods(), sts::Namespace(pod), sts::Name(pod), options);
  RecordPodEvent("delete", set, pod, s);
  return s;
}

Status StatefulSetController::EnsureClaims(const json& set, const json& pod) {
  std::map<std::string, json> claims;
  Status s = CreateClaims(set, pod, &claims);
  if (!s.ok()) return s;
  s = UpdateClaimsForRetention(set, pod, claims);
  if (!s.ok()) RecordPodEvent("update", set, pod, s);
  return s;
}

Status StatefulSetController::UpdatePod(const json& set, const json& pod) {
  json updated = pod;
  bool consistent = true;
  bool pod_changed = false;
  if (!sts::IdentityMatches(set, updated)) {
    sts::UpdateIdentity(set, updated);
    consistent = false;
    pod_changed = true;
  }
  if (!sts::StorageMatches(set, updated)) {
    sts::UpdateStorage(set, updated);
    consistent = false;
    pod_changed = true;
    Status s = CreateClaims(set, updated, nullptr);
    if (!s.ok()) {
      RecordPodEvent("update", set, updated, s);
      return s;
    }
  }
  const std::string ns = sts::Namespace(set);
  const sts::ClaimLookup lookup = [this, &ns](const std::string& name) {
    return CachedClaim(ns, name);
  };
  if (!sts::ClaimsMatchRetentionPolicy(set, updated, lookup)) {
    Status s = UpdateClaimsForRetention(set, updated, {});
    if (!s.ok()) {
      RecordPodEvent("update", set, updated, s);
      return s;
    }
    consistent = false;
  }
  if (consistent) return Status::Ok();
  Status s;
  if (pod_changed) {
    json patch = {{"metadata",
                   {{"resourceVersion", api::GetString(pod, {"metadata", "resourceVersion"})},
                    {"labels", updated["metadata"]["labels"]}}}};
    if (updated["spec"].value("volumes", json()) != pod["spec"].value("volumes", json())) {
      patch["spec"]["volumes"] = updated["spec"].value("volumes", json());
    }
    auto patched = client_.MergePatch(client::Pods(), ns, sts::Name(pod), patch);
    if (!patched.ok()) s = patched.status();
  }
  RecordPodEvent("update", set, updated, s);
  return s;
}

Status StatefulSetController::RunStep(const json& set, const sts::Revisions& revs,
                                      const sts::Step& step) {
  switch (step.kind) {
    case sts::StepKind::kCreatePod:
      return CreatePod(set, step.pod);
    case sts::StepKind::kDeletePod:
      return DeletePod(set, step.pod);
    case sts::StepKind::kEnsureClaims:
      return EnsureClaims(set, step.pod);
    case sts::StepKind::kUpdatePod:
      return UpdatePod(revs.update_set, step.pod);
    case sts::StepKind::kFixClaims:
      return UpdateClaimsForRetention(revs.update_set, step.pod, {});
  }
  return Status::Ok();
}

Status StatefulSetController::RunPlan(const json& set, const sts::Revisions& revs,
                                      const sts::Plan& plan, const std::string& key,
                                      int* update_deletions) {
  // Expect what the plan creates and deletes before doing it.
  int creates = 0;
  std::vector<std::string> deleting;
  for (const auto* group : {&plan.replicas, &plan.condemned, &plan.updates}) {
    for (const auto& step : *group) {
      if (step.kind == sts::StepKind::kCreatePod) ++creates;
      if (step.kind == sts::StepKind::kDeletePod) deleting.push_back(client::KeyOf(step.pod));
    }
  }
  if (creates > 0) creations_.ExpectCreations(key, creates);
  if (!deleting.empty()) deletions_.ExpectDeletionsOf(key, deleting);

  Status first;
  auto run_group = [&](const std::vector<sts::Step>& group, bool updates) {
    // OrderedReady: one at a time, stopping at a failure. Parallel: slow-start batches of 1, 2,
    // 4 ... (at most 500), stopping after a batch with a failure.
    size_t i = 0;
    for (size_t batch = 1; i < group.size(); batch = std::min<size_t>(batch * 2, 500)) {
      const size_t end = plan.monotonic ? i + 1 : std::min(group.size(), i + batch);
      bool failed = false;
      for (; i < end; ++i) {
        const sts::Step& step = group[i];
        Status s = RunStep(set, revs, step);
        // What failed (or was already gone) will never be seen by the informer.
        if (step.kind == sts::StepKind::kCreatePod && !s.ok()) creations_.CreationObserved(key);
        if (step.kind == sts::StepKind::kDeletePod && !s.ok()) {
          deletions_.DeletionObservedOf(key, client::KeyOf(step.pod));
        }
        // The update ignores pods already gone.
        if (updates && s.code() == Code::kNotFound) s = Status::Ok();
        if (updates && s.ok()) ++*update_deletions;
        if (!s.ok()) {
          failed = true;
          if (first.ok()) first = s;
          if (plan.monotonic) break;
        }
      }
      if (failed) {
        // Count off what will not be done.
        for (size_t j = i + (plan.monotonic ? 1 : 0); j < group.size(); ++j) {
          if (group[j].kind == sts::StepKind::kCreatePod) creations_.CreationObserved(key);
          if (group[j].kind == sts::StepKind::kDeletePod) {
            deletions_.DeletionObservedOf(key, client::KeyOf(group[j].pod));
          }
        }
        return false;
      }
    }
    return true;
  };
  const std::vector<const std::vector<sts::Step>*> groups = {&plan.replicas, &plan.condemned_claims,
                                                             &plan.condemned, &plan.updates};
  for (size_t g = 0; g < groups.size(); ++g) {
    if (run_group(*groups[g], g == 3)) continue;
    for (size_t later = g + 1; later < groups.size(); ++later) {
      for (const auto& step : *groups[later]) {
        if (step.kind == sts::StepKind::kCreatePod) creations_.CreationObserved(key);
        if (step.kind == sts::StepKind::kDeletePod) {
          deletions_.DeletionObservedOf(key, client::KeyOf(step.pod));
        }
      }
    }
    break;
  }
  return first;
}

}  // namespace skiff::controllers
