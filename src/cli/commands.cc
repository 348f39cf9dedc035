#include "cli/commands.h"

#include <algorithm>

#include "cli/flag_tables.h"

namespace skiff::cli {
namespace {

constexpr std::string_view kConfigNote =
    "Every flag except --config may also be set in the config file, as a YAML key without the\n"
    "dashes (e.g. \"data-dir: /srv/skiff\"); flags on the command line override the file.\n"
    "Flags take --name VALUE or --name=VALUE; booleans take --name or --name=true|false.\n";

std::string ServerFlagsHelp() { return ServerFlagSet().Help(); }
std::string AgentFlagsHelp() { return AgentFlagSet().Help(); }

constexpr CommandInfo kCommands[] = {
    {Command::kServer, "server", "Run the control plane and a node agent on this machine",
     "skiff server [flags]", "", ServerFlagsHelp},
    {Command::kAgent, "agent", "Join this machine to a skiff server as a node (not built yet)",
     "skiff agent --server URL --token TOKEN [flags]",
     "Joining a server is not built in this version: `skiff agent` checks its settings and\n"
     "exits with status 1. The node agent and the remote client arrive in a later release.\n",
     AgentFlagsHelp},
    {Command::kCheck, "check", "Check whether this machine can run skiff server",
     "skiff check [server flags]",
     "Looks at what `skiff server` with the same flags needs: the kernel (namespaces,\n"
     "overlayfs, cgroups), runc, containerd-shim-runc-v2, the CNI plugins, nftables, iptables,\n"
     "conntrack, the API port and the disk under --data-dir, one line each (ok, WARN, FAIL,\n"
     "with what to do). Exits with status 1 when a line says FAIL.\n",
     ServerFlagsHelp},
    {Command::kKubectl, "kubectl", "Run kubectl against this machine's skiff server",
     "skiff kubectl [kubectl arguments...]",
     "Runs kubectl from PATH with all the arguments that follow. Unless KUBECONFIG is already\n"
     "set, it points KUBECONFIG at the kubeconfig `skiff server` writes: --write-kubeconfig\n"
     "from /etc/skiff/config.yaml, else /etc/skiff/skiff.yaml as root, else\n"
     "<data-dir>/skiff.yaml. Run 'skiff kubectl --help' for kubectl's own help.\n",
     nullptr},
    {Command::kVersion, "version", "Print the skiff version and the Kubernetes version it serves",
     "skiff version", "", nullptr},
    {Command::kHelp, "help", "Show help for skiff or one of its commands", "skiff help [command]",
     "", nullptr},
};

}  // namespace

std::span<const CommandInfo> Commands() { return kCommands; }

const CommandInfo* FindCommand(std::string_view name) {
  for (const CommandInfo& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string CommandNames() {
  std::string out;
  for (const CommandInfo& c : kCommands) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

std::string MainHelp() {
  std::size_t width = 0;
  for (const CommandInfo& c : kCommands) width = std::max(width, c.name.size());
  std::string out =
      "skiff: a Kubernetes-compatible container orchestrator for edge devices\n\n"
      "Usage:\n  skiff <command> [flags]\n\nCommands:\n";
  for (const CommandInfo& c : kCommands) {
    out += "  " + std::string(c.name) + std::string(width - c.name.size() + 3, ' ') +
           std::string(c.summary) + "\n";
  }
  out += "\nRun 'skiff <command> --help' for a command's flags.\n";
  return out;
}

std::string CommandHelp(const CommandInfo& cmd) {
  std::string out = std::string(cmd.summary) + ".\n\nUsage:\n  " + std::string(cmd.synopsis) + "\n";
  if (cmd.flags_help != nullptr)
    out += "\nFlags:\n" + cmd.flags_help() + "\n" + std::string(kConfigNote);
  if (!cmd.details.empty()) out += "\n" + std::string(cmd.details);
  return out;
}

}  // namespace skiff::cli
