// Test support for driving the real containerd-shim-runc-v2 and runc: a temporary directory
// holding busybox bundles, a private runc root and an events socket, and an RAII cleanup that
// removes everything a test started even when the test fails (runc containers, shim processes,
// their /run/containerd/s sockets, mounts under the directory, the directory itself).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "skiff/runtime/shim_client.h"
#include "skiff/runtime/shim_launch.h"
#include "skiff/runtime/shim_types.h"

namespace skiff::runtime::testing {

inline constexpr const char* kTestNamespace = "skiff-test-shim";

class ShimSandbox {
 public:
  ShimSandbox();
  ~ShimSandbox();
  ShimSandbox(const ShimSandbox&) = delete;
  ShimSandbox& operator=(const ShimSandbox&) = delete;

  const std::string& dir() const { return dir_; }
  std::string runc_root() const { return dir_ + "/runc"; }
  std::string events_socket() const { return dir_ + "/events.sock"; }
  // The -address every shim of this sandbox gets (it only names the socket).
  std::string address() const { return dir_ + "/containerd"; }

  // A name unique to this process and sandbox, e.g. "t1234-2-sleep".
  std::string UniqueId(const std::string& name);

  // Creates <dir>/<id>/ with config.json running `args` (busybox rootfs in <dir>/<id>/rootfs,
  // PATH=/bin, new pid/ipc/uts/mount/network namespaces, /proc /dev /sys mounted) and records
  // `id` for cleanup. Returns the bundle path. With `rootfs_dir` the rootfs is built there
  // instead and config.json's root is <bundle>/rootfs, left empty for a rootfs mount to fill.
  std::string MakeBundle(const std::string& id, const std::vector<std::string>& args,
                         const std::string& rootfs_dir = "");

  // A launch for the shim `id` whose working directory is `bundle`; records the shim for
  // cleanup.
  ShimLaunch Launch(const std::string& id, const std::string& bundle, bool with_events = false);

  // A Create request for container `id` in `bundle`, stdout and stderr appended to
  // <bundle>/out.log, runc state under runc_root().
  CreateTaskRequest CreateRequest(const std::string& id, const std::string& bundle) const;

  // Records an extra container id for `runc delete --force` at cleanup.
  void TrackContainer(const std::string& id) { containers_.push_back(id); }

  // Whether `pid` is a live process (a zombie counts as gone).
  static bool ProcessAlive(pid_t pid);
  // Waits up to `timeout` for `pid` to be gone.
  static bool WaitGone(pid_t pid, std::chrono::milliseconds timeout);
  // Waits up to `timeout` for `pid` to have exec'd `program` (its cmdline's argv[0]); right
  // after Start the process may still be runc's init, which dies of SIGTERM.
  static bool WaitExec(pid_t pid, const std::string& program, std::chrono::milliseconds timeout);
  // The live shims started with this sandbox's address (and id `id`, unless empty).
  std::vector<pid_t> ShimPids(const std::string& id) const;
  // The one live shim with id `id`, or 0.
  pid_t ShimPid(const std::string& id) const;
  static std::string ReadText(const std::string& path);
  static bool Exists(const std::string& path);
  // Whether `path` is a mount point in this mount namespace (per /proc/self/mounts).
  static bool IsMountPoint(const std::string& path);

 private:
  void Cleanup();

  std::string dir_;
  int counter_ = 0;
  std::vector<std::string> containers_;
  std::vector<std::string> shim_bundles_;
};

// Connects to a shim (2 s timeout), failing the test with the reason when it cannot.
std::unique_ptr<ShimClient> Dial(const std::string& address);
// Starts the shim `id` with its working directory in `bundle` and connects to it.
std::unique_ptr<ShimClient> StartAndDial(ShimSandbox& sandbox, const std::string& id,
                                         const std::string& bundle, bool with_events = false);
// Creates and starts the container of `request`; returns its pid.
uint32_t Run(ShimClient& client, const CreateTaskRequest& request);

}  // namespace skiff::runtime::testing
