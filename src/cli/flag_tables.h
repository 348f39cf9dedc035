// The flag tables of `skiff server`, `skiff agent` and `skiff backup`/`restore` (defined in
// server_options.cc, agent_options.cc and backup_options.cc), exposed for the help text.
// Private to skiff_cli.
#pragma once

#include "cli/flags.h"
#include "skiff/cli/options.h"

namespace skiff::cli {

FlagSet<ServerOptions> ServerFlagSet();
FlagSet<AgentOptions> AgentFlagSet();
// `command` is "skiff backup" or "skiff restore" (for messages); the flags are the same.
FlagSet<BackupOptions> BackupFlagSet(std::string_view command);

}  // namespace skiff::cli
