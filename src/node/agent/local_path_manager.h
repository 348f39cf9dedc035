// The node side of the local-path provisioner (skiff/apis/storage.h): this node's agent owns
// the data of every PersistentVolume of provisioner skiff.io/local-path
// (pv.kubernetes.io/provisioned-by) whose node affinity names this node, and follows them
// through informers on PersistentVolumes and PersistentVolumeClaims (one worker, a WorkQueue
// keyed by PersistentVolume name, failures retried with exponential back-off).
//
//   deletion   a PersistentVolume being deleted (deletionTimestamp) that still has finalizer
//              skiff.io/local-path-cleanup: DeleteLocalPathVolume (reclaim policy Retain:
//              UnmountLocalPathVolume, the data stays, as k3s's provisioner leaves a retained
//              volume's directory), then the finalizer is
//              removed (an update that keeps the other finalizers, retried on conflict). A
//              failure is reported as a Warning event VolumeFailedDelete on the volume, naming
//              the cause, and retried.
//   expansion  when spec.capacity.storage is larger than the enforced image on this node, the
//              volume grows (ExpandLocalPathVolume; a volume whose data does not exist yet is
//              made at the new size when a pod first mounts it); then the bound claim's status
//              says so, as kubelet's node expansion does: status.capacity.storage = the
//              volume's capacity, conditions FileSystemResizePending and Resizing removed,
//              status.allocatedResourceStatuses cleared (status subresource), with a Normal
//              event FileSystemResizeSuccessful on the claim. A failed growth is a Warning
//              VolumeResizeFailed on the claim, retried. Unenforced volumes only need the status.
//
// PlanLocalPath is the pure decision; Sync does one volume's work (what the worker runs).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"
#include "skiff/common/work_queue.h"

namespace skiff::node {

// What this node has to do for a PersistentVolume.
struct LocalPathPlan {
  bool ours = false;        // local-path, provisioned for this node
  bool clean_up = false;    // being deleted with our finalizer: delete the data
  bool remove_data = true;  // reclaim policy is not Retain: clean-up removes the data (else
                            // it only unmounts it, and the files stay)
  std::string path;         // spec.local.path
  bool enforced = false;    // annotation skiff.io/local-path-capacity "enforced"
  int64_t capacity_bytes = 0;        // spec.capacity.storage
  std::string capacity;              // its text, as the claim's status gets it
  std::string claim_namespace, claim_name, claim_uid;  // spec.claimRef
};
// `node_hostname`: this node's kubernetes.io/hostname label, which the volume's node affinity names.
LocalPathPlan PlanLocalPath(const nlohmann::json& pv, const std::string& node_hostname);

// True when the claim's status still waits for the node's part of an expansion to
// `capacity_bytes`: it is Bound and its status.capacity.storage is smaller, or it carries
// FileSystemResizePending or a node-side allocatedResourceStatuses entry.
bool ClaimAwaitsNodeExpansion(const nlohmann::json& claim, int64_t capacity_bytes);

class LocalPathManager {
 public:
  struct Options {
    std::chrono::milliseconds retry_base{200};
    std::chrono::milliseconds retry_max{std::chrono::minutes(5)};
  };
  // `client` and `events` must outlive the manager.
  LocalPathManager(client::Client& client, events::EventRecorder& events, std::string node_hostname,
                   Options options);
  LocalPathManager(client::Client& client, events::EventRecorder& events, std::string node_hostname)
      : LocalPathManager(client, events, std::move(node_hostname), Options{}) {}
  ~LocalPathManager();  // Stop()
  LocalPathManager(const LocalPathManager&) = delete;
  LocalPathManager& operator=(const LocalPathManager&) = delete;

  // Starts the informers and the worker. Once.
  void Start();
  // Stops them; idempotent.
  void Stop();
  // One pass over the PersistentVolume `name` as the informer's cache has it. An error means
  // "retry later" (the event was recorded).
  Status Sync(const std::string& name);

 private:
  void Work();
  Status CleanUp(const nlohmann::json& pv, const LocalPathPlan& plan);
  Status RemoveFinalizer(const std::string& name);
  Status Expand(const nlohmann::json& pv, const LocalPathPlan& plan);
  Status FinishClaimExpansion(const nlohmann::json& pv, const LocalPathPlan& plan);

  client::Client& client_;
  events::EventRecorder& events_;
  const std::string node_hostname_;  // its kubernetes.io/hostname label
  WorkQueue queue_;
  client::Informer volumes_;
  client::Informer claims_;
  std::thread worker_;
  bool started_ = false;
};

}  // namespace skiff::node
