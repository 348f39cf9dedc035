#include "skiff/server/server.h"

#include <malloc.h>
#include <signal.h>

#include "api/api_handler.h"
#include "api/https_server.h"
#include "api/resources.h"
#include "bootstrap.h"
#include "certificate_rotator.h"
#include "client/local_client.h"
#include "skiff/common/systemd_notify.h"
#include "manifests/manifests_dir.h"
#include "controller_manager.h"
#include "controllers/namespace_controller.h"
#include "data_dir.h"
#include "events/event_recorder.h"
#include "net/dns/cluster_dns_source.h"
#include "net/dns/dns_server.h"
#include "net/proxy/service_proxy.h"
#include "scheduler/scheduler.h"
#include "skiff/client/informer.h"
#include "skiff/auth/authenticator.h"
#include "skiff/cli/ip.h"
#include "skiff/auth/kubeconfig.h"
#include "skiff/auth/pki.h"
#include "skiff/auth/token.h"
#include "skiff/server/certificates.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/node/agent.h"
#include "skiff/store/sqlite_store.h"

namespace skiff::server {
namespace {

std::string Hostport(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

int Fail(const std::string& what, const Status& s) {
  log::Error("server", what, {{"error", s.message()}});
  return 1;
}

// This node's pod range: the first /24 (IPv4) or /64 (IPv6) of the cluster range, as the node
// IPAM controller hands the first node.
std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "skiff";
}

node::AgentConfig AgentConfigFor(const cli::ServerOptions& options, const DataDir& dir) {
  node::AgentConfig c;
  c.node_name = options.node_name;
  c.node_ip = NodeAddress(options);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  c.hostname = host[0] ? host : options.node_name;
  c.state_dir = dir.agent_dir();
  c.pod_cidr = FirstNodeCidr(options.cluster_cidr);
  c.cluster_cidr = options.cluster_cidr;
  c.service_cidr = options.service_cidr;
  c.cluster_dns = options.cluster_dns;
  c.cluster_domain = options.cluster_domain;
  c.registries_file = options.private_registry;
  c.bridge_name = options.cni_bridge;
  c.eviction_hard = options.eviction_hard;
  c.eviction_pressure_transition_period = options.eviction_pressure_transition_period;
  c.image_gc_high_percent = options.image_gc_high_threshold;
  c.image_gc_low_percent = options.image_gc_low_threshold;
  c.image_minimum_age = options.minimum_image_ttl_duration;
  c.self_exe = SelfExe();
  return c;
}

}  // namespace

int Run(const cli::ServerOptions& options) {
  // systemd's Type=notify: read (and hidden from the processes skiff starts) before any thread.
  const std::unique_ptr<SystemdNotifier> systemd = SystemdNotifier::FromEnvironment();
  // Every thread started from here on inherits this mask; the main thread alone takes the
  // stop signals with sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // A small box: a few malloc arenas instead of one per thread keeps freed memory reusable
  // across the API's worker threads rather than stranded in idle arenas.
  mallopt(M_ARENA_MAX, 2);

  if (!options.datastore_endpoint.empty()) {
    log::Error("server", "the etcd datastore is not built yet; remove --datastore-endpoint to "
                         "use the embedded SQLite store");
    return 1;
  }
  DataDir dir{options.data_dir};
  systemd->Status("opening the store in " + options.data_dir);
  if (Status s = MakeDirs(dir.db_dir()); !s.ok()) {
    return Fail("cannot prepare the data directory", s);
  }
  store::SqliteStoreOptions store_options;
  store_options.path = dir.db_path();
  store_options.compact_interval = options.compact_interval;
  auto store = store::OpenSqliteStore(store_options);
  if (!store.ok()) return Fail("cannot open the store", store.status());

  const std::string node_address = NodeAddress(options);
  systemd->Status("preparing the cluster certificates");
  const auth::PkiOptions pki = PkiOptionsFor(options);
  auto material = auth::EnsurePki(pki);
  if (!material.ok()) return Fail("cannot prepare the cluster certificates", material.status());
  auto token = auth::EnsureTokenFile(dir.token_path());
  if (!token.ok()) return Fail("cannot prepare the admin token", token.status());
  auth::Authenticator authenticator;
  if (Status s = authenticator.AddToken(*token, {"system:admin", "", {"system:masters"}});
      !s.ok()) {
    return Fail("cannot load the admin token", s);
  }

  api::Resources resources(**store, apis::Registry::Builtin());
  resources.SetServiceCidr(options.service_cidr);
  resources.SetEventTtl(options.event_ttl);
  if (Status s = EnsureBootstrapObjects(resources, options); !s.ok()) {
    return Fail("cannot create the cluster's bootstrap objects", s);
  }
  controllers::NamespaceController namespaces(resources);

  client::LocalClient local_client(resources);
  // The control plane's loops share one informer per resource.
  client::SharedInformerFactory informers(local_client);
  events::EventRecorder scheduler_events(local_client, {"default-scheduler", ""});
  std::unique_ptr<scheduler::Scheduler> scheduler;
  if (!options.disable_scheduler) {
    scheduler = std::make_unique<scheduler::Scheduler>(local_client, informers, scheduler_events);
  }
  std::unique_ptr<ControllerManager> controllers;
  if (!options.disable_controller_manager) {
    ControllerManagerOptions cm;
    cm.node_monitor_grace_period = options.node_monitor_grace_period;
    cm.local_path_root = dir.storage_dir();
    controllers = std::make_unique<ControllerManager>(local_client, informers, cm);
  }
  systemd->Status("starting the scheduler and controllers");
  informers.Start();
  if (scheduler) scheduler->Start();
  if (controllers) controllers->Start();
  api::ApiHandler handler(resources, Hostport(node_address, options.https_listen_port));
  std::unique_ptr<node::Agent> agent;
  if (!options.disable_agent) {
    systemd->Status("starting the node agent (importing airgap images, adopting running pods)");
    auto started = node::Agent::Start(local_client, AgentConfigFor(options, dir));
    if (!started.ok()) return Fail("cannot start the node agent", started.status());
    agent = std::move(*started);
    handler.SetPodIo(agent->pod_io());
  }
  // The node's service proxy (kube-proxy's job) runs wherever pods run.
  std::unique_ptr<net::proxy::ServiceProxy> proxy;
  if (!options.disable_agent) {
    net::proxy::ServiceProxyOptions po;
    po.config.table = "skiff-proxy-" + options.cni_bridge;
    po.config.cluster_cidr = options.cluster_cidr;
    po.config.node_name = options.node_name;
    po.service_cidr = options.service_cidr;
    po.bridge = options.cni_bridge;
    proxy = std::make_unique<net::proxy::ServiceProxy>(informers, po);
    proxy->Start();
  }
  // The cluster DNS (CoreDNS's job in k3s), on the pod bridge's gateway: reachable by the pods
  // (through the kube-dns service) and the host, not by the network outside.
  std::unique_ptr<net::dns::ClusterRecords> dns_records;
  std::unique_ptr<net::dns::ClusterDnsSource> dns_source;
  std::unique_ptr<net::dns::DnsServer> dns_server;
  if (!options.disable_agent && !ClusterDnsListenAddress(options).empty()) {
    net::dns::ClusterRecordsOptions zone;
    zone.domain = options.cluster_domain;
    if (auto cidr = cli::ParseCidr(options.service_cidr); cidr.ok()) zone.service_cidrs = {*cidr};
    if (auto ip = cli::ParseIpAddress(options.cluster_dns); ip.ok()) zone.nameservers = {*ip};
    auto records = net::dns::ClusterRecords::Create(zone);
    if (!records.ok()) return Fail("cannot set up the cluster DNS", records.status());
    dns_records = std::move(*records);
    dns_source = std::make_unique<net::dns::ClusterDnsSource>(informers, *dns_records);
    dns_source->Start();
    net::dns::DnsServerOptions dns;
    dns.listen = {{ClusterDnsListenAddress(options), 53, /*freebind=*/true}};
    auto started_dns = net::dns::DnsServer::Start(*dns_records, dns);
    if (!started_dns.ok()) return Fail("cannot start the cluster DNS", started_dns.status());
    dns_server = std::move(*started_dns);
  }
  systemd->Status("starting the API server");
  api::HttpsServerOptions http;
  http.bind_address = options.bind_address;
  http.port = options.https_listen_port;
  http.cert_pem = material->serving.cert_pem;
  http.key_pem = material->serving.key_pem;
  http.client_ca_pem = material->ca_cert_pem;
  http.authenticate = [&authenticator](X509* cert,
                                       const std::string& authorization) -> std::optional<auth::UserInfo> {
    auth::AuthnResult r = authenticator.Authenticate(cert, authorization);
    if (r.outcome == auth::AuthnOutcome::kAuthenticated) return r.user;
    return std::nullopt;
  };
  http.allow_anonymous = &api::ApiHandler::AllowAnonymous;
  auto server = api::HttpsServer::Start(
      http, [&handler](api::HttpRequest req, std::shared_ptr<api::Responder> res) {
        handler.Handle(std::move(req), std::move(res));
      });
  if (!server.ok()) return Fail("cannot start the API server", server.status());

  // The API answers now: hand out the kubeconfig, again whenever the admin certificate is
  // renewed.
  const std::string api_url =
      "https://" + Hostport(options.bind_address == "0.0.0.0" || options.bind_address == "::"
                                ? "127.0.0.1"
                                : options.bind_address,
                            (*server)->port());
  auto write_kubeconfig = [&options, &api_url](const auth::ServingMaterial& m) {
    auth::KubeconfigOptions kc;
    kc.server = api_url;
    kc.ca_pem = m.ca_cert_pem;
    const auth::CertKeyPair& admin = m.clients.at(auth::AdminClientCert().name);
    kc.client_cert_pem = admin.cert_pem;
    kc.client_key_pem = admin.key_pem;
    return auth::WriteKubeconfig(options.write_kubeconfig,
                                 static_cast<mode_t>(options.write_kubeconfig_mode), kc);
  };
  if (Status s = write_kubeconfig(*material); !s.ok()) return Fail("cannot write the kubeconfig", s);
  // Certificates are renewed while skiff runs: new connections get the new serving
  // certificate, open ones (watches, exec sessions) carry on.
  CertificateRotator rotator(pki, *material, [&](const auth::ServingMaterial& m) {
    if (Status s = (*server)->Reload(m.serving.cert_pem, m.serving.key_pem); !s.ok()) {
      log::Error("pki", "cannot serve the renewed certificate", {{"error", s.message()}});
    }
    if (Status s = write_kubeconfig(m); !s.ok()) {
      log::Error("pki", "cannot rewrite the kubeconfig with the renewed admin certificate",
                 {{"path", options.write_kubeconfig}, {"error", s.message()}});
    }
  });
  rotator.Start();
  // The manifests directory: applied now and whenever it changes; its Events are about this
  // node.
  events::EventRecorder manifest_events(local_client, {"skiff-manifests", options.node_name});
  manifests::ManifestsDirOptions mo;
  mo.dir = options.manifests_dir;
  mo.state_file = dir.root + "/server/manifests.json";
  mo.event_object = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", options.node_name}}}};
  auto manifests = manifests::ManifestsDir::Start(local_client, &manifest_events, mo);
  if (!manifests.ok()) return Fail("cannot watch the manifests directory", manifests.status());
  // Ready: the API answers and the agent is up. The watchdog pings while the store serves.
  systemd->Ready("running: API on " + Hostport(options.bind_address, (*server)->port()) +
                 (options.disable_agent ? "" : ", node " + options.node_name));
  systemd->StartWatchdog([&local_client] {
    return local_client.Get(client::Namespaces(), "", "default").ok();
  });
  log::Info("server", "running",
            {{"data-dir", options.data_dir},
             {"https", Hostport(options.bind_address, (*server)->port())},
             {"kubeconfig", options.write_kubeconfig}});

  int sig = 0;
  sigwait(&stop, &sig);
  log::Info("server", "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  systemd->Stopping();
  systemd->StopWatchdog();
  rotator.Stop();
  (*manifests)->Stop();
  server->reset();
  if (dns_server) dns_server->Stop();
  if (dns_source) dns_source->Stop();
  if (proxy) proxy->Stop();  // its rules stay: service traffic flows on while skiff restarts
  if (agent) agent->Stop();
  if (scheduler) scheduler->Stop();
  if (controllers) controllers->Stop();
  informers.Stop();
  namespaces.Stop();
  log::Info("server", "stopped");
  return 0;
}

}  // namespace skiff::server
