// The real thing: a spec from BuildOciSpec runs under runc with a busybox rootfs, and the
// process sees what the pod asked for (env, cwd, uid/gids, hostname, read-only root, a
// writable volume, the termination log, the memory limit).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "test_util.h"

extern char** environ;

using namespace skiff::runtime;
using namespace skiff::runtime::testing;

namespace {

// Runs argv with stdout+stderr to `out_path`; kills it after `timeout`. Returns the exit
// status (or -1 when it could not start or timed out).
int Run(const std::vector<std::string>& argv, const std::string& out_path,
        std::chrono::seconds timeout) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Deletes the runc container (and with it its cgroup) however the test ends.
struct RuncContainer {
  std::string state_root, id, log;
  ~RuncContainer() {
    Run({"runc", "--root", state_root, "delete", "--force", id}, log, std::chrono::seconds(20));
  }
};

bool HaveRunc() {
  return access("/usr/sbin/runc", X_OK) == 0 || access("/usr/bin/runc", X_OK) == 0;
}

}  // namespace

TEST_CASE("runc runs a busybox container from BuildOciSpec as the pod asked") {
  REQUIRE(HaveRunc());
  REQUIRE(access("/bin/busybox", X_OK) == 0);
  REQUIRE(geteuid() == 0);
  TempDir dir;
  const std::string& d = dir.path();
  std::string rootfs = d + "/bundle/rootfs";
  for (const char* sub : {"/bin", "/etc", "/proc", "/sys", "/dev", "/tmp", "/work"}) {
    std::filesystem::create_directories(rootfs + sub);
  }
  std::filesystem::copy_file("/bin/busybox", rootfs + "/bin/busybox");
  for (const char* applet : {"sh", "id", "touch", "hostname", "cat", "echo", "pwd"}) {
    std::filesystem::create_symlink("busybox", rootfs + "/bin/" + applet);
  }
  MakeUserFiles(rootfs);
  WriteFile(d + "/hosts", "127.0.0.1 localhost\n10.42.0.9 web\n");
  WriteFile(d + "/hostname", "web\n");
  WriteFile(d + "/resolv.conf", "nameserver 10.43.0.10\n");
  WriteFile(d + "/termination-log", "");
  std::filesystem::create_directories(d + "/volumes/data");
  // As kubelet prepares them: emptyDir 0777, the termination message file 0666.
  std::filesystem::permissions(d + "/volumes/data", std::filesystem::perms(0777));
  std::filesystem::permissions(d + "/termination-log", std::filesystem::perms(0666));

  std::string script =
      "echo \"greeting=$GREETING\"; echo \"cwd=$(pwd)\"; "
      "echo \"ids=$(id -u):$(id -g):$(id -G)\"; echo \"host=$(hostname)\"; "
      "if touch /rootfile 2>/dev/null; then echo root=writable; else echo root=readonly; fi; "
      "echo hi > /data/out && echo data=writable; "
      "echo \"mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)\"; "
      "cat /etc/hosts; echo bye > /dev/termination-log";
  json pod = MakePod(
      json::array({MakeContainer(
          {{"command", {"/bin/sh", "-c"}},
           {"args", {script}},
           {"workingDir", "/work"},
           {"env",
            {{{"name", "NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
             {{"name", "GREETING"}, {"value", "hello from $(NAME)"}}}},
           {"resources", {{"limits", {{"memory", "64Mi"}}}}},
           {"volumeMounts", {{{"name", "data"}, {"mountPath", "/data"}}}},
           {"securityContext", {{"runAsUser", 1000}, {"readOnlyRootFilesystem", true}}}})}),
      {{"securityContext", {{"supplementalGroups", {3000}}}}});

  ContainerSpecInput in;
  in.pod = &pod;
  in.container = &pod["spec"]["containers"][0];
  in.image.env = {"PATH=/bin"};
  in.rootfs = rootfs;
  in.hostname = "web";
  in.hosts_file = d + "/hosts";
  in.hostname_file = d + "/hostname";
  in.resolv_conf_file = d + "/resolv.conf";
  in.termination_message_file = d + "/termination-log";
  in.volumes["data"] = {d + "/volumes/data", false, 0};
  std::string id = "skiff-oci-test-" + std::to_string(getpid());
  in.cgroups_path = "/" + id;
  in.runtime_info = Info();
  auto spec = BuildOciSpec(in);
  INFO(spec.status().ToString());
  REQUIRE(spec.ok());
  WriteFile(d + "/bundle/config.json", spec->dump(2));

  RuncContainer guard{d + "/runc-state", id, d + "/delete.log"};
  int rc = Run({"runc", "--root", guard.state_root, "run", "--bundle", d + "/bundle", id},
               d + "/out", std::chrono::seconds(60));
  std::string out = Slurp(d + "/out");
  INFO(out);
  CHECK(rc == 0);
  CHECK(out ==
        "greeting=hello from web\n"
        "cwd=/work\n"
        "ids=1000:1001:1001 29 44 3000\n"
        "host=web\n"
        "root=readonly\n"
        "data=writable\n"
        "mem=67108864\n"
        "127.0.0.1 localhost\n10.42.0.9 web\n");
  CHECK(Slurp(d + "/volumes/data/out") == "hi\n");
  CHECK(Slurp(d + "/termination-log") == "bye\n");
  CHECK_FALSE(std::filesystem::exists(rootfs + "/rootfile"));
}
