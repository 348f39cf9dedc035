// SharedInformerFactory: one Informer per resource, shared by every consumer.
#include <map>
#include <mutex>

#include "skiff/client/informer.h"

namespace skiff::client {

struct SharedInformerFactory::Impl {
  Impl(Client& c, InformerOptions o) : client(c), options(o) {}

  std::vector<Informer*> Snapshot() {
    std::lock_guard lock(mu);
    std::vector<Informer*> out;
    out.reserve(informers.size());
    for (auto& [key, informer] : informers) out.push_back(informer.get());
    return out;
  }

  Client& client;
  const InformerOptions options;
  std::mutex mu;  // guards the below
  enum class State { kNew, kStarted, kStopped } state = State::kNew;
  // By "group/version/resource". Informers are never removed, so references stay valid.
  std::map<std::string, std::unique_ptr<Informer>> informers;
};

SharedInformerFactory::SharedInformerFactory(Client& client, InformerOptions options)
    : impl_(std::make_unique<Impl>(client, options)) {}

SharedInformerFactory::~SharedInformerFactory() { Stop(); }

Informer& SharedInformerFactory::For(const Resource& r) {
  std::lock_guard lock(impl_->mu);
  const std::string key = r.group + "/" + r.version + "/" + r.resource;
  auto it = impl_->informers.find(key);
  if (it != impl_->informers.end()) return *it->second;
  auto informer = std::make_unique<Informer>(impl_->client, r, "", impl_->options);
  if (impl_->state == Impl::State::kStarted) informer->Start();
  Informer& ref = *informer;
  impl_->informers.emplace(key, std::move(informer));
  return ref;
}

void SharedInformerFactory::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->state != Impl::State::kNew) return;
  impl_->state = Impl::State::kStarted;
  for (auto& [key, informer] : impl_->informers) informer->Start();
}

bool SharedInformerFactory::WaitForSync(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (Informer* informer : impl_->Snapshot()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    if (!informer->WaitForSync(left)) return false;
  }
  return true;
}

void SharedInformerFactory::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->state = Impl::State::kStopped;
  }
  // Outside the lock: stopping joins threads, and their handlers may call For().
  for (Informer* informer : impl_->Snapshot()) informer->Stop();
}

}  // namespace skiff::client
