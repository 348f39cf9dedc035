// The pure parts of exec (node/agent/exec_process.h) and the FIFOs of one exec
// (node/agent/exec_fifos.h).
#include "node/agent/exec_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "node/agent/exec_fifos.h"

using nlohmann::json;
using namespace skiff::node;

TEST_CASE("An exec's process is the container's own with the command, terminal and TERM") {
  const json config = {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"consoleSize", {{"height", 10}, {"width", 20}}},
        {"user", {{"uid", 1000}, {"gid", 3000}, {"additionalGids", {3000, 42}}}},
        {"args", {"nginx", "-g", "daemon off;"}},
        {"env", {"PATH=/usr/bin:/bin", "TERM=vt100", "HOSTNAME=web"}},
        {"cwd", "/srv"},
        {"capabilities", {{"bounding", {"CAP_CHOWN"}}, {"effective", {"CAP_CHOWN"}}}},
        {"noNewPrivileges", true},
        {"apparmorProfile", "cri-containerd.apparmor.d"}}},
      {"root", {{"path", "rootfs"}}}};

  auto plain = ExecProcessSpec(config, {"ls", "-l"}, false);
  REQUIRE(plain.ok());
  json expected = config["process"];
  expected["args"] = {"ls", "-l"};
  expected.erase("consoleSize");
  CHECK(*plain == expected);

  auto tty = ExecProcessSpec(config, {"sh"}, true);
  REQUIRE(tty.ok());
  CHECK((*tty)["terminal"] == true);
  CHECK((*tty)["args"] == json{"sh"});
  CHECK((*tty)["env"] == json{"PATH=/usr/bin:/bin", "HOSTNAME=web", "TERM=xterm"});
  CHECK((*tty)["user"] == config["process"]["user"]);
  CHECK((*tty)["cwd"] == "/srv");
  CHECK_FALSE(tty->contains("consoleSize"));

  auto no_command = ExecProcessSpec(config, {}, false);
  REQUIRE_FALSE(no_command.ok());
  CHECK(no_command.status().code() == skiff::Code::kInvalidArgument);
  auto no_process = ExecProcessSpec(json{{"ociVersion", "1.0.2"}}, {"ls"}, false);
  REQUIRE_FALSE(no_process.ok());
  CHECK(no_process.status().message() == "the container's config.json has no \"process\" object");
}

TEST_CASE("Exec ids are 64 hex digits and differ") {
  const std::string a = NewExecId(), b = NewExecId();
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}

TEST_CASE("A failed exec start reads as containerd's CRI reports it") {
  const std::string id = "0123abcd";
  CHECK(ExecStartFailure(
            id,
            "shim unix:///run/containerd/s/ab: Start c1 exec 0123abcd: OCI runtime exec failed: "
            "exec failed: unable to start container process: exec: \"nosuch\": executable file "
            "not found in $PATH (rpc Unknown)") ==
        "failed to exec in container: failed to start exec \"0123abcd\": OCI runtime exec "
        "failed: exec failed: unable to start container process: exec: \"nosuch\": executable "
        "file not found in $PATH: unknown");
  CHECK(ExecStartFailure(id,
                         "shim s: Start c1 exec 0123abcd: process already finished (rpc "
                         "NotFound)") ==
        "failed to exec in container: failed to start exec \"0123abcd\": process already "
        "finished");
  CHECK(ExecStartFailure(id, "connection lost") ==
        "failed to exec in container: failed to start exec \"0123abcd\": connection lost");
}

TEST_CASE("Captured output stops at its limit") {
  std::string out;
  CHECK_FALSE(AppendCapped(&out, "abc", 5));
  CHECK(AppendCapped(&out, "defg", 5));
  CHECK(out == "abcde");
  CHECK(AppendCapped(&out, "h", 5));
  CHECK(out == "abcde");
  CHECK_FALSE(AppendCapped(&out, "", 5));
}

TEST_CASE("An exec's FIFOs are made, opened without blocking and removed with their owner") {
  char tmpl[] = "/tmp/skiff-exec-fifos-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string parent = std::string(tmpl) + "/exec";
  struct Remove {
    std::string dir;
    ~Remove() { std::filesystem::remove_all(dir); }
  } remove{tmpl};

  std::string dir;
  {
    auto fifos = ExecFifos::Make(parent, "e1", true, true);
    REQUIRE(fifos.ok());
    dir = (*fifos)->dir();
    CHECK(dir == parent + "/e1");
    CHECK((*fifos)->stdout_path == dir + "/stdout");
    CHECK((*fifos)->stderr_path == dir + "/stderr");
    CHECK((*fifos)->stdin_path == dir + "/stdin");
    struct stat st {};
    REQUIRE(::stat((*fifos)->stdout_path.c_str(), &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));
    CHECK((st.st_mode & 0777) == 0600);
    CHECK((::fcntl((*fifos)->stdout_fd.get(), F_GETFD) & FD_CLOEXEC) != 0);

    // Before a writer came, the read end shows neither data nor hang-up.
    pollfd p{(*fifos)->stdout_fd.get(), POLLIN, 0};
    CHECK(::poll(&p, 1, 0) == 0);
    // A writer (the shim) comes, writes and goes: data, then end of file.
    int w = ::open((*fifos)->stdout_path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(w >= 0);
    REQUIRE(::write(w, "hi", 2) == 2);
    ::close(w);
    REQUIRE(::poll(&p, 1, 1000) == 1);
    char buf[8];
    CHECK(::read((*fifos)->stdout_fd.get(), buf, sizeof buf) == 2);
    CHECK(::read((*fifos)->stdout_fd.get(), buf, sizeof buf) == 0);

    // The shim's non-blocking open of stdin for reading and writing both succeed.
    int r = ::open((*fifos)->stdin_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    CHECK(r >= 0);
    ::close(r);

    // The same exec id twice is refused.
    auto again = ExecFifos::Make(parent, "e1", false, false);
    REQUIRE_FALSE(again.ok());
    CHECK(again.status().message().find(parent + "/e1") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK(std::filesystem::exists(parent));

  auto tty = ExecFifos::Make(parent, "e2", false, false);
  REQUIRE(tty.ok());
  CHECK((*tty)->stdin_path.empty());
  CHECK((*tty)->stderr_path.empty());
  CHECK_FALSE((*tty)->stdin_fd.valid());
  CHECK(std::filesystem::exists(parent + "/e2/stdout"));
  CHECK_FALSE(std::filesystem::exists(parent + "/e2/stderr"));
}
