// RuntimeImpl: pod sandboxes and their shims.
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <future>
#include <random>

#include "api/object_util.h"
#include "host_facts.h"
#include "node_object.h"
#include "pinned_namespace.h"
#include "pod_files.h"
#include "runtime_impl.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/node/container_logs.h"
#include "skiff/node/volumes.h"
#include "skiff/runtime/shim_launch.h"

namespace skiff::node {

using nlohmann::json;

namespace {


std::string RandomHex(size_t chars) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < chars; ++i) s += digits[rng() % 16];
  return s;
}

std::vector<net::PortMapping> HostPorts(const json& pod) {
  std::vector<net::PortMapping> out;
  for (const json& c : pod["spec"].value("containers", json::array())) {
    for (const json& p : c.value("ports", json::array())) {
      if (!p.contains("hostPort") || p.value("hostPort", 0) == 0) continue;
      net::PortMapping m;
      m.host_port = p.value("hostPort", 0);
      m.container_port = p.value("containerPort", 0);
      m.protocol = p.value("protocol", "TCP");
      m.host_ip = p.value("hostIP", "");
      out.push_back(m);
    }
  }
  return out;
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return InternalError("cannot remove " + path + ": " + ec.message());
  return Status::Ok();
}

int64_t Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

bool IsMountPoint(const std::string& path) {
  struct stat here {}, parent {};
  if (stat(path.c_str(), &here) != 0) return false;
  if (stat((path + "/..").c_str(), &parent) != 0) return false;
  return here.st_dev != parent.st_dev;
}

std::string HostResolvConf() {
  auto text = ReadFile("/etc/resolv.conf");
  return text.ok() ? *text : "";
}

}  // namespace

RuntimeImpl::RuntimeImpl(const AgentConfig& config, client::Client& client,
                         runtime::ImageStore& images, runtime::Puller& puller,
                         net::CniNetwork& cni, std::string events_socket)
    : config_(config),
      client_(client),
      images_(images),
      puller_(puller),
      cni_(cni),
      events_socket_(std::move(events_socket)) {
  const HostFacts facts = ReadHostFacts(config.state_dir);
  allocatable_cpu_ = std::to_string(facts.cpus);
  allocatable_memory_ = std::to_string(AllocatableMemory(config, facts));
  min_oom_score_adj_ = LowestOomScoreAdj();
  if (min_oom_score_adj_ > -1000) {
    log::Warning("agent",
                 "no CAP_SYS_RESOURCE: containers get an oom_score_adj no lower than skiff's own "
                 "(Guaranteed pods are not shielded from the OOM killer)",
                 {{"oom_score_adj", std::to_string(min_oom_score_adj_)}});
  }
}

RuntimeImpl::~RuntimeImpl() {
  std::lock_guard lock(mu_);
  for (auto& [id, shim] : shims_) shim->Close();
}

std::string RuntimeImpl::PodDir(const std::string& uid) const {
  return config_.state_dir + "/pods/" + uid;
}
std::string RuntimeImpl::SandboxDir(const std::string& id) const {
  return config_.state_dir + "/sandboxes/" + id;
}
std::string RuntimeImpl::BundleDir(const std::string& id) const {
  return config_.state_dir + "/containers/" + id;
}

std::string RuntimeImpl::LogPath(const std::string& ns, const std::string& pod,
                                 const std::string& uid, const std::string& container,
                                 int restart_count) const {
  return ContainerLogPath(PodLogsDir(config_.pod_logs_dir, ns, pod, uid), container, restart_count);
}

std::set<std::string> RuntimeImpl::LiveSandboxes() const { return EntriesOf("sandboxes"); }

std::set<std::string> RuntimeImpl::EntriesOf(const std::string& dir) const {
  std::set<std::string> names;
  if (DIR* d = opendir((config_.state_dir + "/" + dir).c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.insert(name);
    }
    closedir(d);
  }
  return names;
}

std::vector<PodRecord> RuntimeImpl::RecordsOnDisk() const {
  std::vector<PodRecord> records;
  for (const std::string& uid : EntriesOf("pods")) {
    if (auto record = LoadRecord(config_.state_dir + "/pods/" + uid); record.ok()) {
      records.push_back(std::move(*record));
    }
  }
  return records;
}

size_t RuntimeImpl::RemoveOrphanCgroups() const { return cgroups_.RemoveOrphans(EntriesOf("pods")); }

std::set<std::string> RuntimeImpl::ImagesInUse() const {
  std::set<std::string> images;
  for (const PodRecord& record : RecordsOnDisk()) {
    for (const ContainerRecord& c : record.containers) {
      if (!c.image_id.empty()) images.insert(c.image_id);
      if (!c.image.empty()) images.insert(c.image);
    }
  }
  return images;
}

Result<json> RuntimeImpl::ReadObject(const std::string& kind, const std::string& ns,
                                     const std::string& name) {
  if (kind == "PersistentVolumeClaim") return client_.Get(client::PersistentVolumeClaims(), ns, name);
  if (kind == "PersistentVolume") return client_.Get(client::PersistentVolumes(), "", name);
  return client_.Get(kind == "Secret" ? client::Secrets() : client::ConfigMaps(), ns, name);
}

Status RuntimeImpl::SetUpSandbox(const json& pod, PodRecord* record, const PodEventSink& events) {
  // Volumes first, as kubelet mounts them before it creates the sandbox: a missing ConfigMap
  // leaves the pod in ContainerCreating with FailedMount events.
  if (Status s = MakeDirs(PodDir(record->uid), 0750); !s.ok()) return s;
  const auto started = std::chrono::steady_clock::now();
  auto volumes = SetUpPodVolumes(pod, PodDir(record->uid),
                                 [this](const std::string& k, const std::string& ns,
                                        const std::string& n) { return ReadObject(k, ns, n); },
                                 RuntimeInfo(*record));
  if (!volumes.ok()) {
    events("", "Warning", "FailedMount", volumes.status().message());
    return volumes.status();
  }
  log::Debug("agent", "pod volumes ready",
             {{"pod", record->ns + "/" + record->name},
              {"volumesMs", std::to_string(Millis(std::chrono::steady_clock::now() - started))}});
  Status s = CreateSandbox(pod, record);
  if (!s.ok()) events("", "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + s.message());
  return s;
}

Status RuntimeImpl::CreateSandbox(const json& pod, PodRecord* record) {
  const auto started = std::chrono::steady_clock::now();
  int64_t network_ms = 0;
  const std::string dir = PodDir(record->uid);
  if (Status s = MakeDirs(dir + "/termination", 0750); !s.ok()) return s;
  if (record->sandbox_id.empty()) record->sandbox_id = RandomHex(32);
  const std::string sandbox_dir = SandboxDir(record->sandbox_id);
  if (Status s = MakeDirs(sandbox_dir, 0711); !s.ok()) return s;
  // Saved before anything is created, so a crash from here on leaves a record that names what
  // to tear down.
  if (Status s = SaveRecord(dir, *record); !s.ok()) return s;

  // The shim (a process of its own, ~30 ms to start) needs nothing of what follows: it starts
  // while the network is set up. (Any return below waits for it; a shim that started stays
  // cached for the retry or the teardown.)
  int64_t shim_ms = 0;  // (declared before the future, whose destructor waits for the task)
  auto shim_future = std::async(std::launch::async, [this, snapshot = *record, &shim_ms] {
    const auto shim_started = std::chrono::steady_clock::now();
    auto shim = Shim(snapshot, true);
    shim_ms = Millis(std::chrono::steady_clock::now() - shim_started);
    return shim;
  });

  const bool host_network = pod["spec"].value("hostNetwork", false);
  const std::string hostname = PodHostname(pod);
  if (!host_network) {
    const std::string netns_name = "skiff-" + record->sandbox_id;
    if (!netns_.Exists(netns_name)) {
      auto created = netns_.Create(netns_name);
      if (!created.ok()) return created.status();
    }
    record->netns_path = netns_.PathOf(netns_name);
    net::PodNetworkRequest req;
    req.sandbox_id = record->sandbox_id;
    req.netns_path = record->netns_path;
    req.pod_namespace = record->ns;
    req.pod_name = record->name;
    req.port_mappings = HostPorts(pod);
    const auto cni_started = std::chrono::steady_clock::now();
    auto network = cni_.Add(req);
    network_ms = Millis(std::chrono::steady_clock::now() - cni_started);
    if (!network.ok()) return network.status();
    record->pod_ips.clear();
    if (!network->ipv4.empty()) record->pod_ips.push_back(network->ipv4);
    if (!network->ipv6.empty()) record->pod_ips.push_back(network->ipv6);
  } else {
    record->pod_ips = {config_.node_ip};
  }
  record->network_ready = true;
  if (!pod["spec"].value("hostIPC", false) && access((dir + "/ipc").c_str(), F_OK) != 0) {
    if (Status s = PinIpcNamespace(dir + "/ipc"); !s.ok()) return s;
  }
  if (!host_network && access((dir + "/uts").c_str(), F_OK) != 0) {
    if (Status s = PinUtsNamespace(dir + "/uts", hostname); !s.ok()) return s;
  }

  // /dev/shm shared by the pod's containers, as a sandbox's is.
  if (!pod["spec"].value("hostIPC", false) && !IsMountPoint(dir + "/shm")) {
    if (Status s = MakeDirs(dir + "/shm", 01777); !s.ok()) return s;
    if (mount("shm", (dir + "/shm").c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=1777,size=65536k") != 0) {
      return InternalError("cannot mount the pod's /dev/shm at " + dir + "/shm: " + std::strerror(errno));
    }
  }

  // The managed files.
  std::string hosts;
  if (!host_network) {
    hosts = PodHostsFile(pod, record->pod_ips, config_.cluster_domain);
  } else if (auto host_hosts = ReadFile("/etc/hosts"); host_hosts.ok()) {
    hosts = *host_hosts;
  }
  if (Status s = WriteFileAtomic(dir + "/hosts", hosts, 0644, kRebuilt); !s.ok()) return s;
  auto resolv = PodResolvConf(pod, {config_.cluster_dns, config_.cluster_domain, HostResolvConf()});
  if (!resolv.ok()) return resolv.status();
  if (Status s = WriteFileAtomic(dir + "/resolv.conf", *resolv, 0644, kRebuilt); !s.ok()) return s;
  if (Status s = WriteFileAtomic(dir + "/hostname", (host_network ? config_.hostname : hostname) + "\n", 0644,
                                 kRebuilt);
      !s.ok()) {
    return s;
  }
  if (Status s = MakeDirs(PodLogsDir(config_.pod_logs_dir, record->ns, record->name, record->uid), 0755);
      !s.ok()) {
    return s;
  }

  auto shim = shim_future.get();
  if (!shim.ok()) return shim.status();
  record->shim_address = (*shim)->address();
  record->sandbox_ready = true;
  log::Debug("agent", "pod sandbox ready",
             {{"pod", record->ns + "/" + record->name},
              {"networkMs", std::to_string(network_ms)},
              {"shimMs", std::to_string(shim_ms)},
              {"totalMs", std::to_string(Millis(std::chrono::steady_clock::now() - started))}});
  return SaveRecord(dir, *record);
}

Status RuntimeImpl::RefreshVolumes(const json& pod, const PodRecord& record) {
  return RefreshPodVolumes(pod, PodDir(record.uid),
                           [this](const std::string& k, const std::string& ns, const std::string& n) {
                             return ReadObject(k, ns, n);
                           },
                           RuntimeInfo(record));
}

PodRuntimeInfo RuntimeImpl::RuntimeInfo(const PodRecord& record) const {
  PodRuntimeInfo info;
  info.node_name = config_.node_name;
  info.host_ip = config_.node_ip;
  info.pod_ips = record.pod_ips;
  info.node_allocatable_cpu = allocatable_cpu_;
  info.node_allocatable_memory = allocatable_memory_;
  info.min_oom_score_adj = min_oom_score_adj_;
  return info;
}

Result<std::shared_ptr<runtime::ShimClient>> RuntimeImpl::Shim(const PodRecord& record, bool start) {
  if (record.sandbox_id.empty()) {
    return UnavailableError("pod " + record.ns + "/" + record.name + " has no sandbox");
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = shims_.find(record.sandbox_id); it != shims_.end()) return it->second;
  }
  runtime::ShimLaunch launch;
  launch.ns = kShimNamespace;
  launch.id = record.sandbox_id;
  launch.bundle = SandboxDir(record.sandbox_id);
  launch.events_address = events_socket_;
  // The shim's `start` reads the annotations of a config.json in its working directory; the
  // pod's directory is no container, so it gets a spec with nothing but a version.
  if (start && access((launch.bundle + "/config.json").c_str(), F_OK) != 0) {
    if (Status s = WriteFileAtomic(launch.bundle + "/config.json",
                                   R"({"ociVersion":"1.0.2","annotations":{}})", 0600, kRebuilt);
        !s.ok()) {
      return s;
    }
  }
  std::string address;
  if (auto text = ReadFile(launch.bundle + "/address"); text.ok()) address = *text;
  std::unique_ptr<runtime::ShimClient> client;
  if (!address.empty()) {
    auto c = runtime::ShimClient::Connect(address, std::chrono::seconds(2), ShimOptions(record.uid));
    if (c.ok()) client = std::move(*c);
  }
  if (!client) {
    if (!start) return UnavailableError("the shim of sandbox " + record.sandbox_id + " is not running");
    auto started = runtime::StartShim(launch);
    if (!started.ok()) return started.status();
    auto c = runtime::ShimClient::Connect(*started, std::chrono::seconds(5), ShimOptions(record.uid));
    if (!c.ok()) return c.status();
    client = std::move(*c);
  }
  // The shim (and the log drivers it starts) must outlive a stop of skiff's own service:
  // it leaves skiff's cgroup for skiff/shims. An adopted shim is moved too (an older skiff
  // may have left it behind); failing to move it costs nothing while skiff itself runs.
  if (auto info = client->ConnectTask(record.sandbox_id); info.ok() && info->shim_pid > 0) {
    if (Status s = cgroups_.MoveToShims(static_cast<pid_t>(info->shim_pid)); !s.ok()) {
      log::Warning("agent", "the pod's shim stays in skiff's cgroup",
                   {{"pod", record.ns + "/" + record.name}, {"error", s.message()}});
    }
  }
  std::shared_ptr<runtime::ShimClient> shared = std::move(client);
  std::lock_guard lock(mu_);
  auto [it, inserted] = shims_.emplace(record.sandbox_id, shared);
  return it->second;
}

runtime::ShimClientOptions RuntimeImpl::ShimOptions(const std::string& uid) const {
  runtime::ShimClientOptions options;
  options.on_peer_closed = [this, uid] {
    if (shim_lost_) shim_lost_(uid);
  };
  return options;
}

void RuntimeImpl::DropShim(const std::string& sandbox_id) {
  std::shared_ptr<runtime::ShimClient> shim;
  {
    std::lock_guard lock(mu_);
    if (auto it = shims_.find(sandbox_id); it != shims_.end()) {
      shim = it->second;
      shims_.erase(it);
    }
  }
  if (shim) shim->Close();
}

Status RuntimeImpl::TearDownSandbox(PodRecord* record, bool remove_logs) {
  const std::string dir = PodDir(record->uid);
  if (!record->sandbox_id.empty()) {
    if (auto shim = Shim(*record, false); shim.ok()) {
      (void)(*shim)->Shutdown(record->sandbox_id, true);
    }
    DropShim(record->sandbox_id);
    // runc removed each container's cgroup; the pod's own goes now. One still busy (a
    // process that escaped the shutdown) is left for the sweep at the next start.
    if (Status s = cgroups_.RemovePod(record->uid); !s.ok()) {
      log::Warning("agent", "cannot remove the pod's cgroups",
                   {{"pod", record->ns + "/" + record->name}, {"error", s.message()}});
    }
    net::PodNetworkRequest req;
    req.sandbox_id = record->sandbox_id;
    req.netns_path = record->netns_path;
    req.pod_namespace = record->ns;
    req.pod_name = record->name;
    if (!record->netns_path.empty() || cni_.Cached(record->sandbox_id).ok()) {
      if (Status s = cni_.Del(req); !s.ok()) return s;
    }
    if (Status s = netns_.Remove("skiff-" + record->sandbox_id); !s.ok()) return s;
    if (Status s = RemoveTree(SandboxDir(record->sandbox_id)); !s.ok()) return s;
    if (Status s = RemoveTree(ExecFifoDir(record->sandbox_id)); !s.ok()) return s;
  }
  while (umount2((dir + "/shm").c_str(), MNT_DETACH) == 0) {
  }
  if (Status s = UnpinNamespace(dir + "/ipc"); !s.ok()) return s;
  if (Status s = UnpinNamespace(dir + "/uts"); !s.ok()) return s;
  if (Status s = TearDownPodVolumes(dir); !s.ok()) return s;
  record->sandbox_ready = false;
  record->network_ready = false;
  if (remove_logs && !record->ns.empty()) {
    if (Status s = RemoveTree(PodLogsDir(config_.pod_logs_dir, record->ns, record->name, record->uid));
        !s.ok()) {
      return s;
    }
  }
  if (remove_logs) return RemoveTree(dir);
  // A finished pod keeps its record (its containers' logs are still served) but nothing runs.
  record->sandbox_id.clear();
  record->netns_path.clear();
  record->shim_address.clear();
  return SaveRecord(dir, *record);
}

// Start-up sweep of the sandboxes no pod record names.

std::set<std::string> RuntimeImpl::OrphanSandboxes(const std::vector<PodRecord>& records) const {
  std::set<std::string> orphans = LiveSandboxes();
  for (const PodRecord& record : records) orphans.erase(record.sandbox_id);
  return orphans;
}

std::shared_ptr<runtime::ShimClient> RuntimeImpl::ConnectOrphanShim(const std::string& sandbox_id) const {
  auto address = ReadFile(SandboxDir(sandbox_id) + "/address");
  if (!address.ok() || address->empty()) return nullptr;
  auto client = runtime::ShimClient::Connect(*address, std::chrono::seconds(2));
  if (!client.ok()) return nullptr;
  return std::shared_ptr<runtime::ShimClient>(std::move(*client));
}

std::vector<std::string> RuntimeImpl::RemoveOrphanSandboxes() {
  std::vector<std::string> removed;
  for (const std::string& id : OrphanSandboxes(RecordsOnDisk())) {
    // Its containers went with RemoveOrphanContainers: the shim holds no task and exits.
    if (auto shim = ConnectOrphanShim(id)) {
      (void)shim->Shutdown(id, true);
      shim->Close();
    }
    const std::string netns = "skiff-" + id;
    net::PodNetworkRequest req;
    req.sandbox_id = id;
    if (netns_.Exists(netns)) req.netns_path = netns_.PathOf(netns);
    Status s = Status::Ok();
    if (!req.netns_path.empty() || cni_.Cached(id).ok()) s = cni_.Del(req);
    if (s.ok()) s = netns_.Remove(netns);
    if (s.ok()) s = RemoveTree(SandboxDir(id));
    if (s.ok()) s = RemoveTree(ExecFifoDir(id));
    if (!s.ok()) {
      log::Warning("agent", "cannot remove a sandbox no pod record names",
                   {{"sandbox", id}, {"error", s.message()}});
      continue;
    }
    removed.push_back(id);
  }
  return removed;
}

}  // namespace skiff::node
