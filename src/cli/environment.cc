#include "skiff/cli/environment.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace skiff::cli {

Environment CurrentEnvironment() {
  Environment env;
  env.uid = geteuid();
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    env.home = home;
  } else {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwuid_r(env.uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr) {
      env.home = found->pw_dir;
    }
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) env.hostname = host;
  if (const char* kubeconfig = std::getenv("KUBECONFIG"); kubeconfig != nullptr) {
    env.kubeconfig = kubeconfig;
  }
  return env;
}

}  // namespace skiff::cli
