#include "net/dns/cluster_dns_source.h"

#include <chrono>
#include <vector>

#include "skiff/common/log.h"

namespace skiff::net::dns {
namespace {

using nlohmann::json;

constexpr char kComponent[] = "dns";
// The index of slices by the "<ns>/<service>" they belong to.
constexpr char kSliceIndex[] = "skiff.dns/service";
constexpr char kSyncedKey[] = "synced";  // queued after the first lists' keys

std::string SliceService(const json& slice) {
  const auto md = slice.find("metadata");
  if (md == slice.end() || !md->is_object()) return "";
  const auto labels = md->find("labels");
  if (labels == md->end() || !labels->is_object()) return "";
  const auto name = labels->find(kServiceNameLabel);
  const auto ns = md->find("namespace");
  if (name == labels->end() || !name->is_string() || ns == md->end() || !ns->is_string()) {
    return "";
  }
  return ns->get<std::string>() + "/" + name->get<std::string>();
}

}  // namespace

ClusterDnsSource::ClusterDnsSource(client::SharedInformerFactory& informers,
                                   ClusterRecords& records)
    : services_(informers.For(client::Services())),
      slices_(informers.For(client::EndpointSlices())),
      namespaces_(informers.For(client::Namespaces())),
      records_(records) {
  records_.SetSynced(false);
  Status s = slices_.AddIndex(kSliceIndex, [](const json& slice) {
    std::string key = SliceService(slice);
    return key.empty() ? std::vector<std::string>{} : std::vector<std::string>{key};
  });
  if (!s.ok() && s.code() != Code::kAlreadyExists) {
    log::Error(kComponent, "cannot index endpoint slices", {{"error", s.message()}});
  }
}

ClusterDnsSource::~ClusterDnsSource() { Stop(); }

void ClusterDnsSource::EnqueueService(const client::ObjectPtr& obj) {
  queue_.Add("s/" + client::KeyOf(*obj));
}

void ClusterDnsSource::EnqueueSlice(const client::ObjectPtr& obj) {
  std::string key = SliceService(*obj);
  if (!key.empty()) queue_.Add("s/" + key);
}

void ClusterDnsSource::Start() {
  if (started_ || stopped_) return;
  started_ = true;
  worker_ = std::thread([this] { Run(); });
  service_handler_ = services_.AddHandler(
      {[this](const client::ObjectPtr& o) { EnqueueService(o); },
       [this](const client::ObjectPtr&, const client::ObjectPtr& o) { EnqueueService(o); },
       [this](const client::ObjectPtr& o) { EnqueueService(o); }});
  slice_handler_ =
      slices_.AddHandler({[this](const client::ObjectPtr& o) { EnqueueSlice(o); },
                          [this](const client::ObjectPtr& old_o, const client::ObjectPtr& o) {
                            // A relabelled slice leaves one service for another.
                            EnqueueSlice(old_o);
                            EnqueueSlice(o);
                          },
                          [this](const client::ObjectPtr& o) { EnqueueSlice(o); }});
  namespace_handler_ = namespaces_.AddHandler(
      {[this](const client::ObjectPtr& o) { queue_.Add("n/" + client::KeyOf(*o)); }, nullptr,
       [this](const client::ObjectPtr& o) { queue_.Add("n/" + client::KeyOf(*o)); }});
  // Once the informers listed everything, a marker behind the first lists' keys tells the
  // worker it has applied them all.
  sync_waiter_ = std::thread([this] {
    while (!stopping_.load()) {
      if (services_.WaitForSync(std::chrono::milliseconds(200)) &&
          slices_.WaitForSync(std::chrono::milliseconds(200)) &&
          namespaces_.WaitForSync(std::chrono::milliseconds(200))) {
        queue_.Add(kSyncedKey);
        return;
      }
      // WaitForSync answers at once for a stopped informer: do not spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

void ClusterDnsSource::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_.store(true);
  if (started_) {
    services_.RemoveHandler(service_handler_);
    slices_.RemoveHandler(slice_handler_);
    namespaces_.RemoveHandler(namespace_handler_);
  }
  queue_.ShutDown();
  if (sync_waiter_.joinable()) sync_waiter_.join();
  if (worker_.joinable()) worker_.join();
}

bool ClusterDnsSource::HasSynced() const { return synced_.load(); }

void ClusterDnsSource::Run() {
  while (auto key = queue_.Get()) {
    Apply(*key);
    queue_.Done(*key);
  }
}

void ClusterDnsSource::Apply(const std::string& key) {
  if (key == kSyncedKey) {
    records_.SetSynced(true);
    synced_.store(true);
    log::Info(kComponent, "cluster records synced",
              {{"services", std::to_string(records_.service_count())}});
    return;
  }
  if (key.starts_with("n/")) {
    const std::string name = key.substr(2);
    records_.SetNamespace(name, namespaces_.Get("", name) != nullptr);
    return;
  }
  const auto [ns, name] = client::SplitKey(key.substr(2));
  client::ObjectPtr svc = services_.Get(ns, name);
  if (!svc) {
    records_.RemoveService(ns, name);
    return;
  }
  std::vector<client::ObjectPtr> slices = slices_.ByIndex(kSliceIndex, ns + "/" + name);
  std::vector<const json*> raw;
  raw.reserve(slices.size());
  for (const auto& s : slices) raw.push_back(s.get());
  records_.UpsertService(*svc, raw);
}

}  // namespace skiff::net::dns
