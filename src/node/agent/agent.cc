#include "skiff/node/agent.h"

#include <functional>
#include <unistd.h>

#include "events/event_recorder.h"
#include "image_gc.h"
#include "local_path_manager.h"
#include "log_server.h"
#include "pod_io_impl.h"
#include "node_heartbeat.h"
#include "pod_manager.h"
#include "pod_worker.h"
#include "pressure_eviction.h"
#include "prober.h"
#include "runtime_impl.h"
#include "storage_eviction.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/runtime/shim_events.h"

namespace skiff::node {
namespace {

// Pods started (or looked at) at once: starts are CPU-bound, more at once only slows each on a
// small box. Pods stopped at once, each by a thread of its own that mostly waits out a grace
// period (the default maxPods is 110).
constexpr int kPodWorkers = 4;
constexpr int kMaxPodStoppers = 128;

// Unix socket paths are short (107 bytes): the event socket lives under /run, named after the
// state directory so two agents on one machine (tests) never share one.
std::string EventSocketPath(const std::string& state_dir) {
  return "/run/skiff/events-" + std::to_string(std::hash<std::string>{}(state_dir) % 1000000007) + ".sock";
}

class AgentImpl : public Agent {
 public:
  explicit AgentImpl(client::Client& client, AgentConfig config)
      : client_(client), config_(std::move(config)),
        pressure_(config_.eviction_pressure_transition_period) {}
  ~AgentImpl() override { Stop(); }

  Status Init();
  void Stop() override;
  api::PodIo* pod_io() override { return pod_io_.get(); }

 private:
  client::Client& client_;
  AgentConfig config_;
  PressureConditions pressure_;
  std::unique_ptr<runtime::ImageStore> images_;
  std::unique_ptr<runtime::Puller> puller_;
  std::unique_ptr<net::CniNetwork> cni_;
  std::unique_ptr<events::EventRecorder> events_;
  std::unique_ptr<RuntimeImpl> runtime_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<PodWorker> worker_;
  std::unique_ptr<PodManager> pods_;
  std::unique_ptr<runtime::ShimEventServer> shim_events_;
  std::unique_ptr<NodeHeartbeat> heartbeat_;
  std::unique_ptr<PodIoImpl> pod_io_;
  std::unique_ptr<ImageGc> image_gc_;
  std::unique_ptr<StorageEviction> storage_eviction_;
  std::unique_ptr<NodePressureEviction> pressure_eviction_;
  std::unique_ptr<LocalPathManager> local_path_;
  bool stopped_ = false;
};

Status AgentImpl::Init() {
  const std::string& state = config_.state_dir;
  for (const std::string& d : {state, state + "/pods", state + "/sandboxes", state + "/containers",
                               state + "/images", std::string("/run/skiff")}) {
    if (Status s = MakeDirs(d, 0711); !s.ok()) return s;
  }
  if (Status s = net::PrepareNodeForPods(); !s.ok()) {
    log::Warning("agent", "cannot prepare the node for pod networking", {{"error", s.message()}});
  }
  net::PodMasquerade masquerade;
  masquerade.bridge = config_.bridge_name;
  masquerade.pod_subnet = config_.pod_cidr;
  masquerade.cluster_cidr = config_.cluster_cidr;
  if (Status s = net::EnsurePodMasquerade(masquerade); !s.ok()) {
    log::Warning("agent", "pods cannot reach addresses outside the cluster", {{"error", s.message()}});
  }
  auto images = runtime::ImageStore::Open(state + "/image-store");
  if (!images.ok()) return images.status();
  images_ = std::move(*images);
  runtime::ImportReport report;
  (void)images_->ImportDirectory(state + "/images", &report);
  for (const auto& f : report.files) {
    if (!f.status.ok()) {
      log::Warning("agent", "cannot import an image archive", {{"file", f.path}, {"error", f.status.message()}});
    } else if (!f.unchanged) {
      log::Info("agent", "imported images", {{"file", f.path}, {"images", std::to_string(f.image_ids.size())}});
    }
  }
  runtime::RegistriesConfig registries;
  if (!config_.registries_file.empty()) {
    auto loaded = runtime::RegistriesConfig::Load(config_.registries_file);
    if (!loaded.ok()) return loaded.status();
    registries = std::move(*loaded);
  }
  puller_ = std::make_unique<runtime::Puller>(std::move(registries), *images_);

  net::CniConfig cni;
  cni.bridge = config_.bridge_name;
  cni.subnet = config_.pod_cidr;
  cni.ipam_data_dir = state + "/cni/networks";
  cni.cache_dir = state + "/cni/results";
  auto network = net::CniNetwork::Create(cni);
  if (!network.ok()) return network.status();
  cni_ = std::move(*network);

  events_ = std::make_unique<events::EventRecorder>(
      client_, events::Source{"kubelet", config_.node_name});
  const std::string socket = EventSocketPath(state);
  runtime_ = std::make_unique<RuntimeImpl>(config_, client_, *images_, *puller_, *cni_, socket);
  // A shim that dies is noticed at once, not at the pod's next resync.
  runtime_->OnShimLost([this](const std::string& uid) { if (pods_) pods_->Poke(uid); });
  const ContainerExec exec = [this](const PodRecord& record, const ContainerRecord& c,
                                    const std::vector<std::string>& argv,
                                    std::chrono::milliseconds timeout) {
    return runtime_->RunCommand(record, c, argv, timeout);
  };
  prober_ = std::make_unique<Prober>(Prober::Hooks{
      exec, [this](const std::string& uid) { if (pods_) pods_->Poke(uid); }, events_.get()});
  worker_ = std::make_unique<PodWorker>(client_, *runtime_, *events_, *prober_, exec, config_);
  // kubelet's eviction admission: a node under pressure turns new pods away.
  worker_->SetAdmission([this](const nlohmann::json& pod) {
    return AdmissionRefusal(pressure_.Current(PressureConditions::Clock::now()), pod);
  });
  pods_ = std::make_unique<PodManager>(client_, *worker_, config_.node_name, state + "/pods",
                                       kPodWorkers, kMaxPodStoppers);
  auto server = runtime::ShimEventServer::Start(socket, [this](const runtime::ShimEvent& e) {
    if (e.kind != runtime::ShimEventKind::kTaskExit && e.kind != runtime::ShimEventKind::kTaskOOM) return;
    const std::string uid = runtime_->OwnerOf(e.container_id);
    if (!uid.empty()) pods_->Poke(uid);
  });
  if (!server.ok()) return server.status();
  shim_events_ = std::move(*server);
  // Addresses held by sandboxes that no longer exist (a crash between ADD and record) go back.
  if (Status s = cni_->ReleaseOrphans(runtime_->LiveSandboxes()); !s.ok()) {
    log::Warning("agent", "cannot release orphaned pod addresses", {{"error", s.message()}});
  }
  for (const std::string& id : runtime_->RemoveOrphanContainers()) {
    log::Info("agent", "removed a container no pod record names", {{"container", id}});
  }
  for (const std::string& id : runtime_->RemoveOrphanSandboxes()) {
    log::Info("agent", "removed a sandbox no pod record names", {{"sandbox", id}});
  }
  if (size_t n = runtime_->RemoveOrphanCgroups(); n > 0) {
    log::Info("agent", "removed the cgroups of pods this node no longer has",
              {{"pods", std::to_string(n)}});
  }

  heartbeat_ = std::make_unique<NodeHeartbeat>(client_, config_, &pressure_);
  if (Status s = heartbeat_->RegisterOnce(); !s.ok()) return s;
  heartbeat_->Start();
  pod_io_ = std::make_unique<PodIoImpl>(
      std::make_unique<LogServer>(client_, config_.pod_logs_dir),
      std::make_unique<ExecServer>([this](const nlohmann::json& pod, const std::string& container) {
        return runtime_->ExecTargetFor(pod, container);
      }));
  if (Status s = pods_->Start(); !s.ok()) return s;
  ImageGc::Policy gc;
  gc.high_percent = config_.image_gc_high_percent;
  gc.low_percent = config_.image_gc_low_percent;
  gc.min_age = config_.image_minimum_age;
  image_gc_ = std::make_unique<ImageGc>(*images_, [this] { return runtime_->ImagesInUse(); }, gc);
  storage_eviction_ = std::make_unique<StorageEviction>(StorageEviction::Hooks{
      [this] { return pods_->Pods(); },
      [this](const nlohmann::json& pod) { return runtime_->MeasureStorage(pod); },
      [this](const std::string& uid, const std::string& message) {
        worker_->Evict(uid, message);
        pods_->Poke(uid);
      }});
  NodePressureEviction::Hooks pressure;
  pressure.facts = [this] { return ReadHostFacts(config_.state_dir); };
  pressure.pods = [this] { return pods_->Pods(); };
  pressure.measure = [this](const nlohmann::json& pod, EvictionResource resource) {
    return runtime_->MeasureUsage(pod, resource);
  };
  // Exited containers are removed as they exit: unused images are what is left to reclaim.
  pressure.reclaim_disk = [this] { image_gc_->DeleteUnused(); };
  pressure.evict = [this](const std::string& uid, const std::string& message) {
    worker_->Evict(uid, message, /*disruption_target=*/true);
    pods_->Poke(uid);
  };
  // kubelet's node reference names the node by its name in the uid field too.
  pressure.node_event = [this](const std::string& reason, const std::string& message) {
    const nlohmann::json node = {
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata", {{"name", config_.node_name}, {"uid", config_.node_name}}}};
    events_->Record(node, "", "Warning", reason, message);
  };
  pressure_eviction_ =
      std::make_unique<NodePressureEviction>(config_.eviction_hard, pressure_, std::move(pressure));
  // The data of this node's local-path PersistentVolumes: growth and clean-up.
  // Local volumes are pinned to a node by its kubernetes.io/hostname label.
  local_path_ = std::make_unique<LocalPathManager>(client_, *events_, config_.hostname);
  local_path_->Start();
  log::Info("agent", "node agent running",
            {{"node", config_.node_name}, {"pod-cidr", config_.pod_cidr}, {"state", state}});
  return Status::Ok();
}

void AgentImpl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (storage_eviction_) storage_eviction_->Stop();  // it pokes the pod manager
  if (pressure_eviction_) pressure_eviction_->Stop();  // so does this
  if (prober_) prober_->Stop();  // it pokes the pod manager
  if (local_path_) local_path_->Stop();
  if (pods_) pods_->Stop();
  if (shim_events_) shim_events_->Stop();
  if (heartbeat_) heartbeat_->Stop();
  if (pod_io_) pod_io_->Stop();
  if (image_gc_) image_gc_->Stop();
}

}  // namespace

Result<std::unique_ptr<Agent>> Agent::Start(client::Client& client, AgentConfig config) {
  auto agent = std::make_unique<AgentImpl>(client, std::move(config));
  if (Status s = agent->Init(); !s.ok()) return s;
  return std::unique_ptr<Agent>(std::move(agent));
}

}  // namespace skiff::node
