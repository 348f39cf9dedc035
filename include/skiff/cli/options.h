// The settings of `skiff server`, `skiff agent` and `skiff backup`/`restore`, and the function
// per command that builds them from the command line, the config file and the defaults.
//
// Sources, lowest precedence first: built-in defaults (some depend on the user and the host, see
// Environment), the config file, the command line. The config file is the one named by --config,
// else Environment::config_path when that file exists. It is a YAML mapping whose keys are the
// long flag names without dashes (`data-dir: /srv/skiff`, `disable-agent: true`), like k3s's
// config.yaml. Flags take `--name value` or `--name=value`; booleans take `--name` or
// `--name=BOOL` (Go's ParseBool spellings). A few flags have k3s's one-letter aliases (-c, -d,
// -o, -s, -t). Repeating a flag on the command line keeps the last value; repeating a key in the
// file is an error.
//
// Every error is InvalidArgument and its message names the source exactly, e.g.
//   unknown flag "--foo" for "skiff server"
//   invalid value "70000" for flag --https-listen-port: must be a port number from 1 to 65535
//   /etc/skiff/config.yaml:3: unknown key "data-dri" (did you mean "data-dir"?)
//   /etc/skiff/config.yaml:4:7: <yaml-cpp's syntax error>
// Parsing only reads the config file; it creates nothing and never reads token files.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/apis/eviction_thresholds.h"
#include "skiff/cli/environment.h"
#include "skiff/common/log.h"
#include "skiff/common/status.h"

namespace skiff::cli {

// Every field of a ServerOptions returned by ParseServerArgs is validated and filled in; the
// member initializers are the built-in defaults that do not depend on the Environment. Each
// comment names the flag (and config-file key) that sets the field.
struct ServerOptions {
  // --config: the config file that was read; empty when none was.
  std::string config_file;
  // --data-dir: /var/lib/skiff as root, else $HOME/.skiff.
  std::string data_dir;
  // --bind-address: an IPv4 or IPv6 address, canonical form.
  std::string bind_address = "0.0.0.0";
  // --https-listen-port: 1-65535.
  std::uint16_t https_listen_port = 6443;
  // --write-kubeconfig: /etc/skiff/skiff.yaml as root, else <data-dir>/skiff.yaml.
  std::string write_kubeconfig;
  // --write-kubeconfig-mode: permission bits, at most 0777.
  unsigned write_kubeconfig_mode = 0600;
  // --disable-agent: run the control plane only.
  bool disable_agent = false;
  // --disable-scheduler: pods are not bound to nodes by this server (as k3s's flag).
  bool disable_scheduler = false;
  // --disable-controller-manager: no workload, garbage-collection or node controllers run in
  // this server (as k3s's flag); only the namespace lifecycle, which the API needs.
  bool disable_controller_manager = false;
  // --node-monitor-grace-period: how long a node may go unheard before it is marked Unknown.
  std::chrono::seconds node_monitor_grace_period{50};
  // --node-name: a DNS-1123 subdomain; by default the hostname, lowercased.
  std::string node_name;
  // --node-ip: an IP address (canonical form); empty means detect.
  std::string node_ip;
  // --eviction-hard: the node's pressure thresholds (kubelet's flag and default).
  apis::EvictionThresholds eviction_hard = apis::DefaultEvictionThresholds();
  // --image-gc-high-threshold and --image-gc-low-threshold: percent of the disk used; low is
  // below high. --minimum-image-ttl-duration: whole seconds.
  int image_gc_high_threshold = 85;
  int image_gc_low_threshold = 80;
  std::chrono::seconds minimum_image_ttl_duration{120};
  // --eviction-pressure-transition-period: whole seconds, >= 0 (kubelet's default 5m).
  std::chrono::seconds eviction_pressure_transition_period{300};
  // --token: empty when not given. --token-file: a path. At most one of them is non-empty.
  std::string token;
  std::string token_file;
  // --cluster-cidr: the pod range, canonical CIDR; never overlaps service_cidr.
  std::string cluster_cidr = "10.42.0.0/16";
  // --service-cidr: the service cluster IP range, at most 2^20 addresses (IPv4 /12, IPv6 /108).
  std::string service_cidr = "10.43.0.0/16";
  // --cluster-dns: inside service_cidr, neither its network address nor its first address;
  // when not given, the 10th address of service_cidr.
  std::string cluster_dns = "10.43.0.10";
  // --cluster-domain: a DNS domain.
  std::string cluster_domain = "cluster.local";
  // --datastore-endpoint: etcd http:// or https:// URLs; empty means the embedded SQLite store.
  std::vector<std::string> datastore_endpoint;
  // --manifests-dir: /etc/skiff/manifests as root, else <data-dir>/manifests.
  std::string manifests_dir;
  // --cni-bridge: an interface name (1-15 characters, no '/', ':' or whitespace).
  std::string cni_bridge = "cni0";
  // --private-registry: the registries.yaml for image pulls (a missing file means none).
  std::string private_registry;
  // --log-level: debug, info, warning or error.
  log::Level log_level = log::Level::kInfo;
  // --compact-interval: how often the store compacts; at least 1s.
  std::chrono::milliseconds compact_interval = std::chrono::minutes(5);
  // --event-ttl: how long Events are kept after their last change; at least 1s.
  std::chrono::seconds event_ttl = std::chrono::hours(1);
  // --certificate-lifetime (at least 10s) and --certificate-renew-before (less than the
  // lifetime): the leaf certificates' validity and when the running server renews them.
  std::chrono::seconds certificate_lifetime = std::chrono::hours(24 * 365);
  std::chrono::seconds certificate_renew_before = std::chrono::hours(24 * 90);
};

// The settings of `skiff agent` (joining a server; the agent itself is not built yet).
struct AgentOptions {
  // --config, as for the server.
  std::string config_file;
  // --server: required, an https:// URL.
  std::string server;
  // --token or --token-file: exactly one is non-empty.
  std::string token;
  std::string token_file;
  // --data-dir and --node-name: defaults as for the server.
  std::string data_dir;
  std::string node_name;
  // --node-ip: empty means detect.
  std::string node_ip;
  // --eviction-hard, as for the server.
  apis::EvictionThresholds eviction_hard = apis::DefaultEvictionThresholds();
  // Image garbage collection, as for the server.
  int image_gc_high_threshold = 85;
  int image_gc_low_threshold = 80;
  std::chrono::seconds minimum_image_ttl_duration{120};
  // --eviction-pressure-transition-period: whole seconds, >= 0 (kubelet's default 5m).
  std::chrono::seconds eviction_pressure_transition_period{300};
  // --log-level.
  log::Level log_level = log::Level::kInfo;
};

// The settings of `skiff backup FILE` and `skiff restore FILE`.
struct BackupOptions {
  // --config, as for the server. The file's data-dir applies; keys of `skiff server` and
  // `skiff agent` that these commands have no use for are skipped.
  std::string config_file;
  // --data-dir: defaults as for the server. backup reads it; restore fills it.
  std::string data_dir;
  // FILE, the one positional argument: the backup file, never empty.
  std::string file;
};

// `args` are the words after "server" (argv[2...]). --help is not a flag here: callers check
// for it first (see app.h).
Result<ServerOptions> ParseServerArgs(const std::vector<std::string>& args, const Environment& env);

// `args` are the words after "agent".
Result<AgentOptions> ParseAgentArgs(const std::vector<std::string>& args, const Environment& env);

// `args` are the words after "backup" or "restore"; `command` is "skiff backup" or
// "skiff restore" (for messages). FILE is required: exactly one positional argument.
Result<BackupOptions> ParseBackupArgs(std::string_view command,
                                      const std::vector<std::string>& args, const Environment& env);

// The kubeconfig path `skiff server` writes for this user given no flags: write-kubeconfig from
// Environment::config_path when that file sets it, else the default (which follows the file's
// data-dir for non-root users). Errors come from reading the config file.
Result<std::string> ServerKubeconfigPath(const Environment& env);

}  // namespace skiff::cli
