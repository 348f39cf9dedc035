// The pure parts of running a process in a container through the shim, as containerd's CRI
// does it: the OCI Process of an exec, exec ids, and the error a failed start shows.
// Thread-safe free functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::node {

// The OCI Process of an exec in a container whose config.json is `container_config`: the
// container's own "process" (user, env with PATH, cwd, capabilities, noNewPrivileges,
// apparmorProfile, rlimits, oomScoreAdj ...) with args `command` and terminal `tty`, with
// TERM=xterm in env when tty (as containerd's CRI sets it), and without consoleSize (the client
// sends its size with a resize). kInvalidArgument when the config has no "process" object or
// the command is empty.
Result<nlohmann::json> ExecProcessSpec(const nlohmann::json& container_config,
                                       const std::vector<std::string>& command, bool tty);

// A fresh exec id: 64 lowercase hex digits, like containerd's CRI.
std::string NewExecId();

// The message of an exec whose start failed, in containerd's CRI words:
//   failed to exec in container: failed to start exec "<exec_id>": <runtime message>
// `shim_error` is ShimClient::Start's message ("shim ADDR: Start C exec E: MSG (rpc CODE)");
// the shim's own MSG is kept, with ": unknown" appended for rpc Unknown (runc's failures) as
// containerd's client does, e.g. `OCI runtime exec failed: exec failed: unable to start
// container process: exec: "nosuch": executable file not found in $PATH: unknown`.
std::string ExecStartFailure(const std::string& exec_id, const std::string& shim_error);

// Appends what fits of `data` to `out`, keeping out at most `limit` bytes. Returns whether
// anything was cut.
bool AppendCapped(std::string* out, std::string_view data, size_t limit);

}  // namespace skiff::node
