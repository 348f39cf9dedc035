#include "controllers/pvc_protection_controller.h"

#include "api/object_util.h"
#include "controllers/pod_util.h"
#include "controllers/protection_util.h"
#include "skiff/apis/pod_claims.h"
#include "skiff/apis/storage.h"

namespace skiff::controllers {
namespace {

using protection::IsDeletionCandidate;
using protection::NeedToAddFinalizer;
using protection::WithFinalizer;
using protection::WithoutFinalizer;

using nlohmann::json;

constexpr char kComponent[] = "pvc-protection-controller";

std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string Namespace(const json& obj) { return api::GetString(obj, {"metadata", "namespace"}); }

bool IsTerminal(const json& pod) {
  const std::string phase = api::GetString(pod, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed";
}

// podIsShutDown: deleted with grace period 0 (the kubelet is done with it, or force-deleted).
bool IsShutDown(const json& pod) {
  const json* grace = api::Find(pod, {"metadata", "deletionGracePeriodSeconds"});
  return api::Find(pod, {"metadata", "deletionTimestamp"}) && grace &&
         grace->is_number_integer() && grace->get<int64_t>() == 0;
}

bool NeedsWork(const json& pvc) {
  return NeedToAddFinalizer(pvc, apis::kPvcProtectionFinalizer) ||
         IsDeletionCandidate(pvc, apis::kPvcProtectionFinalizer);
}

}  // namespace

bool PodUsesClaim(const json& pod, const json& pvc) {
  if (Namespace(pod) != Namespace(pvc)) return false;
  if (api::GetString(pod, {"spec", "nodeName"}).empty() || IsTerminal(pod)) return false;
  const std::string name = Name(pvc);
  for (const apis::PodClaim& c : apis::PodClaims(pod)) {
    if (c.claim != name) continue;
    if (!c.ephemeral) return true;
    if (!IsShutDown(pod) && apis::ClaimIsControlledBy(pvc, pod)) return true;
  }
  return false;
}

PvcProtectionController::PvcProtectionController(client::Client& client,
                                                 client::SharedInformerFactory& informers,
                                                 PvcProtectionControllerOptions options)
    : client_(client),
      claims_(informers.For(client::PersistentVolumeClaims())),
      pods_(informers.For(client::Pods())),
      loop_(ControllerLoopOptions{kComponent, options.workers, options.base_backoff,
                                  options.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  AddPodClaimIndex(pods_);
  client::EventHandler claims;
  claims.on_add = [this](const client::ObjectPtr& pvc) {
    if (NeedsWork(*pvc)) loop_.Enqueue(client::KeyOf(*pvc));
  };
  claims.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& pvc) {
    if (NeedsWork(*pvc)) loop_.Enqueue(client::KeyOf(*pvc));
  };
  claim_handler_ = claims_.AddHandler(std::move(claims));
  client::EventHandler pods;
  pods.on_add = [this](const client::ObjectPtr& pod) { EnqueueClaimsOf(*pod, false); };
  pods.on_update = [this](const client::ObjectPtr& old, const client::ObjectPtr& pod) {
    EnqueueClaimsOf(*pod, false);
    // An update may hide the deletion of a pod and the creation of another of the same name.
    if (api::GetString(*old, {"metadata", "uid"}) != api::GetString(*pod, {"metadata", "uid"})) {
      EnqueueClaimsOf(*old, true);
    }
  };
  pods.on_delete = [this](const client::ObjectPtr& pod) { EnqueueClaimsOf(*pod, true); };
  pod_handler_ = pods_.AddHandler(std::move(pods));
}

PvcProtectionController::~PvcProtectionController() {
  Stop();
  pods_.RemoveHandler(pod_handler_);
  claims_.RemoveHandler(claim_handler_);
}

void PvcProtectionController::Start() { loop_.Start(); }

void PvcProtectionController::Stop() { loop_.Stop(); }

void PvcProtectionController::EnqueueClaimsOf(const json& pod, bool deleted) {
  // Only a pod that is gone, finished or not scheduled can be what let a claim go.
  if (!deleted && !IsTerminal(pod) && !api::GetString(pod, {"spec", "nodeName"}).empty()) {
    return;
  }
  for (const std::string& key : apis::PodClaimKeys(pod)) loop_.Enqueue(key);
}

Result<bool> PvcProtectionController::IsBeingUsed(const json& pvc) {
  const std::string key = Namespace(pvc) + "/" + Name(pvc);
  for (const client::ObjectPtr& pod : pods_.ByIndex(kPodClaimIndex, key)) {
    if (PodUsesClaim(*pod, pvc)) return true;
  }
  // Not in the cache does not mean no such pod: it may not have arrived yet.
  auto live = client_.List(client::Pods(), Namespace(pvc), {});
  if (!live.ok()) return live.status();
  const json* items = api::Find(*live, {"items"});
  if (items && items->is_array()) {
    for (const json& pod : *items) {
      if (PodUsesClaim(pod, pvc)) return true;
    }
  }
  return false;
}

Status PvcProtectionController::Sync(const std::string& key) {
  if (!claims_.HasSynced() || !pods_.HasSynced()) {
    return UnavailableError("the claim and pod caches have not synced yet");
  }
  client::ObjectPtr pvc = claims_.Get(key);
  if (!pvc) return Status::Ok();
  json changed;
  if (IsDeletionCandidate(*pvc, apis::kPvcProtectionFinalizer)) {
    auto used = IsBeingUsed(*pvc);
    if (!used.ok()) return used.status();
    // Kept: the pod's deletion or end enqueues the claim again.
    if (*used) return Status::Ok();
    changed = WithoutFinalizer(*pvc, apis::kPvcProtectionFinalizer);
  } else if (NeedToAddFinalizer(*pvc, apis::kPvcProtectionFinalizer)) {
    changed = WithFinalizer(*pvc, apis::kPvcProtectionFinalizer);
  } else {
    return Status::Ok();
  }
  auto written = client_.Update(client::PersistentVolumeClaims(), Namespace(*pvc), changed);
  // A conflict is retried once the cache has caught up (the loop logs the failure).
  if (written.ok() || written.status().code() == Code::kNotFound) return Status::Ok();
  return written.status();
}

}  // namespace skiff::controllers
