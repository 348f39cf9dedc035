#include "skiff/cli/app.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "cli/flag_tables.h"
#include "skiff/cli/version.h"
#include "test_support.h"

using skiff::cli::AppHooks;
using skiff::cli::Environment;
using skiff::cli::KubectlCommand;
using skiff::cli::ServerOptions;
using skiff::cli::testing::RootEnv;
using skiff::cli::testing::TempDir;
using skiff::cli::testing::UserEnv;

namespace {

// Runs the app with hooks that record what they were asked to do.
struct Harness {
  explicit Harness(Environment e) : env(std::move(e)) {
    hooks.run_server = [this](const ServerOptions& o) {
      server = o;
      ++server_runs;
      return server_exit;
    };
    hooks.run_check = [this](const ServerOptions& o, std::ostream& o_out) {
      server = o;
      ++check_runs;
      o_out << "checked\n";
      return 1;
    };
    hooks.rotate_certificates = [this](const ServerOptions& o, std::ostream& o_out,
                                       std::ostream&) {
      server = o;
      ++rotate_runs;
      o_out << "rotated\n";
      return 0;
    };
    hooks.exec_kubectl = [this](const KubectlCommand& c) {
      kubectl = c;
      ++kubectl_runs;
      return 0;
    };
  }

  int Run(std::vector<std::string> args) {
    out.str("");
    err.str("");
    return skiff::cli::RunApp(args, env, hooks, out, err);
  }

  Environment env;
  AppHooks hooks;
  std::ostringstream out, err;
  ServerOptions server;
  int server_runs = 0;
  int check_runs = 0;
  int rotate_runs = 0;
  int server_exit = 0;
  KubectlCommand kubectl;
  int kubectl_runs = 0;
};

}  // namespace

TEST_CASE("the version line names skiff's and Kubernetes' versions", "[cli]") {
  CHECK(skiff::cli::kKubernetesVersion == "1.32.0");
  CHECK(skiff::cli::KubernetesMajor() == "1");
  CHECK(skiff::cli::KubernetesMinor() == "32");
  CHECK_THAT(std::string(skiff::cli::SkiffVersion()), Catch::Matches("v[0-9]+\\.[0-9]+\\.[0-9]+"));
  CHECK(skiff::cli::VersionLine() ==
        "skiff version " + std::string(skiff::cli::SkiffVersion()) + " (kubernetes v1.32.0)");
  TempDir dir;
  Harness h(RootEnv(dir));
  CHECK(h.Run({"version"}) == 0);
  CHECK(h.out.str() == skiff::cli::VersionLine() + "\n");
  CHECK(h.Run({"--version"}) == 0);
  CHECK(h.out.str() == skiff::cli::VersionLine() + "\n");
  CHECK(h.Run({"version", "extra"}) == 2);
  CHECK(h.err.str() ==
        "skiff: unexpected argument \"extra\" for \"skiff version\"\n"
        "Run 'skiff version --help' for usage.\n");
}

TEST_CASE("skiff --help lists every subcommand", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"-h"}, {"help"}}) {
    CHECK(h.Run(args) == 0);
    CHECK(h.err.str().empty());
    for (const char* cmd : {"server", "agent", "kubectl", "version", "help"}) {
      CHECK_THAT(h.out.str(), Catch::Contains(std::string("\n  ") + cmd + " "));
    }
  }
  CHECK(h.Run({}) == 2);
  CHECK_THAT(h.err.str(), Catch::Contains("Usage:\n  skiff <command> [flags]"));
}

TEST_CASE("command help lists every flag with its default", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  REQUIRE(h.Run({"server", "--help"}) == 0);
  std::string server_help = h.out.str();
  CHECK_THAT(server_help, Catch::StartsWith("Run the control plane") &&
                              Catch::Contains("Usage:\n  skiff server [flags]"));
  std::size_t defaults = 0;
  for (std::size_t at = 0; (at = server_help.find("(default:", at)) != std::string::npos; ++at) {
    ++defaults;
  }
  auto flags = skiff::cli::ServerFlagSet().flags();
  CHECK(defaults == flags.size());
  for (const auto& f : flags) CHECK_THAT(server_help, Catch::Contains("--" + std::string(f.name)));
  CHECK_THAT(server_help,
             Catch::Contains("(default: 6443)") && Catch::Contains("(default: 10.42.0.0/16)") &&
                 Catch::Contains("(default: 5m)") && Catch::Contains("(default: 0600)") &&
                 Catch::Contains("-d, --data-dir DIR"));
  std::istringstream lines(server_help);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);

  REQUIRE(h.Run({"help", "server"}) == 0);
  CHECK(h.out.str() == server_help);
  REQUIRE(h.Run({"server", "--data-dir", "/x", "-h"}) == 0);
  CHECK(h.out.str() == server_help);
  CHECK(h.server_runs == 0);

  REQUIRE(h.Run({"agent", "--help"}) == 0);
  for (const auto& f : skiff::cli::AgentFlagSet().flags()) {
    CHECK_THAT(h.out.str(), Catch::Contains("--" + std::string(f.name)));
  }
  CHECK_THAT(h.out.str(), Catch::Contains("not built in this version"));
  REQUIRE(h.Run({"help", "kubectl"}) == 0);
  CHECK_THAT(h.out.str(), Catch::Contains("KUBECONFIG"));
  CHECK(h.Run({"help", "bogus"}) == 2);
}

TEST_CASE("skiff check takes the server's flags and returns the check's status", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  CHECK(h.Run({"check", "--https-listen-port", "7443", "--disable-agent"}) == 1);
  CHECK(h.check_runs == 1);
  CHECK(h.server_runs == 0);
  CHECK(h.server.https_listen_port == 7443);
  CHECK(h.server.disable_agent);
  CHECK(h.out.str() == "checked\n");
  CHECK(h.Run({"check", "--https-listen-port", "0"}) == 2);
  CHECK_THAT(h.err.str(), Catch::StartsWith("skiff: invalid value \"0\" for flag --https-listen-port"));
  REQUIRE(h.Run({"check", "--help"}) == 0);
  CHECK_THAT(h.out.str(), Catch::Contains("skiff check [server flags]"));
}

TEST_CASE("skiff certificate rotate takes the server's flags", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  CHECK(h.Run({"certificate", "rotate", "--data-dir", "/srv/skiff",
               "--certificate-lifetime", "720h"}) == 0);
  CHECK(h.rotate_runs == 1);
  CHECK(h.server.data_dir == "/srv/skiff");
  CHECK(h.server.certificate_lifetime == std::chrono::hours(720));
  CHECK(h.out.str() == "rotated\n");
  CHECK(h.Run({"certificate"}) == 2);
  CHECK_THAT(h.err.str(), Catch::StartsWith("skiff: missing subcommand"));
  CHECK(h.Run({"certificate", "renew"}) == 2);
  CHECK_THAT(h.err.str(),
             Catch::StartsWith("skiff: unknown subcommand \"renew\" for \"skiff certificate\""));
  // Without --certificate-renew-before, a quarter of a short lifetime; a given window must
  // fit in the lifetime.
  CHECK(h.server.certificate_renew_before == std::chrono::hours(180));
  CHECK(h.Run({"certificate", "rotate", "--certificate-lifetime", "1h",
               "--certificate-renew-before", "2h"}) == 2);
  CHECK_THAT(h.err.str(), Catch::Contains("must be less than"));
  CHECK(h.rotate_runs == 1);
  REQUIRE(h.Run({"certificate", "--help"}) == 0);
  CHECK_THAT(h.out.str(), Catch::Contains("skiff certificate rotate [server flags]"));
}

TEST_CASE("unknown commands and top-level flags are usage errors", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  CHECK(h.Run({"serve"}) == 2);
  CHECK(h.out.str().empty());
  CHECK(h.err.str() ==
        "skiff: unknown command \"serve\"\n"
        "Commands: server, agent, check, certificate, backup, restore, kubectl, version, help\n"
        "Run 'skiff --help' for usage.\n");
  CHECK(h.Run({"--data-dir", "/x"}) == 2);
  CHECK(h.err.str() ==
        "skiff: unknown flag \"--data-dir\" for \"skiff\"\nRun 'skiff --help' for usage.\n");
}

TEST_CASE("skiff server runs the server with parsed options and its exit code", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  h.server_exit = 3;
  CHECK(h.Run({"server", "--data-dir=/srv/s", "--log-level", "error"}) == 3);
  CHECK(h.server_runs == 1);
  CHECK(h.server.data_dir == "/srv/s");
  CHECK(skiff::log::GetLevel() == skiff::log::Level::kError);
  skiff::log::SetLevel(skiff::log::Level::kInfo);
}

TEST_CASE("skiff server parse errors print the message and the help hint, exit 2", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  CHECK(h.Run({"server", "--https-listen-port", "70000"}) == 2);
  CHECK(h.server_runs == 0);
  CHECK(h.err.str() ==
        "skiff: invalid value \"70000\" for flag --https-listen-port: must be a port number from 1 "
        "to 65535\nRun 'skiff server --help' for usage.\n");
  CHECK(h.Run({"server", "--foo"}) == 2);
  CHECK(h.err.str() ==
        "skiff: unknown flag \"--foo\" for \"skiff server\"\nRun 'skiff server --help' for "
        "usage.\n");
}

TEST_CASE("skiff agent validates its flags, then says joining is not built yet", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  CHECK(h.Run({"agent", "--server", "https://a:6443", "--token", "t"}) == 1);
  CHECK_THAT(h.err.str(), Catch::StartsWith("skiff: joining a server is not built yet in skiff " +
                                            std::string(skiff::cli::SkiffVersion())) &&
                              Catch::Contains("arrive in a later release"));
  CHECK(h.server_runs == 0);
  CHECK(h.Run({"agent", "--token", "t"}) == 2);
  CHECK_THAT(h.err.str(), Catch::StartsWith("skiff: --server is required") &&
                              Catch::EndsWith("Run 'skiff agent --help' for usage.\n"));
}

TEST_CASE("skiff kubectl points KUBECONFIG at the server's kubeconfig", "[cli]") {
  TempDir dir;
  Harness h(RootEnv(dir));
  CHECK(h.Run({"kubectl", "get", "pods", "-A"}) == 0);
  CHECK(h.kubectl.argv == std::vector<std::string>{"kubectl", "get", "pods", "-A"});
  CHECK(h.kubectl.kubeconfig == "/etc/skiff/skiff.yaml");

  h.env = UserEnv(dir);
  CHECK(h.Run({"kubectl", "version"}) == 0);
  CHECK(h.kubectl.kubeconfig == "/home/ann/.skiff/skiff.yaml");

  h.env.config_path = dir.Write("config.yaml", "write-kubeconfig: /srv/kc.yaml\n");
  CHECK(h.Run({"kubectl", "--help"}) == 0);  // kubectl's own help: passed through
  CHECK(h.kubectl.argv == std::vector<std::string>{"kubectl", "--help"});
  CHECK(h.kubectl.kubeconfig == "/srv/kc.yaml");

  h.env.kubeconfig = "/mine.yaml";  // an existing KUBECONFIG is left alone
  CHECK(h.Run({"kubectl", "get", "nodes"}) == 0);
  CHECK(h.kubectl.kubeconfig.empty());
  CHECK(h.kubectl_runs == 4);

  h.env.kubeconfig.clear();
  h.env.config_path = dir.Write("config.yaml", "bogus: 1\n");
  CHECK(h.Run({"kubectl", "get", "nodes"}) == 2);
  CHECK(h.err.str() == "skiff: cannot find the server's kubeconfig: " + h.env.config_path +
                           ":1: unknown key \"bogus\"\n");
  CHECK(h.kubectl_runs == 4);
}

TEST_CASE("ExecKubectl reports a missing or unusable kubectl instead of running it", "[cli]") {
  TempDir dir;
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  const char* old_kc = std::getenv("KUBECONFIG");
  std::string saved_kc = old_kc ? old_kc : "";
  // PATH holds only an empty directory: execvp cannot find kubectl.
  setenv("PATH", dir.path().c_str(), 1);
  std::ostringstream err;
  KubectlCommand cmd{{"kubectl", "version"}, dir.Join("skiff.yaml")};
  int rc = skiff::cli::ExecKubectl(cmd, err);
  std::string kubeconfig_seen = std::getenv("KUBECONFIG") ? std::getenv("KUBECONFIG") : "";
  // A non-executable file named kubectl: found but not runnable.
  dir.Write("kubectl", "not a program\n");
  std::ostringstream err2;
  int rc2 = skiff::cli::ExecKubectl({{"kubectl"}, ""}, err2);
  setenv("PATH", old_path.c_str(), 1);
  if (old_kc) {
    setenv("KUBECONFIG", saved_kc.c_str(), 1);
  } else {
    unsetenv("KUBECONFIG");
  }
  CHECK(rc == 127);
  CHECK(kubeconfig_seen == dir.Join("skiff.yaml"));
  CHECK(err.str() == "skiff: warning: kubeconfig \"" + dir.Join("skiff.yaml") +
                         "\" does not exist yet; is 'skiff server' running?\n"
                         "skiff: kubectl was not found on PATH; install kubectl (any recent "
                         "version works) and run 'skiff kubectl' again\n");
  CHECK(rc2 == 126);
  CHECK(err2.str() == "skiff: cannot run kubectl: Permission denied\n");
}

TEST_CASE("skiff backup and skiff restore take FILE and --data-dir", "[cli]") {
  TempDir dir;
  Harness h(UserEnv(dir));
  skiff::cli::BackupOptions got;
  std::string which;
  auto hook = [&](std::string name) {
    return [&, name](const skiff::cli::BackupOptions& o, std::ostream& out, std::ostream&) {
      got = o;
      which = name;
      out << name << " ran\n";
      return 0;
    };
  };
  h.hooks.run_backup = hook("backup");
  h.hooks.run_restore = hook("restore");

  CHECK(h.Run({"backup", "/b/box.db"}) == 0);
  CHECK(which == "backup");
  CHECK(got.file == "/b/box.db");
  CHECK(got.data_dir == "/home/ann/.skiff");
  CHECK(h.out.str() == "backup ran\n");
  CHECK(h.Run({"restore", "-d", "/srv/new", "box.db"}) == 0);
  CHECK(which == "restore");
  CHECK(got.file == "box.db");
  CHECK(got.data_dir == "/srv/new");
  CHECK(h.Run({"restore", "--data-dir=/srv/x", "--", "-odd-name"}) == 0);
  CHECK(got.file == "-odd-name");

  // The config file's data-dir applies; the server's and the agent's other keys are skipped.
  const std::string config = dir.Write(
      "config.yaml", "data-dir: /srv/skiff\nhttps-listen-port: 7443\nserver: https://x\n");
  CHECK(h.Run({"backup", "--config", config, "b.db"}) == 0);
  CHECK(got.data_dir == "/srv/skiff");
  CHECK(got.config_file == config);
  CHECK(h.Run({"backup", "-c", dir.Write("bad.yaml", "data-dri: /x\n"), "b.db"}) == 2);
  CHECK_THAT(h.err.str(), Catch::Contains("unknown key \"data-dri\" (did you mean \"data-dir\"?)"));

  which.clear();
  CHECK(h.Run({"backup"}) == 2);
  CHECK(h.err.str() ==
        "skiff: \"skiff backup\" needs one argument: the backup FILE\n"
        "Run 'skiff backup --help' for usage.\n");
  CHECK(h.Run({"restore", "a", "b"}) == 2);
  CHECK(h.err.str() ==
        "skiff: unexpected argument \"b\" for \"skiff restore\" (it takes one FILE)\n"
        "Run 'skiff restore --help' for usage.\n");
  CHECK(h.Run({"backup", "b.db", "--force"}) == 2);
  CHECK_THAT(h.err.str(),
             Catch::StartsWith("skiff: unknown flag \"--force\" for \"skiff backup\""));
  CHECK(which.empty());

  REQUIRE(h.Run({"backup", "--help"}) == 0);
  CHECK_THAT(h.out.str(), Catch::Contains("skiff backup FILE [flags]") &&
                              Catch::Contains("-d, --data-dir DIR") &&
                              Catch::Contains("<data-dir>/agent"));
  std::istringstream lines(h.out.str());
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);
  REQUIRE(h.Run({"help", "restore"}) == 0);
  CHECK_THAT(h.out.str(), Catch::Contains("skiff restore FILE [flags]") &&
                              Catch::Contains("must be empty or not exist"));
  REQUIRE(h.Run({"--help"}) == 0);
  CHECK_THAT(h.out.str(), Catch::Contains("\n  backup ") && Catch::Contains("\n  restore "));
}
