// What the command line reads from the process and the machine, gathered in one value so that
// parsing is a pure function of (arguments, Environment) and unit tests are hermetic.
#pragma once

#include <string>
#include <string_view>

namespace skiff::cli {

// The config file read when --config is not given (and only when it exists).
inline constexpr std::string_view kDefaultConfigPath = "/etc/skiff/config.yaml";

struct Environment {
  unsigned uid = 0;      // effective user id; 0 selects the system-wide (root) defaults
  std::string home;      // $HOME (or the passwd entry); the base of non-root defaults
  std::string hostname;  // gethostname(); the default node name, lowercased
  std::string config_path = std::string(kDefaultConfigPath);
  std::string kubeconfig;  // $KUBECONFIG; empty when unset (then `skiff kubectl` sets it)

  bool is_root() const { return uid == 0; }
};

// Reads the current process: geteuid(), $HOME (falling back to the passwd entry), gethostname()
// and $KUBECONFIG. config_path is kDefaultConfigPath. Never fails: unknown parts stay empty.
Environment CurrentEnvironment();

}  // namespace skiff::cli
