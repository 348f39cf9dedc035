#include <catch2/catch.hpp>
#include <map>

#include "cli/flag_tables.h"
#include "skiff/cli/options.h"
#include "test_support.h"

using namespace std::chrono_literals;
using skiff::cli::Environment;
using skiff::cli::ParseServerArgs;
using skiff::cli::ServerOptions;
using skiff::cli::testing::RootEnv;
using skiff::cli::testing::TempDir;
using skiff::cli::testing::UserEnv;
using Args = std::vector<std::string>;

namespace {

ServerOptions MustParse(const Args& args, const Environment& env) {
  auto o = ParseServerArgs(args, env);
  INFO(o.status().message());
  REQUIRE(o.ok());
  return *o;
}

std::string ErrorOf(const Args& args, const Environment& env) {
  auto o = ParseServerArgs(args, env);
  REQUIRE_FALSE(o.ok());
  CHECK(o.status().code() == skiff::Code::kInvalidArgument);
  return o.status().message();
}

}  // namespace

TEST_CASE("server defaults for root use system-wide paths", "[cli]") {
  TempDir dir;
  ServerOptions o = MustParse({}, RootEnv(dir));
  CHECK(o.config_file.empty());
  CHECK(o.data_dir == "/var/lib/skiff");
  CHECK(o.bind_address == "0.0.0.0");
  CHECK(o.https_listen_port == 6443);
  CHECK(o.write_kubeconfig == "/etc/skiff/skiff.yaml");
  CHECK(o.write_kubeconfig_mode == 0600u);
  CHECK_FALSE(o.disable_agent);
  CHECK(o.node_name == "edge-1");
  CHECK(o.node_ip.empty());
  CHECK(o.token.empty());
  CHECK(o.token_file.empty());
  CHECK(o.cluster_cidr == "10.42.0.0/16");
  CHECK(o.service_cidr == "10.43.0.0/16");
  CHECK(o.cluster_dns == "10.43.0.10");
  CHECK(o.cluster_domain == "cluster.local");
  CHECK(o.datastore_endpoint.empty());
  CHECK(o.manifests_dir == "/etc/skiff/manifests");
  CHECK(o.private_registry == "/etc/skiff/registries.yaml");
  CHECK(o.cni_bridge == "cni0");
  CHECK(o.log_level == skiff::log::Level::kInfo);
  CHECK(o.compact_interval == 5min);
}

TEST_CASE("server defaults for other users live under $HOME/.skiff", "[cli]") {
  TempDir dir;
  ServerOptions o = MustParse({}, UserEnv(dir));
  CHECK(o.data_dir == "/home/ann/.skiff");
  CHECK(o.write_kubeconfig == "/home/ann/.skiff/skiff.yaml");
  CHECK(o.manifests_dir == "/home/ann/.skiff/manifests");
  CHECK(o.private_registry == "/home/ann/.skiff/registries.yaml");
}

TEST_CASE("non-root kubeconfig and manifests follow --data-dir but root ones do not", "[cli]") {
  TempDir dir;
  ServerOptions user = MustParse({"--data-dir", "/srv/skiff/"}, UserEnv(dir));
  CHECK(user.data_dir == "/srv/skiff/");
  CHECK(user.write_kubeconfig == "/srv/skiff/skiff.yaml");
  CHECK(user.manifests_dir == "/srv/skiff/manifests");
  CHECK(user.private_registry == "/srv/skiff/registries.yaml");
  ServerOptions root = MustParse({"--data-dir", "/srv/skiff"}, RootEnv(dir));
  CHECK(root.write_kubeconfig == "/etc/skiff/skiff.yaml");
  CHECK(root.manifests_dir == "/etc/skiff/manifests");
}

TEST_CASE("a non-root user without HOME must pass --data-dir", "[cli]") {
  TempDir dir;
  Environment env = UserEnv(dir);
  env.home.clear();
  CHECK(ErrorOf({}, env) ==
        "cannot choose a default for --data-dir: HOME is not set and skiff is not running as "
        "root; pass --data-dir");
  CHECK(MustParse({"--data-dir=/tmp/s"}, env).write_kubeconfig == "/tmp/s/skiff.yaml");
}

TEST_CASE("the default node name is the hostname lowercased and must be valid", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  env.hostname = "Edge-Box-7.Lan";
  CHECK(MustParse({}, env).node_name == "edge-box-7.lan");
  env.hostname = "edge_box";
  CHECK_THAT(ErrorOf({}, env),
             Catch::StartsWith("cannot use the hostname \"edge_box\" as the node name: a lowercase "
                               "RFC 1123 subdomain") &&
                 Catch::EndsWith("; pass --node-name"));
  CHECK(MustParse({"--node-name", "edge-box"}, env).node_name == "edge-box");
  env.hostname.clear();
  CHECK(ErrorOf({}, env) ==
        "cannot choose a default for --node-name: the hostname is empty; pass --node-name");
}

TEST_CASE("value flags take --flag value, --flag=value and one-letter aliases", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(MustParse({"--data-dir", "/a"}, env).data_dir == "/a");
  CHECK(MustParse({"--data-dir=/b"}, env).data_dir == "/b");
  CHECK(MustParse({"-d", "/c"}, env).data_dir == "/c");
  CHECK(MustParse({"-d=/d"}, env).data_dir == "/d");
  CHECK(MustParse({"--token=a=b=c"}, env).token == "a=b=c");
  CHECK(MustParse({"-t", "secret"}, env).token == "secret");
  CHECK(MustParse({"-o", "/k.yaml"}, env).write_kubeconfig == "/k.yaml");
  CHECK(MustParse({"--token="}, env).token.empty());
  // Repeating a flag keeps the last value, as Go's flag packages do.
  CHECK(MustParse({"--data-dir", "/a", "--data-dir=/z"}, env).data_dir == "/z");
  // "--" ends the flags.
  CHECK(MustParse({"--data-dir", "/a", "--"}, env).data_dir == "/a");
}

TEST_CASE("every server flag reaches its field", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  // flag -> {value given, value shown afterwards}. Every flag except --config must be listed,
  // so a new flag without a test fails here.
  const std::map<std::string, std::pair<std::string, std::string>> samples = {
      {"data-dir", {"/srv/skiff", "/srv/skiff"}},
      {"bind-address", {"fd00::0:1", "fd00::1"}},
      {"https-listen-port", {"7443", "7443"}},
      {"write-kubeconfig", {"/root/k.yaml", "/root/k.yaml"}},
      {"write-kubeconfig-mode", {"644", "0644"}},
      {"disable-agent", {"true", "true"}},
      {"disable-scheduler", {"true", "true"}},
      {"disable-controller-manager", {"true", "true"}},
      {"node-monitor-grace-period", {"2m", "2m"}},
      {"node-name", {"node-a.example", "node-a.example"}},
      {"node-ip", {"192.168.1.20", "192.168.1.20"}},
      {"eviction-hard", {"nodefs.available<5%, memory.available<256Mi",
                         "nodefs.available<5%,memory.available<256Mi"}},
      {"image-gc-high-threshold", {"90", "90"}},
      {"image-gc-low-threshold", {"70", "70"}},
      {"minimum-image-ttl-duration", {"90s", "1m30s"}},
      {"eviction-pressure-transition-period", {"30s", "30s"}},
      {"token", {"s3cret", "s3cret"}},
      {"token-file", {"/etc/skiff/token", "/etc/skiff/token"}},
      {"cluster-cidr", {"10.100.0.0/16", "10.100.0.0/16"}},
      {"service-cidr", {"10.96.0.0/12", "10.96.0.0/12"}},
      {"cluster-dns", {"10.43.0.53", "10.43.0.53"}},
      {"cluster-domain", {"edge.internal", "edge.internal"}},
      {"datastore-endpoint",
       {"https://e1:2379,https://e2:2379", "https://e1:2379,https://e2:2379"}},
      {"manifests-dir", {"/srv/manifests", "/srv/manifests"}},
      {"cni-bridge", {"br-pods", "br-pods"}},
      {"private-registry", {"/srv/registries.yaml", "/srv/registries.yaml"}},
      {"compact-interval", {"1h30m", "1h30m"}},
      {"event-ttl", {"90m", "1h30m"}},
      {"certificate-lifetime", {"4320h", "4320h"}},
      {"certificate-renew-before", {"240h", "240h"}},
      {"log-level", {"debug", "debug"}},
  };
  auto flags = skiff::cli::ServerFlagSet();
  for (const auto& flag : flags.flags()) {
    if (flag.name == "config") continue;
    std::string name(flag.name);
    INFO("--" << name);
    auto it = samples.find(name);
    REQUIRE(it != samples.end());
    ServerOptions o = MustParse({"--" + name + "=" + it->second.first}, env);
    CHECK(flag.show(o) == it->second.second);
  }
  ServerOptions o = MustParse({"--compact-interval", "30s", "--https-listen-port", "1"}, env);
  CHECK(o.compact_interval == 30s);
  CHECK(o.event_ttl == 1h);  // kube-apiserver's default
  CHECK(MustParse({"--event-ttl", "10m"}, env).event_ttl == 10min);
  CHECK(o.node_monitor_grace_period == 50s);  // kube-controller-manager's default since 1.32
  CHECK_FALSE(o.disable_controller_manager);
  CHECK(o.https_listen_port == 1);
  CHECK(MustParse({"--datastore-endpoint", "http://etcd:2379"}, env).datastore_endpoint ==
        std::vector<std::string>{"http://etcd:2379"});
  CHECK(MustParse({"--datastore-endpoint="}, env).datastore_endpoint.empty());
  CHECK(MustParse({"--log-level=warn"}, env).log_level == skiff::log::Level::kWarning);
}

TEST_CASE("boolean flags take --flag and Go's ParseBool spellings", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(MustParse({"--disable-agent"}, env).disable_agent);
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    CHECK(MustParse({std::string("--disable-agent=") + t}, env).disable_agent);
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    CHECK_FALSE(MustParse({std::string("--disable-agent=") + f}, env).disable_agent);
  }
  CHECK(ErrorOf({"--disable-agent=maybe"}, env) ==
        "invalid value \"maybe\" for flag --disable-agent: must be a boolean (true or false)");
  // A boolean never takes the next word: it is a stray argument.
  CHECK(ErrorOf({"--disable-agent", "false"}, env) ==
        "unexpected argument \"false\" for \"skiff server\" (it takes only flags)");
}

TEST_CASE("unknown flags, stray arguments and missing values are named", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(ErrorOf({"--foo"}, env) == "unknown flag \"--foo\" for \"skiff server\"");
  CHECK(ErrorOf({"--foo=bar"}, env) == "unknown flag \"--foo\" for \"skiff server\"");
  CHECK(ErrorOf({"--data-dri", "/x"}, env) ==
        "unknown flag \"--data-dri\" for \"skiff server\" (did you mean \"--data-dir\"?)");
  CHECK(ErrorOf({"-data-dir", "/x"}, env) ==
        "unknown flag \"-data-dir\" for \"skiff server\" (did you mean \"--data-dir\"?)");
  CHECK(ErrorOf({"-x"}, env) == "unknown flag \"-x\" for \"skiff server\"");
  CHECK(ErrorOf({"--server", "https://a"}, env) ==
        "unknown flag \"--server\" for \"skiff server\"");
  CHECK(ErrorOf({"extra"}, env) ==
        "unexpected argument \"extra\" for \"skiff server\" (it takes only flags)");
  CHECK(ErrorOf({"--", "extra"}, env) ==
        "unexpected argument \"extra\" for \"skiff server\" (it takes only flags)");
  CHECK(ErrorOf({"--data-dir"}, env) == "flag --data-dir needs a value");
  CHECK(ErrorOf({"--data-dir", "--token", "x"}, env) == "flag --data-dir needs a value");
  CHECK(ErrorOf({"-d"}, env) == "flag --data-dir needs a value");
  CHECK(ErrorOf({"--data-dir="}, env) ==
        "invalid value \"\" for flag --data-dir: must not be empty");
}

TEST_CASE("bad server values name the flag, the value and the reason", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(ErrorOf({"--https-listen-port", "70000"}, env) ==
        "invalid value \"70000\" for flag --https-listen-port: must be a port number from 1 to "
        "65535");
  CHECK(ErrorOf({"--https-listen-port=0"}, env) ==
        "invalid value \"0\" for flag --https-listen-port: must be a port number from 1 to 65535");
  CHECK(ErrorOf({"--write-kubeconfig-mode", "0800"}, env) ==
        "invalid value \"0800\" for flag --write-kubeconfig-mode: must be an octal file mode such "
        "as 0600");
  CHECK(ErrorOf({"--bind-address", "localhost"}, env) ==
        "invalid value \"localhost\" for flag --bind-address: \"localhost\" is not an IPv4 or IPv6 "
        "address");
  CHECK(ErrorOf({"--node-ip", "10.0.0.256"}, env) ==
        "invalid value \"10.0.0.256\" for flag --node-ip: \"10.0.0.256\" is not an IPv4 or IPv6 "
        "address");
  CHECK_THAT(ErrorOf({"--node-name", "My_Node"}, env),
             Catch::StartsWith("invalid value \"My_Node\" for flag --node-name: a lowercase RFC "
                               "1123 subdomain must consist of"));
  CHECK_THAT(ErrorOf({"--cluster-domain", "Cluster.Local"}, env),
             Catch::StartsWith("invalid value \"Cluster.Local\" for flag --cluster-domain: a "
                               "lowercase RFC 1123 subdomain"));
  CHECK(ErrorOf({"--cni-bridge", "a-bridge-name-too-long"}, env) ==
        "invalid value \"a-bridge-name-too-long\" for flag --cni-bridge: must be a network "
        "interface name of 1 to 15 characters");
  CHECK(ErrorOf({"--cni-bridge", "br/0"}, env) ==
        "invalid value \"br/0\" for flag --cni-bridge: must be a network interface name of 1 to "
        "15 characters");
  CHECK(ErrorOf({"--log-level", "loud"}, env) ==
        "invalid value \"loud\" for flag --log-level: must be one of debug, info, warning, error");
  CHECK(ErrorOf({"--compact-interval", "5"}, env) ==
        "invalid value \"5\" for flag --compact-interval: missing unit in duration (use e.g. 30s, "
        "5m or 1h)");
  CHECK(ErrorOf({"--compact-interval", "500ms"}, env) ==
        "invalid value \"500ms\" for flag --compact-interval: must be at least 1s");
  CHECK(ErrorOf({"--event-ttl", "0s"}, env) ==
        "invalid value \"0s\" for flag --event-ttl: must be at least 1s");
  CHECK(ErrorOf({"--eviction-hard", "disk<1Gi"}, env) ==
        "invalid value \"disk<1Gi\" for flag --eviction-hard: \"disk<1Gi\": unsupported signal "
        "\"disk\" (supported: memory.available, nodefs.available, nodefs.inodesFree, "
        "imagefs.available, imagefs.inodesFree, pid.available)");
  CHECK(ErrorOf({"--image-gc-high-threshold", "101"}, env) ==
        "invalid value \"101\" for flag --image-gc-high-threshold: must be a whole percentage "
        "from 0 to 100");
  CHECK(ErrorOf({"--image-gc-low-threshold", "85"}, env) ==
        "--image-gc-low-threshold (from the command line) (85) must be less than "
        "--image-gc-high-threshold (default) (85)");
  CHECK(ErrorOf({"--minimum-image-ttl-duration=-1m"}, env) ==
        "invalid value \"-1m\" for flag --minimum-image-ttl-duration: must not be negative");
  CHECK(ErrorOf({"--token", "a", "--token-file", "/t"}, env) ==
        "only one of --token (from the command line) and --token-file (from the command line) "
        "may be set");
}

TEST_CASE("CIDR flags are validated for IPv4 and IPv6", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(ErrorOf({"--cluster-cidr", "10.42.0.0/33"}, env) ==
        "invalid value \"10.42.0.0/33\" for flag --cluster-cidr: prefix length 33 is out of range "
        "for IPv4 (0-32)");
  CHECK(ErrorOf({"--cluster-cidr=300.1.1.1/16"}, env) ==
        "invalid value \"300.1.1.1/16\" for flag --cluster-cidr: \"300.1.1.1\" is not an IPv4 or "
        "IPv6 address");
  CHECK(ErrorOf({"--service-cidr", "10.43.0.0"}, env) ==
        "invalid value \"10.43.0.0\" for flag --service-cidr: must be a CIDR such as 10.42.0.0/16 "
        "(missing /prefix-length)");
  CHECK(ErrorOf({"--service-cidr", "10.43.1.0/16"}, env) ==
        "invalid value \"10.43.1.0/16\" for flag --service-cidr: has bits set after the /16 prefix "
        "(did you mean 10.43.0.0/16?)");
  CHECK(ErrorOf({"--service-cidr", "10.0.0.0/8"}, env) ==
        "invalid value \"10.0.0.0/8\" for flag --service-cidr: is too large: a service CIDR may "
        "hold at most 2^20 addresses (a /12 for IPv4, a /108 for IPv6)");
  CHECK_THAT(ErrorOf({"--service-cidr", "fd00:43::/100"}, env),
             Catch::StartsWith("invalid value \"fd00:43::/100\" for flag --service-cidr: is too "
                               "large"));
  CHECK(ErrorOf({"--cluster-cidr", "fd00:42::/129"}, env) ==
        "invalid value \"fd00:42::/129\" for flag --cluster-cidr: prefix length 129 is out of "
        "range for IPv6 (0-128)");

  ServerOptions v6 =
      MustParse({"--cluster-cidr", "fd00:42::/56", "--service-cidr", "fd00:43::/108"}, env);
  CHECK(v6.cluster_cidr == "fd00:42::/56");
  CHECK(v6.service_cidr == "fd00:43::/108");
  CHECK(v6.cluster_dns == "fd00:43::a");
}

TEST_CASE("cluster-dns must lie inside service-cidr and defaults to its 10th address", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(ErrorOf({"--cluster-dns", "10.44.0.10"}, env) ==
        "invalid value \"10.44.0.10\" for flag --cluster-dns: is not inside the service CIDR "
        "10.43.0.0/16 (--service-cidr)");
  CHECK(ErrorOf({"--cluster-dns", "fd00::a"}, env) ==
        "invalid value \"fd00::a\" for flag --cluster-dns: is not inside the service CIDR "
        "10.43.0.0/16 (--service-cidr)");
  CHECK(ErrorOf({"--cluster-dns", "10.43.0.0"}, env) ==
        "invalid value \"10.43.0.0\" for flag --cluster-dns: is the network address of the service "
        "CIDR 10.43.0.0/16");
  CHECK(ErrorOf({"--cluster-dns", "10.43.0.1"}, env) ==
        "invalid value \"10.43.0.1\" for flag --cluster-dns: is reserved for the kubernetes API "
        "service (the first address of the service CIDR 10.43.0.0/16)");
  CHECK(MustParse({"--cluster-dns", "10.43.255.254"}, env).cluster_dns == "10.43.255.254");
  // Moving the service range moves the default DNS address with it, as in k3s.
  CHECK(MustParse({"--service-cidr", "10.96.0.0/12"}, env).cluster_dns == "10.96.0.10");
  CHECK(MustParse({"--service-cidr", "10.96.0.0/12", "--cluster-dns", "10.96.0.53"}, env)
            .cluster_dns == "10.96.0.53");
  CHECK(ErrorOf({"--service-cidr", "10.43.0.0/29"}, env) ==
        "invalid value \"10.43.0.0/29\" for flag --service-cidr: is too small to hold the default "
        "cluster DNS address (its 10th address); pass --cluster-dns");
  CHECK(MustParse({"--service-cidr", "10.43.0.0/29", "--cluster-dns", "10.43.0.5"}, env)
            .cluster_dns == "10.43.0.5");
}

TEST_CASE("pod and service ranges must not overlap", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(ErrorOf({"--service-cidr", "10.42.0.0/16"}, env) ==
        "invalid value \"10.42.0.0/16\" for flag --service-cidr: overlaps --cluster-cidr "
        "10.42.0.0/16; the pod and service ranges must not overlap");
  CHECK(ErrorOf({"--cluster-cidr", "10.0.0.0/8"}, env) ==
        "invalid value \"10.0.0.0/8\" for flag --cluster-cidr: overlaps --service-cidr "
        "10.43.0.0/16; the pod and service ranges must not overlap");
}

TEST_CASE("datastore-endpoint takes a comma-separated list of etcd URLs", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(MustParse({"--datastore-endpoint", "https://a:2379,http://[fd00::1]:2379"}, env)
            .datastore_endpoint ==
        std::vector<std::string>{"https://a:2379", "http://[fd00::1]:2379"});
  CHECK(ErrorOf({"--datastore-endpoint", "postgres://db/skiff"}, env) ==
        "invalid value \"postgres://db/skiff\" for flag --datastore-endpoint: is not an etcd URL: "
        "only etcd (http:// or https:// URLs) is supported; leave --datastore-endpoint unset for "
        "the embedded SQLite store");
  CHECK(ErrorOf({"--datastore-endpoint", "etcd:2379"}, env) ==
        "invalid value \"etcd:2379\" for flag --datastore-endpoint: must start with http:// or "
        "https://");
  CHECK(ErrorOf({"--datastore-endpoint", "https://a:2379,https://b:99999"}, env) ==
        "invalid value \"https://a:2379,https://b:99999\" for flag --datastore-endpoint: endpoint "
        "\"https://b:99999\" has an invalid port \"99999\": must be a port number from 1 to 65535");
  CHECK(ErrorOf({"--datastore-endpoint", "https://a:2379,,https://b"}, env) ==
        "invalid value \"https://a:2379,,https://b\" for flag --datastore-endpoint: has an empty "
        "endpoint between commas");
}

TEST_CASE("the config file sets every kind of value", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  std::string path = dir.Write("config.yaml",
                               "data-dir: /srv/skiff\n"
                               "https-listen-port: 7443\n"
                               "disable-agent: true\n"
                               "write-kubeconfig-mode: \"0644\"\n"
                               "cluster-cidr: 10.100.0.0/16\n"
                               "service-cidr: 10.101.0.0/16\n"
                               "datastore-endpoint: https://e1:2379,https://e2:2379\n"
                               "compact-interval: 30s\n"
                               "log-level: debug\n"
                               "node-name: box-1\n");
  ServerOptions o = MustParse({"--config", path}, env);
  CHECK(o.config_file == path);
  CHECK(o.data_dir == "/srv/skiff");
  CHECK(o.https_listen_port == 7443);
  CHECK(o.disable_agent);
  CHECK(o.write_kubeconfig_mode == 0644u);
  CHECK(o.cluster_cidr == "10.100.0.0/16");
  CHECK(o.service_cidr == "10.101.0.0/16");
  CHECK(o.cluster_dns == "10.101.0.10");
  CHECK(o.datastore_endpoint.size() == 2);
  CHECK(o.compact_interval == 30s);
  CHECK(o.log_level == skiff::log::Level::kDebug);
  CHECK(o.node_name == "box-1");
}

TEST_CASE("command-line flags override the config file", "[cli]") {
  TempDir dir;
  Environment env = UserEnv(dir);
  std::string path = dir.Write("c.yaml",
                               "data-dir: /from/file\nhttps-listen-port: 7443\n"
                               "disable-agent: true\n");
  ServerOptions o =
      MustParse({"--https-listen-port=8443", "--config", path, "--disable-agent=false"}, env);
  CHECK(o.https_listen_port == 8443);
  CHECK_FALSE(o.disable_agent);
  CHECK(o.data_dir == "/from/file");
  CHECK(o.write_kubeconfig == "/from/file/skiff.yaml");  // follows the file's data-dir
  CHECK(MustParse({"-c", path, "-d", "/cli"}, env).data_dir == "/cli");
}

TEST_CASE("the default config file is read only when it exists", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  CHECK(MustParse({}, env).config_file.empty());
  env.config_path = dir.Write("config.yaml", "https-listen-port: 7443\n");
  ServerOptions o = MustParse({}, env);
  CHECK(o.config_file == env.config_path);
  CHECK(o.https_listen_port == 7443);
  // An explicit --config replaces the default file entirely.
  std::string other = dir.Write("other.yaml", "data-dir: /other\n");
  o = MustParse({"--config=" + other}, env);
  CHECK(o.config_file == other);
  CHECK(o.https_listen_port == 6443);
  CHECK(o.data_dir == "/other");
  // A default path that exists but cannot be read is an error, not silently skipped.
  env.config_path = dir.path();
  CHECK(ErrorOf({}, env) == "cannot read config file \"" + dir.path() + "\": Is a directory");
}

TEST_CASE("an explicit --config that is missing is an error naming it", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  std::string missing = dir.Join("missing.yaml");
  CHECK(ErrorOf({"--config", missing}, env) ==
        "cannot read config file \"" + missing +
            "\" (given by --config): No such file or directory");
  CHECK(ErrorOf({"--config="}, env) == "invalid value \"\" for flag --config: must not be empty");
}

TEST_CASE("config file errors name the file, the line and the key", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  auto error_for = [&](const std::string& yaml) {
    env.config_path = dir.Write("config.yaml", yaml);
    return ErrorOf({}, env);
  };
  std::string p = dir.Join("config.yaml");
  CHECK(error_for("token: x\nhttps-listen-port: 7443\ndata-dri: /srv\n") ==
        p + ":3: unknown key \"data-dri\" (did you mean \"data-dir\"?)");
  CHECK(error_for("frobnicate: 1\n") == p + ":1: unknown key \"frobnicate\"");
  CHECK(error_for("server: https://a\n") == p + ":1: unknown key \"server\"");
  CHECK(error_for("\n\nhttps-listen-port: 70000\n") ==
        p + ":3: invalid value \"70000\" for key \"https-listen-port\": must be a port number from "
            "1 to 65535");
  CHECK(error_for("disable-agent: maybe\n") ==
        p + ":1: invalid value \"maybe\" for key \"disable-agent\": must be a boolean (true or "
            "false)");
  CHECK(error_for("disable-agent: \"yes\"\n") ==
        p + ":1: invalid value \"yes\" for key \"disable-agent\": must be a boolean (true or "
            "false)");
  CHECK(error_for("cluster-cidr: 10.42.0.0/33\n") ==
        p + ":1: invalid value \"10.42.0.0/33\" for key \"cluster-cidr\": prefix length 33 is out "
            "of range for IPv4 (0-32)");
  CHECK(error_for("cluster-cidr: [10.42.0.0/16]\n") ==
        p + ":1: key \"cluster-cidr\" must be a single value, got a sequence");
  CHECK(error_for("token:\n  a: b\n") ==
        p + ":1: key \"token\" must be a single value, got a mapping");
  CHECK(error_for("data-dir:\n") == p + ":1: key \"data-dir\" has no value");
  CHECK(error_for("config: /other.yaml\n") ==
        p + ":1: key \"config\" is only valid on the command line");
  CHECK(error_for("data-dir: /a\nnode-name: a: b\n") == p + ":2:13: illegal map value");
  CHECK(error_for("- data-dir\n") ==
        p + ": must be a YAML mapping of flag names to values (such as \"data-dir: /srv/skiff\"), "
            "got a sequence");
  CHECK(error_for("data-dir: /a\ndata-dir: /b\n") ==
        p + ":2: duplicate key \"data-dir\" (first at line 1)");
}

TEST_CASE("YAML 1.1 booleans are accepted for boolean keys in the file", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  env.config_path = dir.Write("a.yaml", "disable-agent: yes\n");
  CHECK(MustParse({}, env).disable_agent);
  env.config_path = dir.Write("b.yaml", "disable-agent: off\n");
  CHECK_FALSE(MustParse({}, env).disable_agent);
}

TEST_CASE("errors found after merging name the source of the value", "[cli]") {
  TempDir dir;
  Environment env = RootEnv(dir);
  env.config_path = dir.Write("config.yaml", "token: abc\ncluster-dns: 10.44.0.10\n");
  CHECK(ErrorOf({}, env) ==
        env.config_path +
            ":2: invalid value \"10.44.0.10\" for key \"cluster-dns\": is not inside "
            "the service CIDR 10.43.0.0/16 (--service-cidr)");
  CHECK(ErrorOf({"--token-file", "/t", "--cluster-dns", "10.43.0.10"}, env) ==
        "only one of --token (from " + env.config_path +
            ":1) and --token-file (from the command line) may be set");
  // The command line can repair what the file got wrong.
  CHECK(MustParse({"--cluster-dns", "10.43.0.20"}, env).cluster_dns == "10.43.0.20");
}

TEST_CASE("ServerKubeconfigPath finds the kubeconfig skiff server writes", "[cli]") {
  TempDir dir;
  using skiff::cli::ServerKubeconfigPath;
  CHECK(*ServerKubeconfigPath(RootEnv(dir)) == "/etc/skiff/skiff.yaml");
  CHECK(*ServerKubeconfigPath(UserEnv(dir)) == "/home/ann/.skiff/skiff.yaml");
  Environment env = UserEnv(dir);
  env.config_path = dir.Write("a.yaml", "data-dir: /srv/skiff\n");
  CHECK(*ServerKubeconfigPath(env) == "/srv/skiff/skiff.yaml");
  env = RootEnv(dir);
  env.config_path = dir.Write("b.yaml", "write-kubeconfig: /root/.kube/config\n");
  CHECK(*ServerKubeconfigPath(env) == "/root/.kube/config");
  // An invalid hostname does not matter here: only the paths are resolved.
  env.hostname = "bad_host";
  CHECK(*ServerKubeconfigPath(env) == "/root/.kube/config");
  env.config_path = dir.Write("c.yaml", "write-kubeconfg: /x\n");
  auto bad = ServerKubeconfigPath(env);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == env.config_path +
                                      ":1: unknown key \"write-kubeconfg\" (did you mean "
                                      "\"write-kubeconfig\"?)");
}
