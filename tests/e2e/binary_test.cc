// End-to-end: the real skiff binary, started as a user would start it.
#include <signal.h>
#include <sys/stat.h>

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
