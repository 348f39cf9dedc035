// The PersistentVolume controller's wiring: informers, handlers that enqueue claim and volume
// keys, the two loops and the periodic resync.
#include "controllers/persistent_volume_controller.h"

#include "controllers/pv_util.h"
#include "skiff/apis/storage.h"

namespace skiff::controllers {
namespace {

constexpr char kComponent[] = "persistentvolume-controller";
constexpr char kExpandComponent[] = "volume_expand";
// A volume-loop key no PersistentVolume can have: "enqueue everything, then again later".
constexpr char kResyncKey[] = "@resync";

}  // namespace

PersistentVolumeController::PersistentVolumeController(client::Client& client,
                                                       client::SharedInformerFactory& informers,
                                                       PersistentVolumeControllerOptions options)
    : client_(client),
      claim_informer_(informers.For(client::PersistentVolumeClaims())),
      volume_informer_(informers.For(client::PersistentVolumes())),
      class_informer_(informers.For(client::StorageClasses())),
      node_informer_(informers.For(client::Nodes())),
      options_(std::move(options)),
      recorder_(client, events::Source{kComponent, ""}),
      expand_recorder_(client, events::Source{kExpandComponent, ""}),
      claims_(claim_informer_),
      volumes_(volume_informer_),
      claim_loop_(ControllerLoopOptions{std::string(kComponent) + "-claims", 1,
                                        options_.base_backoff, options_.max_backoff},
                  [this](const std::string& key) { return SyncClaim(key); }),
      volume_loop_(ControllerLoopOptions{std::string(kComponent) + "-volumes", 1,
                                         options_.base_backoff, options_.max_backoff},
                   [this](const std::string& key) {
                     if (key == kResyncKey) {
                       Resync();
                       return Status::Ok();
                     }
                     return SyncVolume(key);
                   }) {
  client::EventHandler claims;
  claims.on_add = [this](const client::ObjectPtr& c) { OnClaim(c); };
  claims.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& c) { OnClaim(c); };
  claims.on_delete = [this](const client::ObjectPtr& c) { OnClaimDelete(c); };
  claim_handler_ = claim_informer_.AddHandler(std::move(claims));

  client::EventHandler volumes;
  volumes.on_add = [this](const client::ObjectPtr& v) { OnVolume(v); };
  volumes.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& v) { OnVolume(v); };
  volumes.on_delete = [this](const client::ObjectPtr& v) { OnVolumeDelete(v); };
  volume_handler_ = volume_informer_.AddHandler(std::move(volumes));

  // A class appearing or changing may let waiting claims provision or bind.
  client::EventHandler classes;
  classes.on_add = [this](const client::ObjectPtr&) { EnqueueUnboundClaims(); };
  classes.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr&) {
    EnqueueUnboundClaims();
  };
  class_handler_ = class_informer_.AddHandler(std::move(classes));

  // A node becoming usable may let an Immediate local-path claim provision.
  client::EventHandler nodes;
  nodes.on_add = [this](const client::ObjectPtr& n) {
    if (pv::NodeAcceptsVolumes(*n)) EnqueueUnboundClaims();
  };
  nodes.on_update = [this](const client::ObjectPtr& old_node, const client::ObjectPtr& n) {
    if (pv::NodeAcceptsVolumes(*n) != pv::NodeAcceptsVolumes(*old_node)) EnqueueUnboundClaims();
  };
  node_handler_ = node_informer_.AddHandler(std::move(nodes));
}

PersistentVolumeController::~PersistentVolumeController() { Stop(); }

void PersistentVolumeController::Start() {
  claim_loop_.Start();
  volume_loop_.Start();
  volume_loop_.EnqueueAfter(kResyncKey, options_.resync_period);
}

void PersistentVolumeController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  claim_informer_.RemoveHandler(claim_handler_);
  volume_informer_.RemoveHandler(volume_handler_);
  class_informer_.RemoveHandler(class_handler_);
  node_informer_.RemoveHandler(node_handler_);
  claim_loop_.Stop();
  volume_loop_.Stop();
}

bool PersistentVolumeController::CachesSynced() const {
  return claim_informer_.HasSynced() && volume_informer_.HasSynced() &&
         class_informer_.HasSynced() && node_informer_.HasSynced();
}

client::ObjectPtr PersistentVolumeController::StorageClass(const std::string& name) const {
  return name.empty() ? nullptr : class_informer_.Get(name);
}

void PersistentVolumeController::OnClaim(const client::ObjectPtr& claim) {
  claim_loop_.Enqueue(client::KeyOf(*claim));
}

void PersistentVolumeController::OnClaimDelete(const client::ObjectPtr& claim) {
  const std::string key = client::KeyOf(*claim);
  claims_.Deleted(key);
  {
    std::lock_guard lock(mu_);
    waiting_reported_.erase(pv::Uid(*claim));
  }
  // The volumes it held (bound, or provisioned for it and pre-bound) are released now.
  if (const std::string name = pv::VolumeName(*claim); !name.empty()) volume_loop_.Enqueue(name);
  for (const auto& volume : volume_informer_.List()) {
    if (pv::ClaimRefKey(*volume) == key) volume_loop_.Enqueue(pv::Name(*volume));
  }
  claim_loop_.Enqueue(key);
}

void PersistentVolumeController::OnVolume(const client::ObjectPtr& volume) {
  volume_loop_.Enqueue(pv::Name(*volume));
  // A volume (pre-)bound to a claim finishes that claim's binding without waiting.
  if (pv::HasClaimRef(*volume)) claim_loop_.Enqueue(pv::ClaimRefKey(*volume));
  // A free volume may be what a waiting claim needs.
  if (pv::Phase(*volume) == "Available" && pv::ClaimRefUid(*volume).empty()) {
    EnqueueUnboundClaims();
  }
}

void PersistentVolumeController::OnVolumeDelete(const client::ObjectPtr& volume) {
  volumes_.Deleted(pv::Name(*volume));
  if (pv::HasClaimRef(*volume)) claim_loop_.Enqueue(pv::ClaimRefKey(*volume));
  volume_loop_.Enqueue(pv::Name(*volume));
}

void PersistentVolumeController::EnqueueUnboundClaims() {
  for (const auto& claim : claim_informer_.List()) {
    if (!pv::HasAnnotation(*claim, apis::kBindCompletedAnnotation)) {
      claim_loop_.Enqueue(client::KeyOf(*claim));
    }
  }
}

void PersistentVolumeController::Resync() {
  for (const auto& claim : claim_informer_.List()) claim_loop_.Enqueue(client::KeyOf(*claim));
  for (const auto& volume : volume_informer_.List()) volume_loop_.Enqueue(pv::Name(*volume));
  volume_loop_.EnqueueAfter(kResyncKey, options_.resync_period);
}

}  // namespace skiff::controllers
