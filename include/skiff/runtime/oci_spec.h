// Pod spec -> OCI runtime spec (config.json) for one container, as kubelet and containerd's CRI
// plugin together would produce it for runc.
//
// What the spec contains:
// - process.args: the image ENTRYPOINT/CMD combined with the container's command/args by the
//   Kubernetes rules (command replaces ENTRYPOINT and drops CMD, args replaces CMD), $(VAR)
//   references expanded from the container's env ($$ escapes, unknown references kept as
//   written).
// - process.env: PATH (containerd's default unless the image sets one), HOSTNAME, the image env,
//   then the container's envFrom and env (a later definition replaces an earlier one in place).
//   envFrom keys that are not valid variable names (printable ASCII without '=') are skipped.
//   Service-link variables (KUBERNETES_SERVICE_HOST ...) are the caller's job: append them.
// - process.cwd: workingDir, else the image's, else "/".
// - process.user: runAsUser/runAsGroup (container over pod), else the image user ("uid",
//   "uid:gid", "name", "name:group", looked up in the rootfs's /etc/passwd and /etc/group with
//   symlinks resolved inside the rootfs); additionalGids = primary gid, the groups listing the
//   user in /etc/group, supplementalGroups and fsGroup (sorted, unique).
// - capabilities (bounding = effective = permitted, in capability-number order; no inheritable
//   or ambient): containerd's default set with add/drop ("ALL" handled, names with or without
//   "CAP_"); privileged: every capability, no masked/readonly paths, rw /sys and cgroupfs, all
//   host devices (linux.devices from the host's /dev) and device cgroup allow-all.
//   allowPrivilegeEscalation=false -> noNewPrivileges; readOnlyRootFilesystem -> root.readonly
//   (and the /etc/hosts, /etc/hostname, /etc/resolv.conf binds read-only, as containerd does).
//   procMount Unmasked -> no masked/readonly paths. No rlimits (the shim's limits are
//   inherited). AppArmor, SELinux and seccomp are left unset, whatever the pod asks
//   (seccompProfile RuntimeDefault/Localhost are NOT applied).
// - namespaces: mount always new; network joined at netns_path (new when empty), none when
//   hostNetwork; uts joined at uts_ns_path (new when empty), none when hostNetwork (the
//   container then sees the node's hostname, and spec.hostname is not set); ipc joined at
//   ipc_ns_path (new when empty), none when hostIPC; pid new per container, none when hostPID,
//   and with shareProcessNamespace joined at pid_ns_path when that is given (see below).
// - mounts: /proc, /dev (tmpfs), /dev/pts, /dev/mqueue, /sys (ro), /sys/fs/cgroup (ro), then
//   /etc/hostname, /etc/hosts, /etc/resolv.conf and /dev/shm binds, then the terminationMessage
//   file and the volumeMounts (bind, rbind, rprivate/rslave/rshared by mountPropagation, ro/rw),
//   sorted by depth so a parent is mounted before its children. A volumeMount on the same
//   destination replaces the default mount (a /dev mount also drops the defaults under /dev).
// - linux.resources: cpu shares from requests.cpu (limits.cpu when no request; 2 when neither),
//   period 100000 and quota from limits.cpu, memory limit from limits.memory, pids limit when
//   pids_limit > 0, devices deny-all (runc adds its default devices). oomScoreAdj by QoS as
//   kubelet computes it. linux.sysctl from the pod's securityContext.sysctls.
// - annotations io.kubernetes.cri.{container-type,container-name,sandbox-name,
//   sandbox-namespace,sandbox-uid,image-name}.
//
// Errors (the message is what `kubectl describe pod` shows):
// - CreateContainerConfigError (kubelet's side): `configmap "cm1" not found`, `secret "s" not
//   found` (kNotFound); `couldn't find key k in ConfigMap default/cm1`, `couldn't find key k in
//   Secret default/s`, unsupported fieldPath, subPath problems, a volumeMount naming a volume that
//   is not in `volumes`, runAsNonRoot violations (kInvalidArgument); a ConfigMap/Secret lookup
//   that failed transiently (its code, usually kUnavailable).
// - CreateContainerError (the runtime's side): `no command specified`, an image user or group
//   missing from the rootfs's /etc/passwd or /etc/group (kInvalidArgument), unreadable files
//   (kInternal). IsCreateContainerError tells the two kinds apart.
//
// Thread-safety: BuildOciSpec keeps no state; concurrent calls are fine. It reads the rootfs's
// /etc/passwd and /etc/group, the volume directories (subPath) and, for privileged containers,
// the host's /dev; it creates a missing subPath directory inside its volume (as kubelet does)
// and nothing else.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/node/pod_context.h"
#include "skiff/node/volumes.h"

namespace skiff::runtime {

// The parts of an image's config (OCI image config "config" object) a container starts from.
struct ImageDefaults {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
  std::string user;  // "", "uid", "uid:gid", "name", "name:group", "uid:group", "name:gid"
};

struct ContainerSpecInput {
  const nlohmann::json* pod = nullptr;        // the whole Pod as stored (defaulted); required
  const nlohmann::json* container = nullptr;  // one entry of spec.containers/initContainers
  ImageDefaults image;
  std::string image_name;  // for the io.kubernetes.cri.image-name annotation ("" = container.image)
  std::string rootfs;  // the mounted rootfs (root.path); its /etc/passwd and /etc/group are read
  std::string netns_path;  // the pod's network namespace; "" = a new one (tests)
  // The pod's pinned IPC and UTS namespaces; "" = a new one for this container.
  std::string ipc_ns_path, uts_ns_path;
  // With spec.shareProcessNamespace: the PID namespace to join (e.g. /proc/<pid>/ns/pid of the
  // pod's first container; a PID namespace dies with its init process, so it cannot be pinned
  // by a bind mount). "" = a new one, which this container's process is init of.
  std::string pid_ns_path;
  std::string hostname;  // the pod's hostname ("" = this machine's, as for hostNetwork pods)
  // Host files bind-mounted at /etc/hosts, /etc/resolv.conf and /etc/hostname ("" = not mounted).
  std::string hosts_file, resolv_conf_file, hostname_file;
  // A host directory (the pod's shared tmpfs) bind-mounted at /dev/shm so the pod's containers
  // share POSIX shared memory as with containerd's sandbox /dev/shm. "" = a private 64m tmpfs.
  // hostIPC pods get the host's /dev/shm whatever this says.
  std::string shm_path;
  std::string termination_message_file;  // host file bound at terminationMessagePath ("" = none)
  std::map<std::string, node::VolumeSource> volumes;  // pod volume name -> prepared source
  std::string cgroups_path;   // absolute, used as is ("" = leave it to runc)
  int64_t pids_limit = 0;     // linux.resources.pids.limit when > 0
  node::ObjectLookup lookup;  // ConfigMaps and Secrets for env; may be empty if none is used
  node::PodRuntimeInfo runtime_info;
};

// Builds config.json for the container. See the top of this file for what it holds and for
// the errors.
Result<nlohmann::json> BuildOciSpec(const ContainerSpecInput& input);

// True when a BuildOciSpec error is one kubelet reports as CreateContainerError (a problem with
// the image: no command, unknown user/group, unreadable rootfs files); false for the
// CreateContainerConfigError kind (a problem with the pod spec or the objects it references).
bool IsCreateContainerError(const Status& status);

}  // namespace skiff::runtime
