// Informers on a real store through LocalClient: sync, following changes, indexes, handlers.
#include <catch2/catch.hpp>

#include "client_fixture.h"

namespace skiff::client::testing {
namespace {

std::vector<std::string> Names(std::vector<ObjectPtr> objs) {
  std::vector<std::string> out;
  for (const ObjectPtr& o : objs) out.push_back(KeyOf(*o));
  std::sort(out.begin(), out.end());
  return out;
}

using Strings = std::vector<std::string>;

TEST_CASE("KeyOf and SplitKey") {
  CHECK(KeyOf({{"metadata", {{"namespace", "default"}, {"name", "web"}}}}) == "default/web");
  CHECK(KeyOf({{"metadata", {{"name", "node-1"}}}}) == "node-1");
  CHECK(KeyOf(json::array()) == "");
  CHECK(SplitKey("default/web") == std::pair<std::string, std::string>("default", "web"));
  CHECK(SplitKey("node-1") == std::pair<std::string, std::string>("", "node-1"));
}

TEST_CASE("ready-made index functions") {
  const json pod = Pod("a", "node-1", "uid-1");
  json with_ns = pod;
  with_ns["metadata"]["namespace"] = "default";
  CHECK(IndexByNamespace(with_ns) == Strings{"default"});
  CHECK(IndexByNamespace(pod).empty());
  CHECK(IndexByNodeName(pod) == Strings{"node-1"});
  CHECK(IndexByNodeName(Pod("b")).empty());
  CHECK(IndexByControllerUid(pod) == Strings{"uid-1"});

  json not_controller = pod;
  not_controller["metadata"]["ownerReferences"][0]["controller"] = false;
  CHECK(IndexByControllerUid(not_controller).empty());
  json two = pod;
  two["metadata"]["ownerReferences"] = {
      {{"kind", "Thing"}, {"name", "t"}, {"uid", "uid-0"}},
      {{"kind", "ReplicaSet"}, {"name", "rs"}, {"uid", "uid-2"}, {"controller", true}}};
  CHECK(IndexByControllerUid(two) == Strings{"uid-2"});
  CHECK(IndexByControllerUid(json("not an object")).empty());
}

TEST_CASE("informer syncs existing objects and follows creates, updates and deletes") {
  Cluster c;
  const json a = c.CreatePod("default", Pod("a"));
  const json b = c.CreatePod("default", Pod("b"));
  const json x = c.CreatePod("other", Pod("x"));
  REQUIRE(a["metadata"].contains("managedFields"));

  Recorder rec;
  Informer informer(*c.client, Pods());
  informer.AddHandler(rec.Handler());
  CHECK_FALSE(informer.HasSynced());
  CHECK(informer.LastSyncResourceVersion() == "");
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  CHECK(informer.HasSynced());

  // The initial list was delivered before HasSynced, in key order.
  CHECK(rec.Log() ==
        Strings{"add default/a " + Rv(a), "add default/b " + Rv(b), "add other/x " + Rv(x)});
  CHECK(informer.LastSyncResourceVersion() == std::to_string(c.store->CurrentRevision()));
  CHECK(informer.Size() == 3);
  ObjectPtr cached = informer.Get("default/a");
  REQUIRE(cached);
  json expected = a;
  expected["metadata"].erase("managedFields");
  CHECK(*cached == expected);
  CHECK(informer.Get("default", "b") == informer.Get("default/b"));
  CHECK(informer.Get("default/none") == nullptr);
  CHECK(Names(informer.List()) == Strings{"default/a", "default/b", "other/x"});
  CHECK(Names(informer.ListNamespace("default")) == Strings{"default/a", "default/b"});
  CHECK(Names(informer.ListNamespace("other")) == Strings{"other/x"});
  CHECK(Names(informer.ListNamespace("")).size() == 3);

  const json d = c.CreatePod("default", Pod("d"));
  const json a2 = c.Label("default", "a", "two");
  c.DeletePod("default", "b");
  const std::string deleted_rv = std::to_string(c.store->CurrentRevision());
  REQUIRE(rec.WaitFor("delete default/b " + deleted_rv));
  CHECK(rec.Log() == Strings{"add default/a " + Rv(a), "add default/b " + Rv(b),
                             "add other/x " + Rv(x), "add default/d " + Rv(d),
                             "update default/a " + Rv(a) + "->" + Rv(a2),
                             "delete default/b " + deleted_rv});
  CHECK(informer.Get("default/b") == nullptr);
  CHECK((*informer.Get("default/a"))["metadata"]["labels"]["v"] == "two");
  CHECK_FALSE(informer.Get("default/a")->at("metadata").contains("managedFields"));
  CHECK(Names(informer.ListNamespace("default")) == Strings{"default/a", "default/d"});
  CHECK(informer.LastSyncResourceVersion() == deleted_rv);
  // An object the cache hands out stays as it was: updates replace the pointer.
  CHECK(cached->at("metadata").contains("labels") == false);
}

TEST_CASE("a namespaced informer sees only its namespace") {
  Cluster c;
  c.CreatePod("default", Pod("a"));
  c.CreatePod("other", Pod("x"));
  Recorder rec;
  Informer informer(*c.client, Pods(), "other");
  informer.AddHandler(rec.Handler());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  CHECK(Names(informer.List()) == Strings{"other/x"});
  c.CreatePod("default", Pod("b"));
  const json y = c.CreatePod("other", Pod("y"));
  REQUIRE(rec.WaitFor("add other/y " + Rv(y)));
  CHECK(Names(informer.List()) == Strings{"other/x", "other/y"});
  CHECK(rec.Count() == 2);
}

TEST_CASE("an informer's transform shapes what it caches, from the list and the watch") {
  Cluster c;
  c.CreatePod("default", Pod("listed"));
  InformerOptions o;
  o.transform = [](json& obj) { obj = json{{"metadata", obj["metadata"]}}; };
  Informer informer(*c.client, Pods(), "", o);
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  const json watched = c.CreatePod("default", Pod("watched"));
  REQUIRE(Eventually([&] { return informer.Get("default/watched") != nullptr; }));
  for (const char* key : {"default/listed", "default/watched"}) {
    ObjectPtr obj = informer.Get(key);
    REQUIRE(obj);
    CHECK_FALSE(obj->contains("spec"));
    CHECK((*obj)["metadata"].contains("uid"));
    CHECK_FALSE((*obj)["metadata"].contains("managedFields"));
  }
  CHECK(Rv(*informer.Get("default/watched")) == Rv(watched));
}

TEST_CASE("informer of a cluster-scoped resource keys objects by name") {
  Cluster c;
  Informer informer(*c.client, {"", "v1", "namespaces"});
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  CHECK(Names(informer.List()) == Strings{"default", "other"});
  REQUIRE(informer.Get("default"));
  CHECK((*informer.Get("default"))["kind"] == "Namespace");
  CHECK(informer.ListNamespace("default").empty());  // namespaces are in no namespace
}

TEST_CASE("informer indexes by namespace, owner and node across updates and deletes") {
  Cluster c;
  Recorder rec;
  Informer informer(*c.client, Pods());
  REQUIRE(informer.AddIndex("owner", IndexByControllerUid).ok());
  REQUIRE(informer.AddIndex("node", IndexByNodeName).ok());
  const Status dup = informer.AddIndex("owner", IndexByControllerUid);
  CHECK(dup.code() == Code::kAlreadyExists);
  CHECK(dup.message() == "index \"owner\" already exists");
  CHECK(informer.AddIndex(kNamespaceIndex, IndexByNamespace).code() == Code::kAlreadyExists);

  c.CreatePod("default", Pod("a", "node-1", "rs-1"));
  const json b = c.CreatePod("default", Pod("b", "node-2", "rs-1"));
  c.CreatePod("other", Pod("x", "node-1", "rs-2"));
  informer.AddHandler(rec.Handler());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  CHECK(Names(informer.ByIndex("owner", "rs-1")) == Strings{"default/a", "default/b"});
  CHECK(Names(informer.ByIndex("owner", "rs-2")) == Strings{"other/x"});
  CHECK(Names(informer.ByIndex("node", "node-1")) == Strings{"default/a", "other/x"});
  CHECK(Names(informer.ByIndex("node", "node-2")) == Strings{"default/b"});
  CHECK(informer.ByIndex("node", "node-9").empty());
  CHECK(informer.ByIndex("no-such-index", "node-1").empty());

  // b changes owner (ownerReferences are mutable), then a is deleted.
  const json b2 = Ok(c.api().MergePatch(Pods(), "default", "b",
                                        {{"metadata",
                                          {{"ownerReferences",
                                            {{{"apiVersion", "apps/v1"},
                                              {"kind", "ReplicaSet"},
                                              {"name", "rs-rs-2"},
                                              {"uid", "rs-2"},
                                              {"controller", true}}}}}}}));
  REQUIRE(rec.WaitFor("update default/b " + Rv(b) + "->" + Rv(b2)));
  CHECK(Names(informer.ByIndex("owner", "rs-1")) == Strings{"default/a"});
  CHECK(Names(informer.ByIndex("owner", "rs-2")) == Strings{"default/b", "other/x"});

  // An owner reference that is not a controller's files the pod under no owner.
  const json a2 = Ok(c.api().MergePatch(Pods(), "default", "a",
                                        {{"metadata",
                                          {{"ownerReferences",
                                            {{{"apiVersion", "apps/v1"},
                                              {"kind", "ReplicaSet"},
                                              {"name", "rs-rs-1"},
                                              {"uid", "rs-1"},
                                              {"controller", false}}}}}}}));
  REQUIRE(Eventually([&] { return Rv(*informer.Get("default/a")) == Rv(a2); }));
  CHECK(informer.ByIndex("owner", "rs-1").empty());

  c.DeletePod("default", "a");
  REQUIRE(Eventually([&] { return informer.Get("default/a") == nullptr; }));
  CHECK(Names(informer.ByIndex("node", "node-1")) == Strings{"other/x"});
  CHECK(Names(informer.ListNamespace("default")) == Strings{"default/b"});
  c.DeletePod("other", "x");
  REQUIRE(Eventually([&] { return informer.Get("other/x") == nullptr; }));
  CHECK(informer.ByIndex("node", "node-1").empty());
  CHECK(Names(informer.ByIndex("owner", "rs-2")) == Strings{"default/b"});
  CHECK(informer.ListNamespace("other").empty());
}

TEST_CASE("an index added after sync covers the objects already cached") {
  Cluster c;
  c.CreatePod("default", Pod("a", "node-1"));
  Informer informer(*c.client, Pods());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  REQUIRE(informer.AddIndex("node", IndexByNodeName).ok());
  CHECK(Names(informer.ByIndex("node", "node-1")) == Strings{"default/a"});
  c.CreatePod("default", Pod("b", "node-1"));
  REQUIRE(Eventually([&] { return informer.ByIndex("node", "node-1").size() == 2; }));
}

TEST_CASE("a handler added late gets the current objects, then the changes") {
  Cluster c;
  const json a = c.CreatePod("default", Pod("a"));
  Recorder early;
  Recorder late;
  Informer informer(*c.client, Pods());
  informer.AddHandler(early.Handler());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  const json b = c.CreatePod("default", Pod("b"));
  REQUIRE(early.WaitFor("add default/b " + Rv(b)));

  informer.AddHandler(late.Handler());
  REQUIRE(Eventually([&] { return late.Count() == 2; }));
  Strings replay = late.Log();
  std::sort(replay.begin(), replay.end());
  CHECK(replay == Strings{"add default/a " + Rv(a), "add default/b " + Rv(b)});

  const json a2 = c.Label("default", "a", "z");
  REQUIRE(late.WaitFor("update default/a " + Rv(a) + "->" + Rv(a2)));
  REQUIRE(early.WaitFor("update default/a " + Rv(a) + "->" + Rv(a2)));
  CHECK(late.Count() == 3);
  CHECK(early.Count() == 3);
}

TEST_CASE("a removed handler is not called again") {
  Cluster c;
  Recorder kept, removed;
  Informer informer(*c.client, Pods());
  informer.AddHandler(kept.Handler());
  const HandlerId id = informer.AddHandler(removed.Handler());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  const json a = c.CreatePod("default", Pod("a"));
  REQUIRE(removed.WaitFor("add default/a " + Rv(a)));
  informer.RemoveHandler(id);
  informer.RemoveHandler(id);  // again: ignored
  const json b = c.CreatePod("default", Pod("b"));
  REQUIRE(kept.WaitFor("add default/b " + Rv(b)));
  CHECK(removed.Count() == 1);
}

TEST_CASE("a handler may remove itself") {
  Cluster c;
  Recorder barrier;
  std::atomic<int> calls{0};
  HandlerId self = 0;
  std::atomic<bool> have_id{false};
  Informer informer(*c.client, Pods());
  EventHandler h;
  h.on_add = [&](const ObjectPtr&) {
    ++calls;
    if (have_id) informer.RemoveHandler(self);
  };
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  self = informer.AddHandler(h);
  have_id = true;
  informer.AddHandler(barrier.Handler());
  c.CreatePod("default", Pod("a"));
  const json b = c.CreatePod("default", Pod("b"));
  REQUIRE(barrier.WaitFor("add default/b " + Rv(b)));
  CHECK(calls == 1);
}

TEST_CASE("stopping an informer keeps its cache readable") {
  Cluster c;
  c.CreatePod("default", Pod("a"));
  Recorder rec;
  Informer informer(*c.client, Pods());
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  informer.Stop();
  informer.Stop();
  c.CreatePod("default", Pod("b"));
  CHECK(Names(informer.List()) == Strings{"default/a"});
  informer.Start();  // no restart after Stop
  CHECK(Names(informer.List()) == Strings{"default/a"});
  informer.AddHandler(rec.Handler());  // replayed on this thread
  CHECK(rec.Count() == 1);

  Informer never(*c.client, Pods());
  never.Stop();
  CHECK_FALSE(never.WaitForSync(1s));
}

TEST_CASE("the shared informer factory hands out one informer per resource") {
  Cluster c;
  c.CreatePod("default", Pod("a"));
  SharedInformerFactory factory(*c.client);
  Informer& pods = factory.For(Pods());
  CHECK(&factory.For(Pods()) == &pods);
  Informer& namespaces = factory.For({"", "v1", "namespaces"});
  CHECK(&namespaces != &pods);
  CHECK_FALSE(pods.HasSynced());

  factory.Start();
  REQUIRE(factory.WaitForSync(10s));
  CHECK(pods.Size() == 1);
  CHECK(namespaces.Size() == 2);

  // Created after Start: started at once.
  Informer& nodes = factory.For(Nodes());
  REQUIRE(factory.WaitForSync(10s));
  CHECK(nodes.HasSynced());
  CHECK(nodes.Size() == 0);

  factory.Stop();
  Informer& later = factory.For(ConfigMaps());
  CHECK_FALSE(later.WaitForSync(200ms));
  CHECK_FALSE(factory.WaitForSync(200ms));
}

}  // namespace
}  // namespace skiff::client::testing
