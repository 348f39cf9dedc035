#include "skiff/runtime/shim_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "runtime/shim/child_process.h"
#include "runtime/shim/proto_fields.h"
#include "runtime/shim/task_codec.h"
#include "runtime/shim/ttrpc_client.h"
#include "runtime/shim/unix_socket.h"
#include "skiff/common/file_util.h"

namespace skiff::runtime {

namespace {

constexpr std::string_view kUnixScheme = "unix://";
constexpr const char* kEventsEnv = "TTRPC_ADDRESS";
constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string Describe(const ShimLaunch& launch) {
  return "shim " + launch.ns + "/" + launch.id + " (bundle " + launch.bundle + ")";
}

Status CheckLaunch(const ShimLaunch& launch) {
  if (launch.ns.empty() || launch.id.empty() || launch.bundle.empty() || launch.address.empty()) {
    return InvalidArgumentError(Describe(launch) +
                                ": namespace, id, bundle and address are required");
  }
  struct stat st;
  if (::stat(launch.bundle.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return NotFoundError(Describe(launch) + ": bundle directory does not exist");
  }
  return Status::Ok();
}

// The shim's stderr goes to <bundle>/log, which must be a regular file: without it the shim
// dies silently; a FIFO nobody reads makes it hang before serving.
Status EnsureLogFile(const ShimLaunch& launch) {
  const std::string path = launch.bundle + "/log";
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISREG(st.st_mode)) return Status::Ok();
    return InvalidArgumentError(Describe(launch) + ": " + path +
                                " exists and is not a regular file");
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return InternalError(Describe(launch) + ": creating " + path + ": " + strerror(errno));
  ::close(fd);
  return Status::Ok();
}

std::vector<std::string> ShimEnvironment(const ShimLaunch& launch) {
  std::vector<std::string> set;
  if (!launch.events_address.empty())
    set.push_back(std::string(kEventsEnv) + "=" + launch.events_address);
  std::vector<std::string> env = shim::ChildEnvironment({kEventsEnv}, set);
  const bool has_path = std::any_of(env.begin(), env.end(),
                                    [](const std::string& e) { return e.rfind("PATH=", 0) == 0; });
  if (!has_path) env.push_back(kDefaultPath);
  return env;
}

bool ShimAnswers(const std::string& socket, const std::string& id) {
  constexpr std::chrono::milliseconds kPingTimeout{1000};
  auto conn = shim::TtrpcClient::Connect(socket, kPingTimeout);
  if (!conn.ok()) return false;
  return conn.value()
      ->Call(shim::kTaskService, "Connect", shim::EncodeTaskId(id), kPingTimeout)
      .ok();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<shim::ChildResult> RunAction(const ShimLaunch& launch, const std::string& action,
                                    std::optional<std::string> stdin_data) {
  shim::ChildSpec spec;
  spec.argv = {launch.binary, "-namespace", launch.ns,      "-id",
               launch.id,     "-address",   launch.address, action};
  spec.env = ShimEnvironment(launch);
  spec.cwd = launch.bundle;
  spec.stdin_data = std::move(stdin_data);
  spec.timeout = launch.timeout;
  Result<shim::ChildResult> result = shim::RunChild(spec);
  if (!result.ok()) {
    return Status(result.status().code(),
                  Describe(launch) + ": " + action + ": " + result.status().message());
  }
  if (result->exit_code != 0) {
    const std::string how = result->signal != 0
                                ? "killed by signal " + std::to_string(result->signal)
                                : "exit code " + std::to_string(result->exit_code);
    return InternalError(Describe(launch) + ": " + action + " failed (" + how +
                         "): " + Trim(result->err));
  }
  return result;
}

}  // namespace

std::string ShimSocketPath(const std::string& address) {
  if (address.compare(0, kUnixScheme.size(), kUnixScheme) == 0) {
    return address.substr(kUnixScheme.size());
  }
  return address;
}

Result<std::string> StartShim(const ShimLaunch& launch) {
  if (Status s = CheckLaunch(launch); !s.ok()) return s;
  if (Status s = EnsureLogFile(launch); !s.ok()) return s;
  std::optional<std::string> options;
  if (!launch.shim_cgroup.empty()) {
    RuncOptions runc;
    runc.shim_cgroup = launch.shim_cgroup;
    options = shim::EncodeRuncOptionsAny(runc);
  }
  Result<shim::ChildResult> result = RunAction(launch, "start", std::move(options));
  if (!result.ok()) return result.status();
  std::string address = Trim(result->out);
  if (address.compare(0, kUnixScheme.size(), kUnixScheme) != 0) {
    return InternalError(Describe(launch) + ": start printed \"" + address +
                         "\", not a unix:// address; stderr: " + Trim(result->err));
  }
  return address;
}

Result<ExitResult> CleanupShim(const ShimLaunch& launch) {
  if (Status s = CheckLaunch(launch); !s.ok()) return s;
  Result<std::string> address = ReadFile(launch.bundle + "/address");
  std::string socket;
  if (address.ok()) socket = ShimSocketPath(Trim(*address));
  // A socket that accepts is not proof of life (a leftover child may hold the listener): ask.
  if (!socket.empty() && ShimAnswers(socket, launch.id)) {
    return InvalidArgumentError(Describe(launch) + ": the shim still serves " + socket +
                                "; shut it down instead of cleaning up");
  }
  Result<shim::ChildResult> result = RunAction(launch, "delete", std::nullopt);
  if (!result.ok()) return result.status();
  Result<ExitResult> exit = shim::DecodeDelete(result->out);
  if (!exit.ok()) {
    return InternalError(Describe(launch) + ": delete's reply: " + exit.status().message());
  }
  if (!socket.empty()) {
    struct stat st;
    if (::lstat(socket.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
        ::unlink(socket.c_str()) != 0 && errno != ENOENT) {
      return InternalError(Describe(launch) + ": removing stale socket " + socket + ": " +
                           strerror(errno));
    }
  }
  return exit;
}

Status ForceDeleteContainer(const ShimLaunch& launch, const std::string& container_id,
                            const std::string& runc_root) {
  if (launch.ns.empty() || container_id.empty()) {
    return InvalidArgumentError("force delete of a container: namespace and id are required");
  }
  const std::string root = (runc_root.empty() ? "/run/containerd/runc" : runc_root) + "/" + launch.ns;
  shim::ChildSpec spec;
  spec.argv = {"runc", "--root", root, "delete", "--force", container_id};
  spec.env = ShimEnvironment(launch);
  spec.timeout = launch.timeout;
  Result<shim::ChildResult> result = shim::RunChild(spec);
  if (!result.ok()) {
    return Status(result.status().code(),
                  "runc delete --force " + container_id + ": " + result.status().message());
  }
  if (result->exit_code == 0 || result->err.find("does not exist") != std::string::npos) {
    return Status::Ok();
  }
  return InternalError("runc delete --force " + container_id + " failed (exit code " +
                       std::to_string(result->exit_code) + "): " + Trim(result->err));
}

}  // namespace skiff::runtime
