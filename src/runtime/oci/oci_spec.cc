// BuildOciSpec: composes the pieces (env, mounts, args, user, capabilities, namespaces,
// resources) into one runc config.json, in the order kubelet then containerd would.
#include <algorithm>

#include "skiff/runtime/oci_spec.h"

#include <unistd.h>

#include <exception>

#include "capabilities.h"
#include "devices.h"
#include "environment.h"
#include "json_access.h"
#include "mounts.h"
#include "process_args.h"
#include "resources.h"
#include "skiff/apis/quantity.h"
#include "user.h"

namespace skiff::runtime {
namespace {

using namespace internal;
using nlohmann::json;

constexpr const char* kOciVersion = "1.0.2-dev";

// kubelet's default masked and readonly paths (pkg/securitycontext), sent to containerd.
const std::vector<std::string> kMaskedPaths = {"/proc/asound",
                                               "/proc/acpi",
                                               "/proc/kcore",
                                               "/proc/keys",
                                               "/proc/latency_stats",
                                               "/proc/timer_list",
                                               "/proc/timer_stats",
                                               "/proc/sched_debug",
                                               "/proc/scsi",
                                               "/sys/firmware",
                                               "/sys/devices/virtual/powercap"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};

std::string MachineHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

int64_t MemoryCapacity(const node::PodRuntimeInfo& info) {
  if (auto q = apis::ParseQuantity(info.node_allocatable_memory)) return apis::Value(*q);
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size : 0;
}

// kubelet's ConvertSysctlVariableToDotsSeparator: "net/ipv4/ip_forward" -> "net.ipv4.ip_forward".
std::string SysctlName(const std::string& name) {
  size_t first = name.find_first_of("./");
  if (first == std::string::npos || name[first] == '.') return name;
  std::string out = name;
  for (char& c : out) {
    if (c == '.') {
      c = '/';
    } else if (c == '/') {
      c = '.';
    }
  }
  return out;
}

json Namespace(const char* type, const std::string& path) {
  json ns = {{"type", type}};
  if (!path.empty()) ns["path"] = path;
  return ns;
}

Result<json> Build(const ContainerSpecInput& in) {
  const json& pod = *in.pod;
  const json& container = *in.container;
  const json& spec = Field(pod, "spec");
  const json& sc = Field(container, "securityContext");
  bool privileged = BoolField(sc, "privileged").value_or(false);
  bool host_network = BoolField(spec, "hostNetwork").value_or(false);
  bool host_pid = BoolField(spec, "hostPID").value_or(false);
  bool host_ipc = BoolField(spec, "hostIPC").value_or(false);

  // kubelet's side (CreateContainerConfigError): env, mounts, runAsNonRoot.
  auto env = MakeContainerEnv(pod, container, in.lookup, in.runtime_info);
  if (!env.ok()) return env.status();
  auto mounts = BuildMounts(in, *env);
  if (!mounts.ok()) return mounts.status();
  if (Status s = VerifyRunAsNonRoot(pod, container, in.image.user); !s.ok()) return s;

  // The runtime's side (CreateContainerError): args and user.
  auto args = ProcessArgs(container, in.image, *env);
  if (!args.ok()) return args.status();
  auto user = ResolveProcessUser(pod, container, in.image.user, in.rootfs);
  if (!user.ok()) return user.status();

  std::string hostname = in.hostname.empty() ? MachineHostname() : in.hostname;
  std::string cwd = StrField(container, "workingDir");
  if (cwd.empty()) cwd = in.image.working_dir;
  if (cwd.empty()) cwd = "/";

  std::vector<std::string> caps = ContainerCapabilities(Field(sc, "capabilities"), privileged);
  json process = {
      {"terminal", BoolField(container, "tty").value_or(false)},
      {"user", {{"uid", user->uid}, {"gid", user->gid}, {"additionalGids", user->additional_gids}}},
      {"args", *args},
      {"env", MergeProcessEnv(hostname, in.image.env, *env)},
      {"cwd", cwd},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"oomScoreAdj", std::max(OomScoreAdj(pod, container, MemoryCapacity(in.runtime_info)),
                               in.runtime_info.min_oom_score_adj)},
  };
  auto escalation = BoolField(sc, "allowPrivilegeEscalation");
  if (!privileged && escalation.has_value() && !*escalation) process["noNewPrivileges"] = true;

  json linux;
  linux["resources"] = LinuxResources(container, in.pids_limit, privileged);
  if (!in.cgroups_path.empty()) linux["cgroupsPath"] = in.cgroups_path;
  json namespaces = json::array();
  if (!host_pid) {
    bool share = BoolField(spec, "shareProcessNamespace").value_or(false);
    namespaces.push_back(Namespace("pid", share ? in.pid_ns_path : ""));
  }
  if (!host_ipc) namespaces.push_back(Namespace("ipc", in.ipc_ns_path));
  if (!host_network) namespaces.push_back(Namespace("uts", in.uts_ns_path));
  namespaces.push_back(Namespace("mount", ""));
  if (!host_network) namespaces.push_back(Namespace("network", in.netns_path));
  linux["namespaces"] = namespaces;
  bool unmasked = StrField(sc, "procMount") == "Unmasked";
  if (privileged || unmasked) {
    linux["maskedPaths"] = json::array();
    linux["readonlyPaths"] = json::array();
  } else {
    linux["maskedPaths"] = kMaskedPaths;
    linux["readonlyPaths"] = kReadonlyPaths;
  }
  if (privileged) linux["devices"] = HostDevices();
  const json& sysctls = Path(spec, {"securityContext", "sysctls"});
  if (sysctls.is_array() && !sysctls.empty()) {
    json map = json::object();
    for (const auto& s : sysctls) map[SysctlName(StrField(s, "name"))] = StrField(s, "value");
    linux["sysctl"] = map;
  }
  if (!mounts->rootfs_propagation.empty()) {
    linux["rootfsPropagation"] = mounts->rootfs_propagation;
  }

  const json& meta = Field(pod, "metadata");
  json annotations = {
      {"io.kubernetes.cri.container-type", "container"},
      {"io.kubernetes.cri.container-name", StrField(container, "name")},
      {"io.kubernetes.cri.sandbox-name", StrField(meta, "name")},
      {"io.kubernetes.cri.sandbox-namespace", StrField(meta, "namespace")},
      {"io.kubernetes.cri.sandbox-uid", StrField(meta, "uid")},
      {"io.kubernetes.cri.image-name",
       in.image_name.empty() ? StrField(container, "image") : in.image_name},
  };

  json out = {
      {"ociVersion", kOciVersion},
      {"process", process},
      {"root",
       {{"path", in.rootfs},
        {"readonly", BoolField(sc, "readOnlyRootFilesystem").value_or(false)}}},
      {"mounts", mounts->mounts},
      {"annotations", annotations},
      {"linux", linux},
  };
  if (!host_network) out["hostname"] = hostname;
  return out;
}

}  // namespace

Result<json> BuildOciSpec(const ContainerSpecInput& input) {
  if (input.pod == nullptr || input.container == nullptr) {
    return InvalidArgumentError("BuildOciSpec needs a pod and a container");
  }
  try {
    return Build(input);
  } catch (const std::exception& e) {
    return InternalError("building the OCI spec of container \"" +
                         StrField(*input.container, "name") + "\" failed: " + e.what());
  }
}

bool IsCreateContainerError(const Status& status) {
  if (status.ok()) return false;
  static const char* const kPrefixes[] = {"no command specified", "unable to find user",
                                          "unable to find group", "invalid USER value",
                                          "failed to read",       "too many symlinks resolving"};
  for (const char* p : kPrefixes) {
    if (status.message().rfind(p, 0) == 0) return true;
  }
  return false;
}

}  // namespace skiff::runtime
