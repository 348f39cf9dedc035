#include "controllers/service_lb_controller.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "api/object_util.h"
#include "controllers/controller_ref.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

constexpr char kControllerName[] = "service-lb-controller";
constexpr char kEnableLabel[] = "svccontroller.k3s.cattle.io/enablelb";

bool Exposed(const json& svc) {
  return api::GetString(svc, {"spec", "type"}) == "LoadBalancer" &&
         api::GetString(svc, {"spec", "loadBalancerClass"}).empty();
}

bool NodeReady(const json& node) {
  const json* conds = api::Find(node, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const json& c : *conds) {
    if (c.is_object() && c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// The address a node is reached at from outside: its ExternalIP, else its InternalIP.
std::string NodeAddress(const json& node) {
  const json* addrs = api::Find(node, {"status", "addresses"});
  if (!addrs || !addrs->is_array()) return "";
  std::string internal;
  for (const json& a : *addrs) {
    if (!a.is_object()) continue;
    if (a.value("type", "") == "ExternalIP") return a.value("address", "");
    if (a.value("type", "") == "InternalIP" && internal.empty()) internal = a.value("address", "");
  }
  return internal;
}

struct PortClaim {
  std::string protocol;
  int port = 0;
};

std::vector<PortClaim> Ports(const json& svc) {
  std::vector<PortClaim> out;
  const json* ports = api::Find(svc, {"spec", "ports"});
  if (!ports || !ports->is_array()) return out;
  for (const json& p : *ports) {
    if (!p.is_object() || !p.contains("port") || !p["port"].is_number_integer()) continue;
    out.push_back({p.value("protocol", "TCP"), p["port"].get<int>()});
  }
  return out;
}

bool HasIngress(const json& svc) {
  const json* ingress = api::Find(svc, {"status", "loadBalancer", "ingress"});
  return ingress && ingress->is_array() && !ingress->empty();
}

// Which of two balancers wanting a port holds it: the one exposed already (no balancer loses
// its address to a newer one), then the older (creation time, then namespace/name).
bool Older(const json& a, const json& b) {
  if (HasIngress(a) != HasIngress(b)) return HasIngress(a);
  const std::string ta = api::GetString(a, {"metadata", "creationTimestamp"});
  const std::string tb = api::GetString(b, {"metadata", "creationTimestamp"});
  if (ta != tb) return ta < tb;
  return client::KeyOf(a) < client::KeyOf(b);
}

// "0100007F:0050" (as /proc/net/tcp prints it) -> {"127.0.0.1", 80}.
bool ParseProcAddress(const std::string& field, std::string* ip, int* port) {
  const size_t colon = field.find(':');
  if (colon == std::string::npos) return false;
  const std::string hex = field.substr(0, colon);
  *port = static_cast<int>(std::strtol(field.substr(colon + 1).c_str(), nullptr, 16));
  char buf[INET6_ADDRSTRLEN] = {};
  if (hex.size() == 8) {
    in_addr a{};
    a.s_addr = static_cast<uint32_t>(std::strtoul(hex.c_str(), nullptr, 16));
    if (!inet_ntop(AF_INET, &a, buf, sizeof buf)) return false;
  } else if (hex.size() == 32) {
    in6_addr a{};
    for (int i = 0; i < 4; ++i) {
      uint32_t word = static_cast<uint32_t>(std::strtoul(hex.substr(i * 8, 8).c_str(), nullptr, 16));
      std::memcpy(&a.s6_addr[i * 4], &word, 4);
    }
    if (!inet_ntop(AF_INET6, &a, buf, sizeof buf)) return false;
  } else {
    return false;
  }
  *ip = buf;
  return true;
}

}  // namespace

bool HostPortInUse(const std::string& protocol, int port, const std::vector<std::string>& addresses,
                   std::string* holder) {
  const bool tcp = protocol != "UDP";
  // TCP: LISTEN (0A). UDP: unconnected bound sockets (07).
  const char* state = tcp ? "0A" : "07";
  for (const char* file : tcp ? std::vector<const char*>{"/proc/net/tcp", "/proc/net/tcp6"}
                              : std::vector<const char*>{"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, st;
      if (!(fields >> slot >> local >> remote >> st) || st != state) continue;
      std::string ip;
      int p = 0;
      if (!ParseProcAddress(local, &ip, &p) || p != port) continue;
      const bool wildcard = ip == "0.0.0.0" || ip == "::";
      if (wildcard || std::find(addresses.begin(), addresses.end(), ip) != addresses.end()) {
        if (holder) *holder = (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" +
                              std::to_string(p);
        return true;
      }
    }
  }
  return false;
}

ServiceLbController::ServiceLbController(client::Client& client,
                                         client::SharedInformerFactory& informers,
                                         ServiceLbOptions options)
    : client_(client),
      services_(informers.For(client::Services())),
      nodes_(informers.For(client::Nodes())),
      options_(std::move(options)),
      events_(client, {kControllerName, ""}),
      loop_(ControllerLoopOptions{kControllerName, options_.workers},
            [this](const std::string& key) { return Sync(key); }) {
  client::EventHandler svc;
  svc.on_add = [this](const client::ObjectPtr& s) {
    if (Exposed(*s)) EnqueueLoadBalancers();
  };
  svc.on_update = [this](const client::ObjectPtr& old_s, const client::ObjectPtr& s) {
    if (Exposed(*old_s) || Exposed(*s)) EnqueueLoadBalancers();  // port claims may move
    // Itself too: one that is no longer a LoadBalancer loses its ingress.
    if (Exposed(*old_s) || Exposed(*s) || api::Find(*s, {"status", "loadBalancer", "ingress"})) {
      loop_.Enqueue(client::KeyOf(*s));
    }
  };
  svc.on_delete = [this](const client::ObjectPtr& s) {
    if (Exposed(*s)) EnqueueLoadBalancers();  // a port may be free again
  };
  service_handler_ = services_.AddHandler(std::move(svc));
  client::EventHandler node;
  node.on_add = [this](const client::ObjectPtr&) { EnqueueLoadBalancers(); };
  node.on_update = [this](const client::ObjectPtr& old_n, const client::ObjectPtr& n) {
    if (NodeReady(*old_n) != NodeReady(*n) || NodeAddress(*old_n) != NodeAddress(*n) ||
        api::GetString(*old_n, {"metadata", "labels", kEnableLabel}) !=
            api::GetString(*n, {"metadata", "labels", kEnableLabel})) {
      EnqueueLoadBalancers();
    }
  };
  node.on_delete = [this](const client::ObjectPtr&) { EnqueueLoadBalancers(); };
  node_handler_ = nodes_.AddHandler(std::move(node));
}

ServiceLbController::~ServiceLbController() {
  Stop();
  services_.RemoveHandler(service_handler_);
  nodes_.RemoveHandler(node_handler_);
}

void ServiceLbController::Start() { loop_.Start(); }
void ServiceLbController::Stop() { loop_.Stop(); }

void ServiceLbController::EnqueueLoadBalancers() {
  for (const client::ObjectPtr& s : services_.List()) {
    if (Exposed(*s)) loop_.Enqueue(client::KeyOf(*s));
  }
}

Status ServiceLbController::Sync(const std::string& key) {
  try {
    client::ObjectPtr svc = services_.Get(key);
    if (!svc || IsBeingDeleted(*svc)) return Status::Ok();
    auto [ns, name] = client::SplitKey(key);
    const json* current = api::Find(*svc, {"status", "loadBalancer", "ingress"});
    const bool has_ingress = HasIngress(*svc);
    json desired = json::array();
    if (!Exposed(*svc)) {
      // Another class's balancer writes its own status; a former LoadBalancer loses ours.
      if (!api::GetString(*svc, {"spec", "loadBalancerClass"}).empty() || !has_ingress) {
        return Status::Ok();
      }
    } else {
      // Which nodes.
      std::vector<client::ObjectPtr> nodes = nodes_.List();
      const bool labelled = std::any_of(nodes.begin(), nodes.end(), [](const auto& n) {
        return !api::GetString(*n, {"metadata", "labels", kEnableLabel}).empty();
      });
      std::vector<std::string> addresses;
      for (const client::ObjectPtr& n : nodes) {
        if (labelled && api::GetString(*n, {"metadata", "labels", kEnableLabel}) != "true") continue;
        const std::string a = NodeReady(*n) ? NodeAddress(*n) : "";
        if (!a.empty()) addresses.push_back(a);
      }
      std::sort(addresses.begin(), addresses.end());
      addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
      // Conflicts: an older balancer on the same port, or (before it is first exposed) a
      // host process.
      std::string conflict;
      for (const PortClaim& p : Ports(*svc)) {
        const std::string what = std::to_string(p.port) + "/" + p.protocol;
        for (const client::ObjectPtr& other : services_.List()) {
          if (client::KeyOf(*other) == key || !Exposed(*other) || !Older(*other, *svc)) continue;
          for (const PortClaim& q : Ports(*other)) {
            if (q.port == p.port && q.protocol == p.protocol && conflict.empty()) {
              conflict = "port " + what + " is already used by LoadBalancer service " +
                         client::KeyOf(*other);
            }
          }
        }
        std::string holder;
        if (conflict.empty() && !has_ingress &&
            options_.port_in_use(p.protocol, p.port, addresses, &holder)) {
          conflict = "port " + what + " is in use on the node by a host process (listening on " +
                     holder + ")";
        }
      }
      if (!conflict.empty()) {
        events_.Record(*svc, "", "Warning", "PortInUse",
                       conflict + "; the service is not exposed until it is free");
        loop_.EnqueueAfter(key, options_.recheck);
      } else {
        for (const std::string& a : addresses) desired.push_back({{"ip", a}, {"ipMode", "VIP"}});
      }
    }
    const json have = has_ingress ? *current : json::array();
    if (have == desired) return Status::Ok();
    json patch = {{"status", {{"loadBalancer", desired.empty() ? json::object()
                                                               : json{{"ingress", desired}}}}}};
    if (desired.empty()) patch["status"]["loadBalancer"] = {{"ingress", nullptr}};
    auto r = client_.MergePatch(client::Services(), ns, name, patch, "status");
    if (!r.ok()) return r.status().code() == Code::kNotFound ? Status::Ok() : r.status();
    if (!desired.empty()) {
      events_.Record(*svc, "", "Normal", "EnsuredLoadBalancer", "Ensured load balancer");
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return InternalError("load balancer of service " + key + ": " + e.what());
  }
}

}  // namespace skiff::controllers
