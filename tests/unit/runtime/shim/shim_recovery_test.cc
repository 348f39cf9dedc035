// Restarts and failures with the real containerd-shim-runc-v2 and runc: reconnecting, events
// across an event-server restart, cleaning up after a killed shim, the shim's own cgroup.
// Needs root. Every test cleans up what it started through ShimSandbox, even on failure.
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "shim_sandbox.h"
#include "skiff/runtime/shim_client.h"
#include "skiff/runtime/shim_events.h"
#include "skiff/runtime/shim_launch.h"

using namespace std::chrono_literals;
using skiff::Code;
using namespace skiff::runtime;
using namespace skiff::runtime::testing;

namespace {

// A cgroup of the same name in every v1 hierarchy (as shim_cgroup requires), removed again
// (after the sandbox declared later has killed what ran in it).
class CgroupGuard {
 public:
  explicit CgroupGuard(const std::string& name) : name_(name) {
    for (const char* h : kHierarchies) {
      const std::string dir = std::string("/sys/fs/cgroup/") + h + "/" + name;
      REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
      created_.push_back(dir);
      if (std::string(h) == "cpuset") {  // a cpuset takes no task before cpus and mems are set
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
          std::ofstream(dir + "/" + file)
              << ShimSandbox::ReadText(std::string("/sys/fs/cgroup/cpuset/") + file);
        }
      }
    }
  }
  ~CgroupGuard() {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      for (int i = 0; i < 100 && ::rmdir(it->c_str()) != 0 && errno == EBUSY; ++i) {
        std::this_thread::sleep_for(20ms);
      }
    }
  }
  CgroupGuard(const CgroupGuard&) = delete;
  CgroupGuard& operator=(const CgroupGuard&) = delete;

  static constexpr const char* kHierarchies[] = {
      "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"};

 private:
  std::string name_;
  std::vector<std::string> created_;
};

// The v1 cgroup of `pid` in `hierarchy` ("memory", or "name=systemd"), from /proc/<pid>/cgroup.
std::string CgroupOf(pid_t pid, const std::string& hierarchy) {
  std::istringstream lines(ShimSandbox::ReadText("/proc/" + std::to_string(pid) + "/cgroup"));
  std::string line;
  while (std::getline(lines, line)) {
    const size_t first = line.find(':');
    const size_t second = line.find(':', first + 1);
    if (line.substr(first + 1, second - first - 1) == hierarchy) return line.substr(second + 1);
  }
  return "";
}

}  // namespace

TEST_CASE(
    "shim e2e: a second client reconnects from the address file, Wait times out, Close wakes "
    "it") {
  ShimSandbox sandbox;
  const std::string id = sandbox.UniqueId("reconnect");
  const std::string bundle = sandbox.MakeBundle(id, {"sleep", "1000"});
  {
    auto first = StartAndDial(sandbox, id, bundle);
    Run(*first, sandbox.CreateRequest(id, bundle));
  }  // the first client is gone; shim and container live on

  auto second = Dial(ShimSandbox::ReadText(bundle + "/address"));
  auto state = second->State({id, ""});
  REQUIRE(state.ok());
  CHECK(state->status == TaskStatus::kRunning);

  auto timed_out = second->Wait({id, ""}, 200ms);
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.status().code() == Code::kUnavailable);
  CHECK(timed_out.status().message().find("no reply within 200 ms") != std::string::npos);

  auto third = Dial(ShimSandbox::ReadText(bundle + "/address"));
  auto blocked = std::async(std::launch::async, [&] { return third->Wait({id, ""}, 60s); });
  CHECK(blocked.wait_for(100ms) == std::future_status::timeout);
  third->Close();
  auto woken = blocked.get();
  REQUIRE_FALSE(woken.ok());
  CHECK(woken.status().code() == Code::kUnavailable);

  REQUIRE(second->Kill({id, "", SIGKILL, false}).ok());
  auto exit = second->Wait({id, ""}, 10s);
  REQUIRE(exit.ok());
  CHECK(exit->exit_status == 137);
  REQUIRE(second->Delete({id, ""}).ok());
  CHECK(second->Shutdown(id).ok());
}

TEST_CASE("shim e2e: the events server receives TaskCreate, TaskStart and TaskExit") {
  ShimSandbox sandbox;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ShimEvent> events;  // guarded by mu
  auto server = ShimEventServer::Start(sandbox.events_socket(), [&](const ShimEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
    cv.notify_all();
  });
  INFO(server.status().ToString());
  REQUIRE(server.ok());

  const std::string id = sandbox.UniqueId("events");
  const std::string bundle = sandbox.MakeBundle(id, {"sh", "-c", "exit 3"});
  auto client = StartAndDial(sandbox, id, bundle, /*with_events=*/true);
  const uint32_t pid = Run(*client, sandbox.CreateRequest(id, bundle));
  REQUIRE(client->Wait({id, ""}, 10s)->exit_status == 3);

  auto find = [&](ShimEventKind kind) -> std::optional<ShimEvent> {
    for (const auto& e : events) {
      if (e.kind == kind) return e;
    }
    return std::nullopt;
  };
  std::unique_lock<std::mutex> lock(mu);
  const bool all = cv.wait_for(lock, 10s, [&] {
    return find(ShimEventKind::kTaskCreate) && find(ShimEventKind::kTaskStart) &&
           find(ShimEventKind::kTaskExit);
  });
  REQUIRE(all);
  const ShimEvent create = *find(ShimEventKind::kTaskCreate);
  const ShimEvent start = *find(ShimEventKind::kTaskStart);
  const ShimEvent exit = *find(ShimEventKind::kTaskExit);
  lock.unlock();

  CHECK(create.topic == "/tasks/create");
  CHECK(create.ns == "skiff-test-shim");
  CHECK(create.container_id == id);
  CHECK(create.bundle == bundle);
  CHECK(create.pid == pid);
  CHECK(start.topic == "/tasks/start");
  CHECK(start.container_id == id);
  CHECK(start.pid == pid);
  CHECK(exit.topic == "/tasks/exit");
  CHECK(exit.type_url == "containerd.events.TaskExit");
  CHECK(exit.container_id == id);
  CHECK(exit.exec_id == id);
  CHECK(exit.pid == pid);
  CHECK(exit.exit_status == 3);
  CHECK(exit.exited_at.has_value());
  CHECK(exit.timestamp.has_value());

  // skiff restarts, the shim lives on: a new server on the same path gets its later events.
  server.value()->Stop();
  CHECK_FALSE(ShimSandbox::Exists(sandbox.events_socket()));
  std::vector<ShimEvent> later;  // guarded by mu
  auto restarted = ShimEventServer::Start(sandbox.events_socket(), [&](const ShimEvent& e) {
    std::lock_guard<std::mutex> guard(mu);
    later.push_back(e);
    cv.notify_all();
  });
  REQUIRE(restarted.ok());
  REQUIRE(client->Delete({id, ""}).ok());
  lock.lock();
  const bool deleted = cv.wait_for(lock, 10s, [&] {
    for (const auto& e : later) {
      if (e.kind == ShimEventKind::kTaskDelete) return true;
    }
    return false;
  });
  lock.unlock();
  REQUIRE(deleted);
  {
    std::lock_guard<std::mutex> guard(mu);
    for (const auto& e : later) {
      if (e.kind != ShimEventKind::kTaskDelete) continue;
      CHECK(e.container_id == id);
      CHECK(e.exec_id.empty());  // TaskDelete's id is "" for the init process
      CHECK(e.pid == pid);
      CHECK(e.exit_status == 3);
      CHECK(e.exited_at.has_value());
    }
  }
  CHECK(client->Shutdown(id).ok());
  restarted.value()->Stop();
  CHECK_FALSE(ShimSandbox::Exists(sandbox.events_socket()));
}

TEST_CASE("shim e2e: CleanupShim removes the container and socket of a SIGKILLed shim") {
  ShimSandbox sandbox;
  const std::string id = sandbox.UniqueId("orphan");
  const std::string bundle = sandbox.MakeBundle(id, {"sleep", "1000"});
  const ShimLaunch launch = sandbox.Launch(id, bundle);
  auto address = StartShim(launch);
  REQUIRE(address.ok());
  auto client = Dial(*address);
  const uint32_t pid = Run(*client, sandbox.CreateRequest(id, bundle));

  // A live shim is refused.
  auto refused = CleanupShim(launch);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kInvalidArgument);

  const pid_t shim_pid = sandbox.ShimPid(id);
  REQUIRE(shim_pid > 0);  // kill(0) would hit this test's own process group
  REQUIRE(::kill(shim_pid, SIGKILL) == 0);
  REQUIRE(ShimSandbox::WaitGone(shim_pid, 5s));
  CHECK(ShimSandbox::ProcessAlive(static_cast<pid_t>(pid)));  // orphaned, still running
  CHECK(ShimSandbox::Exists(ShimSocketPath(*address)));       // stale socket

  auto cleaned = CleanupShim(launch);
  INFO(cleaned.status().ToString());
  REQUIRE(cleaned.ok());
  CHECK(cleaned->exit_status == 137);
  CHECK(ShimSandbox::WaitGone(static_cast<pid_t>(pid), 5s));
  CHECK_FALSE(ShimSandbox::Exists(ShimSocketPath(*address)));
  CHECK_FALSE(ShimSandbox::Exists(sandbox.runc_root() + "/skiff-test-shim/" + id));
  CHECK(ShimSandbox::Exists(sandbox.runc_root() + "/skiff-test-shim"));
}

TEST_CASE("shim e2e: shim_cgroup moves the shim, and its containers nest under it") {
  const std::string cgroup = "skiff-test-shim-" + std::to_string(::getpid());
  CgroupGuard guard(cgroup);  // declared first: removed after the sandbox cleaned up
  ShimSandbox sandbox;
  const std::string id = sandbox.UniqueId("cgroup");
  const std::string bundle = sandbox.MakeBundle(id, {"sleep", "1000"});
  ShimLaunch launch = sandbox.Launch(id, bundle);
  launch.shim_cgroup = "/" + cgroup;
  auto address = StartShim(launch);
  INFO(address.status().ToString());
  REQUIRE(address.ok());
  const pid_t shim_pid = sandbox.ShimPid(id);
  REQUIRE(shim_pid > 0);
  CHECK(CgroupOf(shim_pid, "memory") == "/" + cgroup);
  CHECK(CgroupOf(shim_pid, "pids") == "/" + cgroup);

  auto client = Dial(*address);
  const uint32_t pid = Run(*client, sandbox.CreateRequest(id, bundle));
  CHECK(CgroupOf(static_cast<pid_t>(pid), "memory") == "/" + cgroup + "/" + id);
  CHECK(CgroupOf(static_cast<pid_t>(pid), "pids") == "/" + cgroup + "/" + id);
  REQUIRE(client->Kill({id, "", SIGKILL, false}).ok());
  REQUIRE(client->Wait({id, ""}, 10s).ok());
  REQUIRE(client->Delete({id, ""}).ok());
  CHECK_FALSE(ShimSandbox::Exists("/sys/fs/cgroup/memory/" + cgroup + "/" + id));
  CHECK(client->Shutdown(id).ok());
  CHECK(ShimSandbox::WaitGone(shim_pid, 5s));
}
