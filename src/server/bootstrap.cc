#include "bootstrap.h"

#include "api/pod_admission.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include "skiff/apis/storage.h"
#include "skiff/cli/ip.h"
#include "skiff/common/log.h"

namespace skiff::server {
namespace {

using api::json;

Status CreateIfMissing(api::Resources& res, const char* resource, const std::string& ns,
                       json obj, const char* group = "") {
  const apis::ResourceType* rt = res.registry().Find(group, "v1", resource);
  auto r = res.Create(*rt, ns, std::move(obj), {}, nullptr);
  if (r.ok() || r.error().code == 409) return Status::Ok();
  return InternalError("cannot create the bootstrap " + std::string(resource) + ": " +
                       r.error().message);
}

}  // namespace

json DefaultLocalPathStorageClass() {
  return {{"apiVersion", "storage.k8s.io/v1"},
          {"kind", "StorageClass"},
          {"metadata",
           {{"name", apis::kLocalPathStorageClass},
            {"annotations", {{apis::kDefaultClassAnnotation, "true"}}}}},
          {"provisioner", apis::kLocalPathProvisioner},
          {"reclaimPolicy", "Delete"},
          {"volumeBindingMode", "WaitForFirstConsumer"},
          {"allowVolumeExpansion", true}};
}

std::string FirstNodeCidr(const std::string& cluster_cidr) {
  auto prefix = cli::ParseCidr(cluster_cidr);
  if (!prefix.ok()) return cluster_cidr;
  const int node_bits = prefix->address.family == cli::IpFamily::kV4 ? 24 : 64;
  if (prefix->bits >= node_bits) return cluster_cidr;
  return prefix->address.ToString() + "/" + std::to_string(node_bits);
}

std::string NodeAddress(const cli::ServerOptions& options) {
  if (!options.node_ip.empty()) return options.node_ip;
  std::string found = "127.0.0.1";
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return found;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    if (i->ifa_flags & IFF_LOOPBACK || !(i->ifa_flags & IFF_UP)) continue;
    char buf[INET_ADDRSTRLEN];
    auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf)) {
      found = buf;
      break;
    }
  }
  freeifaddrs(list);
  return found;
}

Status EnsureBootstrapObjects(api::Resources& res, const cli::ServerOptions& options) {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json obj = {{"apiVersion", "v1"},
                {"kind", "Namespace"},
                {"metadata", {{"name", ns}}},
                {"spec", {{"finalizers", {"kubernetes"}}}}};
    if (Status s = CreateIfMissing(res, "namespaces", "", obj); !s.ok()) return s;
  }
  for (json& pc : api::SystemPriorityClasses()) {
    if (Status s = CreateIfMissing(res, "priorityclasses", "", std::move(pc), "scheduling.k8s.io");
        !s.ok()) {
      return s;
    }
  }
  if (Status s = CreateIfMissing(res, "storageclasses", "", DefaultLocalPathStorageClass(),
                                "storage.k8s.io");
      !s.ok()) {
    return s;
  }
  auto cidr = cli::ParseCidr(options.service_cidr);
  if (!cidr.ok()) return cidr.status();
  auto vip = cidr->AddressAt(1);
  if (!vip.ok()) return vip.status();
  json svc = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata",
       {{"name", "kubernetes"},
        {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
      {"spec",
       {{"type", "ClusterIP"},
        {"clusterIP", vip->ToString()},
        {"clusterIPs", {vip->ToString()}},
        {"sessionAffinity", "None"},
        {"ports",
         {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"},
           {"targetPort", options.https_listen_port}}}}}}};
  if (Status s = CreateIfMissing(res, "services", "default", svc); !s.ok()) return s;
  json ep = {{"apiVersion", "v1"},
             {"kind", "Endpoints"},
             {"metadata", {{"name", "kubernetes"}, {"labels", {{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}},
             {"subsets",
              {{{"addresses", {{{"ip", NodeAddress(options)}}}},
                {"ports", {{{"name", "https"}, {"port", options.https_listen_port},
                            {"protocol", "TCP"}}}}}}}};
  if (Status s = CreateIfMissing(res, "endpoints", "default", ep); !s.ok()) return s;
  // The same as the EndpointSlice the service proxy and DNS read, as kube-apiserver writes it.
  json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                {"kind", "EndpointSlice"},
                {"metadata", {{"name", "kubernetes"},
                              {"labels", {{"kubernetes.io/service-name", "kubernetes"}}}}},
                {"addressType", "IPv4"},
                {"endpoints", {{{"addresses", {NodeAddress(options)}},
                                {"conditions", {{"ready", true}}}}}},
                {"ports", {{{"name", "https"}, {"port", options.https_listen_port},
                            {"protocol", "TCP"}}}}};
  if (NodeAddress(options).find(':') != std::string::npos) slice["addressType"] = "IPv6";
  if (Status s = CreateIfMissing(res, "endpointslices", "default", slice, "discovery.k8s.io");
      !s.ok()) {
    return s;
  }
  if (options.disable_agent) return Status::Ok();
  return EnsureClusterDnsService(res, options);
}

std::string ClusterDnsListenAddress(const cli::ServerOptions& options) {
  auto node_cidr = cli::ParseCidr(FirstNodeCidr(options.cluster_cidr));
  if (!node_cidr.ok()) return "";
  auto gateway = node_cidr->AddressAt(1);
  return gateway.ok() ? gateway->ToString() : "";
}

Status EnsureClusterDnsService(api::Resources& res, const cli::ServerOptions& options) {
  const std::string target = ClusterDnsListenAddress(options);
  if (target.empty() || options.cluster_dns.empty()) return Status::Ok();
  const json labels = {{"k8s-app", "kube-dns"},
                       {"kubernetes.io/cluster-service", "true"},
                       {"kubernetes.io/name", "skiff-dns"}};
  json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", "kube-dns"}, {"labels", labels}}},
              {"spec",
               {{"type", "ClusterIP"},
                {"clusterIP", options.cluster_dns},
                {"clusterIPs", {options.cluster_dns}},
                {"ports",
                 {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}, {"targetPort", 53}},
                  {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}, {"targetPort", 53}}}}}}};
  if (Status s = CreateIfMissing(res, "services", "kube-system", svc); !s.ok()) return s;
  json ports = {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}}};
  json ep = {{"apiVersion", "v1"},
             {"kind", "Endpoints"},
             {"metadata",
              {{"name", "kube-dns"},
               {"labels", {{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}},
             {"subsets", {{{"addresses", {{{"ip", target}}}}, {"ports", ports}}}}};
  if (Status s = CreateIfMissing(res, "endpoints", "kube-system", ep); !s.ok()) return s;
  json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                {"kind", "EndpointSlice"},
                {"metadata",
                 {{"name", "kube-dns"}, {"labels", {{"kubernetes.io/service-name", "kube-dns"}}}}},
                {"addressType", target.find(':') != std::string::npos ? "IPv6" : "IPv4"},
                {"endpoints", {{{"addresses", {target}}, {"conditions", {{"ready", true}}}}}},
                {"ports", ports}};
  return CreateIfMissing(res, "endpointslices", "kube-system", slice, "discovery.k8s.io");
}

}  // namespace skiff::server
