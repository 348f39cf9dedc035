// The table of `skiff` subcommands, from which dispatch, the command list in errors and all help
// text are derived. Private to skiff_cli.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace skiff::cli {

enum class Command {
  kServer,
  kAgent,
  kCheck,
  kCertificate,
  kBackup,
  kRestore,
  kKubectl,
  kVersion,
  kHelp,
};

struct CommandInfo {
  Command id;
  std::string_view name;        // "server"
  std::string_view summary;     // one line for the command list
  std::string_view synopsis;    // "skiff server [flags]"
  std::string_view details;     // paragraphs after the flags; may be empty
  std::string (*flags_help)();  // the "Flags:" rows, or nullptr when the command has none
};

std::span<const CommandInfo> Commands();
const CommandInfo* FindCommand(std::string_view name);  // nullptr when unknown
std::string CommandNames();                             // "server, agent, kubectl, version, help"

std::string MainHelp();                           // `skiff --help`
std::string CommandHelp(const CommandInfo& cmd);  // `skiff <cmd> --help`

}  // namespace skiff::cli
