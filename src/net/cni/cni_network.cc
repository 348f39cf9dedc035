#include "net/cni/host_local_store.h"
#include "net/cni/nat_rules.h"
#include "net/cni/plugin_config.h"
#include "net/cni/plugin_exec.h"
#include "net/cni/result_cache.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/net/cni.h"
#include "skiff/net/netns.h"

namespace skiff::net {
namespace {

using nlohmann::json;

constexpr char kLog[] = "cni";

// One plugin invocation of a list, for one sandbox.
struct Invocation {
  const CniConfig& config;
  const PodNetworkRequest& request;
  std::string netns;  // CNI_NETNS (empty on DEL when the namespace is gone)
  json capability_args;

  Result<json> Run(const char* command, const json& list, const json& plugin,
                   const std::string& ifname, const json& prev_result) const {
    PluginCall call;
    call.plugin_dir = config.plugin_dir;
    call.type = plugin.value("type", std::string());
    call.command = command;
    call.container_id = request.sandbox_id;
    call.netns = netns;
    call.ifname = ifname;
    call.cni_args = CniArgs(request);
    call.search_path = config.search_path;
    call.timeout = config.plugin_timeout;
    return ExecPlugin(call, PluginStdin(list, plugin, prev_result, capability_args));
  }
};

bool IsPortmap(const json& plugin) { return plugin.value("type", std::string()) == "portmap"; }

Status Prefixed(const PodNetworkRequest& r, const Status& s) {
  return Status(s.code(), "sandbox " + r.sandbox_id + ": " + s.message());
}

}  // namespace

class CniNetwork::Busy {
 public:
  Busy(CniNetwork* net, std::string id) : net_(net), id_(std::move(id)) {
    std::unique_lock<std::mutex> lock(net_->mu_);
    net_->idle_.wait(lock, [&] { return net_->busy_.count(id_) == 0; });
    net_->busy_.insert(id_);
  }
  ~Busy() {
    {
      std::lock_guard<std::mutex> lock(net_->mu_);
      net_->busy_.erase(id_);
    }
    net_->idle_.notify_all();
  }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  CniNetwork* net_;
  std::string id_;
};

CniNetwork::CniNetwork(CniConfig config) : config_(std::move(config)) {}
CniNetwork::~CniNetwork() = default;

Result<std::unique_ptr<CniNetwork>> CniNetwork::Create(CniConfig config) {
  if (Status s = CheckConfig(config); !s.ok()) return s;
  if (Status s = MakeDirs(config.cache_dir, 0700); !s.ok()) return s;
  return std::unique_ptr<CniNetwork>(new CniNetwork(std::move(config)));
}

json CniNetwork::ConfList() const { return BuildConfList(config_); }

Result<PodNetwork> CniNetwork::Add(const PodNetworkRequest& request) {
  if (Status s = CheckRequest(request); !s.ok()) return s;
  if (request.netns_path.empty()) {
    return InvalidArgumentError("sandbox " + request.sandbox_id + ": no network namespace path");
  }
  Busy busy(this, request.sandbox_id);
  return AddLocked(request);
}

Result<PodNetwork> CniNetwork::AddLocked(const PodNetworkRequest& request) {
  const ResultCache cache(config_.cache_dir, config_.network_name);
  Result<CacheEntry> cached = cache.Read(request.sandbox_id);
  if (cached.ok() && cached->netns == request.netns_path && IsNetNsPath(request.netns_path)) {
    Result<PodNetwork> net = ParseResult(cached->result, kPodInterface, config_.bridge);
    if (net.ok()) return net;
  }
  if (cached.status().code() != Code::kNotFound) {
    // A stale entry (another namespace, or damaged): undo it before setting up anew.
    PodNetworkRequest old = request;
    if (cached.ok()) old.netns_path = cached->netns;
    if (Status s = DelLocked(old); !s.ok()) return s;
  }
  if (!IsNetNsPath(request.netns_path)) {
    return NotFoundError("sandbox " + request.sandbox_id + ": network namespace " +
                         request.netns_path + " does not exist");
  }

  Invocation inv{config_, request, request.netns_path, CapabilityArgs(request.port_mappings)};
  // Undoes whatever ran so far; the caller sees the original error.
  auto fail = [&](const Status& cause) -> Status {
    if (Status undo = DelLocked(request); !undo.ok()) {
      log::Warning(kLog, "cleanup after a failed ADD failed",
                   {{"sandbox", request.sandbox_id}, {"error", undo.ToString()}});
    }
    return cause;
  };

  const json lo_list = BuildLoopbackList(config_);
  Result<json> lo = inv.Run("ADD", lo_list, lo_list["plugins"][0], "lo", json());
  if (!lo.ok()) return fail(lo.status());

  const json list = BuildConfList(config_);
  json prev;
  for (const json& plugin : list["plugins"]) {
    if (IsPortmap(plugin) && inv.capability_args.empty()) continue;  // nothing to map
    Result<json> r = inv.Run("ADD", list, plugin, kPodInterface, prev);
    if (!r.ok()) return fail(r.status());
    prev = std::move(*r);
  }
  Result<PodNetwork> net = ParseResult(prev, kPodInterface, config_.bridge);
  if (!net.ok()) return fail(Prefixed(request, net.status()));

  CacheEntry entry;
  entry.sandbox_id = request.sandbox_id;
  entry.netns = request.netns_path;
  entry.pod_namespace = request.pod_namespace;
  entry.pod_name = request.pod_name;
  entry.capability_args = inv.capability_args;
  entry.result = prev;
  entry.loopback_result = *lo;
  if (Status s = cache.Write(entry); !s.ok()) return fail(Prefixed(request, s));
  return net;
}

Status CniNetwork::Del(const PodNetworkRequest& request) {
  if (Status s = CheckRequest(request); !s.ok()) return s;
  Busy busy(this, request.sandbox_id);
  return DelLocked(request);
}

Status CniNetwork::DelLocked(const PodNetworkRequest& request) {
  const ResultCache cache(config_.cache_dir, config_.network_name);
  Result<CacheEntry> cached = cache.Read(request.sandbox_id);
  CacheEntry entry;
  if (cached.ok()) entry = std::move(*cached);

  PodNetworkRequest req = request;
  if (req.netns_path.empty()) req.netns_path = entry.netns;
  if (req.pod_namespace.empty()) req.pod_namespace = entry.pod_namespace;
  if (req.pod_name.empty()) req.pod_name = entry.pod_name;
  if (req.port_mappings.empty()) req.port_mappings = PortMappingsFrom(entry.capability_args);
  // With the namespace gone (or a leftover plain file) plugins get no CNI_NETNS: they still
  // release the address and the port mappings, and the rule sweep below does the rest.
  const bool netns_alive = !req.netns_path.empty() && IsNetNsPath(req.netns_path);
  Invocation inv{config_, req, netns_alive ? req.netns_path : std::string(),
                 CapabilityArgs(req.port_mappings)};

  Status first;
  const json list = BuildConfList(config_);
  const json& plugins = list["plugins"];
  for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) {
    if (IsPortmap(*it) && inv.capability_args.empty()) continue;
    Result<json> r = inv.Run("DEL", list, *it, kPodInterface, entry.result);
    if (!r.ok() && first.ok()) first = r.status();
  }
  if (netns_alive) {
    const json lo_list = BuildLoopbackList(config_);
    Result<json> r = inv.Run("DEL", lo_list, lo_list["plugins"][0], "lo", entry.loopback_result);
    if (!r.ok() && first.ok()) first = r.status();
  }
  NatTools tools{IsIpv6Subnet(config_.subnet), config_.search_path, config_.plugin_timeout};
  Result<int> swept = RemoveNatRules(tools, config_.network_name, [&](const std::string& owner) {
    return owner == req.sandbox_id;
  });
  if (!swept.ok() && first.ok()) first = Prefixed(req, swept.status());
  if (!first.ok()) return first;
  if (Status s = cache.Remove(req.sandbox_id); !s.ok()) return Prefixed(req, s);
  return Status::Ok();
}

Status CniNetwork::Check(const PodNetworkRequest& request) {
  if (Status s = CheckRequest(request); !s.ok()) return s;
  Busy busy(this, request.sandbox_id);
  const ResultCache cache(config_.cache_dir, config_.network_name);
  Result<CacheEntry> cached = cache.Read(request.sandbox_id);
  if (!cached.ok()) return Prefixed(request, cached.status());
  PodNetworkRequest req = request;
  if (req.netns_path.empty()) req.netns_path = cached->netns;
  if (req.port_mappings.empty()) req.port_mappings = PortMappingsFrom(cached->capability_args);
  if (!IsNetNsPath(req.netns_path)) {
    return NotFoundError("sandbox " + req.sandbox_id + ": network namespace " + req.netns_path +
                         " does not exist");
  }
  Invocation inv{config_, req, req.netns_path, CapabilityArgs(req.port_mappings)};
  if (!cached->loopback_result.is_null()) {
    const json lo_list = BuildLoopbackList(config_);
    Result<json> r =
        inv.Run("CHECK", lo_list, lo_list["plugins"][0], "lo", cached->loopback_result);
    if (!r.ok()) return r.status();
  }
  Result<PodNetwork> net = ParseResult(cached->result, kPodInterface, config_.bridge);
  if (!net.ok()) return Prefixed(req, net.status());
  const json list = BuildConfList(config_);
  for (const json& plugin : list["plugins"]) {
    if (IsPortmap(plugin) && inv.capability_args.empty()) continue;
    if (IsPortmap(plugin) && net->ipv6.empty()) {
      // portmap 1.1.1's CHECK always looks for IPv6 chains and fails for IPv4-only pods
      // (containernetworking/plugins#819): check its per-pod DNAT rule ourselves.
      if (Status s = CheckPortmapRules(req.sandbox_id); !s.ok()) return s;
      continue;
    }
    Result<json> r = inv.Run("CHECK", list, plugin, kPodInterface, cached->result);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Status CniNetwork::CheckPortmapRules(const std::string& sandbox_id) const {
  NatTools tools{IsIpv6Subnet(config_.subnet), config_.search_path, config_.plugin_timeout};
  Result<SavedTable> table = ReadNatTable(tools);
  if (!table.ok()) return table.status();
  for (const SavedRule& rule : table->rules) {
    if (rule.comment.rfind("dnat ", 0) == 0 &&
        CniCommentOwner(rule.comment, config_.network_name) == sandbox_id) {
      return Status::Ok();
    }
  }
  return NotFoundError("sandbox " + sandbox_id + ": CNI plugin portmap CHECK: no host port " +
                       "DNAT rule for the sandbox in the nat table");
}

Result<PodNetwork> CniNetwork::Cached(const std::string& sandbox_id) const {
  const ResultCache cache(config_.cache_dir, config_.network_name);
  Result<CacheEntry> cached = cache.Read(sandbox_id);
  if (!cached.ok()) return cached.status();
  return ParseResult(cached->result, kPodInterface, config_.bridge);
}

Status CniNetwork::ReleaseOrphans(const std::set<std::string>& live) {
  auto keep = [&](const std::string& id) {
    if (live.count(id)) return true;
    std::lock_guard<std::mutex> lock(mu_);
    return busy_.count(id) > 0;
  };
  Status first;
  auto note = [&](const Status& s) {
    if (!s.ok() && first.ok()) first = s;
  };

  const ResultCache cache(config_.cache_dir, config_.network_name);
  Result<std::vector<std::string>> cached = cache.List();
  note(cached.status());
  for (const std::string& id : cached.ok() ? *cached : std::vector<std::string>{}) {
    if (keep(id)) continue;
    Busy busy(this, id);
    PodNetworkRequest req;
    req.sandbox_id = id;
    Status s = DelLocked(req);  // fills the rest from the cache entry
    log::Info(kLog, "tore down the network of an orphaned sandbox",
              {{"sandbox", id}, {"result", s.ToString()}});
    note(s);
  }

  Result<std::vector<std::string>> released =
      ReleaseReservations(config_.ipam_data_dir + "/" + config_.network_name, keep);
  note(released.status());
  if (released.ok()) {
    for (const std::string& ip : *released) {
      log::Info(kLog, "released an orphaned pod address", {{"ip", ip}});
    }
  }

  NatTools tools{IsIpv6Subnet(config_.subnet), config_.search_path, config_.plugin_timeout};
  Result<int> swept = RemoveNatRules(tools, config_.network_name,
                                     [&](const std::string& owner) { return !keep(owner); });
  note(swept.status());
  if (swept.ok() && *swept > 0) {
    log::Info(kLog, "removed orphaned pod NAT rules", {{"count", std::to_string(*swept)}});
  }
  return first;
}

}  // namespace skiff::net
