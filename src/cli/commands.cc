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
std::string BackupFlagsHelp() { return BackupFlagSet("skiff backup").Help(); }

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
    {Command::kCertificate, "certificate", "Rotate the server's certificates",
     "skiff certificate rotate [server flags]",
     "Re-issues the API server's serving certificate and the client certificates (the admin's)\n"
     "under <data-dir>/server/tls now, from the same cluster CA, so every kubeconfig keeps\n"
     "working. A running skiff server serves new connections with them within 10s and\n"
     "rewrites its kubeconfig; open connections carry on. The server also renews them by\n"
     "itself --certificate-renew-before their expiry. Pass the flags the server runs with\n"
     "(--data-dir at least, or the same config file) so the names in the certificate match.\n",
     ServerFlagsHelp},
    {Command::kBackup, "backup", "Copy the store, the cluster certificates and the token to a file",
     "skiff backup FILE [flags]",
     "Writes FILE, which must not exist yet, with a consistent copy of the store\n"
     "(<data-dir>/server/db), the cluster CA, certificates and keys (<data-dir>/server/tls) and\n"
     "the admin token (<data-dir>/server/token). `skiff server` may keep running: the copy is\n"
     "the store as of the moment it began. FILE holds private keys and is created with mode\n"
     "0600; keep it somewhere safe. It is one SQLite database, checked before it is renamed\n"
     "into place, so a FILE that exists is complete. Exits with status 1 when it cannot be made.\n"
     "\n"
     "Not in the backup: the node agent's state (<data-dir>/agent: pod records, images,\n"
     "containers), since the controllers recreate pods from the store and images are pulled\n"
     "again or imported from the airgap directory <data-dir>/agent/images; the kubeconfig,\n"
     "which the server writes again at start; and the config file, the manifests directory and\n"
     "registries.yaml, which are yours.\n",
     BackupFlagsHelp},
    {Command::kRestore, "restore",
     "Bring a machine back from a backup into an empty data directory",
     "skiff restore FILE [flags]",
     "Checks that FILE is a complete, undamaged `skiff backup` and writes its store, cluster\n"
     "certificates and keys and admin token into --data-dir, which must be empty or not exist\n"
     "(the directories are made 0700, as the server makes them). Nothing is written when the\n"
     "check fails. `skiff server` with the same --data-dir then starts with every object of\n"
     "the backup, the same CA (kubeconfigs made before keep working) and the same token.\n"
     "Pods are recreated from the store by the controllers; images are pulled again, or put\n"
     "airgap archives in <data-dir>/agent/images before starting. Exits with status 1 when\n"
     "the restore fails.\n",
     BackupFlagsHelp},
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
