// skiff_shim's Task calls against the real containerd-shim-runc-v2 and runc, with busybox
// containers. Needs root. Every test cleans up what it started through ShimSandbox, even on
// failure.
#include <signal.h>

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "shim_sandbox.h"
#include "skiff/runtime/shim_client.h"
#include "skiff/runtime/shim_launch.h"

using namespace std::chrono_literals;
using skiff::Code;
using skiff::Status;
using namespace skiff::runtime;
using namespace skiff::runtime::testing;

TEST_CASE("shim e2e: a container runs to completion, output lands in the file, shim exits") {
  ShimSandbox sandbox;
  const std::string id = sandbox.UniqueId("echo");
  const std::string bundle = sandbox.MakeBundle(id, {"sh", "-c", "echo hello from skiff"});
  const ShimLaunch launch = sandbox.Launch(id, bundle);
  auto address = StartShim(launch);
  INFO(address.status().ToString());
  REQUIRE(address.ok());
  CHECK(address->rfind("unix:///run/containerd/s/", 0) == 0);
  CHECK(ShimSandbox::ReadText(bundle + "/address") == *address);
  const std::string socket = ShimSocketPath(*address);
  CHECK(ShimSandbox::Exists(socket));

  auto client = Dial(*address);
  auto info = client->ConnectTask(id);
  REQUIRE(info.ok());
  CHECK(info->shim_pid == static_cast<uint32_t>(sandbox.ShimPid(id)));
  CHECK(ShimSandbox::ProcessAlive(static_cast<pid_t>(info->shim_pid)));

  const uint32_t pid = Run(*client, sandbox.CreateRequest(id, bundle));
  auto exit = client->Wait({id, ""}, 10s);
  INFO(exit.status().ToString());
  REQUIRE(exit.ok());
  CHECK(exit->exit_status == 0);
  REQUIRE(exit->exited_at.has_value());
  CHECK(std::chrono::system_clock::now() - *exit->exited_at < 60s);

  auto state = client->State({id, ""});
  REQUIRE(state.ok());
  CHECK(state->status == TaskStatus::kStopped);
  CHECK(state->pid == pid);
  CHECK(state->bundle == bundle);
  CHECK(state->exit_status == 0);

  auto deleted = client->Delete({id, ""});
  REQUIRE(deleted.ok());
  CHECK(deleted->pid == pid);
  CHECK(deleted->exit_status == 0);
  // The shim copies output asynchronously: it is all in the file once Delete returned.
  CHECK(ShimSandbox::ReadText(bundle + "/out.log") == "hello from skiff\n");
  auto gone = client->State({id, ""});
  CHECK(gone.status().code() == Code::kNotFound);

  const Status shutdown = client->Shutdown(id);
  INFO(shutdown.ToString());
  CHECK(shutdown.ok());
  CHECK(ShimSandbox::WaitGone(static_cast<pid_t>(info->shim_pid), 5s));
  CHECK_FALSE(ShimSandbox::Exists(socket));
  // The connection is gone with the shim.
  CHECK(client->State({id, ""}).status().code() == Code::kUnavailable);
}

TEST_CASE("shim e2e: a sleeping container ignores SIGTERM, dies of SIGKILL with 137") {
  ShimSandbox sandbox;
  const std::string id = sandbox.UniqueId("sleep");
  const std::string bundle = sandbox.MakeBundle(id, {"sleep", "1000"});
  auto client = StartAndDial(sandbox, id, bundle);
  const uint32_t pid = Run(*client, sandbox.CreateRequest(id, bundle));
  REQUIRE(ShimSandbox::WaitExec(static_cast<pid_t>(pid), "sleep", 5s));

  auto state = client->State({id, ""});
  REQUIRE(state.ok());
  CHECK(state->status == TaskStatus::kRunning);
  CHECK_FALSE(state->exited_at.has_value());

  // A blocked Wait beside other calls on the same connection.
  auto waiter = std::async(std::launch::async, [&] { return client->Wait({id, ""}, 30s); });
  REQUIRE(client->Kill({id, "", SIGTERM, false}).ok());
  CHECK(waiter.wait_for(300ms) == std::future_status::timeout);  // PID 1 has no handler
  CHECK(client->State({id, ""})->status == TaskStatus::kRunning);
  REQUIRE(client->Kill({id, "", SIGKILL, false}).ok());
  auto exit = waiter.get();
  INFO(exit.status().ToString());
  REQUIRE(exit.ok());
  CHECK(exit->exit_status == 137);

  const Status again = client->Kill({id, "", SIGKILL, false});
  CHECK(again.code() == Code::kNotFound);
  CHECK(again.message().find("Kill " + id + " signal 9") != std::string::npos);
  CHECK(again.message().find("(rpc NotFound)") != std::string::npos);

  REQUIRE(client->Delete({id, ""}).ok());
  CHECK(client->Shutdown(id).ok());
}

TEST_CASE("shim e2e: exec inside a running container, Pids and Stats") {
  ShimSandbox sandbox;
  const std::string id = sandbox.UniqueId("exec");
  const std::string bundle = sandbox.MakeBundle(id, {"sleep", "1000"});
  auto client = StartAndDial(sandbox, id, bundle);
  const uint32_t init_pid = Run(*client, sandbox.CreateRequest(id, bundle));

  ExecProcessRequest exec;
  exec.id = id;
  exec.exec_id = "echo-1";
  exec.stdout_path = "file://" + bundle + "/exec.log";
  exec.stderr_path = exec.stdout_path;
  exec.process = {{"args", {"sh", "-c", "echo exec says $(cat /proc/1/cmdline | tr '\\0' ' ')"}},
                  {"env", {"PATH=/bin"}},
                  {"cwd", "/"},
                  {"user", {{"uid", 0}, {"gid", 0}}}};
  const Status added = client->Exec(exec);
  INFO(added.ToString());
  REQUIRE(added.ok());
  auto exec_pid = client->Start({id, "echo-1"});
  INFO(exec_pid.status().ToString());
  REQUIRE(exec_pid.ok());
  CHECK(*exec_pid != init_pid);
  auto exec_exit = client->Wait({id, "echo-1"}, 10s);
  REQUIRE(exec_exit.ok());
  CHECK(exec_exit->exit_status == 0);
  auto exec_state = client->State({id, "echo-1"});
  REQUIRE(exec_state.ok());
  CHECK(exec_state->status == TaskStatus::kStopped);
  REQUIRE(client->Delete({id, "echo-1"}).ok());
  CHECK(ShimSandbox::ReadText(bundle + "/exec.log") == "exec says sleep 1000\n");

  auto pids = client->Pids(id);
  REQUIRE(pids.ok());
  REQUIRE(pids->size() == 1);
  CHECK((*pids)[0].pid == init_pid);

  auto stats = client->Stats(id);
  INFO(stats.status().ToString());
  REQUIRE(stats.ok());
  CHECK(stats->pids_current == 1);
  CHECK(stats->cpu_usage_total_ns > 0);
  CHECK(stats->memory_usage_bytes > 0);
  CHECK(stats->memory_limit_bytes > 0);
  CHECK(stats->oom_kill == 0);

  // Update applies a memory limit the next Stats reports.
  const Status updated = client->Update(id, {{"memory", {{"limit", 64 << 20}}}});
  INFO(updated.ToString());
  REQUIRE(updated.ok());
  auto limited = client->Stats(id);
  REQUIRE(limited.ok());
  CHECK(limited->memory_limit_bytes == 64u << 20);

  // A command that does not exist: exec Start fails with runc's message; the exec is deleted.
  exec.exec_id = "missing-1";
  exec.process["args"] = {"/bin/no-such-command"};
  REQUIRE(client->Exec(exec).ok());
  auto failed = client->Start({id, "missing-1"});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().code() == Code::kInternal);
  CHECK(failed.status().message().find("no-such-command") != std::string::npos);
  CHECK(client->Delete({id, "missing-1"}).ok());

  REQUIRE(client->Pause(id).ok());
  CHECK(client->State({id, ""})->status == TaskStatus::kPaused);
  REQUIRE(client->Resume(id).ok());
  CHECK(client->State({id, ""})->status == TaskStatus::kRunning);

  REQUIRE(client->Kill({id, "", SIGKILL, true}).ok());
  REQUIRE(client->Wait({id, ""}, 10s).ok());
  REQUIRE(client->Delete({id, ""}).ok());
  CHECK(client->Shutdown(id).ok());
}

TEST_CASE("shim e2e: one shim serves two containers with their own bundles") {
  ShimSandbox sandbox;
  const std::string first = sandbox.UniqueId("pod");
  const std::string second = sandbox.UniqueId("second");
  const std::string first_bundle = sandbox.MakeBundle(first, {"sleep", "1000"});
  const std::string second_bundle =
      sandbox.MakeBundle(second, {"sh", "-c", "echo second; exec sleep 1000"});
  const ShimLaunch launch = sandbox.Launch(first, first_bundle);
  auto address = StartShim(launch);
  REQUIRE(address.ok());
  auto again = StartShim(launch);  // same triple while alive: the same shim
  REQUIRE(again.ok());
  CHECK(*again == *address);
  const pid_t shim_pid = sandbox.ShimPid(first);

  auto client = Dial(*address);
  const uint32_t pid1 = Run(*client, sandbox.CreateRequest(first, first_bundle));
  const uint32_t pid2 = Run(*client, sandbox.CreateRequest(second, second_bundle));
  CHECK(pid1 != pid2);
  REQUIRE(ShimSandbox::WaitExec(static_cast<pid_t>(pid2), "sleep", 5s));  // echo has run
  CHECK(client->ConnectTask(second)->shim_pid == static_cast<uint32_t>(shim_pid));
  auto second_state = client->State({second, ""});
  REQUIRE(second_state.ok());
  CHECK(second_state->bundle == second_bundle);
  CHECK(second_state->status == TaskStatus::kRunning);
  CHECK(client->Pids(second)->at(0).pid == pid2);

  // Shutdown is a no-op while a container is not deleted.
  REQUIRE(client->Kill({second, "", SIGKILL, false}).ok());
  REQUIRE(client->Wait({second, ""}, 10s)->exit_status == 137);
  REQUIRE(client->Delete({second, ""}).ok());
  CHECK(ShimSandbox::ReadText(second_bundle + "/out.log") == "second\n");
  CHECK(client->Shutdown(first).ok());
  std::this_thread::sleep_for(100ms);
  CHECK(ShimSandbox::ProcessAlive(shim_pid));
  CHECK(client->State({first, ""})->status == TaskStatus::kRunning);

  REQUIRE(client->Kill({first, "", SIGKILL, false}).ok());
  REQUIRE(client->Wait({first, ""}, 10s).ok());
  REQUIRE(client->Delete({first, ""}).ok());
  CHECK(client->Shutdown(first).ok());
  CHECK(ShimSandbox::WaitGone(shim_pid, 5s));
  CHECK_FALSE(ShimSandbox::Exists(ShimSocketPath(*address)));
}

TEST_CASE("shim e2e: rootfs mounts in Create are mounted by the shim and undone by Delete") {
  ShimSandbox sandbox;
  const std::string id = sandbox.UniqueId("mounted");
  const std::string source = sandbox.dir() + "/image-rootfs";
  const std::string bundle =
      sandbox.MakeBundle(id, {"sh", "-c", "echo from a mounted rootfs"}, source);
  auto client = StartAndDial(sandbox, id, bundle);
  CreateTaskRequest request = sandbox.CreateRequest(id, bundle);
  request.rootfs = {Mount{"bind", source, "", {"rbind", "rw"}}};
  Run(*client, request);
  CHECK(ShimSandbox::IsMountPoint(bundle + "/rootfs"));
  REQUIRE(client->Wait({id, ""}, 10s)->exit_status == 0);
  REQUIRE(client->Delete({id, ""}).ok());
  CHECK(ShimSandbox::ReadText(bundle + "/out.log") == "from a mounted rootfs\n");
  CHECK_FALSE(ShimSandbox::IsMountPoint(bundle + "/rootfs"));
  CHECK(client->Shutdown(id).ok());
}

TEST_CASE("shim e2e: StartShim errors name the bundle and the cause") {
  ShimSandbox sandbox;
  ShimLaunch launch = sandbox.Launch("missing", sandbox.dir() + "/missing");
  auto no_bundle = StartShim(launch);
  REQUIRE_FALSE(no_bundle.ok());
  CHECK(no_bundle.status().code() == Code::kNotFound);
  CHECK(no_bundle.status().message() == "shim skiff-test-shim/missing (bundle " + sandbox.dir() +
                                            "/missing): bundle directory does not exist");

  const std::string id = sandbox.UniqueId("nobinary");
  const std::string bundle = sandbox.MakeBundle(id, {"true"});
  launch = ShimLaunch(sandbox.Launch(id, bundle));
  launch.binary = "/nonexistent/containerd-shim-runc-v2";
  auto no_binary = StartShim(launch);
  REQUIRE_FALSE(no_binary.ok());
  CHECK(no_binary.status().code() == Code::kNotFound);
  CHECK(no_binary.status().message().find("No such file or directory") != std::string::npos);
  CHECK(no_binary.status().message().find(bundle) != std::string::npos);

  // Half-set stdio is refused before it reaches (and crashes) the shim.
  auto client = StartAndDial(sandbox, id, bundle);
  CreateTaskRequest half = sandbox.CreateRequest(id, bundle);
  half.stderr_path.clear();
  auto refused = client->Create(half);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kInvalidArgument);
  CHECK(refused.status().message() ==
        "Create " + id + ": set both stdout and stderr or neither (stdout \"file://" + bundle +
            "/out.log\", stderr \"\")");
  // Neither is fine (the output is discarded).
  CreateTaskRequest silent = sandbox.CreateRequest(id, bundle);
  silent.stdout_path.clear();
  silent.stderr_path.clear();
  Run(*client, silent);
  CHECK(client->Wait({id, ""}, 10s)->exit_status == 0);
  REQUIRE(client->Delete({id, ""}).ok());
  CHECK(client->Shutdown(id).ok());

  auto missing_socket = ShimClient::Connect("unix://" + sandbox.dir() + "/none.sock", 200ms);
  REQUIRE_FALSE(missing_socket.ok());
  CHECK(missing_socket.status().code() == Code::kNotFound);
}
