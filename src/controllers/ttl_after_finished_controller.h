// kube-controller-manager's TTL-after-finished controller: a finished Job (condition Complete or
// Failed with status True) that sets spec.ttlSecondsAfterFinished is deleted that many seconds
// after it finished (the lastTransitionTime of that condition). Before deleting, the Job is read
// afresh from the API and checked again (its TTL may have changed); the delete is preconditioned
// on its uid. A Job whose time has not come is looked at again when it comes.
//
// Kubernetes deletes with propagation Foreground; skiff deletes with Background by default (the
// pods then go through the garbage collector without holding the Job back), configurable.
//
// Ownership: client and informers must outlive the controller. Construction registers the
// handlers on the Job informer; the caller starts the factory, then calls Start().
// Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "controllers/controller_loop.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

struct TtlAfterFinishedOptions {
  int workers = 5;  // --concurrent-ttl-after-finished-syncs
  std::string propagation_policy = "Background";
  // Retry delays of a failed sync: base doubling, capped (client-go's default rate limiter).
  std::chrono::milliseconds api_backoff{5};
  std::chrono::milliseconds max_api_backoff{std::chrono::seconds(1000)};
};

class TtlAfterFinishedController {
 public:
  TtlAfterFinishedController(client::Client& client, client::SharedInformerFactory& informers,
                             TtlAfterFinishedOptions options = {});
  ~TtlAfterFinishedController();  // Stop()
  TtlAfterFinishedController(const TtlAfterFinishedController&) = delete;
  TtlAfterFinishedController& operator=(const TtlAfterFinishedController&) = delete;

  void Start();
  void Stop();  // idempotent

  // One look at the Job "namespace/name": deletes it if its TTL ran out, else requeues it for
  // then. Errors are the API's (the loop retries them); never throws.
  Status Sync(const std::string& key);

 private:
  // When the Job expires, if it is to be cleaned up at all (finished, TTL set, not deleting).
  // kInvalidArgument when the finish time cannot be read.
  Result<std::optional<std::chrono::system_clock::time_point>> ExpiresAt(
      const nlohmann::json& job) const;

  client::Client& client_;
  client::Informer& jobs_;
  const TtlAfterFinishedOptions options_;
  ControllerLoop loop_;
  client::HandlerId handler_ = 0;
};

}  // namespace skiff::controllers
