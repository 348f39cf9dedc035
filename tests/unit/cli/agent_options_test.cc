#include <catch2/catch.hpp>

#include "skiff/cli/options.h"
#include "test_support.h"

using skiff::cli::AgentOptions;
using skiff::cli::Environment;
using skiff::cli::ParseAgentArgs;
using skiff::cli::testing::RootEnv;
using skiff::cli::testing::TempDir;
using skiff::cli::testing::UserEnv;
using Args = std::vector<std::string>;

namespace {

AgentOptions MustParse(const Args& args, const Environment& env) {
  auto o = ParseAgentArgs(args, env);
  INFO(o.status().message());
  REQUIRE(o.ok());
  return *o;
}

std::string ErrorOf(const Args& args, const Environment& env) {
  auto o = ParseAgentArgs(args, env);
  REQUIRE_FALSE(o.ok());
  return o.status().message();
}

}  // namespace

TEST_CASE("agent settings with defaults for root and other users", "[cli]") {
  TempDir dir;
  AgentOptions o = MustParse({"--server", "https://10.0.0.1:6443", "--token", "t"}, RootEnv(dir));
  CHECK(o.server == "https://10.0.0.1:6443");
  CHECK(o.token == "t");
  CHECK(o.token_file.empty());
  CHECK(o.data_dir == "/var/lib/skiff");
  CHECK(o.node_name == "edge-1");
  CHECK(o.node_ip.empty());
  CHECK(o.log_level == skiff::log::Level::kInfo);
  CHECK(o.config_file.empty());
  AgentOptions u = MustParse({"-s=https://[fd00::1]:6443", "--token-file=/t", "--node-ip=fd00::2",
                              "--node-name", "n2", "--log-level", "error"},
                             UserEnv(dir));
  CHECK(u.server == "https://[fd00::1]:6443");
  CHECK(u.token_file == "/t");
  CHECK(u.data_dir == "/home/ann/.skiff");
  CHECK(u.node_ip == "fd00::2");
  CHECK(u.node_name == "n2");
  CHECK(u.log_level == skiff::log::Level::kError);
}

TEST_CASE("agent requires an https server URL and one token source", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(ErrorOf({"--token", "t"}, env) ==
        "--server is required: the https:// URL of the skiff server to join, e.g. --server "
        "https://10.0.0.1:6443");
  CHECK(ErrorOf({"--server", "https://a:6443"}, env) ==
        "--token or --token-file is required to join a server");
  CHECK(ErrorOf({"--server", "https://a:6443", "-t", "x", "--token-file", "/t"}, env) ==
        "only one of --token (from the command line) and --token-file (from the command line) "
        "may be set");
  CHECK(ErrorOf({"--server", "http://a:6443", "-t", "x"}, env) ==
        "invalid value \"http://a:6443\" for flag --server: must be an https:// URL (skiff serves "
        "its API over HTTPS only)");
  CHECK(ErrorOf({"--server", "a:6443", "-t", "x"}, env) ==
        "invalid value \"a:6443\" for flag --server: must start with http:// or https://");
  CHECK(ErrorOf({"--server", "https://a:70000", "-t", "x"}, env) ==
        "invalid value \"https://a:70000\" for flag --server: has an invalid port \"70000\": must "
        "be a port number from 1 to 65535");
}

TEST_CASE("agent rejects server-only flags but skips the server's keys in a shared file", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(ErrorOf({"--cluster-cidr", "10.42.0.0/16"}, env) ==
        "unknown flag \"--cluster-cidr\" for \"skiff agent\"");
  env.config_path =
      dir.Write("config.yaml", "server: https://a:6443\ntoken: t\ndisable-agent: true\n");
  AgentOptions o = MustParse({}, env);
  CHECK(o.server == "https://a:6443");
  env.config_path = dir.Write("config2.yaml", "server: https://a:6443\ntoken: t\nbogus: 1\n");
  CHECK(ErrorOf({}, env) == env.config_path + ":3: unknown key \"bogus\"");
}

TEST_CASE("agent reads its config file and the command line overrides it", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  std::string path = dir.Write("agent.yaml", "server: https://srv:6443\ntoken: from-file\n");
  AgentOptions o = MustParse({"--config", path, "--token", "from-flag"}, env);
  CHECK(o.config_file == path);
  CHECK(o.server == "https://srv:6443");
  CHECK(o.token == "from-flag");
  path = dir.Write("bad.yaml", "server: http://srv:6443\ntoken: t\n");
  CHECK(ErrorOf({"-c", path}, env) ==
        path +
            ":1: invalid value \"http://srv:6443\" for key \"server\": must be an https:// URL "
            "(skiff serves its API over HTTPS only)");
}
