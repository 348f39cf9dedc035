// Starting and cleaning up containerd-shim-runc-v2 processes (the shim's `start` and `delete`
// actions), without the containerd daemon.
//
// A shim is named by (namespace, id, address): while it lives, StartShim with the same triple
// returns the same socket and starts no second shim; this is how one shim serves every
// container of a pod. The shim detaches (its own process group, reparented to PID 1), so it and
// its containers outlive the caller. Its socket is /run/containerd/s/<sha256 of
// "address/namespace/id"> (hard-coded by the shim in this mode).
//
// Free functions, thread-safe; each runs one short-lived child process (posix_spawn, every
// other descriptor closed in the child) and waits at most `timeout` for it. Errors name the
// shim id, the bundle and the cause (the action's stderr).
#pragma once

#include <chrono>
#include <string>

#include "skiff/common/status.h"
#include "skiff/runtime/shim_types.h"

namespace skiff::runtime {

struct ShimLaunch {
  // The shim binary: a path, or a name looked up in PATH.
  std::string binary = "containerd-shim-runc-v2";
  std::string ns;  // -namespace; also the default runc root's last element
  std::string id;  // -id; the shim's `delete` action expects the bundle directory to be named so
  // The shim's working directory: an existing directory named `id`, usually the bundle of the
  // pod's first container. StartShim creates `log` in it (the shim's stderr) and the shim
  // writes `address` (and, after Create, options.json and runtime) there.
  std::string bundle;
  // -address: only used to name the socket (part of the hashed triple).
  std::string address = "/run/skiff/shim";
  // The events socket (TTRPC_ADDRESS) where the shim forwards task events; "" = none (the
  // shim then drops its events after retries).
  std::string events_address;
  // A cgroup (the same relative path in every v1 hierarchy, which must exist) to move the shim
  // into; "" = stay in the caller's. Sent on stdin as containerd.runc.v1.Options.
  std::string shim_cgroup;
  std::chrono::milliseconds timeout{10000};
};

// Runs `<binary> -namespace NS -id ID -address ADDR start` in the bundle directory and returns
// the shim's address, "unix:///run/containerd/s/<hex>" (also in <bundle>/address). kNotFound
// when the bundle directory or the binary does not exist; kInternal when the action fails
// (its stderr quoted); kUnavailable when it does not finish within the timeout (it is killed).
Result<std::string> StartShim(const ShimLaunch& launch);

// For a shim that died (e.g. SIGKILLed) while its container kept running: runs
// `<binary> -namespace NS -id ID -address ADDR delete` in the bundle directory, which kills and
// deletes the runc container whose id is the shim id (with the runc root and binary recorded
// in the bundle's options.json by Create) and unmounts its rootfs, then removes the shim's
// stale socket. Returns what the action reports (exit status 137 when it killed the container).
// kInvalidArgument (touching nothing) when a shim still answers on the socket: use
// ShimClient::Shutdown for a live shim.
// Only the container named like the shim is handled; other containers of that shim must be
// removed with `runc --root <RuncOptions.root>/<namespace> delete --force ID`.
Result<ExitResult> CleanupShim(const ShimLaunch& launch);

// For any container of a shim that died: `runc --root <runc_root>/<launch.ns> delete --force
// <container_id>`, which SIGKILLs it and removes its runc state and cgroups (its rootfs mount
// is the caller's). Ok when runc does not know the container. `runc_root` is the shim's
// (RuncOptions.root; "" = /run/containerd/runc).
Status ForceDeleteContainer(const ShimLaunch& launch, const std::string& container_id,
                            const std::string& runc_root = "");

// The unix socket path inside a shim address: "unix:///x" -> "/x"; a plain path is returned as
// is.
std::string ShimSocketPath(const std::string& address);

}  // namespace skiff::runtime
