#include "controllers/pv_protection_controller.h"

#include "api/object_util.h"
#include "controllers/protection_util.h"
#include "skiff/apis/storage.h"

namespace skiff::controllers {
namespace {

using protection::IsDeletionCandidate;
using protection::NeedToAddFinalizer;
using protection::WithFinalizer;
using protection::WithoutFinalizer;

using nlohmann::json;

constexpr char kComponent[] = "pv-protection-controller";

bool NeedsWork(const json& pv) {
  return NeedToAddFinalizer(pv, apis::kPvProtectionFinalizer) ||
         IsDeletionCandidate(pv, apis::kPvProtectionFinalizer);
}

}  // namespace

PvProtectionController::PvProtectionController(client::Client& client,
                                               client::SharedInformerFactory& informers,
                                               PvProtectionControllerOptions options)
    : client_(client),
      volumes_(informers.For(client::PersistentVolumes())),
      loop_(ControllerLoopOptions{kComponent, options.workers, options.base_backoff,
                                  options.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  client::EventHandler h;
  h.on_add = [this](const client::ObjectPtr& pv) {
    if (NeedsWork(*pv)) loop_.Enqueue(client::KeyOf(*pv));
  };
  h.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& pv) {
    if (NeedsWork(*pv)) loop_.Enqueue(client::KeyOf(*pv));
  };
  handler_ = volumes_.AddHandler(std::move(h));
}

PvProtectionController::~PvProtectionController() {
  Stop();
  volumes_.RemoveHandler(handler_);
}

void PvProtectionController::Start() { loop_.Start(); }

void PvProtectionController::Stop() { loop_.Stop(); }

Status PvProtectionController::Sync(const std::string& name) {
  client::ObjectPtr pv = volumes_.Get(name);
  if (!pv) return Status::Ok();
  json changed;
  if (IsDeletionCandidate(*pv, apis::kPvProtectionFinalizer)) {
    // Bound: a claim still uses the volume; the PersistentVolume controller's status update
    // when it lets go brings the volume back here.
    if (api::GetString(*pv, {"status", "phase"}) == "Bound") return Status::Ok();
    changed = WithoutFinalizer(*pv, apis::kPvProtectionFinalizer);
  } else if (NeedToAddFinalizer(*pv, apis::kPvProtectionFinalizer)) {
    changed = WithFinalizer(*pv, apis::kPvProtectionFinalizer);
  } else {
    return Status::Ok();
  }
  auto written = client_.Update(client::PersistentVolumes(), "", changed);
  // A conflict is retried once the cache has caught up (the loop logs the failure).
  if (written.ok() || written.status().code() == Code::kNotFound) return Status::Ok();
  return written.status();
}

}  // namespace skiff::controllers
