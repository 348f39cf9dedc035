#include "watch.h"

#include <boost/asio.hpp>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "codec.h"
#include "request_info.h"
#include "skiff/common/log.h"
#include "table.h"

namespace skiff::api {

namespace net = boost::asio;

namespace {

constexpr size_t kMaxPendingBytes = 16 * 1024 * 1024;
constexpr auto kBookmarkInterval = std::chrono::seconds(60);

std::string EventLine(const std::string& type, const json& object) {
  std::string line = R"({"type":")" + type + R"(","object":)" + object.dump() + "}\n";
  return line;
}

}  // namespace

struct WatchService::Impl {
  // Hands work from the store's threads to the service's thread, and drops it once the service
  // is gone: a store watch can outlive the service (the store closes it later).
  struct Poster {
    std::mutex mu;
    net::io_context* ioc = nullptr;  // guarded by mu; null once the service is going
    template <class F>
    void Post(F&& f) {
      std::lock_guard lock(mu);
      if (ioc) net::post(*ioc, std::forward<F>(f));
    }
  };

  explicit Impl(Resources& r) : resources(r) {
    poster->ioc = &ioc;
    thread = std::thread([this] { ioc.run(); });
  }
  ~Impl() {
    {
      std::lock_guard lock(poster->mu);
      poster->ioc = nullptr;
    }
    guard.reset();
    ioc.stop();
    thread.join();
  }
  Resources& resources;
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> guard{ioc.get_executor()};
  std::thread thread;
  std::shared_ptr<Poster> poster = std::make_shared<Poster>();
};

namespace {

// One client's watch. Lives while the stream is open; every member is touched only on the
// service's single thread (after Start).
class WatchSession : public std::enable_shared_from_this<WatchSession> {
 public:
  WatchSession(WatchService::Impl* svc, const apis::ResourceType& rt, ListFilter filter,
               bool as_table, bool bookmarks, std::shared_ptr<ResponseStream> stream)
      : svc_(svc),
        rt_(rt),
        filter_(std::move(filter)),
        as_table_(as_table),
        bookmarks_(bookmarks),
        stream_(std::move(stream)),
        timeout_(svc->ioc),
        bookmark_(svc->ioc) {}

  void Start(std::shared_ptr<store::Watcher> watcher, store::Revision revision,
             std::chrono::seconds timeout) {
    watcher_ = std::move(watcher);
    revision_ = revision;
    auto self = shared_from_this();
    stream_->OnClose([self] { net::post(self->svc_->ioc, [self] { self->Stop(); }); });
    timeout_.expires_after(timeout);
    timeout_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Stop();
    });
    if (bookmarks_) ScheduleBookmark();
    Drain();
  }

  void Send(const std::string& type, json object) {
    if (as_table_ && type != "ERROR" && type != "BOOKMARK") {
      json meta = {{"resourceVersion", GetString(object, {"metadata", "resourceVersion"})}};
      object = ToTable(rt_, json::array({std::move(object)}), meta, !sent_columns_);
      sent_columns_ = true;
    }
    stream_->Write(EventLine(type, object));
  }

  // Runs on the service thread whenever the store has news.
  void Drain() {
    if (stopped_ || !watcher_) return;  // Start() drains once the watcher is in place
    std::vector<store::EventPtr> events;
    bool open = watcher_->Poll(&events);
    for (const store::EventPtr& e : events) Deliver(*e);
    if (!open || stream_->pending() > kMaxPendingBytes) {
      if (!open) {
        log::Debug("api", "watch ended by the store", {{"resource", rt_.resource}});
      }
      Stop();
    }
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    timeout_.cancel();
    bookmark_.cancel();
    if (watcher_) watcher_->Close();
    stream_->Close();
  }

  std::set<std::string>& visible() { return visible_; }

 private:
  void Deliver(const store::Event& e) {
    revision_ = e.revision();
    auto decoded = DecodeEvent(e, rt_);
    if (!decoded.ok()) return;
    json& obj = decoded->object;
    if (filter_.everything()) {
      Send(WatchEventTypeName(decoded->type), std::move(obj));
      return;
    }
    // With selectors, an object entering or leaving the selection is ADDED or DELETED.
    const bool matches = filter_.Matches(obj);
    const bool was_visible = visible_.count(e.kv.key) > 0;
    if (decoded->type == WatchEventType::kDeleted) {
      if (was_visible) {
        visible_.erase(e.kv.key);
        Send("DELETED", std::move(obj));
      }
    } else if (matches) {
      visible_.insert(e.kv.key);
      Send(was_visible ? "MODIFIED" : "ADDED", std::move(obj));
    } else if (was_visible) {
      visible_.erase(e.kv.key);
      Send("DELETED", std::move(obj));
    }
  }

  void ScheduleBookmark() {
    auto self = shared_from_this();
    bookmark_.expires_after(kBookmarkInterval);
    bookmark_.async_wait([self](const boost::system::error_code& ec) {
      if (ec || self->stopped_) return;
      self->Send("BOOKMARK", {{"kind", self->rt_.kind},
                              {"apiVersion", self->rt_.api_version()},
                              {"metadata", {{"resourceVersion", std::to_string(self->revision_)}}}});
      self->ScheduleBookmark();
    });
  }

  WatchService::Impl* svc_;
  const apis::ResourceType& rt_;
  ListFilter filter_;
  bool as_table_;
  bool bookmarks_;
  std::shared_ptr<ResponseStream> stream_;
  std::shared_ptr<store::Watcher> watcher_;
  net::steady_timer timeout_;
  net::steady_timer bookmark_;
  store::Revision revision_ = 0;
  std::set<std::string> visible_;
  bool sent_columns_ = false;
  bool stopped_ = false;
};

}  // namespace

WatchService::WatchService(Resources& resources) : impl_(std::make_unique<Impl>(resources)) {}
WatchService::~WatchService() = default;

void WatchService::Serve(const apis::ResourceType& rt, const std::string& ns,
                         const HttpRequest& request, std::shared_ptr<Responder> responder) {
  auto filter = ListFilter::Make(rt, request.Query("labelSelector"), request.Query("fieldSelector"));
  if (!filter.ok()) return responder->Send(ErrorResponse(filter.error()));

  std::chrono::seconds timeout;
  if (request.HasQuery("timeoutSeconds")) {
    try {
      timeout = std::chrono::seconds(std::stoll(request.Query("timeoutSeconds")));
    } catch (...) {
      return responder->Send(ErrorResponse(BadRequest("invalid timeoutSeconds")));
    }
  } else {
    // As kube-apiserver: a random time between 30 and 60 minutes spreads reconnects.
    std::mt19937 rng(std::random_device{}());
    timeout = std::chrono::seconds(1800 + rng() % 1800);
  }
  const std::string rv = request.Query("resourceVersion");
  const bool as_table = WantsTable(request);
  const bool bookmarks = QueryBool(request, "allowWatchBookmarks");
  Resources& res = impl_->resources;
  store::Store& store = res.store();

  // The starting state: for "" and "0", everything now (sent as ADDED); otherwise what the
  // selection held at the given revision (so leaving/entering it is reported correctly).
  json initial = json::array();
  store::Revision start = 0;
  std::set<std::string> visible;
  const std::string prefix = StoragePrefix(rt, ns);
  if (rv.empty() || rv == "0") {
    ListOptions lo{request.Query("labelSelector"), request.Query("fieldSelector")};
    auto list = res.List(rt, ns, lo);
    if (!list.ok()) return responder->Send(ErrorResponse(list.error()));
    start = std::stoll((*list)["metadata"]["resourceVersion"].get<std::string>());
    initial = std::move((*list)["items"]);
  } else {
    try {
      start = std::stoll(rv);
    } catch (...) {
      return responder->Send(ErrorResponse(BadRequest("invalid resourceVersion \"" + rv + "\"")));
    }
  }

  store::WatchOptions wo;
  wo.prefix = prefix;
  wo.after = start;
  auto session_slot = std::make_shared<std::weak_ptr<WatchSession>>();
  wo.on_ready = [session_slot, poster = impl_->poster] {
    poster->Post([session_slot] {
      if (auto s = session_slot->lock()) s->Drain();
    });
  };
  auto watcher = store.Watch(std::move(wo));
  auto stream = responder->Stream(200, "application/json");
  if (!stream) return;
  if (!watcher.ok()) {
    ApiError e = watcher.status().code() == Code::kGone
                     ? Gone("too old resource version: " + rv + " (" +
                            std::to_string(store.CompactRevision()) + ")")
                     : FromStatus(watcher.status(), &rt, "");
    stream->Write(EventLine("ERROR", e.ToStatus()));
    stream->Close();
    return;
  }
  if (!filter->everything() && !(rv.empty() || rv == "0")) {
    ListOptions lo{request.Query("labelSelector"), request.Query("fieldSelector")};
    lo.resource_version = rv;
    lo.resource_version_match = "Exact";
    auto list = res.List(rt, ns, lo);
    if (list.ok()) {
      for (const json& item : (*list)["items"]) {
        visible.insert(StorageKey(rt, GetString(item, {"metadata", "namespace"}),
                                  GetString(item, {"metadata", "name"})));
      }
    }
  }
  auto session = std::make_shared<WatchSession>(impl_.get(), rt, std::move(filter).value(),
                                                as_table, bookmarks, stream);
  *session_slot = session;
  net::post(impl_->ioc, [session, initial = std::move(initial), visible = std::move(visible), rt_ptr = &rt,
                         watcher = *watcher, start, timeout]() mutable {
    session->visible() = std::move(visible);
    for (json& obj : initial) {
      session->visible().insert(StorageKey(*rt_ptr, GetString(obj, {"metadata", "namespace"}),
                                           GetString(obj, {"metadata", "name"})));
      session->Send("ADDED", std::move(obj));
    }
    session->Start(watcher, start, timeout);
  });
}

}  // namespace skiff::api
