// Exec sessions and one-shot runs (node/agent/exec_session.h, exec_server.h) against the real
// containerd-shim-runc-v2 and runc, in a busybox container. Needs root.
#include "node/agent/exec_session.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "node/agent/exec_server.h"
#include "exec_test_support.h"
#include "runtime/shim/shim_sandbox.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using namespace skiff;
using namespace skiff::node;
using runtime::testing::ShimSandbox;

namespace {

using FakeOutput = testing::RecordingOutput;

// One running busybox container `sleep 600` in its own shim, with /dev/pts for terminals and
// the tools the tests need; torn down (container, shim, files) by ShimSandbox even when a
// test fails.
struct Container {
  ShimSandbox sandbox;
  std::string id;
  std::string bundle;
  std::shared_ptr<runtime::ShimClient> shim;

  Container() {
    id = sandbox.UniqueId("exec");
    bundle = sandbox.MakeBundle(id, {"sleep", "600"});
    for (const char* tool : {"tty", "stty", "dd", "env", "pwd", "id"}) {
      fs::create_symlink("busybox", bundle + "/rootfs/bin/" + tool);
    }
    json config;
    std::ifstream(bundle + "/config.json") >> config;
    testing::MountDevPts(config);
    config["process"]["env"].push_back("GREETING=hello from the spec");
    config["process"]["cwd"] = "/tmp";
    std::ofstream(bundle + "/config.json") << config.dump(2);
    shim = runtime::testing::StartAndDial(sandbox, id, bundle);
    runtime::testing::Run(*shim, sandbox.CreateRequest(id, bundle));
  }

  ExecTarget Target() const { return ExecTarget{shim, id, "app", bundle, sandbox.dir() + "/exec"}; }
  // The exec FIFO directories left behind.
  size_t FifoDirs() const {
    const std::string parent = sandbox.dir() + "/exec";
    if (!fs::exists(parent)) return 0;
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(parent), fs::directory_iterator()));
  }
};

struct Started {
  std::shared_ptr<ExecSession> session;
  std::shared_ptr<FakeOutput> output;
};

Started StartSession(const Container& c, ExecOptions options) {
  auto output = std::make_shared<FakeOutput>();
  auto session = ExecSession::Start(c.Target(), std::move(options), output);
  INFO(session.status().ToString());
  REQUIRE(session.ok());
  return {*session, output};
}

// The shim no longer knows the exec (it was deleted).
bool ExecGone(const Container& c, const std::string& exec_id) {
  auto state = c.shim->State({c.id, exec_id});
  return !state.ok() && state.status().code() == Code::kNotFound;
}

api::PodExecRequest Request(std::vector<std::string> command) {
  api::PodExecRequest r;
  r.pod = {{"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u1"}}}};
  r.container = "app";
  r.command = std::move(command);
  return r;
}

}  // namespace

TEST_CASE("An exec streams stdout and stderr apart and ends with the exit code") {
  Container c;
  ExecOptions options;
  options.command = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  auto s = StartSession(c, options);
  REQUIRE(s.output->WaitFinish());
  CHECK(s.output->out() == "out\n");
  CHECK(s.output->err() == "err\n");
  CHECK(s.output->exit_code() == 3);
  CHECK(s.output->error().empty());
  CHECK(s.output->finishes() == 1);
  CHECK(s.session->ended());
  CHECK(ExecGone(c, s.session->exec_id()));
  CHECK(c.FifoDirs() == 0);
  // Input after the end is ignored.
  s.session->Stdin("late");
  s.session->StdinClosed();
  s.session->Cancel();
  CHECK(s.output->finishes() == 1);
}

TEST_CASE("An exec runs as the container's process: its env, working directory and user") {
  Container c;
  ExecOptions options;
  options.command = {"sh", "-c", "echo \"$GREETING\"; pwd; id -u; echo \"$PATH\""};
  auto s = StartSession(c, options);
  REQUIRE(s.output->WaitFinish());
  CHECK(s.output->out() == "hello from the spec\n/tmp\n0\n/bin\n");
  CHECK(s.output->exit_code() == 0);
}

TEST_CASE("An exec's stdin reaches the process and closing it ends cat") {
  Container c;
  ExecOptions options;
  options.command = {"cat"};
  options.stdin = true;
  auto s = StartSession(c, options);
  s.session->Stdin("hello\n");
  REQUIRE(s.output->WaitOut("hello\n"));
  s.session->Stdin("world\n");
  s.session->StdinClosed();
  REQUIRE(s.output->WaitFinish());
  CHECK(s.output->out() == "hello\nworld\n");
  CHECK(s.output->err().empty());
  CHECK(s.output->exit_code() == 0);
  CHECK(ExecGone(c, s.session->exec_id()));
  CHECK(c.FifoDirs() == 0);
}

TEST_CASE("A tty exec gets a terminal that follows resizes") {
  Container c;
  ExecOptions tty_options;
  tty_options.command = {"tty"};
  tty_options.tty = true;
  auto t = StartSession(c, tty_options);
  REQUIRE(t.output->WaitFinish());
  CHECK(std::regex_match(t.output->out(), std::regex("/dev/pts/[0-9]+\r\n")));
  CHECK(t.output->err().empty());
  CHECK(t.output->exit_code() == 0);

  ExecOptions options;
  options.command = {"sh", "-c", "read x; stty size; echo \"$TERM\""};
  options.tty = true;
  options.stdin = true;
  auto s = StartSession(c, options);
  s.session->Resize(100, 30);
  s.session->Stdin("go\r");
  REQUIRE(s.output->WaitFinish());
  CHECK(s.output->out().find("30 100\r\nxterm\r\n") != std::string::npos);
  CHECK(s.output->exit_code() == 0);
  CHECK(ExecGone(c, s.session->exec_id()));
  CHECK(c.FifoDirs() == 0);
}

TEST_CASE("Cancel kills the exec'd process") {
  Container c;
  ExecOptions options;
  options.command = {"sleep", "600"};
  auto s = StartSession(c, options);
  const auto began = std::chrono::steady_clock::now();
  s.session->Cancel();
  REQUIRE(s.output->WaitFinish(10s));
  CHECK(std::chrono::steady_clock::now() - began < 5s);
  CHECK(s.output->exit_code() == 137);
  CHECK(s.output->error().empty());
  CHECK(ExecGone(c, s.session->exec_id()));
  CHECK(c.FifoDirs() == 0);
}

TEST_CASE("A client that goes away gets the process killed") {
  Container c;
  auto output = std::make_shared<FakeOutput>(false);
  ExecOptions options;
  options.command = {"sh", "-c", "echo first; sleep 600"};
  auto session = ExecSession::Start(c.Target(), options, output);
  REQUIRE(session.ok());
  REQUIRE(output->WaitFinish(10s));
  CHECK(output->out() == "first\n");
  CHECK(output->exit_code() == 137);
}

TEST_CASE("A command that does not exist fails to start as containerd reports it") {
  Container c;
  ExecOptions options;
  options.command = {"nosuch"};
  auto output = std::make_shared<FakeOutput>();
  auto session = ExecSession::Start(c.Target(), options, output);
  REQUIRE_FALSE(session.ok());
  CHECK(session.status().code() == Code::kInvalidArgument);
  const std::regex expected(
      "failed to exec in container: failed to start exec \"[0-9a-f]{64}\": OCI runtime exec "
      "failed: exec failed: unable to start container process: exec: \"nosuch\": executable "
      "file not found in \\$PATH: unknown");
  INFO(session.status().message());
  CHECK(std::regex_match(session.status().message(), expected));
  CHECK(output->finishes() == 0);
  CHECK(c.FifoDirs() == 0);
  // Only the container's own process is left.
  auto pids = c.shim->Pids(c.id);
  REQUIRE(pids.ok());
  CHECK(pids->size() == 1);

  ExecServer server(
      [&](const json&, const std::string&) -> Result<ExecTarget> { return c.Target(); });
  auto via_server = server.Exec(Request({"nosuch"}), output);
  REQUIRE_FALSE(via_server.ok());
  CHECK(via_server.error().code == 500);
  CHECK(via_server.error().reason == "InternalError");
  CHECK(std::regex_match(
      via_server.error().message,
      std::regex("Internal error occurred: error executing command in container: failed to "
                 "exec in container: failed to start exec \"[0-9a-f]{64}\": OCI runtime exec "
                 "failed: .*: unknown")));
  CHECK(server.active() == 0);
}

TEST_CASE("Exec into a container that is not running names the container as kubelet does") {
  Container c;
  REQUIRE(c.shim->Kill({c.id, "", 9, false}).ok());
  REQUIRE(c.shim->Wait({c.id, ""}, 10s).ok());
  ExecServer server([&](const json&, const std::string&) -> Result<ExecTarget> {
    ExecTarget target = c.Target();
    if (Status s = CheckRunning(target); !s.ok()) return s;
    return target;
  });
  auto output = std::make_shared<FakeOutput>();
  auto result = server.Exec(Request({"true"}), output);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == 500);
  CHECK(result.error().reason == "InternalError");
  CHECK(result.error().message == "container not found (\"app\")");
  CHECK(output->finishes() == 0);
  CHECK(server.active() == 0);
  CHECK(c.FifoDirs() == 0);
}

TEST_CASE("The exec server runs sessions and Stop ends them") {
  Container c;
  ExecServer server([&](const json& pod, const std::string& container) -> Result<ExecTarget> {
    if (pod["metadata"]["uid"] != "u1" || container != "app") return NotFoundError("no");
    return c.Target();
  });
  auto quick = std::make_shared<FakeOutput>();
  auto req = Request({"sh", "-c", "cat; exit 5"});
  req.stdin = true;
  auto q = server.Exec(req, quick);
  REQUIRE(q.ok());
  (*q)->Stdin("abc");
  (*q)->StdinClosed();
  REQUIRE(quick->WaitFinish());
  CHECK(quick->out() == "abc");
  CHECK(quick->exit_code() == 5);

  // pods/attach to a container the pod's spec does not have (attach_session_test.cc covers
  // attach itself): kubelet's GetAttach error.
  auto attach = Request({});
  attach.attach = true;
  auto attached = server.Exec(attach, std::make_shared<FakeOutput>());
  REQUIRE_FALSE(attached.ok());
  CHECK(attached.error().code == 500);
  CHECK(attached.error().message == "container app not found in pod p_default");

  auto slow = std::make_shared<FakeOutput>();
  auto s = server.Exec(Request({"sleep", "600"}), slow);
  REQUIRE(s.ok());
  CHECK(server.active() == 1);
  server.Stop();
  CHECK(server.active() == 0);
  CHECK(slow->finishes() == 1);
  CHECK(slow->exit_code() == 137);
  CHECK(c.FifoDirs() == 0);
  auto late = server.Exec(Request({"true"}), std::make_shared<FakeOutput>());
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == 503);
}

TEST_CASE("A one-shot run gives the exit code and the output, capped") {
  Container c;
  auto r = RunInTarget(c.Target(), {"sh", "-c", "echo hi; sleep 0.1; echo oops >&2; exit 2"}, 10s);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->exit_code == 2);
  CHECK(r->output == "hi\noops\n");
  CHECK_FALSE(r->timed_out);
  CHECK_FALSE(r->truncated);

  auto big = RunInTarget(c.Target(), {"dd", "if=/dev/zero", "bs=1000", "count=20"}, 10s);
  REQUIRE(big.ok());
  CHECK(big->exit_code == 0);
  CHECK(big->truncated);
  // dd's own report goes to stderr after the 20000 bytes: only the first 10 KiB are kept.
  CHECK(big->output == std::string(kProbeOutputLimit, '\0'));

  auto missing = RunInTarget(c.Target(), {"nosuch"}, 10s);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kInvalidArgument);
  CHECK(c.FifoDirs() == 0);
}

TEST_CASE("A one-shot run that outlives its timeout is killed and says so") {
  Container c;
  const auto began = std::chrono::steady_clock::now();
  auto r = RunInTarget(c.Target(), {"sh", "-c", "echo started; sleep 600"}, 500ms);
  const auto took = std::chrono::steady_clock::now() - began;
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->exit_code == 137);
  CHECK(r->output == "started\n");
  CHECK(took >= 500ms);
  CHECK(took < 5s);
  auto pids = c.shim->Pids(c.id);
  REQUIRE(pids.ok());
  CHECK(pids->size() == 1);
  CHECK(c.FifoDirs() == 0);
}
