// `skiff server`: its flag table, defaults that depend on the environment, and the checks that
// span several settings.
#include <algorithm>
#include <cctype>
#include <chrono>

#include "cli/common_flags.h"
#include "cli/flag_tables.h"
#include "skiff/cli/ip.h"
#include "skiff/cli/options.h"

namespace skiff::cli {
namespace {

using O = ServerOptions;

// A service range may hold at most 2^20 addresses, as in Kubernetes (IPv4 /12, IPv6 /108).
constexpr int kMaxServiceHostBits = 20;
constexpr std::chrono::seconds kMinCompactInterval{1};

// A duration of whole seconds, at least `min`.
Status SetSeconds(std::chrono::seconds& field, std::string_view v, std::chrono::seconds min) {
  Result<std::chrono::nanoseconds> d = ParseDuration(v);
  if (!d.ok()) return d.status();
  if (*d < min) return InvalidArgumentError("must be at least " + FormatDuration(min));
  field = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Status::Ok();
}

Status SetPort(O& o, std::string_view v) {
  Result<std::uint16_t> port = ParsePort(v);
  if (!port.ok()) return port.status();
  o.https_listen_port = *port;
  return Status::Ok();
}

Status SetMode(O& o, std::string_view v) {
  Result<unsigned> mode = ParseFileMode(v);
  if (!mode.ok()) return mode.status();
  o.write_kubeconfig_mode = *mode;
  return Status::Ok();
}

Status SetDisableScheduler(O& o, std::string_view v) {
  Result<bool> b = ParseBool(v);
  if (!b.ok()) return b.status();
  o.disable_scheduler = *b;
  return Status::Ok();
}

Status SetDisableControllerManager(O& o, std::string_view v) {
  Result<bool> b = ParseBool(v);
  if (!b.ok()) return b.status();
  o.disable_controller_manager = *b;
  return Status::Ok();
}

Status SetNodeMonitorGracePeriod(O& o, std::string_view v) {
  return SetSeconds(o.node_monitor_grace_period, v, std::chrono::seconds(1));
}

Status SetDisableAgent(O& o, std::string_view v) {
  Result<bool> b = ParseBool(v);
  if (!b.ok()) return b.status();
  o.disable_agent = *b;
  return Status::Ok();
}

Status SetServiceCidr(O& o, std::string_view v) {
  Result<IpPrefix> prefix = ParseCidr(v);
  if (!prefix.ok()) return prefix.status();
  if (prefix->host_bits() > kMaxServiceHostBits) {
    return InvalidArgumentError(
        "is too large: a service CIDR may hold at most 2^20 addresses (a /12 for IPv4, a /108 "
        "for IPv6)");
  }
  o.service_cidr = prefix->ToString();
  return Status::Ok();
}

Status SetClusterDomain(O& o, std::string_view v) {
  if (Status s = CheckDnsDomain(v); !s.ok()) return s;
  o.cluster_domain = std::string(v);
  return Status::Ok();
}

// Linux interface names: at most 15 bytes, no '/', ':' or whitespace.
Status SetBridgeName(O& o, std::string_view v) {
  bool ok = !v.empty() && v.size() <= 15 && v != "." && v != "..";
  for (char c : v) ok = ok && c != '/' && c != ':' && !std::isspace(static_cast<unsigned char>(c));
  if (!ok) return InvalidArgumentError("must be a network interface name of 1 to 15 characters");
  o.cni_bridge = std::string(v);
  return Status::Ok();
}

Status SetDatastoreEndpoint(O& o, std::string_view v) {
  std::vector<std::string> endpoints;
  std::size_t start = 0;
  while (!v.empty() && start <= v.size()) {
    std::size_t comma = v.find(',', start);
    if (comma == std::string_view::npos) comma = v.size();
    std::string_view item = v.substr(start, comma - start);
    std::string which = v.find(',') == std::string_view::npos
                            ? std::string()
                            : "endpoint \"" + std::string(item) + "\" ";
    if (item.empty()) return InvalidArgumentError("has an empty endpoint between commas");
    Result<HttpUrl> url = ParseHttpUrl(item);
    if (!url.ok()) {
      if (item.find("://") != std::string_view::npos && item.rfind("http", 0) != 0) {
        return InvalidArgumentError(
            which +
            "is not an etcd URL: only etcd (http:// or https:// URLs) is supported; leave "
            "--datastore-endpoint unset for the embedded SQLite store");
      }
      return InvalidArgumentError(which + url.status().message());
    }
    endpoints.emplace_back(item);
    start = comma + 1;
  }
  o.datastore_endpoint = std::move(endpoints);
  return Status::Ok();
}

Status SetCompactInterval(O& o, std::string_view v) {
  Result<std::chrono::nanoseconds> d = ParseDuration(v);
  if (!d.ok()) return d.status();
  if (*d < kMinCompactInterval) return InvalidArgumentError("must be at least 1s");
  o.compact_interval = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  return Status::Ok();
}

Status SetEventTtl(O& o, std::string_view v) {
  return SetSeconds(o.event_ttl, v, std::chrono::seconds(1));
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

constexpr FlagDef<O> kServerFlags[] = {
    ConfigFlag<O>(),
    DataDirFlag<O>(),
    {.name = "bind-address",
     .value_name = "IP",
     .usage = "IPv4 or IPv6 address the API server listens on",
     .set = [](O& o, std::string_view v) { return SetIp(o.bind_address, v); },
     .show = [](const O& o) { return o.bind_address; }},
    {.name = "https-listen-port",
     .value_name = "PORT",
     .usage = "HTTPS port of the API server",
     .set = SetPort,
     .show = [](const O& o) { return std::to_string(o.https_listen_port); }},
    {.name = "write-kubeconfig",
     .alias = 'o',
     .value_name = "FILE",
     .usage = "where to write the admin kubeconfig once the API answers",
     .default_doc = "/etc/skiff/skiff.yaml as root, else <data-dir>/skiff.yaml",
     .set = [](O& o, std::string_view v) { return SetPath(o.write_kubeconfig, v); },
     .show = [](const O& o) { return o.write_kubeconfig; }},
    {.name = "write-kubeconfig-mode",
     .value_name = "MODE",
     .usage = "permissions of the written kubeconfig, in octal",
     .set = SetMode,
     .show = [](const O& o) { return FormatFileMode(o.write_kubeconfig_mode); }},
    {.name = "disable-agent",
     .usage = "run only the control plane: no pods run on this machine",
     .set = SetDisableAgent,
     .show = [](const O& o) { return std::string(o.disable_agent ? "true" : "false"); }},
    {.name = "disable-scheduler",
     .usage = "do not bind pods to nodes (another scheduler, or none, does)",
     .set = SetDisableScheduler,
     .show = [](const O& o) { return std::string(o.disable_scheduler ? "true" : "false"); }},
    {.name = "disable-controller-manager",
     .usage = "run no workload, garbage-collection or node controllers (another process does)",
     .set = SetDisableControllerManager,
     .show = [](const O& o) {
       return std::string(o.disable_controller_manager ? "true" : "false");
     }},
    NodeNameFlag<O>(),
    NodeIpFlag<O>(),
    EvictionHardFlag<O>(),
    EvictionPressureTransitionFlag<O>(),
    ImageGcHighFlag<O>(),
    ImageGcLowFlag<O>(),
    MinimumImageTtlFlag<O>(),
    TokenFlag<O>("shared secret that agents present to join this server"),
    TokenFileFlag<O>(),
    {.name = "cluster-cidr",
     .value_name = "CIDR",
     .usage = "IP range that pod addresses come from",
     .set = [](O& o, std::string_view v) { return SetCidr(o.cluster_cidr, v); },
     .show = [](const O& o) { return o.cluster_cidr; }},
    {.name = "service-cidr",
     .value_name = "CIDR",
     .usage = "IP range that service cluster IPs come from (at most a /12, or /108 for IPv6)",
     .set = SetServiceCidr,
     .show = [](const O& o) { return o.service_cidr; }},
    {.name = "cluster-dns",
     .value_name = "IP",
     .usage = "cluster IP of the DNS service; must be inside --service-cidr",
     .default_doc = "the 10th address of --service-cidr, 10.43.0.10",
     .set = [](O& o, std::string_view v) { return SetIp(o.cluster_dns, v); },
     .show = [](const O& o) { return o.cluster_dns; }},
    {.name = "cluster-domain",
     .value_name = "DOMAIN",
     .usage = "DNS domain of the cluster",
     .set = SetClusterDomain,
     .show = [](const O& o) { return o.cluster_domain; }},
    {.name = "datastore-endpoint",
     .value_name = "URLS",
     .usage = "comma-separated etcd URLs (http:// or https://) to use instead of SQLite",
     .default_doc = "the embedded SQLite store in <data-dir>",
     .set = SetDatastoreEndpoint,
     .show = [](const O& o) { return JoinComma(o.datastore_endpoint); }},
    {.name = "manifests-dir",
     .value_name = "DIR",
     .usage = "directory of YAML manifests that are applied and watched",
     .default_doc = "/etc/skiff/manifests as root, else <data-dir>/manifests",
     .set = [](O& o, std::string_view v) { return SetPath(o.manifests_dir, v); },
     .show = [](const O& o) { return o.manifests_dir; }},
    {.name = "cni-bridge",
     .value_name = "NAME",
     .usage = "the Linux bridge this node's pods attach to",
     .set = SetBridgeName,
     .show = [](const O& o) { return o.cni_bridge; }},
    {.name = "private-registry",
     .value_name = "FILE",
     .usage = "registries.yaml with mirrors, credentials and TLS settings for image pulls",
     .default_doc = "/etc/skiff/registries.yaml as root, else <data-dir>/registries.yaml",
     .set = [](O& o, std::string_view v) { return SetPath(o.private_registry, v); },
     .show = [](const O& o) { return o.private_registry; }},
    {.name = "compact-interval",
     .value_name = "DURATION",
     .usage = "how often the store drops old revisions, e.g. 30s, 5m, 1h (at least 1s)",
     .set = SetCompactInterval,
     .show = [](const O& o) { return FormatDuration(o.compact_interval); }},
    {.name = "event-ttl",
     .value_name = "DURATION",
     .usage = "how long Events are kept after their last change, e.g. 30m, 1h (at least 1s)",
     .set = SetEventTtl,
     .show = [](const O& o) { return FormatDuration(o.event_ttl); }},
    {.name = "node-monitor-grace-period",
     .value_name = "DURATION",
     .usage = "how long a node may go unheard before it is marked Unknown and tainted "
              "unreachable, e.g. 50s (at least 1s)",
     .set = SetNodeMonitorGracePeriod,
     .show = [](const O& o) { return FormatDuration(o.node_monitor_grace_period); }},
    {.name = "certificate-lifetime",
     .value_name = "DURATION",
     .usage = "how long the serving and client certificates the server issues last, e.g. 8760h "
              "(at least 10s); the CA lasts 10 years",
     .set = [](O& o, std::string_view v) {
       return SetSeconds(o.certificate_lifetime, v, std::chrono::seconds(10));
     },
     .show = [](const O& o) { return FormatDuration(o.certificate_lifetime); }},
    {.name = "certificate-renew-before",
     .value_name = "DURATION",
     .usage = "renew a certificate this long before it expires, while the server runs, e.g. "
              "2160h; less than --certificate-lifetime",
     .default_doc = "a quarter of --certificate-lifetime, at most 2160h",
     .set = [](O& o, std::string_view v) {
       return SetSeconds(o.certificate_renew_before, v, std::chrono::seconds(1));
     },
     .show = [](const O& o) { return FormatDuration(o.certificate_renew_before); }},
    LogLevelFlag<O>(),
};

// Certificates are renewed within their lifetime: by default a quarter of it before they
// expire (at most 90 days, kubelet's and k3s's window).
Status CheckCertificateTimes(const Provenance& prov, O& o) {
  if (!prov.IsSet("certificate-renew-before")) {
    o.certificate_renew_before =
        std::min<std::chrono::seconds>(std::chrono::hours(24 * 90), o.certificate_lifetime / 4);
  }
  if (o.certificate_renew_before >= o.certificate_lifetime) {
    return InvalidArgumentError(prov.Describe("certificate-renew-before") + " (" +
                                FormatDuration(o.certificate_renew_before) +
                                ") must be less than " + prov.Describe("certificate-lifetime") +
                                " (" + FormatDuration(o.certificate_lifetime) + ")");
  }
  return Status::Ok();
}

// Paths that default to system-wide locations for root and follow --data-dir otherwise.
Status FillPathDefaults(const Environment& env, const Provenance& prov, O& o) {
  if (Status s = FillDataDir(env, prov, o); !s.ok()) return s;
  if (!prov.IsSet("write-kubeconfig")) {
    o.write_kubeconfig =
        env.is_root() ? "/etc/skiff/skiff.yaml" : JoinPath(o.data_dir, "skiff.yaml");
  }
  if (!prov.IsSet("manifests-dir")) {
    o.manifests_dir = env.is_root() ? "/etc/skiff/manifests" : JoinPath(o.data_dir, "manifests");
  }
  if (!prov.IsSet("private-registry")) {
    o.private_registry =
        env.is_root() ? "/etc/skiff/registries.yaml" : JoinPath(o.data_dir, "registries.yaml");
  }
  return Status::Ok();
}

// Pod and service ranges must be disjoint; the cluster DNS address lies inside the service
// range (and defaults to its 10th address).
Status CheckNetworks(const Provenance& prov, O& o) {
  Result<IpPrefix> cluster = ParseCidr(o.cluster_cidr);
  Result<IpPrefix> service = ParseCidr(o.service_cidr);
  if (!cluster.ok() || !service.ok()) return InternalError("stored CIDRs do not parse");
  if (cluster->Overlaps(*service)) {
    bool blame_service = prov.IsSet("service-cidr") || !prov.IsSet("cluster-cidr");
    std::string_view other = blame_service ? "cluster-cidr" : "service-cidr";
    return prov.BadValue(blame_service ? "service-cidr" : "cluster-cidr",
                         blame_service ? o.service_cidr : o.cluster_cidr,
                         "overlaps --" + std::string(other) + " " +
                             (blame_service ? o.cluster_cidr : o.service_cidr) +
                             "; the pod and service ranges must not overlap");
  }
  if (!prov.IsSet("cluster-dns")) {
    Result<IpAddress> dns = service->AddressAt(10);
    if (!dns.ok()) {
      return prov.BadValue("service-cidr", o.service_cidr,
                           "is too small to hold the default cluster DNS address (its 10th "
                           "address); pass --cluster-dns");
    }
    o.cluster_dns = dns->ToString();
    return Status::Ok();
  }
  Result<IpAddress> dns = ParseIpAddress(o.cluster_dns);
  if (!dns.ok()) return InternalError("stored cluster DNS address does not parse");
  if (!service->Contains(*dns)) {
    return prov.BadValue("cluster-dns", o.cluster_dns,
                         "is not inside the service CIDR " + o.service_cidr + " (--service-cidr)");
  }
  if (*dns == service->address) {
    return prov.BadValue("cluster-dns", o.cluster_dns,
                         "is the network address of the service CIDR " + o.service_cidr);
  }
  if (Result<IpAddress> api = service->AddressAt(1); api.ok() && *dns == *api) {
    return prov.BadValue("cluster-dns", o.cluster_dns,
                         "is reserved for the kubernetes API service (the first address of the "
                         "service CIDR " +
                             o.service_cidr + ")");
  }
  return Status::Ok();
}

}  // namespace

FlagSet<ServerOptions> ServerFlagSet() { return {"skiff server", kServerFlags}; }

Result<ServerOptions> ParseServerArgs(const std::vector<std::string>& args,
                                      const Environment& env) {
  ServerOptions o;
  Provenance prov;
  if (Status s = ServerFlagSet().Load(args, env, o, prov); !s.ok()) return s;
  if (Status s = FillPathDefaults(env, prov, o); !s.ok()) return s;
  if (Status s = FillNodeName(env, prov, o); !s.ok()) return s;
  if (Status s = CheckNetworks(prov, o); !s.ok()) return s;
  if (Status s = CheckOneTokenSource(prov, o); !s.ok()) return s;
  if (Status s = CheckImageGcThresholds(prov, o); !s.ok()) return s;
  if (Status s = CheckCertificateTimes(prov, o); !s.ok()) return s;
  return o;
}

Result<std::string> ServerKubeconfigPath(const Environment& env) {
  ServerOptions o;
  Provenance prov;
  if (Status s = ServerFlagSet().Load({}, env, o, prov); !s.ok()) return s;
  if (Status s = FillPathDefaults(env, prov, o); !s.ok()) return s;
  return o.write_kubeconfig;
}

}  // namespace skiff::cli
