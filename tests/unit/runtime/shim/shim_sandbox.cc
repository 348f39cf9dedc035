#include "shim_sandbox.h"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runtime/shim/child_process.h"

namespace skiff::runtime::testing {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json ConfigFor(const std::vector<std::string>& args) {
  json mounts = json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/sys"},
       {"type", "sysfs"},
       {"source", "sysfs"},
       {"options", {"nosuid", "noexec", "nodev", "ro"}}},
  });
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", args},
        {"env", {"PATH=/bin"}},
        {"cwd", "/"},
        {"noNewPrivileges", true}}},
      {"root", {{"path", "rootfs"}, {"readonly", false}}},
      {"hostname", "shimtest"},
      {"mounts", mounts},
      {"linux",
       {{"namespaces",
         {{{"type", "pid"}},
          {{"type", "ipc"}},
          {{"type", "uts"}},
          {{"type", "mount"}},
          {{"type", "network"}}}}}},
  };
}

void BuildRootfs(const std::string& rootfs) {
  fs::create_directories(rootfs + "/bin");
  for (const char* d : {"proc", "dev", "sys", "tmp", "etc"})
    fs::create_directories(rootfs + "/" + d);
  fs::copy_file("/bin/busybox", rootfs + "/bin/busybox", fs::copy_options::overwrite_existing);
  for (const char* tool : {"sh", "echo", "sleep", "cat", "true", "false", "ls", "ps", "kill"}) {
    fs::create_symlink("busybox", rootfs + "/bin/" + tool);
  }
}

// Runs a command, ignoring its output and result (cleanup is best effort).
void RunQuietly(const std::vector<std::string>& argv) {
  shim::ChildSpec spec;
  spec.argv = argv;
  spec.env = shim::ChildEnvironment({}, {});
  spec.timeout = std::chrono::seconds(20);
  (void)shim::RunChild(spec);
}

}  // namespace

ShimSandbox::ShimSandbox() {
  char tmpl[] = "/tmp/skiff-shim-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  dir_ = tmpl;
  fs::create_directories(runc_root());
}

ShimSandbox::~ShimSandbox() { Cleanup(); }

std::string ShimSandbox::UniqueId(const std::string& name) {
  return "t" + std::to_string(::getpid()) + "-" + std::to_string(++counter_) + "-" + name;
}

std::string ShimSandbox::MakeBundle(const std::string& id, const std::vector<std::string>& args,
                                    const std::string& rootfs_dir) {
  const std::string bundle = dir_ + "/" + id;
  fs::create_directories(bundle + "/rootfs");
  BuildRootfs(rootfs_dir.empty() ? bundle + "/rootfs" : rootfs_dir);
  std::ofstream(bundle + "/config.json") << ConfigFor(args).dump(2);
  containers_.push_back(id);
  return bundle;
}

ShimLaunch ShimSandbox::Launch(const std::string& id, const std::string& bundle, bool with_events) {
  ShimLaunch launch;
  launch.ns = kTestNamespace;
  launch.id = id;
  launch.bundle = bundle;
  launch.address = address();  // unique per sandbox: names the socket
  if (with_events) launch.events_address = events_socket();
  shim_bundles_.push_back(bundle);
  return launch;
}

CreateTaskRequest ShimSandbox::CreateRequest(const std::string& id,
                                             const std::string& bundle) const {
  CreateTaskRequest request;
  request.id = id;
  request.bundle = bundle;
  request.stdout_path = "file://" + bundle + "/out.log";
  request.stderr_path = request.stdout_path;
  RuncOptions options;
  options.root = runc_root();
  request.options = options;
  return request;
}

bool ShimSandbox::ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

bool ShimSandbox::WaitGone(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ProcessAlive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool ShimSandbox::WaitExec(pid_t pid, const std::string& program,
                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string cmdline = ReadText("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmdline.substr(0, cmdline.find('\0')) == program) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::vector<pid_t> ShimSandbox::ShimPids(const std::string& id) const {
  // The shim does not write a pid file: find it by its command line, which holds this
  // sandbox's unique -address (and the -id).
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadText(entry.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find("-address " + address() + " ") == std::string::npos) continue;
    if (!id.empty() && cmdline.find("-id " + id + " ") == std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (ProcessAlive(pid)) pids.push_back(pid);
  }
  return pids;
}

pid_t ShimSandbox::ShimPid(const std::string& id) const {
  const std::vector<pid_t> pids = ShimPids(id);
  return pids.size() == 1 ? pids[0] : 0;
}

std::string ShimSandbox::ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ShimSandbox::Exists(const std::string& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found;
}

namespace {

std::vector<std::string> MountTargets() {
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> targets;
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string source, target;
    fields >> source >> target;
    targets.push_back(target);
  }
  return targets;
}

}  // namespace

bool ShimSandbox::IsMountPoint(const std::string& path) {
  const std::vector<std::string> targets = MountTargets();
  return std::find(targets.begin(), targets.end(), path) != targets.end();
}

void ShimSandbox::Cleanup() {
  // SKIFF_SHIM_TEST_LOGS=1 prints each shim's log and bundle listing (for debugging).
  if (::getenv("SKIFF_SHIM_TEST_LOGS") != nullptr) {
    for (const std::string& bundle : shim_bundles_) {
      fprintf(stderr, "== %s\n", bundle.c_str());
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(bundle, ec)) {
        fprintf(stderr, "  %s\n", entry.path().filename().c_str());
      }
      fprintf(stderr, "%s\n", ReadText(bundle + "/log").c_str());
    }
  }
  // Containers first (runc kills them and removes their cgroups), then the shims, their
  // sockets, mounts left under the directory, and the directory.
  for (const std::string& id : containers_) {
    RunQuietly({"runc", "--root", runc_root() + "/" + kTestNamespace, "delete", "--force", id});
  }
  for (const pid_t pid : ShimPids("")) {
    ::kill(pid, SIGKILL);
    WaitGone(pid, std::chrono::seconds(5));
  }
  for (const std::string& bundle : shim_bundles_) {
    const std::string address = ReadText(bundle + "/address");
    if (!address.empty()) ::unlink(ShimSocketPath(address).c_str());
  }
  std::vector<std::string> targets;
  for (const std::string& target : MountTargets()) {
    if (target.rfind(dir_ + "/", 0) == 0) targets.push_back(target);
  }
  for (auto it = targets.rbegin(); it != targets.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::unique_ptr<ShimClient> Dial(const std::string& address) {
  auto client = ShimClient::Connect(address, std::chrono::seconds(2));
  INFO(client.status().ToString());
  REQUIRE(client.ok());
  return std::move(client).value();
}

std::unique_ptr<ShimClient> StartAndDial(ShimSandbox& sandbox, const std::string& id,
                                         const std::string& bundle, bool with_events) {
  auto address = StartShim(sandbox.Launch(id, bundle, with_events));
  INFO(address.status().ToString());
  REQUIRE(address.ok());
  return Dial(*address);
}

uint32_t Run(ShimClient& client, const CreateTaskRequest& request) {
  auto pid = client.Create(request);
  INFO(pid.status().ToString());
  REQUIRE(pid.ok());
  CHECK(*pid > 0);
  auto started = client.Start({request.id, ""});
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  CHECK(*started == *pid);
  return *pid;
}

}  // namespace skiff::runtime::testing
