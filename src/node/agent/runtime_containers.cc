// RuntimeImpl: containers as tasks of the pod's shim.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "api/object_util.h"
#include "attach_session.h"
#include "pod_files.h"
#include "runtime_impl.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/common/unique_fd.h"
#include "skiff/node/container_logs.h"
#include "skiff/node/volumes.h"
#include "skiff/runtime/oci_spec.h"
#include "skiff/runtime/rootfs.h"
#include "skiff/runtime/shim_launch.h"

namespace skiff::node {

using nlohmann::json;

namespace {

// kubelet's defaults: containerLogMaxSize 10Mi, containerLogMaxFiles 5.
constexpr int64_t kLogMaxSize = 10 * 1024 * 1024;
constexpr int kLogMaxFiles = 5;

std::string NewContainerId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 64; ++i) s += digits[rng() % 16];
  return s;
}

int StopSignal(const runtime::Image* image) {
  std::string s = image ? image->config.stop_signal : "";
  if (s.empty() || s == "SIGTERM" || s == "TERM") return SIGTERM;
  if (s == "SIGINT" || s == "INT") return SIGINT;
  if (s == "SIGQUIT" || s == "QUIT") return SIGQUIT;
  if (s == "SIGKILL" || s == "KILL") return SIGKILL;
  if (s == "SIGHUP" || s == "HUP") return SIGHUP;
  if (s == "SIGUSR1" || s == "USR1") return SIGUSR1;
  if (s == "SIGUSR2" || s == "USR2") return SIGUSR2;
  if (s == "SIGWINCH" || s == "WINCH") return SIGWINCH;
  int n = std::atoi(s.c_str());
  return n > 0 ? n : SIGTERM;
}

bool SpecFlag(const json& container, const char* key) {
  auto it = container.find(key);
  return it != container.end() && it->is_boolean() && it->get<bool>();
}

// FIFO-mode output pipes of a container with stdin and no tty (see SpawnLogDriver).
std::string OutFifo(const std::string& id) { return std::string(kAttachDir) + "/" + id + ".out"; }
std::string ErrFifo(const std::string& id) { return std::string(kAttachDir) + "/" + id + ".err"; }

// A FIFO-mode driver whose writers never came ends when a writer comes and goes.
void ReleaseFifoDriver(const std::string& id) {
  for (const std::string& path : {OutFifo(id), ErrFifo(id)}) {
    int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }
}

// Removes a container's attach files (the driver removes its socket itself when it exits).
void RemoveAttachFiles(const std::string& id) {
  for (const std::string& path : {AttachSocketPath(kAttachDir, id), AttachStdinPath(kAttachDir, id),
                                  OutFifo(id), ErrFifo(id)}) {
    ::unlink(path.c_str());
  }
}

std::string Rfc3339Nano(const runtime::ShimTime& t) {
  return t ? api::Rfc3339(*t) : api::NowRfc3339();
}

}  // namespace

std::optional<StartFailure> RuntimeImpl::StartContainer(const json& pod, const json& container,
                                                        PodRecord* record, ContainerRecord* c,
                                                        const PodEventSink& events) {
  const std::string field_path = std::string(c->init ? "spec.initContainers{" : "spec.containers{") +
                                 c->name + "}";
  StartFailure failure;
  const auto started_at = std::chrono::steady_clock::now();
  auto since = [&started_at] {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started_at)
                              .count());
  };
  auto image = EnsureImage(pod, container, field_path, events, &failure);
  const std::string image_ms = since();
  if (!image.ok()) return failure;
  c->image_id = image->repo_digests.empty() ? image->id : image->repo_digests.front();

  auto shim = Shim(*record, true);
  if (!shim.ok()) {
    failure.reason = "CreateContainerError";
    failure.message = shim.status().message();
    events(field_path, "Warning", "Failed", "Error: " + failure.message);
    return failure;
  }

  const std::string id = NewContainerId();
  const std::string bundle = BundleDir(id);
  auto cleanup = [&] {
    (void)runtime::UnmountRootfs(bundle);
    std::error_code ec;
    std::filesystem::remove_all(bundle, ec);
  };
  if (Status s = MakeDirs(bundle, 0711); !s.ok()) {
    failure.reason = "CreateContainerError";
    failure.message = s.message();
    return failure;
  }
  if (Status s = runtime::MountRootfs(*image, bundle); !s.ok()) {
    cleanup();
    failure.reason = "CreateContainerError";
    failure.message = s.message();
    events(field_path, "Warning", "Failed", "Error: " + failure.message);
    return failure;
  }

  const std::string pod_dir = PodDir(record->uid);
  const PodRuntimeInfo info = RuntimeInfo(*record);
  ObjectLookup lookup = [this](const std::string& k, const std::string& ns, const std::string& n) {
    return ReadObject(k, ns, n);
  };
  auto volumes = SetUpPodVolumes(pod, pod_dir, lookup, info);
  if (!volumes.ok()) {
    cleanup();
    failure.reason = "CreateContainerConfigError";
    failure.message = volumes.status().message();
    events(field_path, "Warning", "Failed", "Error: " + failure.message);
    return failure;
  }
  const std::string termination_file = pod_dir + "/termination/" + id;
  if (Status s = WriteFileAtomic(termination_file, "", 0666, kRebuilt); !s.ok()) {
    cleanup();
    failure.reason = "CreateContainerError";
    failure.message = s.message();
    return failure;
  }

  runtime::ContainerSpecInput in;
  in.pod = &pod;
  in.container = &container;
  in.image.entrypoint = image->config.entrypoint;
  in.image.cmd = image->config.cmd;
  in.image.env = image->config.env;
  in.image.working_dir = image->config.working_dir;
  in.image.user = image->config.user;
  in.image_name = c->image;
  in.rootfs = bundle + "/rootfs";
  if (access((pod_dir + "/shm").c_str(), F_OK) == 0) in.shm_path = pod_dir + "/shm";
  in.netns_path = record->netns_path;
  if (access((pod_dir + "/ipc").c_str(), F_OK) == 0) in.ipc_ns_path = pod_dir + "/ipc";
  if (access((pod_dir + "/uts").c_str(), F_OK) == 0) in.uts_ns_path = pod_dir + "/uts";
  in.hostname = pod["spec"].value("hostNetwork", false) ? config_.hostname : PodHostname(pod);
  in.hosts_file = pod_dir + "/hosts";
  in.resolv_conf_file = pod_dir + "/resolv.conf";
  in.hostname_file = pod_dir + "/hostname";
  in.termination_message_file = termination_file;
  in.volumes = *volumes;
  in.cgroups_path = PodCgroups::ContainerPath(record->uid, id);
  in.lookup = lookup;
  in.runtime_info = info;
  auto spec = runtime::BuildOciSpec(in);
  const std::string prepared_ms = since();
  if (!spec.ok()) {
    cleanup();
    failure.reason = "CreateContainerConfigError";
    failure.message = spec.status().message();
    events(field_path, "Warning", "Failed", "Error: " + failure.message);
    return failure;
  }
  if (Status s = WriteFileAtomic(bundle + "/config.json", spec->dump(), 0600, kRebuilt); !s.ok()) {
    cleanup();
    failure.reason = "CreateContainerError";
    failure.message = s.message();
    return failure;
  }

  const std::string log_path =
      LogPath(record->ns, record->name, record->uid, c->name, c->restart_count);
  runtime::CreateTaskRequest create;
  create.id = id;
  create.bundle = bundle;
  // Attach: the driver's socket always; stdin through a FIFO the driver holds open.
  LogDriverAttach attach;
  attach.socket = AttachSocketPath(kAttachDir, id);
  attach.tty = SpecFlag(container, "tty");
  create.terminal = attach.tty;
  const bool with_stdin = SpecFlag(container, "stdin");
  // containerd-shim-runc-v2 connects stdin for FIFO IO and for a terminal, but not for
  // binary:// IO without one: such a container gets FIFOs and a driver started here.
  const bool fifo_mode = with_stdin && !attach.tty;
  UniqueFd stdin_hold;  // a writer (and reader) while the shim opens the FIFO in Create
  auto attach_failure = [&](const std::string& message) {
    RemoveAttachFiles(id);
    cleanup();
    failure.reason = "CreateContainerError";
    failure.message = message;
    events(field_path, "Warning", "Failed", "Error: " + failure.message);
    return failure;
  };
  if (Status s = MakeDirs(kAttachDir, 0700); !s.ok()) return attach_failure(s.message());
  if (with_stdin) {
    attach.stdin_fifo = AttachStdinPath(kAttachDir, id);
    attach.stdin_once = SpecFlag(container, "stdinOnce");
    if (::mkfifo(attach.stdin_fifo.c_str(), 0600) != 0) {
      return attach_failure("cannot create " + attach.stdin_fifo + ": " + std::strerror(errno));
    }
    stdin_hold.reset(::open(attach.stdin_fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    create.stdin_path = attach.stdin_fifo;
  }
  if (fifo_mode) {
    for (const std::string& path : {OutFifo(id), ErrFifo(id)}) {
      if (::mkfifo(path.c_str(), 0600) != 0) {
        return attach_failure("cannot create " + path + ": " + std::strerror(errno));
      }
    }
    // The driver joins the shims' cgroup: it must outlive a stop of skiff's service.
    auto procs = cgroups_.ShimsProcsFiles();
    if (!procs.ok()) {
      log::Warning("agent", "the container's log driver stays in skiff's cgroup",
                   {{"container", c->name}, {"error", procs.status().message()}});
    }
    if (Status s = SpawnLogDriver(config_.self_exe,
                                  LogDriverArgs(log_path, kLogMaxSize, kLogMaxFiles, attach), id,
                                  OutFifo(id), ErrFifo(id),
                                  procs.ok() ? *procs : std::vector<std::string>{});
        !s.ok()) {
      ReleaseFifoDriver(id);
      return attach_failure(s.message());
    }
    create.stdout_path = OutFifo(id);
    create.stderr_path = ErrFifo(id);
  } else {
    create.stdout_path =
        LogDriverUri(config_.self_exe, log_path, kLogMaxSize, kLogMaxFiles, attach);
    create.stderr_path = create.stdout_path;
  }
  c->id = id;
  NoteOwner(id, record->uid);
  auto created = (*shim)->Create(create);
  stdin_hold.reset();  // the driver holds the FIFO from now on
  const std::string created_ms = since();
  if (!created.ok()) {
    if (fifo_mode) ReleaseFifoDriver(id);
    RemoveAttachFiles(id);
    cleanup();
    failure.terminated = true;
    failure.reason = "StartError";
    failure.message = "failed to create containerd task: failed to create shim task: " +
                      created.status().message();
    events(field_path, "Warning", "Failed", "Error: " + failure.message);
    return failure;
  }
  events(field_path, "Normal", "Created", "Created container " + c->name);
  auto started = (*shim)->Start({id, ""});
  if (!started.ok()) {
    (void)(*shim)->Delete({id, ""});
    RemoveAttachFiles(id);
    cleanup();
    failure.terminated = true;
    failure.reason = "StartError";
    failure.message = "failed to start containerd task \"" + id + "\": " + started.status().message();
    events(field_path, "Warning", "Failed", "Error: " + failure.message);
    return failure;
  }
  c->started_at = api::NowRfc3339();
  events(field_path, "Normal", "Started", "Started container " + c->name);
  log::Info("agent", "container started",
            {{"pod", record->ns + "/" + record->name}, {"container", c->name}, {"id", id.substr(0, 12)}});
  log::Debug("agent", "container start timings",
             {{"container", c->name}, {"imageMs", image_ms}, {"preparedMs", prepared_ms},
              {"createdMs", created_ms}, {"startedMs", since()}});
  return std::nullopt;
}

void RuntimeImpl::NoteOwner(const std::string& container_id, const std::string& uid) {
  std::lock_guard lock(mu_);
  owners_[container_id] = uid;
}

std::string RuntimeImpl::OwnerOf(const std::string& container_id) {
  std::lock_guard lock(mu_);
  auto it = owners_.find(container_id);
  return it == owners_.end() ? "" : it->second;
}

ObservedTask RuntimeImpl::Inspect(const PodRecord& record, const ContainerRecord& c) {
  ObservedTask t;
  NoteOwner(c.id, record.uid);
  auto shim = Shim(record, false);
  if (!shim.ok()) {
    t.exists = false;
    return t;
  }
  auto state = (*shim)->State({c.id, ""});
  if (!state.ok()) {
    if (state.status().code() == Code::kUnavailable) {
      // The connection broke (the shim died or restarted): reconnect next time.
      DropShim(record.sandbox_id);
      if (Shim(record, false).ok()) return Inspect(record, c);
    }
    t.exists = false;
    return t;
  }
  if (state->status == runtime::TaskStatus::kRunning || state->status == runtime::TaskStatus::kCreated ||
      state->status == runtime::TaskStatus::kPaused || state->status == runtime::TaskStatus::kPausing) {
    t.running = true;
    return t;
  }
  t.exit_code = static_cast<int>(state->exit_status);
  t.finished_at = Rfc3339Nano(state->exited_at);
  if (t.exit_code == 137) {
    if (auto stats = (*shim)->Stats(c.id); stats.ok()) t.oom_killed = stats->oom_kill > 0;
  }
  if (auto msg = ReadFile(PodDir(record.uid) + "/termination/" + c.id); msg.ok()) {
    t.termination_message = msg->substr(0, 4096);
  }
  return t;
}

Status RuntimeImpl::StopContainer(const PodRecord& record, const ContainerRecord& c,
                                  std::chrono::seconds grace) {
  auto shim = Shim(record, false);
  if (!shim.ok()) return Status::Ok();  // no shim: nothing runs
  int signal = SIGTERM;
  if (auto image = images_.Lookup(c.image_id); image.ok()) signal = StopSignal(&*image);
  Status s = (*shim)->Kill({c.id, "", static_cast<uint32_t>(signal), false});
  if (!s.ok() && s.code() == Code::kNotFound) return Status::Ok();
  auto waited = (*shim)->Wait({c.id, ""}, grace);
  if (waited.ok()) return Status::Ok();
  s = (*shim)->Kill({c.id, "", SIGKILL, true});
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  waited = (*shim)->Wait({c.id, ""}, std::chrono::seconds(10));
  return waited.ok() ? Status::Ok() : waited.status();
}

std::vector<std::string> RuntimeImpl::RemoveOrphanContainers() {
  const std::vector<PodRecord> records = RecordsOnDisk();
  std::set<std::string> named;
  for (const PodRecord& record : records) {
    for (const ContainerRecord& c : record.containers) {
      if (!c.id.empty()) named.insert(c.id);
    }
  }
  // The shims that may serve them: the pods' and those of sandboxes no record names (a record
  // lost to a damaged disk), so that the latter hold no task and can shut down.
  std::vector<std::shared_ptr<runtime::ShimClient>> shims;
  for (const PodRecord& record : records) {
    if (auto shim = Shim(record, false); shim.ok()) shims.push_back(*shim);
  }
  for (const std::string& sandbox : OrphanSandboxes(records)) {
    if (auto shim = ConnectOrphanShim(sandbox)) shims.push_back(std::move(shim));
  }
  std::vector<std::string> removed;
  for (const std::string& id : EntriesOf("containers")) {
    if (named.count(id) != 0) continue;
    // Through the pod's shim when one still serves the container, so that the shim forgets its
    // task (and its log writer) and can shut down with the pod; else through runc alone.
    bool by_shim = false;
    for (const auto& shim : shims) {
      Status killed = shim->Kill({id, "", SIGKILL, true});
      if (killed.code() == Code::kNotFound) continue;  // not this shim's (an exited task is)
      (void)shim->Wait({id, ""}, std::chrono::seconds(5));
      by_shim = shim->Delete({id, ""}).ok();
      if (by_shim) break;
    }
    runtime::ShimLaunch launch;
    launch.ns = kShimNamespace;
    Status s = by_shim ? Status::Ok() : runtime::ForceDeleteContainer(launch, id);
    if (s.ok()) s = runtime::UnmountRootfs(BundleDir(id));
    std::error_code ec;
    if (s.ok()) std::filesystem::remove_all(BundleDir(id), ec);
    if (!s.ok() || ec) {
      log::Warning("agent", "cannot remove a container no pod record names",
                   {{"container", id}, {"error", s.ok() ? ec.message() : s.message()}});
      continue;
    }
    ReleaseFifoDriver(id);
    RemoveAttachFiles(id);
    removed.push_back(id);
  }
  return removed;
}

Status RuntimeImpl::RemoveContainer(const PodRecord& record, const ContainerRecord& c) {
  if (c.id.empty()) return Status::Ok();
  const std::string bundle = BundleDir(c.id);
  if (auto shim = Shim(record, false); shim.ok()) {
    auto deleted = (*shim)->Delete({c.id, ""});
    if (!deleted.ok() && deleted.status().code() != Code::kNotFound) {
      // Still running (a stop that did not finish): kill and retry once.
      (void)(*shim)->Kill({c.id, "", SIGKILL, true});
      (void)(*shim)->Wait({c.id, ""}, std::chrono::seconds(5));
      deleted = (*shim)->Delete({c.id, ""});
      if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
    }
  } else if (!record.sandbox_id.empty()) {
    // The shim died under the container (or was never there): runc still holds the
    // container, orphaned and perhaps running. Kill and delete it without the shim.
    runtime::ShimLaunch launch;
    launch.ns = kShimNamespace;
    if (Status s = runtime::ForceDeleteContainer(launch, c.id); !s.ok()) return s;
  }
  if (Status s = runtime::UnmountRootfs(bundle); !s.ok()) return s;
  ReleaseFifoDriver(c.id);
  RemoveAttachFiles(c.id);
  std::error_code ec;
  std::filesystem::remove_all(bundle, ec);
  if (ec) return InternalError("cannot remove " + bundle + ": " + ec.message());
  std::lock_guard lock(mu_);
  owners_.erase(c.id);
  return Status::Ok();
}

}  // namespace skiff::node
