// The `skiff` command line as a function: subcommand dispatch, help and version. src/main.cc only
// gathers the Environment and the hooks and calls RunApp.
//
//   skiff server [flags]       parse ServerOptions, set the log level, run the server
//   skiff agent [flags]        parse AgentOptions, then report that joining is not built yet
//   skiff check [flags]        parse ServerOptions, then check the host (1 when a check fails)
//   skiff certificate rotate [flags]
//                              parse ServerOptions, then re-issue the leaf certificates
//   skiff backup FILE [flags]  parse BackupOptions, then write the backup (1 when it fails)
//   skiff restore FILE [flags] parse BackupOptions, then restore into --data-dir (1 on failure)
//   skiff kubectl [args...]    exec kubectl with KUBECONFIG pointing at the server's kubeconfig
//   skiff version              print VersionLine()
//   skiff help [command], skiff --help, skiff <command> --help
//
// Exit codes: 0 success or help; 1 `skiff agent` (not built yet); 2 usage errors (unknown
// command, bad flag or value, bad config file), reported on `err` as "skiff: <message>" and
// "Run 'skiff <command> --help' for usage."; otherwise whatever the hooks return.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "skiff/cli/environment.h"
#include "skiff/cli/kubectl.h"
#include "skiff/cli/options.h"

namespace skiff::cli {

// The actions with effects beyond printing, injected so tests can run RunApp without them.
struct AppHooks {
  // Runs the server until it stops and returns the exit code (skiff::server::Run).
  std::function<int(const ServerOptions&)> run_server;
  // `skiff check`: prints one line per check to `out`; 0 when nothing failed.
  std::function<int(const ServerOptions&, std::ostream& out)> run_check;
  // `skiff certificate rotate`: 0 when the certificates were re-issued.
  std::function<int(const ServerOptions&, std::ostream& out, std::ostream& err)>
      rotate_certificates;
  // `skiff backup` and `skiff restore`: progress and the result on `out`, errors on `err`;
  // 0 on success.
  std::function<int(const BackupOptions&, std::ostream& out, std::ostream& err)> run_backup;
  std::function<int(const BackupOptions&, std::ostream& out, std::ostream& err)> run_restore;
  // Replaces the process with kubectl; returns an exit code only on failure (ExecKubectl).
  std::function<int(const KubectlCommand&)> exec_kubectl;
};

// `args` are argv[1...]. Help and version go to `out`, errors to `err`.
int RunApp(const std::vector<std::string>& args, const Environment& env, const AppHooks& hooks,
           std::ostream& out, std::ostream& err);

}  // namespace skiff::cli
