// The skiff executable: gathers the process environment and hands the command line to
// skiff::cli::RunApp, wiring in the real server and the real kubectl exec.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "skiff/cli/app.h"
#include "skiff/cli/environment.h"
#include "skiff/cli/kubectl.h"
#include "skiff/node/container_logs.h"
#include "skiff/server/backup.h"
#include "skiff/server/certificates.h"
#include "skiff/server/host_check.h"
#include "skiff/server/restore.h"
#include "skiff/server/server.h"

namespace {

// The shim runs skiff as a container's log writer: `binary://<skiff>?skiff-log-driver=&path=..`
// arrives as arguments in any order, with CONTAINER_ID in the environment.
bool IsLogDriver(int argc, char** argv) {
  if (!getenv("CONTAINER_ID")) return false;
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == skiff::node::kLogDriverArg) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (IsLogDriver(argc, argv)) return skiff::node::RunLogDriver(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  skiff::cli::AppHooks hooks{
      .run_server = skiff::server::Run,
      .run_check = skiff::server::RunCheck,
      .rotate_certificates = skiff::server::RotateCertificates,
      .run_backup = skiff::server::RunBackup,
      .run_restore = skiff::server::RunRestore,
      .exec_kubectl =
          [](const skiff::cli::KubectlCommand& command) {
            std::cout.flush();
            return skiff::cli::ExecKubectl(command, std::cerr);
          },
  };
  return skiff::cli::RunApp(args, skiff::cli::CurrentEnvironment(), hooks, std::cout, std::cerr);
}
