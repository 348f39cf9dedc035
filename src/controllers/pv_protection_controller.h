// kube-controller-manager's PV protection controller (pkg/controller/volume/pvprotection):
// a PersistentVolume being deleted that still carries kubernetes.io/pv-protection loses the
// finalizer once it is no longer Bound (status.phase != Bound), so a volume a claim is bound
// to stays until the PersistentVolume controller has released it. A PersistentVolume that is
// not being deleted and lacks the finalizer (created before the admission added it) gets it.
//
// Level-triggered over the PersistentVolume informer: adds and updates of volumes that need
// either change enqueue the volume's name; Sync(name) decides from the cache and writes with
// an Update of the cached object (a conflict is retried with backoff on a fresher cache).
//
// Thread-safe. `client` and `informers` must outlive the controller; construct before the
// factory starts, Start() after it; Stop() (also the destructor) joins the workers.
#pragma once

#include <chrono>

#include "controllers/controller_loop.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct PvProtectionControllerOptions {
  int workers = 1;
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class PvProtectionController {
 public:
  PvProtectionController(client::Client& client, client::SharedInformerFactory& informers,
                         PvProtectionControllerOptions options = {});
  ~PvProtectionController();
  PvProtectionController(const PvProtectionController&) = delete;
  PvProtectionController& operator=(const PvProtectionController&) = delete;

  void Start();
  void Stop();

  // One pass over the volume `name` (a cache key).
  Status Sync(const std::string& name);

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  client::Client& client_;
  client::Informer& volumes_;
  ControllerLoop loop_;
  client::HandlerId handler_ = 0;
};

}  // namespace skiff::controllers
