// The real PodRuntime: pods as sandboxes (pinned network, IPC and UTS namespaces, CNI, the
// managed /etc files, volumes, one containerd-shim-runc-v2 per pod) and containers as shim
// tasks running runc on overlay rootfs, their output written by the skiff log driver.
//
// On-disk layout under AgentConfig::state_dir:
//   pods/<uid>/           record.json, hosts, resolv.conf, hostname, ipc, uts, volumes/,
//                         termination/<container id>
//   sandboxes/<id>/       the shim's working directory (address, log)
//   containers/<id>/      config.json, rootfs (overlay mount), upper, work
// Thread-safe (see PodRuntime).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "exec_session.h"
#include "pod_cgroups.h"
#include "pod_runtime.h"
#include "pressure_pods.h"
#include "probe_actions.h"
#include "storage_eviction.h"
#include "skiff/node/pod_context.h"
#include "skiff/client/client.h"
#include "skiff/common/file_util.h"
#include "skiff/net/cni.h"
#include "skiff/net/netns.h"
#include "skiff/node/agent_config.h"
#include "skiff/runtime/image_store.h"
#include "skiff/runtime/puller.h"
#include "skiff/runtime/shim_client.h"

namespace skiff::node {

// The shim namespace of every pod (runc keeps its state under /run/containerd/runc/skiff).
inline constexpr char kShimNamespace[] = "skiff";

// How a pod's generated files (/etc/hosts, resolv.conf, hostname, termination files) and its
// container bundles are written: nothing they describe outlives a power cut, and they are
// written again when the sandbox or container is made again, so they skip the fsyncs.
inline constexpr Durability kRebuilt = Durability::kProcessCrash;

class RuntimeImpl : public PodRuntime {
 public:
  // `events_socket`: where shims forward task events ("" = none).
  RuntimeImpl(const AgentConfig& config, client::Client& client, runtime::ImageStore& images,
              runtime::Puller& puller, net::CniNetwork& cni, std::string events_socket);
  ~RuntimeImpl() override;

  Status SetUpSandbox(const nlohmann::json& pod, PodRecord* record,
                      const PodEventSink& events) override;
  Status RefreshVolumes(const nlohmann::json& pod, const PodRecord& record) override;
  std::optional<StartFailure> StartContainer(const nlohmann::json& pod,
                                             const nlohmann::json& container, PodRecord* record,
                                             ContainerRecord* c, const PodEventSink& events) override;
  ObservedTask Inspect(const PodRecord& record, const ContainerRecord& c) override;
  Status StopContainer(const PodRecord& record, const ContainerRecord& c,
                       std::chrono::seconds grace) override;
  Status RemoveContainer(const PodRecord& record, const ContainerRecord& c) override;
  Status TearDownSandbox(PodRecord* record, bool remove_logs) override;
  std::string PodDir(const std::string& uid) const override;

  // The log file of a container attempt.
  std::string LogPath(const std::string& ns, const std::string& pod, const std::string& uid,
                      const std::string& container, int restart_count) const;
  // Called (on a shim connection's thread) with the pod's uid when a pod's shim closes its
  // connection: it died, or exited after its pod was torn down. Set before the first pod runs.
  void OnShimLost(std::function<void(const std::string& uid)> fn) { shim_lost_ = std::move(fn); }
  // The pod uid a container id belongs to ("" when unknown), for shim events.
  std::string OwnerOf(const std::string& container_id);
  // The images (ids or repo digests) of every container this node has on disk.
  std::set<std::string> ImagesInUse() const;
  // Sandbox ids of every pod this node has on disk (for CNI orphan collection).
  std::set<std::string> LiveSandboxes() const;
  // Removes the cgroups of pods this node has no record of (deleted while skiff was down,
  // or by a crash mid-teardown); returns how many pods' cgroups went.
  size_t RemoveOrphanCgroups() const;
  // Removes the container bundles no pod record names (a crash between creating a container
  // and recording its id): runc's container is killed and deleted, the rootfs unmounted, the
  // directory removed. Call before pods start. Returns the ids removed.
  std::vector<std::string> RemoveOrphanContainers();
  // Tears down the sandboxes no pod record names (runtime_sandbox.cc): a record lost to a
  // damaged disk, or a crash between creating the sandbox directory and saving the record.
  // The shim is shut down, the network deleted (its address released), the network namespace
  // and the directories removed; the pod, when it still exists, gets a new sandbox. Call after
  // RemoveOrphanContainers, before pods start. Returns the ids removed.
  std::vector<std::string> RemoveOrphanSandboxes();
  // The disk the pod's emptyDirs (disk-backed) and containers (writable layer and logs)
  // take now, from its directories on this node.
  PodStorageUsage MeasureStorage(const nlohmann::json& pod) const;
  // What the pod uses now of `resource`, for node-pressure eviction: its memory working set
  // (and each of its containers') from its cgroups, its disk bytes (and each container's
  // writable layer and logs) or inodes as MeasureStorage finds them, or its processes. A pod
  // with no cgroup yet uses no memory and runs no process.
  PodUsage MeasureUsage(const nlohmann::json& pod, EvictionResource resource) const;

  // Exec (runtime_exec.cc). Runs `command` in the running container `c` of the pod, for exec
  // probes and lifecycle hooks: blocks until it exits or `timeout` passes (then SIGKILLs it
  // and reports timed_out); see RunInTarget. kNotFound when the container is not running,
  // kInvalidArgument (containerd's message) when the command cannot start.
  Result<ExecResult> RunInContainer(const PodRecord& record, const ContainerRecord& c,
                                    const std::vector<std::string>& command,
                                    std::chrono::milliseconds timeout);
  // RunInContainer as exec probes and exec hooks read it (a ContainerExec): success on exit
  // 0; otherwise the message is the output, `command "<argv>" timed out`, or why it could not
  // run.
  ProbeOutcome RunCommand(const PodRecord& record, const ContainerRecord& c,
                          const std::vector<std::string>& command, std::chrono::milliseconds timeout);
  // Where an exec into container `c` runs. kNotFound when its task is not running.
  Result<ExecTarget> ExecTargetFor(const PodRecord& record, const ContainerRecord& c);
  // The same for the container named `container` (app or init) of `pod`, from the pod's
  // record on disk: the exec server's resolver.
  Result<ExecTarget> ExecTargetFor(const nlohmann::json& pod, const std::string& container);

 private:
  // What the downward API needs beyond the pod object.
  PodRuntimeInfo RuntimeInfo(const PodRecord& record) const;
  std::string SandboxDir(const std::string& id) const;
  // Where a sandbox's exec sessions keep their FIFOs: on /run (tmpfs: no disk inodes and
  // journal for each exec probe), removed with the sandbox.
  static std::string ExecFifoDir(const std::string& sandbox_id) { return "/run/skiff/exec/" + sandbox_id; }
  Status CreateSandbox(const nlohmann::json& pod, PodRecord* record);
  std::string BundleDir(const std::string& id) const;
  // The names in state_dir/<dir> ("pods", "sandboxes", "containers").
  std::set<std::string> EntriesOf(const std::string& dir) const;
  // Every pod record on disk (unreadable ones left out).
  std::vector<PodRecord> RecordsOnDisk() const;
  // A connected client of the pod's shim, starting the shim when it is not running.
  Result<std::shared_ptr<runtime::ShimClient>> Shim(const PodRecord& record, bool start);
  void DropShim(const std::string& sandbox_id);
  // Sandboxes on disk that none of `records` names.
  std::set<std::string> OrphanSandboxes(const std::vector<PodRecord>& records) const;
  // A client of an orphan sandbox's shim when it still runs (nullptr otherwise). Not cached,
  // and with no pod to tell when its connection closes.
  std::shared_ptr<runtime::ShimClient> ConnectOrphanShim(const std::string& sandbox_id) const;
  // Connection options of a pod's shim: a lost connection is reported through shim_lost_.
  runtime::ShimClientOptions ShimOptions(const std::string& uid) const;
  // Pulls per the container's imagePullPolicy; emits Pulling/Pulled/Failed events.
  Result<runtime::Image> EnsureImage(const nlohmann::json& pod, const nlohmann::json& container,
                                     const std::string& field_path, const PodEventSink& events,
                                     StartFailure* failure);
  Result<nlohmann::json> ReadObject(const std::string& kind, const std::string& ns,
                                    const std::string& name);

  const AgentConfig& config_;
  client::Client& client_;
  runtime::ImageStore& images_;
  runtime::Puller& puller_;
  net::CniNetwork& cni_;
  net::NetNs netns_;
  const std::string events_socket_;
  std::string allocatable_cpu_, allocatable_memory_;  // fixed at start
  int min_oom_score_adj_ = -1000;                      // LowestOomScoreAdj, at start
  void NoteOwner(const std::string& container_id, const std::string& uid);

  const PodCgroups cgroups_{PodCgroups::MountedHierarchies()};
  std::function<void(const std::string& uid)> shim_lost_;  // set once, before use
  std::mutex mu_;  // guards shims_, owners_
  std::map<std::string, std::shared_ptr<runtime::ShimClient>> shims_;  // by sandbox id
  std::map<std::string, std::string> owners_;  // container id -> pod uid
};

}  // namespace skiff::node
