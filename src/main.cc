// The skiff executable: gathers the process environment and hands the command line to
// skiff::cli::RunApp, wiring in the real server and the real kubectl exec.
#include <iostream>
#include <string>
#include <vector>

#include "skiff/cli/app.h"
#include "skiff/cli/environment.h"
#include "skiff/cli/kubectl.h"
#include "skiff/server/server.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  skiff::cli::AppHooks hooks{
      .run_server = skiff::server::Run,
      .exec_kubectl =
          [](const skiff::cli::KubectlCommand& command) {
            std::cout.flush();
            return skiff::cli::ExecKubectl(command, std::cerr);
          },
  };
  return skiff::cli::RunApp(args, skiff::cli::CurrentEnvironment(), hooks, std::cout, std::cerr);
}
