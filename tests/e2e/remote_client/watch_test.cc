// RemoteClient::Watch against a real server: order without gaps, batches, DELETED's last
// state, bookmarks, expiry, a killed server, and stopping a watch.
#include <catch2/catch.hpp>
#include <thread>

#include "skiff_server.h"
#include "watch_recorder.h"

using namespace skiff;
using namespace skiff::client;
using namespace std::chrono_literals;
using skiff::testing::Eventually;
using skiff::testing::NewNamespace;
using skiff::testing::SharedServer;
using skiff::testing::SkiffServer;
using skiff::testing::WatchRecorder;
using Type = WatchEvent::Type;

namespace {

json ConfigMap(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}}},
          {"data", {{"n", "0"}}}};
}

std::string Rv(const json& obj) { return obj["metadata"]["resourceVersion"]; }

std::string ListRv(Client& c, const Resource& r, const std::string& ns) {
  auto list = c.List(r, ns, {});
  REQUIRE(list.ok());
  return (*list)["metadata"]["resourceVersion"];
}

// What a sequence of writes should look like on a watch: type, name, resourceVersion.
struct Expected {
  Type type;
  std::string name;
  std::string rv;
};

void CheckSame(const std::vector<WatchRecorder::Seen>& got, const std::vector<Expected>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("event " << i);
    CHECK(got[i].type == want[i].type);
    CHECK(got[i].name == want[i].name);
    CHECK(got[i].rv == want[i].rv);
  }
}

}  // namespace

TEST_CASE("Watch delivers every change in order, without gaps, in batches", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "watch");
  const std::string start = ListRv(client, ConfigMaps(), ns);

  WatchRecorder live;
  auto sub = client.Watch(ConfigMaps(), ns, start, live.Events(), live.Closed());
  REQUIRE(sub.ok());

  // Quick writes from two threads on two objects; each write's resourceVersion. (No Catch2
  // assertions off the main thread: failures are counted and checked after.)
  std::vector<Expected> want;
  std::mutex want_mu;
  std::atomic<int> failures{0};
  auto writer = [&](const std::string& name, int patches) {
    auto made = client.Create(ConfigMaps(), ns, ConfigMap(name));
    if (!made.ok()) {
      ++failures;
      return;
    }
    {
      std::lock_guard lock(want_mu);
      want.push_back({Type::kAdded, name, Rv(*made)});
    }
    for (int i = 1; i <= patches; ++i) {
      auto p = client.MergePatch(ConfigMaps(), ns, name, {{"data", {{"n", std::to_string(i)}}}});
      if (!p.ok()) {
        ++failures;
        continue;
      }
      std::lock_guard lock(want_mu);
      want.push_back({Type::kModified, name, Rv(*p)});
    }
  };
  std::thread other(writer, "two", 60);
  writer("one", 60);
  other.join();
  REQUIRE(failures == 0);
  // Deleting returns no resourceVersion: the DELETED event carries the delete's own.
  REQUIRE(client.Delete(ConfigMaps(), ns, "one", {}).ok());

  REQUIRE(live.WaitForEvents(want.size() + 1));
  std::sort(want.begin(), want.end(), [](const Expected& a, const Expected& b) {
    return std::stoll(a.rv) < std::stoll(b.rv);
  });
  std::vector<WatchRecorder::Seen> got = live.events();
  const WatchRecorder::Seen deleted = got.back();
  got.pop_back();
  CheckSame(got, want);
  CHECK(deleted.type == Type::kDeleted);
  CHECK(deleted.name == "one");
  CHECK(std::stoll(deleted.rv) > std::stoll(want.back().rv));
  CHECK(deleted.object["data"]["n"] == "60");  // the last state before the delete
  CHECK(live.closed_count() == 0);

  // A watch from the same start now finds the whole history waiting: it comes in batches of
  // many events, the same sequence.
  WatchRecorder replay;
  auto again = client.Watch(ConfigMaps(), ns, start, replay.Events(), replay.Closed());
  REQUIRE(again.ok());
  REQUIRE(replay.WaitForEvents(want.size() + 1));
  std::vector<WatchRecorder::Seen> replayed = replay.events();
  replayed.pop_back();
  CheckSame(replayed, want);
  const std::vector<size_t> batches = replay.batches();
  CHECK(batches.size() < want.size() / 2);
  CHECK(*std::max_element(batches.begin(), batches.end()) > 1);
}

TEST_CASE("Watch from \"\" starts now; with a namespace of \"\" it sees every namespace", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns1 = NewNamespace(client, "w1");
  const std::string ns2 = NewNamespace(client, "w2");
  REQUIRE(client.Create(ConfigMaps(), ns1, ConfigMap("before")).ok());

  WatchRecorder rec;
  auto sub = client.Watch(ConfigMaps(), "", "", rec.Events(), rec.Closed());
  REQUIRE(sub.ok());
  auto a = client.Create(ConfigMaps(), ns1, ConfigMap("after-1"));
  auto b = client.Create(ConfigMaps(), ns2, ConfigMap("after-2"));
  REQUIRE((a.ok() && b.ok()));
  // Other tests may write elsewhere meanwhile; ours come in order and "before" never does.
  REQUIRE(Eventually([&] {
    int ours = 0;
    for (const auto& e : rec.events()) ours += e.name == "after-1" || e.name == "after-2";
    return ours == 2;
  }));
  std::vector<std::string> ours;
  for (const auto& e : rec.events()) {
    CHECK(e.name != "before");
    if (e.name == "after-1" || e.name == "after-2") ours.push_back(e.name + "@" + e.rv);
  }
  CHECK(ours == std::vector<std::string>{"after-1@" + Rv(*a), "after-2@" + Rv(*b)});
}

TEST_CASE("Watch's own errors: unknown resource, malformed resourceVersion", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  auto unknown = client.Watch(
      {"", "v1", "widgets"}, "default", "1", [](std::vector<WatchEvent>&) {}, [](Status) {});
  CHECK(unknown.status().code() == Code::kNotFound);
  auto malformed = client.Watch(
      ConfigMaps(), "default", "yesterday", [](std::vector<WatchEvent>&) {}, [](Status) {});
  CHECK(malformed.status().code() == Code::kInvalidArgument);
  CHECK(malformed.status().message() == "invalid resourceVersion \"yesterday\"");
}

TEST_CASE("A compacted resourceVersion: Watch returns OK, then closed(kGone)", "[e2e]") {
  SkiffServer server({"--compact-interval", "1s"});
  auto c = server.NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "gone");
  auto made = client.Create(ConfigMaps(), ns, ConfigMap("old"));
  REQUIRE(made.ok());
  const std::string old = Rv(*made);

  std::optional<Status> why;
  int n = 0;
  const bool expired = Eventually(
      [&] {
        REQUIRE(client.MergePatch(ConfigMaps(), ns, "old", {{"data", {{"n", std::to_string(++n)}}}})
                    .ok());
        WatchRecorder rec;
        auto sub = client.Watch(ConfigMaps(), ns, old, rec.Events(), rec.Closed());
        REQUIRE(sub.ok());  // never an error of Watch itself: the server answers 200
        why = rec.WaitForClosed(500ms);
        return why.has_value();
      },
      30s);
  REQUIRE(expired);
  CHECK(why->code() == Code::kGone);
  CHECK_THAT(why->message(), Catch::StartsWith("too old resource version: " + old + " ("));
}

TEST_CASE("A killed server ends the watch once with closed(kUnavailable)", "[e2e]") {
  SkiffServer server;
  auto c = server.NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "kill");
  WatchRecorder rec;
  auto sub = client.Watch(ConfigMaps(), ns, "", rec.Events(), rec.Closed());
  REQUIRE(sub.ok());
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("x")).ok());
  REQUIRE(rec.WaitForEvents(1));
  server.Kill();
  auto why = rec.WaitForClosed(5s);
  REQUIRE(why.has_value());
  CHECK(why->code() == Code::kUnavailable);
  std::this_thread::sleep_for(300ms);
  CHECK(rec.closed_count() == 1);
  CHECK(rec.event_count() == 1);
  CHECK_FALSE(rec.events_after_close());
}

TEST_CASE("Destroying a watch mid-stream is prompt and silences it", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "stop");
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("busy")).ok());
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; writing; ++i) {
      (void)client.MergePatch(ConfigMaps(), ns, "busy", {{"data", {{"n", std::to_string(i)}}}});
    }
  });

  WatchRecorder rec;
  auto sub = client.Watch(ConfigMaps(), ns, "", rec.Events(), rec.Closed());
  REQUIRE(sub.ok());
  REQUIRE(rec.WaitForEvents(20));
  const auto start = std::chrono::steady_clock::now();
  sub->reset();
  const auto took = std::chrono::steady_clock::now() - start;
  const size_t seen = rec.event_count();
  std::this_thread::sleep_for(300ms);  // the writes go on
  writing = false;
  writer.join();
  CHECK(took < 200ms);
  CHECK(rec.event_count() == seen);
  CHECK(rec.closed_count() == 0);

  // An idle stream (nothing to read) stops as promptly.
  WatchRecorder idle;
  auto quiet = client.Watch(Nodes(), "", "", idle.Events(), idle.Closed());
  REQUIRE(quiet.ok());
  std::this_thread::sleep_for(100ms);
  const auto t0 = std::chrono::steady_clock::now();
  quiet->reset();
  CHECK(std::chrono::steady_clock::now() - t0 < 200ms);
}

TEST_CASE("Destroying a watch waits for a running callback, except from inside one", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "cb");

  // From another thread while the callback runs: it waits for the callback to finish.
  std::atomic<bool> in_callback{false}, callback_done{false};
  auto slow = client.Watch(
      ConfigMaps(), ns, "",
      [&](std::vector<WatchEvent>&) {
        in_callback = true;
        std::this_thread::sleep_for(300ms);
        callback_done = true;
      },
      [](Status) {});
  REQUIRE(slow.ok());
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("a")).ok());
  REQUIRE(Eventually([&] { return in_callback.load(); }));
  slow->reset();
  CHECK(callback_done);

  // From inside its own callback: no deadlock, and nothing runs afterwards.
  std::mutex mu;
  std::unique_ptr<Subscription> self;
  std::atomic<int> calls{0}, closed{0};
  auto sub = client.Watch(
      ConfigMaps(), ns, "",
      [&](std::vector<WatchEvent>&) {
        ++calls;
        std::unique_ptr<Subscription> doomed;
        {
          std::lock_guard lock(mu);
          doomed = std::move(self);
        }
        doomed.reset();  // destroys the watch from its own thread
      },
      [&](Status) { ++closed; });
  REQUIRE(sub.ok());
  {
    std::lock_guard lock(mu);
    self = std::move(*sub);
  }
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("b")).ok());
  REQUIRE(Eventually([&] { return calls.load() == 1; }));
  REQUIRE(client.Create(ConfigMaps(), ns, ConfigMap("c")).ok());
  std::this_thread::sleep_for(300ms);
  CHECK(calls == 1);
  CHECK(closed == 0);
}

TEST_CASE("Bookmarks keep the stream alive and are not delivered as events", "[e2e]") {
  // skiff's server sends a bookmark after 60 s of a watch; the stream must survive it.
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "bm");
  WatchRecorder rec;
  auto sub = client.Watch(ConfigMaps(), ns, "", rec.Events(), rec.Closed());
  REQUIRE(sub.ok());
  std::this_thread::sleep_for(62s);
  CHECK(rec.event_count() == 0);
  CHECK(rec.closed_count() == 0);
  auto made = client.Create(ConfigMaps(), ns, ConfigMap("after-bookmark"));
  REQUIRE(made.ok());
  REQUIRE(rec.WaitForEvents(1));
  CHECK(rec.events()[0].name == "after-bookmark");
  CHECK(rec.events()[0].rv == Rv(*made));
  CHECK(rec.batches() == std::vector<size_t>{1});
}
