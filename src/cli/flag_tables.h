// The flag tables of `skiff server` and `skiff agent` (defined in server_options.cc and
// agent_options.cc), exposed for the help text. Private to skiff_cli.
#pragma once

#include "cli/flags.h"
#include "skiff/cli/options.h"

namespace skiff::cli {

FlagSet<ServerOptions> ServerFlagSet();
FlagSet<AgentOptions> AgentFlagSet();

}  // namespace skiff::cli
