#include "skiff/cli/kubectl.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include "skiff/cli/options.h"

namespace skiff::cli {

Result<KubectlCommand> PlanKubectl(const std::vector<std::string>& args, const Environment& env) {
  KubectlCommand command;
  command.argv.push_back("kubectl");
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  if (!env.kubeconfig.empty()) return command;
  Result<std::string> path = ServerKubeconfigPath(env);
  if (!path.ok()) return path.status();
  command.kubeconfig = *path;
  return command;
}

int ExecKubectl(const KubectlCommand& command, std::ostream& err) {
  if (!command.kubeconfig.empty()) {
    struct stat st {};
    if (stat(command.kubeconfig.c_str(), &st) != 0 && errno == ENOENT) {
      err << "skiff: warning: kubeconfig \"" << command.kubeconfig
          << "\" does not exist yet; is 'skiff server' running?\n";
    }
    if (setenv("KUBECONFIG", command.kubeconfig.c_str(), 1) != 0) {
      err << "skiff: cannot set KUBECONFIG: " << std::strerror(errno) << "\n";
      return 126;
    }
  }
  std::vector<char*> argv;
  for (const std::string& arg : command.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  err.flush();
  execvp("kubectl", argv.data());
  int error = errno;
  if (error == ENOENT) {
    err << "skiff: kubectl was not found on PATH; install kubectl (any recent version works) "
           "and run 'skiff kubectl' again\n";
    return 127;
  }
  err << "skiff: cannot run kubectl: " << std::strerror(error) << "\n";
  return 126;
}

}  // namespace skiff::cli
