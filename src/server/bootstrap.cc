#include "bootstrap.h"

#include "api/pod_admission.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

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
  return CreateIfMissing(res, "endpointslices", "default", slice, "discovery.k8s.io");
}

}  // namespace skiff::server
