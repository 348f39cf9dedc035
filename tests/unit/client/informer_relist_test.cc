// Informers when their watch ends: relist, deliver exactly the missed differences, watch again;
// retry with backoff while the API is down.
#include <catch2/catch.hpp>

#include "client_fixture.h"

namespace skiff::client::testing {
namespace {

using Strings = std::vector<std::string>;

InformerOptions FastRetries() {
  InformerOptions o;
  o.initial_backoff = 1ms;
  o.max_backoff = 20ms;
  return o;
}

TEST_CASE("a watch cut off makes the informer relist and deliver what it missed once") {
  Cluster c;
  ProxyClient proxy(*c.client);
  const json a = c.CreatePod("default", Pod("a", "node-1"));
  const json b = c.CreatePod("default", Pod("b", "node-1"));
  const json keep = c.CreatePod("default", Pod("keep"));

  Recorder rec;
  Informer informer(proxy, Pods(), "", FastRetries());
  REQUIRE(informer.AddIndex("node", IndexByNodeName).ok());
  informer.AddHandler(rec.Handler());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  REQUIRE(Eventually([&] { return proxy.watches_started == 1; }));
  REQUIRE(rec.Count() == 3);
  const ObjectPtr keep_before = informer.Get("default/keep");

  // Changes the informer does not see, then history is compacted past its revision.
  proxy.CutWatch();
  const json d = c.CreatePod("default", Pod("d", "node-1"));
  const json a2 = c.Label("default", "a", "two");
  c.DeletePod("default", "b");
  c.CompactAll();
  CHECK(informer.Get("default/b") != nullptr);  // not seen yet
  REQUIRE(proxy.list_calls == 1);

  proxy.CloseWatch(GoneError("too old resource version"));
  REQUIRE(rec.WaitFor("delete default/b " + Rv(b)));  // the last state the cache held
  REQUIRE(Eventually([&] { return proxy.watches_started == 2; }));
  CHECK(proxy.list_calls == 2);

  // Watching again: a later change arrives through the new watch. By then anything delivered
  // twice would have shown up too.
  const json e = c.CreatePod("default", Pod("e"));
  REQUIRE(rec.WaitFor("add default/e " + Rv(e)));
  CHECK(rec.Log() == Strings{"add default/a " + Rv(a), "add default/b " + Rv(b),
                             "add default/keep " + Rv(keep),
                             "update default/a " + Rv(a) + "->" + Rv(a2), "add default/d " + Rv(d),
                             "delete default/b " + Rv(b), "add default/e " + Rv(e)});
  CHECK(informer.Get("default/keep") == keep_before);  // unchanged: the same object
  CHECK(informer.Get("default/b") == nullptr);
  CHECK(informer.Size() == 4);
  std::vector<std::string> on_node;
  for (const ObjectPtr& o : informer.ByIndex("node", "node-1")) on_node.push_back(KeyOf(*o));
  std::sort(on_node.begin(), on_node.end());
  CHECK(on_node == Strings{"default/a", "default/d"});
}

TEST_CASE("a watch closed as unavailable makes the informer relist too") {
  Cluster c;
  ProxyClient proxy(*c.client);
  const json a = c.CreatePod("default", Pod("a"));
  Recorder rec;
  Informer informer(proxy, Pods(), "", FastRetries());
  informer.AddHandler(rec.Handler());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  REQUIRE(Eventually([&] { return proxy.watches_started == 1; }));

  proxy.CutWatch();
  c.DeletePod("default", "a");
  const json b = c.CreatePod("default", Pod("b"));
  proxy.CloseWatch(UnavailableError("connection reset"));
  REQUIRE(rec.WaitFor("add default/b " + Rv(b)));
  REQUIRE(Eventually([&] { return proxy.watches_started == 2; }));
  const json b2 = c.Label("default", "b", "x");
  REQUIRE(rec.WaitFor("update default/b " + Rv(b) + "->" + Rv(b2)));
  CHECK(rec.Log() == Strings{"add default/a " + Rv(a), "add default/b " + Rv(b),
                             "delete default/a " + Rv(a),
                             "update default/b " + Rv(b) + "->" + Rv(b2)});
  CHECK(informer.LastSyncResourceVersion() == Rv(b2));
}

TEST_CASE("a watch start compacted away makes the informer relist") {
  Cluster c;
  ProxyClient proxy(*c.client);
  const json a = c.CreatePod("default", Pod("a"));
  const json b = c.CreatePod("default", Pod("b"));
  Recorder rec;
  Informer informer(proxy, Pods(), "", FastRetries());
  informer.AddHandler(rec.Handler());
  proxy.Hold();
  informer.Start();
  // Listed, now about to watch from the list's revision.
  REQUIRE(Eventually([&] { return proxy.watch_calls == 1; }));
  REQUIRE(informer.HasSynced());
  const std::string listed_at = informer.LastSyncResourceVersion();

  const json c1 = c.CreatePod("default", Pod("c"));
  const json a2 = c.Label("default", "a", "new");
  c.DeletePod("default", "b");
  c.CompactAll();
  REQUIRE(c.store->CompactRevision() > std::stoll(listed_at));
  proxy.Release();  // the store answers the watch with kGone

  REQUIRE(rec.WaitFor("delete default/b " + Rv(b)));
  const json z = c.CreatePod("default", Pod("z"));
  REQUIRE(rec.WaitFor("add default/z " + Rv(z)));
  CHECK(proxy.watch_calls == 2);  // one failed start, one that works
  CHECK(proxy.list_calls == 2);
  CHECK(rec.Log() == Strings{"add default/a " + Rv(a), "add default/b " + Rv(b),
                             "update default/a " + Rv(a) + "->" + Rv(a2), "add default/c " + Rv(c1),
                             "delete default/b " + Rv(b), "add default/z " + Rv(z)});
}

TEST_CASE("an informer retries a failing list with growing delays") {
  Cluster c;
  ProxyClient proxy(*c.client);
  const json a = c.CreatePod("default", Pod("a"));
  proxy.fail_lists = 4;
  InformerOptions o;
  o.initial_backoff = 20ms;
  o.max_backoff = 1s;
  Informer informer(proxy, Pods(), "", o);
  const auto start = std::chrono::steady_clock::now();
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  // Four failures wait 20 + 40 + 80 + 160 ms before the fifth list succeeds.
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  CHECK(proxy.list_calls == 5);
  CHECK(informer.Get("default/a") != nullptr);
}

TEST_CASE("stopping an informer that is retrying returns promptly") {
  Cluster c;
  ProxyClient proxy(*c.client);
  proxy.fail_lists = 1000000;
  InformerOptions o;
  o.initial_backoff = std::chrono::minutes(10);
  Informer informer(proxy, Pods(), "", o);
  informer.Start();
  REQUIRE(Eventually([&] { return proxy.list_calls == 1; }));
  const auto start = std::chrono::steady_clock::now();
  informer.Stop();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK_FALSE(informer.HasSynced());
  CHECK_FALSE(informer.WaitForSync(1s));
}

}  // namespace
}  // namespace skiff::client::testing
