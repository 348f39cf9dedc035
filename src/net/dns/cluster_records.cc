// Snapshot maintenance of ClusterRecords; the lookups are in cluster_lookup.cc.
#include "net/dns/cluster_records.h"

#include <algorithm>
#include <chrono>

#include "net/dns/cluster_snapshot.h"

namespace skiff::net::dns {
namespace {

uint32_t NowSerial(uint32_t previous) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // Serials only move forward (RFC 1982), also when the clock steps back.
  return std::max(previous + 1, static_cast<uint32_t>(now));
}

// Every address `e` publishes a PTR for, with its target.
std::vector<std::pair<cli::IpAddress, PtrTarget>> PtrsOf(const ServiceEntry& e, const Name& zone) {
  std::vector<std::pair<cli::IpAddress, PtrTarget>> out;
  const std::string key = e.ns + "/" + e.name;
  auto svc_name = Name::FromLabels({e.name, e.ns, "svc"}, zone);
  if (!svc_name.ok()) return out;
  for (const cli::IpAddress& ip : e.cluster_ips) out.push_back({ip, {key, *svc_name, true}});
  if (e.kind == ServiceEntry::Kind::kExternalName) return out;
  for (const EndpointGroup& g : e.groups) {
    for (const DnsEndpoint& ep : g.endpoints) {
      auto target = Name::FromLabels({ep.hostname}, *svc_name);
      if (!target.ok()) continue;
      for (const cli::IpAddress& ip : ep.addresses) out.push_back({ip, {key, *target, false}});
    }
  }
  return out;
}

void RemovePtrs(ClusterRecords::Snapshot& s, const ServiceEntry& e, const Name& zone) {
  const std::string key = e.ns + "/" + e.name;
  for (const auto& [ip, unused] : PtrsOf(e, zone)) {
    auto it = s.ptr.find(IpKey(ip));
    if (it == s.ptr.end()) continue;
    auto list = std::make_shared<std::vector<PtrTarget>>(*it->second);
    std::erase_if(*list, [&](const PtrTarget& t) { return t.service_key == key; });
    if (list->empty()) {
      s.ptr.erase(it);
    } else {
      it->second = std::move(list);
    }
  }
}

void AddPtrs(ClusterRecords::Snapshot& s, const ServiceEntry& e, const Name& zone) {
  for (auto& [ip, target] : PtrsOf(e, zone)) {
    auto& slot = s.ptr[IpKey(ip)];
    auto list = slot ? std::make_shared<std::vector<PtrTarget>>(*slot)
                     : std::make_shared<std::vector<PtrTarget>>();
    const bool dup = std::any_of(list->begin(), list->end(), [&](const PtrTarget& t) {
      return t.service_key == target.service_key && t.target.Equals(target.target);
    });
    if (dup) continue;
    list->push_back(std::move(target));
    slot = std::move(list);
  }
}

}  // namespace

std::string IpKey(const cli::IpAddress& ip) {
  std::string k(17, '\0');
  k[0] = ip.family == cli::IpFamily::kV4 ? '4' : '6';
  std::copy(ip.bytes.begin(), ip.bytes.end(), k.begin() + 1);
  return k;
}

Result<std::unique_ptr<ClusterRecords>> ClusterRecords::Create(ClusterRecordsOptions options) {
  auto zone = Name::FromText(options.domain);
  if (!zone.ok()) {
    return InvalidArgumentError("cluster domain \"" + options.domain +
                                "\": " + zone.status().message());
  }
  if (zone->IsRoot()) return InvalidArgumentError("the cluster domain cannot be the root");
  Name lower = zone->Lower();
  return std::unique_ptr<ClusterRecords>(new ClusterRecords(std::move(options), std::move(lower)));
}

ClusterRecords::ClusterRecords(ClusterRecordsOptions options, Name zone)
    : options_(std::move(options)), zone_(std::move(zone)) {
  auto first = std::make_shared<Snapshot>();
  first->serial = NowSerial(0);
  current_.store(std::move(first));
}

ClusterRecords::~ClusterRecords() = default;

void ClusterRecords::Publish(std::shared_ptr<const Snapshot> next) {
  current_.store(std::move(next), std::memory_order_release);
}

void ClusterRecords::UpsertService(const nlohmann::json& service,
                                   const std::vector<const nlohmann::json*>& slices) {
  auto entry = std::make_shared<const ServiceEntry>(BuildServiceEntry(service, slices));
  if (entry->ns.empty() || entry->name.empty()) return;
  const std::string key = entry->ns + "/" + entry->name;
  std::lock_guard lock(write_mu_);
  auto cur = current_.load(std::memory_order_acquire);
  auto next = std::make_shared<Snapshot>(*cur);  // shares every entry
  auto it = next->services.find(key);
  if (it != next->services.end()) {
    RemovePtrs(*next, *it->second, zone_);
  } else {
    ++next->services_per_namespace[entry->ns];
  }
  AddPtrs(*next, *entry, zone_);
  next->services[key] = std::move(entry);
  next->serial = NowSerial(cur->serial);
  Publish(std::move(next));
}

void ClusterRecords::RemoveService(const std::string& ns, const std::string& name) {
  const std::string key = AsciiLower(ns) + "/" + AsciiLower(name);
  std::lock_guard lock(write_mu_);
  auto cur = current_.load(std::memory_order_acquire);
  auto found = cur->services.find(key);
  if (found == cur->services.end()) return;
  auto next = std::make_shared<Snapshot>(*cur);
  auto it = next->services.find(key);
  RemovePtrs(*next, *it->second, zone_);
  if (--next->services_per_namespace[it->second->ns] <= 0) {
    next->services_per_namespace.erase(it->second->ns);
  }
  next->services.erase(it);
  next->serial = NowSerial(cur->serial);
  Publish(std::move(next));
}

void ClusterRecords::SetNamespace(const std::string& name, bool exists) {
  const std::string ns = AsciiLower(name);
  std::lock_guard lock(write_mu_);
  auto cur = current_.load(std::memory_order_acquire);
  if (cur->namespaces.count(ns) == (exists ? 1u : 0u)) return;
  auto next = std::make_shared<Snapshot>(*cur);
  if (exists) {
    next->namespaces.insert(ns);
  } else {
    next->namespaces.erase(ns);
  }
  next->serial = NowSerial(cur->serial);
  Publish(std::move(next));
}

void ClusterRecords::SetSynced(bool synced) { synced_.store(synced); }
bool ClusterRecords::synced() const { return synced_.load(); }

size_t ClusterRecords::service_count() const {
  return current_.load(std::memory_order_acquire)->services.size();
}

const Name& ClusterRecords::zone() const { return zone_; }
const ClusterRecordsOptions& ClusterRecords::options() const { return options_; }

ZoneAnswer ClusterRecords::Lookup(const Question& q) const {
  auto snap = current_.load(std::memory_order_acquire);
  return LookupIn(*snap, options_, zone_, synced_.load(std::memory_order_relaxed), q);
}

}  // namespace skiff::net::dns
