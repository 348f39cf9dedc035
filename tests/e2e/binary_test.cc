// End-to-end: the real skiff binary, started as a user would start it.
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "support/process.h"
#include "support/temp_dir.h"

using skiff::testing::Process;
using skiff::testing::Run;
using skiff::testing::TempDir;
using namespace std::chrono_literals;

namespace {

const std::string kSkiff = SKIFF_BINARY;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("skiff version prints its version", "[e2e]") {
  auto r = Run({kSkiff, "version"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("skiff version v"));
}

TEST_CASE("skiff starts without mapping libcurl or libarchive", "[e2e]") {
  // The log driver is this binary started once per container: the libraries only image pulls
  // and probes use are opened when first used (skiff/common/lazy_library.h), not at start.
  Process p({kSkiff, "version"}, {"LD_DEBUG=libs"});
  REQUIRE(p.WaitExit(30s));
  CHECK(p.exit_code() == 0);
  CHECK_THAT(p.err(), Catch::Contains("find library=libc.so.6"));  // the trace is there
  CHECK_THAT(p.err(), !Catch::Contains("libcurl") && !Catch::Contains("libarchive"));
}

TEST_CASE("skiff --help lists the subcommands", "[e2e]") {
  auto r = Run({kSkiff, "--help"});
  CHECK(r.exit_code == 0);
  for (const char* cmd : {"server", "agent", "kubectl", "version"}) {
    CHECK_THAT(r.out, Catch::Contains(cmd));
  }
}

TEST_CASE("bad command lines fail at once and say why", "[e2e]") {
  auto unknown = Run({kSkiff, "server", "--bogus"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("--bogus"));

  auto port = Run({kSkiff, "server", "--https-listen-port", "70000"});
  CHECK(port.exit_code == 2);
  CHECK_THAT(port.err, Catch::Contains("--https-listen-port") && Catch::Contains("70000"));

  auto cmd = Run({kSkiff, "frobnicate"});
  CHECK(cmd.exit_code == 2);
  CHECK_THAT(cmd.err, Catch::Contains("frobnicate"));

  TempDir dir;
  std::string config = dir / "config.yaml";
  std::ofstream(config) << "data-dir: /tmp/x\nhttps-listen-port: 6443\ndata-dri: /oops\n";
  auto bad_key = Run({kSkiff, "server", "--config", config});
  CHECK(bad_key.exit_code == 2);
  CHECK_THAT(bad_key.err, Catch::Contains(config + ":3") && Catch::Contains("data-dri"));
}

TEST_CASE("skiff agent says plainly that it is not built yet", "[e2e]") {
  auto r = Run({kSkiff, "agent", "--server", "https://127.0.0.1:6443", "--token", "t"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("not built yet"));
}

TEST_CASE("skiff server opens its store, keeps it across restarts and stops on SIGTERM", "[e2e]") {
  TempDir dir;
  const std::string data = dir / "data";
  for (int round = 0; round < 2; ++round) {
    Process p({kSkiff, "server", "--data-dir", data, "--write-kubeconfig", dir / "kubeconfig",
               "--manifests-dir", data + "/manifests", "--disable-agent"});
    REQUIRE(p.WaitForStderr("server: running", 10s));
    CHECK(Exists(data + "/server/db/state.db"));
    p.Signal(SIGTERM);
    REQUIRE(p.WaitExit(10s));
    INFO(p.err());
    CHECK(p.exit_code() == 0);
    CHECK_THAT(p.err(), Catch::Contains("stopped"));
  }
}

TEST_CASE("skiff server refuses a damaged database and leaves it alone", "[e2e]") {
  TempDir dir;
  const std::string data = dir / "data";
  REQUIRE(system(("mkdir -p " + data + "/server/db").c_str()) == 0);
  const std::string db = data + "/server/db/state.db";
  const std::string junk(10000, '#');
  std::ofstream(db) << junk;
  auto r = Run({kSkiff, "server", "--data-dir", data, "--write-kubeconfig", dir / "kubeconfig",
                "--manifests-dir", data + "/manifests"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(db) && Catch::Contains("not an SQLite database"));
  CHECK(ReadFile(db) == junk);
}

namespace {
// A TCP port on 0.0.0.0 that is free now.
int FreePortNow() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}
}  // namespace

TEST_CASE("skiff check reports each requirement and fails on what is missing", "[e2e]") {
  TempDir dir;
  const std::string port = std::to_string(FreePortNow());
  // This machine (root, the test dependencies installed) can run skiff.
  auto r = Run({kSkiff, "check", "--data-dir", dir / "data", "--https-listen-port", port});
  INFO(r.out << r.err);
  CHECK(r.exit_code == (geteuid() == 0 ? 0 : 1));
  for (const char* what : {"kernel", "disk", "API port", "root", "overlayfs", "cgroups", "runc",
                           "shim", "CNI plugins", "nftables", "iptables", "conntrack"}) {
    CHECK_THAT(r.out, Catch::Contains(std::string("  ") + what + " "));
  }
  CHECK_THAT(r.out, Catch::Contains("0.0.0.0:" + port + " is free"));
  // This machine has loop devices, ext4 and e2fsprogs (install-deps installs them).
  CHECK_THAT(r.out, Catch::Contains("ok    local-path      loop devices, ext4 and e2fsprogs"));
  // NFS volumes: a WARN, never a FAIL, where the kernel has no NFS client (these machines).
  std::ifstream filesystems("/proc/filesystems");
  const std::string fs_table{std::istreambuf_iterator<char>(filesystems), {}};
  if (fs_table.find("\tnfs\n") == std::string::npos && access("/lib/modules", F_OK) != 0) {
    CHECK_THAT(r.out, Catch::Contains("WARN  NFS volumes     this kernel has no NFS client (no "
                                      "nfs in /proc/filesystems"));
  } else {
    CHECK_THAT(r.out, Catch::Contains("  NFS volumes     "));
  }
  // The port taken, and the tools out of PATH: FAIL lines saying what to do.
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(listen(listener, 1) == 0);
  Process p({"/usr/bin/env", "PATH=/nonexistent", kSkiff, "check", "--data-dir", dir / "data",
             "--https-listen-port", port});
  REQUIRE(p.WaitExit(30s));
  close(listener);
  INFO(p.out());
  CHECK(p.exit_code() == 1);
  CHECK_THAT(p.out(), Catch::Contains("FAIL  API port") && Catch::Contains("Address already in use"));
  if (geteuid() == 0) {
    CHECK_THAT(p.out(), Catch::Contains("FAIL  runc            runc not found in PATH: apt-get "
                                        "install runc"));
    CHECK_THAT(p.out(), Catch::Contains("FAIL  nftables        nft not found in PATH"));
    // A warning only: unenforced local-path classes work without e2fsprogs.
    CHECK_THAT(p.out(), Catch::Contains("WARN  local-path      enforced local-path volumes cannot "
                                        "be made without mkfs.ext4 (apt-get install e2fsprogs)"));
  }
  CHECK_THAT(p.out(), Catch::Contains("skiff cannot run here until the FAIL lines are fixed."));
  // --disable-agent leaves the agent's requirements out.
  auto control_plane = Run({kSkiff, "check", "--disable-agent", "--data-dir", dir / "data",
                            "--https-listen-port", port});
  CHECK_THAT(control_plane.out, !Catch::Contains("runc"));
}
