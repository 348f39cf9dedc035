#include "controllers/ephemeral_volume_controller.h"

#include "api/object_util.h"
#include "controllers/controller_ref.h"
#include "controllers/pod_util.h"
#include "skiff/apis/pod_claims.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

constexpr char kComponent[] = "ephemeral-volume-controller";
// The event source kube's controller records as.
constexpr char kEventSource[] = "ephemeral_volume";
// events.FailedBinding (pkg/controller/volume/events).
constexpr char kFailedBinding[] = "FailedBinding";

const json* EphemeralSource(const json& volume) {
  const json* e = api::Find(volume, {"ephemeral"});
  return e && e->is_object() ? e : nullptr;
}

bool HasEphemeralVolume(const json& pod) {
  const json* volumes = api::Find(pod, {"spec", "volumes"});
  if (!volumes || !volumes->is_array()) return false;
  for (const json& v : *volumes) {
    if (EphemeralSource(v)) return true;
  }
  return false;
}

// The claim for `volume` of `pod`, as the controller creates it.
json ClaimFor(const json& pod, const json& volume) {
  const json* tmpl = api::Find(*EphemeralSource(volume), {"volumeClaimTemplate"});
  json meta = {{"name", apis::EphemeralClaimName(pod, volume)},
               {"namespace", api::GetString(pod, {"metadata", "namespace"})},
               {"ownerReferences",
                json::array({MakeControllerRef(pod, OwnerKind{"v1", "Pod", client::Pods()})})}};
  json spec = json::object();
  if (tmpl && tmpl->is_object()) {
    for (const char* field : {"labels", "annotations"}) {
      const json* v = api::Find(*tmpl, {"metadata", field});
      if (v && v->is_object() && !v->empty()) meta[field] = *v;
    }
    if (const json* s = api::Find(*tmpl, {"spec"}); s && s->is_object()) spec = *s;
  }
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata", std::move(meta)},
          {"spec", std::move(spec)}};
}

// ephemeral.VolumeIsForPod as a Status: kAlreadyExists when the claim is someone else's.
Status ClaimServesPod(const json& pod, const json& claim) {
  const std::string refused = apis::EphemeralClaimNotForPod(pod, claim);
  return refused.empty() ? Status::Ok() : AlreadyExistsError(refused);
}

}  // namespace

EphemeralVolumeController::EphemeralVolumeController(client::Client& client,
                                                     client::SharedInformerFactory& informers,
                                                     EphemeralVolumeControllerOptions options)
    : client_(client),
      pods_(informers.For(client::Pods())),
      claims_(informers.For(client::PersistentVolumeClaims())),
      recorder_(client, events::Source{kEventSource, ""}),
      loop_(ControllerLoopOptions{kComponent, options.workers, options.base_backoff,
                                  options.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  AddPodClaimIndex(pods_);
  client::EventHandler pods;
  // The pod spec is immutable: nothing an update changes is copied into a claim.
  pods.on_add = [this](const client::ObjectPtr& pod) { EnqueuePod(*pod); };
  pods.on_update = [this](const client::ObjectPtr& old, const client::ObjectPtr& pod) {
    // Unless the update hides the deletion of a pod and the creation of another of its name.
    if (api::GetString(*old, {"metadata", "uid"}) != api::GetString(*pod, {"metadata", "uid"})) {
      EnqueuePod(*pod);
    }
  };
  pod_handler_ = pods_.AddHandler(std::move(pods));
  client::EventHandler claims;
  // A claim deleted (by mistake, or one that was in the way): the pods naming it get theirs.
  claims.on_delete = [this](const client::ObjectPtr& pvc) {
    for (const client::ObjectPtr& pod : pods_.ByIndex(kPodClaimIndex, client::KeyOf(*pvc))) {
      EnqueuePod(*pod);
    }
  };
  claim_handler_ = claims_.AddHandler(std::move(claims));
}

EphemeralVolumeController::~EphemeralVolumeController() {
  Stop();
  claims_.RemoveHandler(claim_handler_);
  pods_.RemoveHandler(pod_handler_);
}

void EphemeralVolumeController::Start() { loop_.Start(); }

void EphemeralVolumeController::Stop() { loop_.Stop(); }

void EphemeralVolumeController::EnqueuePod(const json& pod) {
  if (IsBeingDeleted(pod) || !HasEphemeralVolume(pod)) return;
  loop_.Enqueue(client::KeyOf(pod));
}

Status EphemeralVolumeController::HandleVolume(const json& pod, const json& volume) {
  const std::string ns = api::GetString(pod, {"metadata", "namespace"});
  const std::string name = apis::EphemeralClaimName(pod, volume);
  if (client::ObjectPtr cached = claims_.Get(ns, name)) return ClaimServesPod(pod, *cached);
  auto created = client_.Create(client::PersistentVolumeClaims(), ns, ClaimFor(pod, volume));
  if (created.ok()) return Status::Ok();
  if (created.status().code() == Code::kAlreadyExists) {
    // The cache has not shown it yet: decide on the claim as the API has it.
    auto live = client_.Get(client::PersistentVolumeClaims(), ns, name);
    if (live.ok()) return ClaimServesPod(pod, *live);
  }
  return Status(created.status().code(), "create PVC " + name + ": " + created.status().message());
}

Status EphemeralVolumeController::Sync(const std::string& key) {
  if (!pods_.HasSynced() || !claims_.HasSynced()) {
    return UnavailableError("the pod and claim caches have not synced yet");
  }
  client::ObjectPtr pod = pods_.Get(key);
  if (!pod || IsBeingDeleted(*pod)) return Status::Ok();
  const json* volumes = api::Find(*pod, {"spec", "volumes"});
  if (!volumes || !volumes->is_array()) return Status::Ok();
  for (const json& volume : *volumes) {
    if (!EphemeralSource(volume)) continue;
    Status s = HandleVolume(*pod, volume);
    if (s.ok()) continue;
    const std::string volume_name = api::GetString(volume, {"name"});
    recorder_.Record(*pod, "", "Warning", kFailedBinding,
                     "ephemeral volume " + volume_name + ": " + s.message());
    return Status(s.code(),
                  "pod " + key + ", ephemeral volume " + volume_name + ": " + s.message());
  }
  return Status::Ok();
}

}  // namespace skiff::controllers
