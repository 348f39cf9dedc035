// `skiff backup FILE` and `skiff restore FILE`: their flag table (shared) and FILE.
#include "cli/common_flags.h"
#include "cli/flag_tables.h"
#include "skiff/cli/options.h"

namespace skiff::cli {
namespace {

using O = BackupOptions;

constexpr FlagDef<O> kBackupFlags[] = {
    ConfigFlag<O>(),
    DataDirFlag<O>(),
};

// One config.yaml serves every command: these skip the server's and the agent's other keys.
bool ServerOrAgentKey(std::string_view key) {
  return ServerFlagSet().Find(key) != nullptr || AgentFlagSet().Find(key) != nullptr;
}

}  // namespace

FlagSet<BackupOptions> BackupFlagSet(std::string_view command) {
  FlagSet<BackupOptions> set{command, kBackupFlags};
  set.IgnoringFileKeys(ServerOrAgentKey);
  return set;
}

Result<BackupOptions> ParseBackupArgs(std::string_view command,
                                      const std::vector<std::string>& args,
                                      const Environment& env) {
  O o;
  Provenance prov;
  std::vector<std::string> positional;
  if (Status s = BackupFlagSet(command).Load(args, env, o, prov, &positional); !s.ok()) return s;
  if (positional.empty()) {
    return InvalidArgumentError("\"" + std::string(command) +
                                "\" needs one argument: the backup FILE");
  }
  if (positional.size() > 1) {
    return InvalidArgumentError("unexpected argument \"" + positional[1] + "\" for \"" +
                                std::string(command) + "\" (it takes one FILE)");
  }
  if (positional[0].empty()) return InvalidArgumentError("FILE must not be empty");
  o.file = positional[0];
  if (Status s = FillDataDir(env, prov, o); !s.ok()) return s;
  return o;
}

}  // namespace skiff::cli
