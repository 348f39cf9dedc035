#include "skiff/cli/app.h"

#include <ostream>

#include "cli/commands.h"
#include "skiff/cli/version.h"
#include "skiff/common/log.h"

namespace skiff::cli {
namespace {

constexpr int kUsageError = 2;

bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

int UsageError(std::ostream& err, std::string_view message, std::string_view command) {
  err << "skiff: " << message << "\nRun '" << command << " --help' for usage.\n";
  return kUsageError;
}

int UnknownCommand(std::ostream& err, std::string_view name) {
  err << "skiff: unknown command \"" << name << "\"\nCommands: " << CommandNames()
      << "\nRun 'skiff --help' for usage.\n";
  return kUsageError;
}

int Server(const std::vector<std::string>& args, const Environment& env, const AppHooks& hooks,
           std::ostream& err) {
  Result<ServerOptions> options = ParseServerArgs(args, env);
  if (!options.ok()) return UsageError(err, options.status().message(), "skiff server");
  log::SetLevel(options->log_level);
  if (!hooks.run_server) {
    err << "skiff: internal error: no server to run\n";
    return 1;
  }
  return hooks.run_server(*options);
}

int Check(const std::vector<std::string>& args, const Environment& env, const AppHooks& hooks,
          std::ostream& out, std::ostream& err) {
  Result<ServerOptions> options = ParseServerArgs(args, env);
  if (!options.ok()) return UsageError(err, options.status().message(), "skiff check");
  if (!hooks.run_check) {
    err << "skiff: internal error: no check to run\n";
    return 1;
  }
  return hooks.run_check(*options, out);
}

int Certificate(const std::vector<std::string>& args, const Environment& env,
                const AppHooks& hooks, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "rotate") {
    return UsageError(err,
                      args.empty() ? "missing subcommand: use \"skiff certificate rotate\""
                                   : "unknown subcommand \"" + args[0] +
                                         "\" for \"skiff certificate\": use rotate",
                      "skiff certificate");
  }
  Result<ServerOptions> options =
      ParseServerArgs(std::vector<std::string>(args.begin() + 1, args.end()), env);
  if (!options.ok()) return UsageError(err, options.status().message(), "skiff certificate");
  if (!hooks.rotate_certificates) {
    err << "skiff: internal error: no certificates to rotate\n";
    return 1;
  }
  return hooks.rotate_certificates(*options, out, err);
}

// `skiff backup` and `skiff restore`: FILE and the flags, then `hook`.
int BackupOrRestore(
    std::string_view command, const std::vector<std::string>& args, const Environment& env,
    const std::function<int(const BackupOptions&, std::ostream&, std::ostream&)>& hook,
    std::ostream& out, std::ostream& err) {
  Result<BackupOptions> options = ParseBackupArgs(command, args, env);
  if (!options.ok()) return UsageError(err, options.status().message(), command);
  if (!hook) {
    err << "skiff: internal error: no " << command << " to run\n";
    return 1;
  }
  return hook(*options, out, err);
}

int Agent(const std::vector<std::string>& args, const Environment& env, std::ostream& err) {
  Result<AgentOptions> options = ParseAgentArgs(args, env);
  if (!options.ok()) return UsageError(err, options.status().message(), "skiff agent");
  err << "skiff: joining a server is not built yet in skiff " << SkiffVersion()
      << ": the node agent and the remote client arrive in a later release.\n"
      << "To run workloads on this machine now, run 'skiff server' here instead.\n";
  return 1;
}

int Kubectl(const std::vector<std::string>& args, const Environment& env, const AppHooks& hooks,
            std::ostream& err) {
  Result<KubectlCommand> command = PlanKubectl(args, env);
  if (!command.ok()) {
    err << "skiff: cannot find the server's kubeconfig: " << command.status().message() << "\n";
    return kUsageError;
  }
  if (!hooks.exec_kubectl) {
    err << "skiff: internal error: no way to run kubectl\n";
    return 1;
  }
  return hooks.exec_kubectl(*command);
}

int Version(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty()) {
    return UsageError(err, "unexpected argument \"" + args[0] + "\" for \"skiff version\"",
                      "skiff version");
  }
  out << VersionLine() << "\n";
  return 0;
}

int Help(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    out << MainHelp();
    return 0;
  }
  if (args.size() > 1) {
    return UsageError(err, "unexpected argument \"" + args[1] + "\" for \"skiff help\"",
                      "skiff help");
  }
  const CommandInfo* cmd = FindCommand(args[0]);
  if (cmd == nullptr) return UnknownCommand(err, args[0]);
  out << CommandHelp(*cmd);
  return 0;
}

}  // namespace

int RunApp(const std::vector<std::string>& args, const Environment& env, const AppHooks& hooks,
           std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    err << MainHelp();
    return kUsageError;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h") return Help({}, out, err);
  if (first == "--version") return Version({}, out, err);
  if (first.size() > 1 && first.front() == '-') {
    return UsageError(err, "unknown flag \"" + first + "\" for \"skiff\"", "skiff");
  }
  const CommandInfo* cmd = FindCommand(first);
  if (cmd == nullptr) return UnknownCommand(err, first);
  std::vector<std::string> rest(args.begin() + 1, args.end());
  // kubectl's arguments, --help included, belong to kubectl.
  if (cmd->id != Command::kKubectl && cmd->id != Command::kHelp && WantsHelp(rest)) {
    out << CommandHelp(*cmd);
    return 0;
  }
  switch (cmd->id) {
    case Command::kServer:
      return Server(rest, env, hooks, err);
    case Command::kAgent:
      return Agent(rest, env, err);
    case Command::kCheck:
      return Check(rest, env, hooks, out, err);
    case Command::kCertificate:
      return Certificate(rest, env, hooks, out, err);
    case Command::kBackup:
      return BackupOrRestore("skiff backup", rest, env, hooks.run_backup, out, err);
    case Command::kRestore:
      return BackupOrRestore("skiff restore", rest, env, hooks.run_restore, out, err);
    case Command::kKubectl:
      return Kubectl(rest, env, hooks, err);
    case Command::kVersion:
      return Version(rest, out, err);
    case Command::kHelp:
      return Help(rest, out, err);
  }
  return kUsageError;
}

}  // namespace skiff::cli
