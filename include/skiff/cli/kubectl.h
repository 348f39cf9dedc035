// `skiff kubectl ARGS...`: run the real kubectl against this machine's skiff server.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "skiff/cli/environment.h"
#include "skiff/common/status.h"

namespace skiff::cli {

struct KubectlCommand {
  std::vector<std::string> argv;  // argv[0] is "kubectl", then the user's arguments unchanged
  std::string kubeconfig;         // value to put in KUBECONFIG; empty leaves the variable alone
};

// Plans the command: when env.kubeconfig ($KUBECONFIG) is empty, kubeconfig is
// ServerKubeconfigPath(env) (the path `skiff server` writes, honouring the default config file).
// Errors come from reading that config file.
Result<KubectlCommand> PlanKubectl(const std::vector<std::string>& args, const Environment& env);

// Sets KUBECONFIG when command.kubeconfig is non-empty (warning on `err` when that file does not
// exist yet), then execvp()s kubectl. Returns only on failure, after writing the reason to `err`:
// 127 when kubectl is not on PATH, 126 when it could not be run.
int ExecKubectl(const KubectlCommand& command, std::ostream& err);

}  // namespace skiff::cli
