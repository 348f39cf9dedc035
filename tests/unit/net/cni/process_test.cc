#include "net/cni/process.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

namespace skiff::net {
namespace {

ProcessSpec Busybox(std::vector<std::string> args) {
  ProcessSpec spec;
  spec.path = "/bin/busybox";
  spec.argv = {"busybox"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  spec.timeout = std::chrono::milliseconds(10000);
  return spec;
}

TEST_CASE("net_cni process: stdin reaches the child and stdout comes back") {
  ProcessSpec spec = Busybox({"cat"});
  spec.input = "{\"cniVersion\":\"1.0.0\"}\n";
  Result<ProcessOutput> out = RunProcess(spec);
  REQUIRE(out.ok());
  CHECK(out->ok());
  CHECK(out->exit_code == 0);
  CHECK(out->out == "{\"cniVersion\":\"1.0.0\"}\n");
  CHECK(out->err.empty());
}

TEST_CASE("net_cni process: a megabyte each way does not deadlock") {
  ProcessSpec spec = Busybox({"cat"});
  spec.input.assign(1 << 20, 'x');
  spec.max_output = 2 << 20;
  Result<ProcessOutput> out = RunProcess(spec);
  REQUIRE(out.ok());
  CHECK(out->exit_code == 0);
  CHECK(out->out.size() == (1u << 20));
  CHECK(out->out == spec.input);
}

TEST_CASE("net_cni process: exit status, stderr and the environment are reported") {
  ProcessSpec spec = Busybox({"sh", "-c", "echo \"$CNI_COMMAND\"; echo oops >&2; exit 3"});
  spec.env.push_back("CNI_COMMAND=ADD");
  Result<ProcessOutput> out = RunProcess(spec);
  REQUIRE(out.ok());
  CHECK_FALSE(out->ok());
  CHECK(out->exit_code == 3);
  CHECK(out->out == "ADD\n");
  CHECK(out->err == "oops\n");
  CHECK(DescribeExit(*out, spec) == "exit status 3");
}

TEST_CASE("net_cni process: the environment is exactly what was given") {
  ProcessSpec spec = Busybox({"env"});
  spec.env = {"ONLY=1"};
  Result<ProcessOutput> out = RunProcess(spec);
  REQUIRE(out.ok());
  CHECK(out->out == "ONLY=1\n");
}

TEST_CASE("net_cni process: a timeout kills the child and its process group") {
  // The shell prints its background child's pid, then both sleep far past the timeout.
  ProcessSpec spec = Busybox({"sh", "-c", "sleep 30 & echo $!; sleep 30"});
  spec.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  Result<ProcessOutput> out = RunProcess(spec);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(out.ok());
  CHECK(out->timed_out);
  CHECK(out->term_signal == SIGKILL);
  CHECK(DescribeExit(*out, spec) == "timed out after 300 ms");
  CHECK(took < std::chrono::seconds(5));
  // The grandchild got SIGKILL too: within a moment it is gone or a zombie awaiting reaping.
  int grandchild = std::stoi(out->out);
  std::string state = "?";
  for (int i = 0; i < 100; ++i) {
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    if (!stat) {
      state = "gone";
      break;
    }
    std::string line;
    std::getline(stat, line);
    state = line.substr(line.rfind(')') + 2, 1);
    if (state == "Z") break;
    ::usleep(20000);
  }
  CHECK((state == "gone" || state == "Z"));
}

TEST_CASE("net_cni process: a missing executable is kNotFound naming it") {
  ProcessSpec spec;
  spec.path = "/nonexistent/sktcni-plugin";
  Result<ProcessOutput> out = RunProcess(spec);
  REQUIRE_FALSE(out.ok());
  CHECK(out.status().code() == Code::kNotFound);
  CHECK(out.status().message() ==
        "cannot execute /nonexistent/sktcni-plugin: No such file or directory");
}

TEST_CASE("net_cni process: FindExecutable searches the given PATH in order") {
  Result<std::string> found = FindExecutable("busybox", "/nonexistent:/usr/bin:/bin");
  REQUIRE(found.ok());
  CHECK((*found == "/usr/bin/busybox" || *found == "/bin/busybox"));
  Result<std::string> missing = FindExecutable("sktcni-none", "/nonexistent:/usr/bin");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() == "sktcni-none not found in PATH /nonexistent:/usr/bin");
}

}  // namespace
}  // namespace skiff::net
