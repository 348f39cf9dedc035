#include "local_client.h"

#include <atomic>
#include <charconv>
#include <thread>

#include "api/subresources.h"
#include "local_watch.h"

namespace skiff::client {
namespace {

template <class T>
Result<T> Convert(api::ApiResult<T> r) {
  if (!r.ok()) return StatusFromApiError(r.error());
  return std::move(r).value();
}

api::WriteOptions AgentWrite() {
  api::WriteOptions o;
  o.field_manager = "skiff";
  return o;
}

// One store watch on the resource's prefix and a thread that turns its wake-ups into calls of
// `changed`. A watch that closes (fell behind, store restarted) is reopened from now: the
// callback after reopening covers whatever was missed, since consumers re-read state.
class LocalSubscription : public Subscription {
 public:
  LocalSubscription(store::Store& store, std::string prefix, std::function<void()> changed)
      : store_(store), prefix_(std::move(prefix)), changed_(std::move(changed)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~LocalSubscription() override {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::shared_ptr<store::Watcher> watcher;
    while (!stopping_) {
      if (!watcher) {
        store::WatchOptions o;
        o.prefix = prefix_;
        auto w = store_.Watch(o);
        if (!w.ok()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        watcher = *w;
        changed_();
      }
      std::vector<store::EventPtr> events;
      if (!watcher->Wait(&events, std::chrono::milliseconds(200))) {
        watcher.reset();
        continue;
      }
      if (!events.empty() && !stopping_) changed_();
    }
    if (watcher) watcher->Close();
  }

  store::Store& store_;
  std::string prefix_;
  std::function<void()> changed_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

Status StatusFromApiError(const api::ApiError& e) {
  switch (e.code) {
    case 404:
      return NotFoundError(e.message);
    case 409:
      return e.reason == "AlreadyExists" ? AlreadyExistsError(e.message) : ConflictError(e.message);
    case 400:
    case 422:
      return InvalidArgumentError(e.message);
    case 410:
      return GoneError(e.message);
    case 413:
      return TooLargeError(e.message);
    case 429:
    case 503:
      return UnavailableError(e.message);
    default:
      return InternalError(e.message);
  }
}

Result<const apis::ResourceType*> LocalClient::Find(const Resource& r) const {
  const apis::ResourceType* rt = resources_.registry().Find(r.group, r.version, r.resource);
  if (!rt) {
    return NotFoundError("the server could not find the requested resource " + r.resource +
                         (r.group.empty() ? "" : "." + r.group) + "/" + r.version);
  }
  return rt;
}

Result<json> LocalClient::Get(const Resource& r, const std::string& ns, const std::string& name) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  return Convert(resources_.Get(**rt, ns, name));
}

Result<json> LocalClient::List(const Resource& r, const std::string& ns, const Selectors& s) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  api::ListOptions o;
  o.label_selector = s.labels;
  o.field_selector = s.fields;
  return Convert(resources_.List(**rt, ns, o));
}

Result<json> LocalClient::Create(const Resource& r, const std::string& ns, const json& obj) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  return Convert(resources_.Create(**rt, ns, obj, AgentWrite(), nullptr));
}

Result<json> LocalClient::Update(const Resource& r, const std::string& ns, const json& obj,
                                 const std::string& subresource) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  return Convert(resources_.Update(**rt, ns, api::GetString(obj, {"metadata", "name"}), obj,
                                   subresource, AgentWrite(), nullptr));
}

Result<json> LocalClient::MergePatch(const Resource& r, const std::string& ns,
                                     const std::string& name, const json& patch,
                                     const std::string& subresource) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  return Convert(resources_.Patch(**rt, ns, name, "application/merge-patch+json", patch.dump(),
                                  subresource, AgentWrite(), nullptr));
}

Result<json> LocalClient::Apply(const Resource& r, const std::string& ns, const json& obj,
                                const std::string& field_manager, bool force) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  api::WriteOptions o;
  o.field_manager = field_manager;
  o.force = force;
  o.field_validation = "Strict";
  const std::string name =
      obj.contains("metadata") && obj["metadata"].is_object() ? obj["metadata"].value("name", "")
                                                              : "";
  if (name.empty()) return InvalidArgumentError("an applied object needs metadata.name");
  return Convert(resources_.Patch(**rt, ns, name, "application/apply-patch+yaml", obj.dump(), "",
                                  o, nullptr));
}

Result<json> LocalClient::CreateSubresource(const Resource& r, const std::string& ns,
                                            const std::string& name, const std::string& subresource,
                                            const json& obj) {
  if (r.group.empty() && r.resource == "pods" && subresource == "binding") {
    auto res = api::BindPod(resources_, ns, name, obj);
    if (!res.ok()) return StatusFromApiError(res.error());
    return std::move(res).value();
  }
  return InvalidArgumentError("the in-process client cannot create " + r.resource + "/" +
                              subresource);
}

Status LocalClient::Delete(const Resource& r, const std::string& ns, const std::string& name,
                           const DeleteOptions& options) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  api::DeleteOptions o;
  o.grace_period_seconds = options.grace_period_seconds;
  o.precondition_uid = options.precondition_uid;
  o.propagation_policy = options.propagation_policy;
  auto res = resources_.Delete(**rt, ns, name, o);
  if (!res.ok()) return StatusFromApiError(res.error());
  return Status::Ok();
}

Result<std::unique_ptr<Subscription>> LocalClient::Subscribe(const Resource& r,
                                                             const std::string& ns,
                                                             std::function<void()> changed) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  return std::unique_ptr<Subscription>(std::make_unique<LocalSubscription>(
      resources_.store(), api::StoragePrefix(**rt, ns), std::move(changed)));
}

Result<std::unique_ptr<Subscription>> LocalClient::Watch(
    const Resource& r, const std::string& ns, const std::string& resource_version,
    std::function<void(std::vector<WatchEvent>&)> events, std::function<void(Status)> closed) {
  auto rt = Find(r);
  if (!rt.ok()) return rt.status();
  store::WatchOptions o;
  o.prefix = api::StoragePrefix(**rt, ns);
  if (!resource_version.empty()) {
    store::Revision after = 0;
    const char* end = resource_version.data() + resource_version.size();
    auto [ptr, ec] = std::from_chars(resource_version.data(), end, after);
    if (ec != std::errc() || ptr != end || after < 0) {
      return InvalidArgumentError("invalid resourceVersion \"" + resource_version + "\"");
    }
    o.after = after;
  }
  store::Store& store = resources_.store();
  auto watcher = store.Watch(std::move(o));
  if (!watcher.ok()) {
    if (watcher.status().code() == Code::kGone) {
      // kube-apiserver's words for a compacted start.
      return GoneError("too old resource version: " + resource_version + " (" +
                       std::to_string(store.CompactRevision()) + ")");
    }
    return watcher.status();
  }
  return StartLocalWatch(std::move(watcher).value(), **rt, std::move(events), std::move(closed));
}

}  // namespace skiff::client
