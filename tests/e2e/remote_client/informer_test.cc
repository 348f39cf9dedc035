// Informers and Subscribe over RemoteClient against a real server, through server restarts.
#include "skiff/client/informer.h"

#include <catch2/catch.hpp>
#include <thread>

#include "skiff_server.h"

using namespace skiff;
using namespace skiff::client;
using namespace std::chrono_literals;
using skiff::testing::Eventually;
using skiff::testing::NewNamespace;
using skiff::testing::SharedServer;
using skiff::testing::SkiffServer;

namespace {

json ConfigMap(const std::string& name, const std::string& value = "0") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}}},
          {"data", {{"v", value}}}};
}

// What an informer's handlers heard, as "add ns/name", "update ns/name v->v", "delete ns/name".
class Heard {
 public:
  EventHandler Handler(const std::string& ns) {
    auto mine = [ns](const ObjectPtr& o) { return (*o)["metadata"].value("namespace", "") == ns; };
    EventHandler h;
    h.on_add = [this, mine](const ObjectPtr& o) {
      if (mine(o)) Add("add " + KeyOf(*o));
    };
    h.on_update = [this, mine](const ObjectPtr& old, const ObjectPtr& now) {
      if (mine(now)) {
        Add("update " + KeyOf(*now) + " " + (*old)["data"].value("v", "") + "->" +
            (*now)["data"].value("v", ""));
      }
    };
    h.on_delete = [this, mine](const ObjectPtr& o) {
      if (mine(o)) Add("delete " + KeyOf(*o));
    };
    return h;
  }
  std::vector<std::string> Log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  bool Has(const std::string& line) const {
    auto l = Log();
    return std::find(l.begin(), l.end(), line) != l.end();
  }

 private:
  void Add(std::string line) {
    std::lock_guard lock(mu_);
    log_.push_back(std::move(line));
  }
  mutable std::mutex mu_;
  std::vector<std::string> log_;
};

InformerOptions Fast() {
  InformerOptions o;
  o.initial_backoff = 50ms;
  o.max_backoff = 500ms;
  return o;
}

}  // namespace

TEST_CASE("An informer over RemoteClient syncs, follows changes and relists after a restart",
          "[e2e]") {
  SkiffServer server;
  auto c = server.NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "inf");
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("existing")).ok());

  SharedInformerFactory factory(client, Fast());
  Informer& informer = factory.For(ConfigMaps());
  Heard heard;
  informer.AddHandler(heard.Handler(ns));
  factory.Start();
  REQUIRE(factory.WaitForSync(10s));
  CHECK(informer.Get(ns, "existing") != nullptr);
  CHECK(heard.Log() == std::vector<std::string>{"add " + ns + "/existing"});

  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("new")).ok());
  REQUIRE(client.MergePatch(ConfigMaps(), ns, "new", {{"data", {{"v", "1"}}}}).ok());
  REQUIRE(client.Delete(ConfigMaps(), ns, "existing", {}).ok());
  REQUIRE(Eventually([&] { return heard.Log().size() == 4; }));
  CHECK(heard.Log() == std::vector<std::string>{"add " + ns + "/existing", "add " + ns + "/new",
                                                "update " + ns + "/new 0->1",
                                                "delete " + ns + "/existing"});
  const std::string synced_rv = informer.LastSyncResourceVersion();

  // The server goes away and comes back on the same port and data: the informer's watch ends,
  // it relists (with backoff while the server is down) and follows again.
  server.Kill();
  std::this_thread::sleep_for(700ms);  // a few failed relists
  server.Start();
  REQUIRE(client.MergePatch(ConfigMaps(), ns, "new", {{"data", {{"v", "2"}}}}).ok());
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("after")).ok());
  REQUIRE(Eventually([&] {
    auto o = informer.Get(ns, "new");
    return informer.Get(ns, "after") != nullptr && o && (*o)["data"]["v"] == "2";
  }));
  CHECK(heard.Has("update " + ns + "/new 1->2"));
  CHECK(heard.Has("add " + ns + "/after"));
  CHECK(std::stoll(informer.LastSyncResourceVersion()) > std::stoll(synced_rv));
  CHECK(informer.Get(ns, "existing") == nullptr);
}

TEST_CASE("Subscribe calls changed once at the start and after changes", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "sub");
  std::atomic<int> calls{0};
  auto sub = client.Subscribe(ConfigMaps(), ns, [&] { ++calls; });
  REQUIRE(sub.ok());
  REQUIRE(Eventually([&] { return calls.load() == 1; }));
  std::this_thread::sleep_for(200ms);
  CHECK(calls == 1);  // nothing changed: no more calls

  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("x")).ok());
  REQUIRE(Eventually([&] { return calls.load() >= 2; }));
  const int after_create = calls;
  // Another namespace's change is not ours.
  const std::string other = NewNamespace(client, "sub-other");
  REQUIRE(client.Create(ConfigMaps(), other, ConfigMap("y")).ok());
  std::this_thread::sleep_for(200ms);
  CHECK(calls == after_create);

  sub->reset();
  const int at_stop = calls;
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("z")).ok());
  std::this_thread::sleep_for(200ms);
  CHECK(calls == at_stop);
}

TEST_CASE("Subscribe survives a server restart and may be destroyed from changed", "[e2e]") {
  SkiffServer server;
  auto c = server.NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "subr");
  std::atomic<int> calls{0};
  auto sub = client.Subscribe(ConfigMaps(), ns, [&] { ++calls; });
  REQUIRE(sub.ok());
  REQUIRE(Eventually([&] { return calls.load() == 1; }));

  server.Kill();
  std::this_thread::sleep_for(700ms);
  CHECK(calls == 1);  // no calls while it cannot know anything
  server.Start();
  // Back: one call for resubscribing (whatever happened meanwhile), then one per change.
  REQUIRE(Eventually([&] { return calls.load() == 2; }));
  std::this_thread::sleep_for(200ms);
  REQUIRE(calls == 2);  // the new watch is open by now
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("after-restart")).ok());
  REQUIRE(Eventually([&] { return calls.load() == 3; }));

  // Destroyed from inside `changed`: no deadlock, no call afterwards.
  std::mutex mu;
  std::unique_ptr<Subscription> self;
  std::atomic<int> inner{0};
  auto s2 = client.Subscribe(ConfigMaps(), ns, [&] {
    ++inner;
    std::unique_ptr<Subscription> doomed;
    {
      std::lock_guard lock(mu);
      doomed = std::move(self);
    }
    doomed.reset();
  });
  REQUIRE(s2.ok());
  {
    std::lock_guard lock(mu);
    self = std::move(*s2);
  }
  // The first call may have run before `self` was set; a change makes the next one.
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("one-more")).ok());
  REQUIRE(Eventually([&] {
    std::lock_guard lock(mu);
    return self == nullptr;
  }));
  const int at_stop = inner;
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("ignored")).ok());
  std::this_thread::sleep_for(300ms);
  CHECK(inner == at_stop);
}
