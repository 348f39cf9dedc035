// The Deployment controller, as kube-controller-manager's: a Deployment is rolled out through
// ReplicaSets it creates, scales and deletes (it never touches pods itself; the ReplicaSet
// controller does, and reports back in ReplicaSet status).
//
// For each Deployment it
//   - claims the ReplicaSets of its namespace (adopting matching orphans, releasing those that
//     stopped matching);
//   - finds the new ReplicaSet, the one whose pod template equals the Deployment's (ignoring
//     the pod-template-hash label), or creates it as "<deployment>-<hash>" with label
//     pod-template-hash=<hash> on its selector, template and itself; a name taken by a
//     ReplicaSet that is not this template's bumps status.collisionCount (a new hash);
//   - keeps the annotations Kubernetes keeps: deployment.kubernetes.io/revision (the new
//     ReplicaSet's is the highest; one rolled back to keeps its former ones in
//     .../revision-history) on the ReplicaSets and the Deployment, desired-replicas and
//     max-replicas, and the Deployment's own annotations copied to the new ReplicaSet;
//   - rolls out by spec.strategy: RollingUpdate within maxSurge/maxUnavailable, or Recreate
//     (old ReplicaSets to 0, wait until their pods are gone, then the new one up);
//   - splits a change of spec.replicas mid-rollout across ReplicaSets in proportion; a paused
//     Deployment is only scaled;
//   - deletes old, scaled-down ReplicaSets beyond spec.revisionHistoryLimit;
//   - writes status (counts, collisionCount, the Available, Progressing and ReplicaFailure
//     conditions with Kubernetes' reasons and messages, ProgressDeadlineExceeded once
//     progressDeadlineSeconds pass without progress) through the status subresource, and
//     records ScalingReplicaSet events ("Scaled up replica set web-6b7c9d5f4 from 0 to 3").
//
// Threading: informer handlers only enqueue keys; `workers` threads run Sync, never two for
// the same Deployment at once. Errors (a conflict with a newer object, a failed write) are
// retried by the loop with per-key backoff. All methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct DeploymentControllerOptions {
  // kube-controller-manager's --concurrent-deployment-syncs is 5; an edge box has fewer cores.
  int workers = 2;
  // The clock conditions are stamped and progress deadlines judged by (empty: the system
  // clock). Tests may move it.
  std::function<std::chrono::system_clock::time_point()> now;
  // The loop's per-key retry backoff.
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class DeploymentController {
 public:
  // `client` and `informers` must outlive the controller. Registers handlers on the
  // Deployment, ReplicaSet and Pod informers (and the "controller-uid" index on the latter two,
  // tolerating one that exists); the caller starts the informer factory, then calls Start().
  DeploymentController(client::Client& client, client::SharedInformerFactory& informers,
                       DeploymentControllerOptions options = {});
  ~DeploymentController();  // Stop(), and the handlers are removed
  DeploymentController(const DeploymentController&) = delete;
  DeploymentController& operator=(const DeploymentController&) = delete;

  // Starts the workers. Only the first call does anything.
  void Start();
  // Stops and joins the workers. Idempotent.
  void Stop();

  // One pass over the Deployment "namespace/name", from the informers' caches (public so that
  // tests can drive single passes). A Deployment no longer cached is done (OK). Errors are the
  // first failed read or write; calling again retries.
  Status Sync(const std::string& key);

  // Syncs finished by the workers since Start (for tests that wait for quiet).
  uint64_t syncs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::controllers
