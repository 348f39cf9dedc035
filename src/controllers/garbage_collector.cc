// The collector's wiring: informers and their handlers feeding the graph, the start-up wait
// for every informer, and the dispatch of keys. The attempts themselves are in
// gc_attempt_delete.cc, gc_attempt_orphan.cc and gc_owner_lookup.cc.
#include "controllers/garbage_collector.h"

#include <utility>

#include "skiff/common/log.h"

namespace skiff::controllers {

using nlohmann::json;

namespace {

constexpr char kComponent[] = "garbage-collector-controller";
constexpr auto kSyncPoll = std::chrono::milliseconds(100);

std::string MetaString(const json& obj, const char* field) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return {};
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : std::string();
}

ObjectRef IdentityOf(const json& obj, const GcResource& r) {
  return {r.api_version, r.kind, MetaString(obj, "namespace"), MetaString(obj, "name"),
          MetaString(obj, "uid")};
}

}  // namespace

GarbageCollector::GarbageCollector(client::Client& client, std::vector<GcResource> resources,
                                   GarbageCollectorOptions options)
    : client_(client),
      options_(std::move(options)),
      resources_(std::move(resources)),
      absent_(options_.absent_owner_cache_size),
      graph_(absent_,
             [this](const std::string& api_version, const std::string& kind) {
               const GcResource* r = resources_.Find(api_version, kind);
               return r && !r->namespaced;
             }),
      ops_(client_, resources_),
      recorder_(client_, events::Source{kComponent, ""}),
      loop_(ControllerLoopOptions{kComponent, options_.workers, options_.base_backoff,
                                  options_.max_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  client::InformerOptions io = options_.informer;
  io.transform = KeepGcMetadata;
  for (const GcResource& r : resources_.all()) {
    auto informer = std::make_unique<client::Informer>(client_, r.resource, "", io);
    const GcResource* res = &r;  // stable: resources_ is never modified
    client::EventHandler h;
    h.on_add = [this, res](const client::ObjectPtr& obj) {
      ObjectRef id = IdentityOf(*obj, *res);
      if (!id.uid.empty()) Enqueue(graph_.Observe(id, *obj, nullptr));
    };
    h.on_update = [this, res](const client::ObjectPtr& old_obj, const client::ObjectPtr& obj) {
      ObjectRef id = IdentityOf(*obj, *res);
      if (!id.uid.empty()) Enqueue(graph_.Observe(id, *obj, old_obj.get()));
    };
    h.on_delete = [this, res](const client::ObjectPtr& obj) {
      ObjectRef id = IdentityOf(*obj, *res);
      if (!id.uid.empty()) Enqueue(graph_.ObserveDelete(id));
    };
    informer->AddHandler(std::move(h));
    informers_.push_back(std::move(informer));
  }
}

GarbageCollector::~GarbageCollector() { Stop(); }

void GarbageCollector::Enqueue(const GraphEffects& fx) {
  for (const std::string& uid : fx.attempt_delete) loop_.Enqueue(DeleteKey(uid));
  for (const std::string& uid : fx.attempt_orphan) loop_.Enqueue(OrphanKey(uid));
}

void GarbageCollector::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stopped_) return;
    started_ = true;
  }
  for (auto& informer : informers_) informer->Start();
  starter_ = std::thread([this] { WaitThenRun(); });
}

void GarbageCollector::WaitThenRun() {
  for (auto& informer : informers_) {
    while (!informer->WaitForSync(kSyncPoll)) {
      std::lock_guard lock(mu_);
      if (stopped_) return;
    }
  }
  std::lock_guard lock(mu_);
  if (stopped_) return;
  loop_.Start();
  running_ = true;
  cv_.notify_all();
  log::Info(
      kComponent, "all resource monitors have synced; proceeding to collect garbage",
      {{"resources", std::to_string(informers_.size())}, {"nodes", std::to_string(graph_.Size())}});
}

void GarbageCollector::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    running_ = false;
  }
  cv_.notify_all();
  if (starter_.joinable()) starter_.join();
  loop_.Stop();
  for (auto& informer : informers_) informer->Stop();
}

bool GarbageCollector::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return running_ || stopped_; });
  return running_;
}

size_t GarbageCollector::CachedObjects() const {
  size_t n = 0;
  for (const auto& informer : informers_) n += informer->Size();
  return n;
}

Status GarbageCollector::Sync(const std::string& key) {
  const auto slash = key.find('/');
  if (slash != std::string::npos && slash + 1 < key.size()) {
    const std::string verb = key.substr(0, slash);
    const std::string uid = key.substr(slash + 1);
    if (verb == "delete") return AttemptToDelete(uid);
    if (verb == "orphan") return AttemptToOrphan(uid);
  }
  return InvalidArgumentError("malformed garbage collector key \"" + key + "\"");
}

}  // namespace skiff::controllers
