// Attach sessions (node/agent/attach_session.h) against the real containerd-shim-runc-v2 and
// runc, with the real log driver (the node_logs helper binary) behind binary:// IO or, for a
// container with stdin and no tty, behind FIFOs (SpawnLogDriver). Needs root.
#include "node/agent/attach_session.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <thread>

#include "node/agent/exec_server.h"
#include "exec_test_support.h"
#include "runtime/shim/shim_sandbox.h"
#include "skiff/node/container_logs.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using namespace skiff;
using namespace skiff::node;
using runtime::testing::ShimSandbox;

namespace {

using Output = testing::RecordingOutput;

struct Flags {
  bool tty = false;
  bool stdin = false;
  bool stdin_once = false;
};

// One busybox container running `args` with its output behind the log driver and an attach
// socket, as the node agent starts it; torn down by ShimSandbox even when a test fails.
struct Container {
  ShimSandbox sandbox;
  std::string id, bundle, attach_dir, log_path;
  std::shared_ptr<runtime::ShimClient> shim;

  Container(const std::vector<std::string>& args, Flags flags) {
    id = sandbox.UniqueId("attach");
    bundle = sandbox.MakeBundle(id, args);
    attach_dir = sandbox.dir() + "/attach";
    log_path = sandbox.dir() + "/logs/" + id + "/0.log";
    fs::create_directories(attach_dir);
    json config;
    std::ifstream(bundle + "/config.json") >> config;
    testing::MountDevPts(config);
    config["process"]["terminal"] = flags.tty;
    std::ofstream(bundle + "/config.json") << config.dump(2);
    shim = runtime::testing::StartAndDial(sandbox, id, bundle);

    auto create = sandbox.CreateRequest(id, bundle);
    LogDriverAttach attach;
    attach.socket = AttachSocketPath(attach_dir, id);
    attach.tty = flags.tty;
    create.terminal = flags.tty;
    int hold = -1;
    if (flags.stdin) {
      attach.stdin_fifo = AttachStdinPath(attach_dir, id);
      attach.stdin_once = flags.stdin_once;
      REQUIRE(::mkfifo(attach.stdin_fifo.c_str(), 0600) == 0);
      hold = ::open(attach.stdin_fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      create.stdin_path = attach.stdin_fifo;
    }
    if (flags.stdin && !flags.tty) {
      const std::string out = attach_dir + "/" + id + ".out", err = attach_dir + "/" + id + ".err";
      REQUIRE(::mkfifo(out.c_str(), 0600) == 0);
      REQUIRE(::mkfifo(err.c_str(), 0600) == 0);
      Status s = SpawnLogDriver(SKIFF_LOG_DRIVER_HELPER,
                                LogDriverArgs(log_path, 1 << 20, 2, attach), id, out, err);
      INFO(s.ToString());
      REQUIRE(s.ok());
      create.stdout_path = out;
      create.stderr_path = err;
    } else {
      create.stdout_path = LogDriverUri(SKIFF_LOG_DRIVER_HELPER, log_path, 1 << 20, 2, attach);
      create.stderr_path = create.stdout_path;
    }
    runtime::testing::Run(*shim, create);
    if (hold >= 0) ::close(hold);
  }

  ExecTarget Target() const {
    ExecTarget t{shim, id, "app", bundle, sandbox.dir() + "/exec"};
    t.attach_socket = AttachSocketPath(attach_dir, id);
    return t;
  }
  bool Running() const {
    auto state = shim->State({id, ""});
    return state.ok() && state->status == runtime::TaskStatus::kRunning;
  }
  // Waits for the container's exit; its exit code, or -1.
  int WaitExit() const {
    auto waited = shim->Wait({id, ""}, 20s);
    return waited.ok() ? static_cast<int>(waited->exit_status) : -1;
  }
};

struct Attached {
  std::shared_ptr<AttachSession> session;
  std::shared_ptr<Output> output;
};

Attached Attach(const Container& c, AttachOptions options) {
  auto output = std::make_shared<Output>();
  auto session = AttachSession::Start(c.Target(), options, output);
  INFO(session.status().ToString());
  REQUIRE(session.ok());
  return {*session, output};
}

}  // namespace

TEST_CASE(
    "Attach to a non-tty container sees stdout and stderr apart, and detaching leaves it running") {
  Container c({"sh", "-c", "while true; do echo out; echo err >&2; sleep 0.2; done"}, {});
  AttachOptions options;
  auto a = Attach(c, options);
  CHECK(a.output->WaitOut("out\nout\n"));
  CHECK(a.output->WaitOut("err\nerr\n", true));
  CHECK(a.output->out().find("err") == std::string::npos);
  CHECK(a.output->err().find("out") == std::string::npos);
  // Only stderr wanted: stdout frames are dropped.
  AttachOptions only_err;
  only_err.stdout = false;
  auto b = Attach(c, only_err);
  CHECK(b.output->WaitOut("err\n", true));
  a.session->Cancel();
  b.session->Cancel();
  REQUIRE(a.output->WaitFinish());
  REQUIRE(b.output->WaitFinish());
  CHECK(a.output->finishes() == 1);
  CHECK(a.output->exit_code() == 0);
  CHECK(b.output->out().empty());
  std::this_thread::sleep_for(300ms);
  CHECK(c.Running());
  // The log file got the same output.
  std::ifstream log(c.log_path);
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find(" stdout F out\n") != std::string::npos);
  CHECK(text.find(" stderr F err\n") != std::string::npos);
}

TEST_CASE("Attach with stdin to a tty container running sh runs what it is sent") {
  Container c({"sh"}, {.tty = true, .stdin = true});
  AttachOptions options;
  options.stdin = true;
  options.container_tty = true;
  options.container_stdin = true;
  auto a = Attach(c, options);
  a.session->Resize(100, 40);
  a.session->Stdin("echo hi; stty size\n");
  CHECK(a.output->WaitOut("hi\r\n"));
  CHECK(a.output->WaitOut("40 100\r\n"));
  CHECK(a.output->err().empty());  // a terminal: everything is stdout
  // Not stdinOnce: the client closing its stdin ends the session, not the container's stdin.
  a.session->StdinClosed();
  REQUIRE(a.output->WaitFinish());
  std::this_thread::sleep_for(200ms);
  CHECK(c.Running());
  // A second session still has the shell (stdin stayed open).
  auto b = Attach(c, options);
  b.session->Stdin("exit 4\n");
  CHECK(c.WaitExit() == 4);
  REQUIRE(b.output->WaitFinish());
  CHECK(b.output->finishes() == 1);
}

TEST_CASE("Attach to a stdinOnce container running cat, and closing stdin ends it") {
  Container c({"cat"}, {.tty = false, .stdin = true, .stdin_once = true});
  std::this_thread::sleep_for(300ms);
  CHECK(c.Running());  // blocked reading stdin, no EOF before any attach
  AttachOptions options;
  options.stdin = true;
  options.container_stdin = true;
  options.container_stdin_once = true;
  auto a = Attach(c, options);
  a.session->Stdin("ping\n");
  CHECK(a.output->WaitOut("ping\n"));
  a.session->StdinClosed();
  CHECK(c.WaitExit() == 0);
  REQUIRE(a.output->WaitFinish());  // the driver closed the socket: the container ended
  CHECK(a.output->exit_code() == 0);
  CHECK(a.output->out() == "ping\n");
}

TEST_CASE("Attach stdin is ignored for a container without stdin, and no socket is a clear error") {
  Container c({"sh", "-c", "sleep 600"}, {});
  AttachOptions options;
  options.stdin = true;  // the client asks, the container has no stdin
  auto a = Attach(c, options);
  a.session->Stdin("ignored\n");
  a.session->StdinClosed();
  a.session->Cancel();
  REQUIRE(a.output->WaitFinish());

  ExecTarget old = c.Target();
  old.attach_socket = c.attach_dir + "/none.sock";
  auto output = std::make_shared<Output>();
  auto s = AttachSession::Start(old, {}, output);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == Code::kUnimplemented);
  CHECK(s.status().message() ==
        "container app has no attach socket (it was started by a skiff without attach support, "
        "or its log driver is gone); restart the container to attach to it");
  CHECK(output->finishes() == 0);

  // Through the ExecServer: a 500 naming the container; a container not in the spec.
  ExecServer server([&](const json&, const std::string&) -> Result<ExecTarget> { return old; });
  api::PodExecRequest r;
  r.pod = {{"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u1"}}},
           {"spec", {{"containers", {{{"name", "app"}, {"image", "busybox"}}}}}}};
  r.container = "app";
  r.attach = true;
  auto res = server.Exec(r, output);
  REQUIRE_FALSE(res.ok());
  CHECK(res.error().code == 500);
  CHECK(res.error().message.find("Internal error occurred: error attaching to container: "
                                 "container app has no attach socket") == 0);
  r.container = "other";
  auto missing = server.Exec(r, output);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "container other not found in pod p_default");
  CHECK(server.active() == 0);
}
