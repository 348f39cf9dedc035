// The informer's indexed cache on hand-built objects: atomic batches, relist diffs, indexes
// that follow changed values (a pod's node here, which the API itself never changes).
#include "client/indexed_cache.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace skiff::client {
namespace {

using Strings = std::vector<std::string>;

ObjectPtr Obj(const std::string& ns, const std::string& name, const std::string& rv,
              const std::string& node = "") {
  json o = {{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", rv}}}};
  if (!node.empty()) o["spec"]["nodeName"] = node;
  return std::make_shared<const json>(std::move(o));
}

Strings Keys(const std::vector<ObjectPtr>& objs) {
  Strings out;
  for (const ObjectPtr& o : objs) out.push_back(KeyOf(*o));
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("indexed cache applies changes in order and moves index entries") {
  IndexedCache cache;
  REQUIRE(cache.AddIndex("node", IndexByNodeName).ok());
  std::vector<IndexedCache::Change> batch = {
      {"ns/a", Obj("ns", "a", "1", "n1"), nullptr},
      {"ns/b", Obj("ns", "b", "2", "n1"), nullptr},
      {"ns/a", Obj("ns", "a", "3", "n2"), nullptr},  // a moves to n2 in the same batch
  };
  cache.Apply(batch);
  CHECK(batch[0].old == nullptr);
  CHECK(batch[1].old == nullptr);
  REQUIRE(batch[2].old);
  CHECK((*batch[2].old)["metadata"]["resourceVersion"] == "1");
  CHECK(Keys(cache.ByIndex("node", "n1")) == Strings{"ns/b"});
  CHECK(Keys(cache.ByIndex("node", "n2")) == Strings{"ns/a"});
  CHECK(Keys(cache.ByIndex(kNamespaceIndex, "ns")) == Strings{"ns/a", "ns/b"});

  std::vector<IndexedCache::Change> unbind = {{"ns/b", Obj("ns", "b", "4"), nullptr},
                                              {"ns/a", nullptr, nullptr},
                                              {"ns/gone", nullptr, nullptr}};
  cache.Apply(unbind);
  CHECK(unbind[2].old == nullptr);
  CHECK(cache.ByIndex("node", "n1").empty());
  CHECK(cache.ByIndex("node", "n2").empty());
  CHECK(Keys(cache.ByIndex(kNamespaceIndex, "ns")) == Strings{"ns/b"});
  CHECK(cache.Size() == 1);
  CHECK(cache.Get("ns/a") == nullptr);
}

TEST_CASE("indexed cache replace reports adds, updates and deletes, keeping unchanged objects") {
  IndexedCache cache;
  REQUIRE(cache.AddIndex("node", IndexByNodeName).ok());
  std::vector<IndexedCache::Change> start = {{"ns/a", Obj("ns", "a", "1", "n1"), nullptr},
                                             {"ns/b", Obj("ns", "b", "2", "n1"), nullptr},
                                             {"ns/c", Obj("ns", "c", "3", "n1"), nullptr}};
  cache.Apply(start);
  const ObjectPtr c_before = cache.Get("ns/c");

  auto changes = cache.Replace({{"ns/a", Obj("ns", "a", "5", "n2")},
                                {"ns/c", Obj("ns", "c", "3", "n1")},
                                {"ns/d", Obj("ns", "d", "6", "n2")}});
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].key == "ns/a");
  CHECK((*changes[0].old)["metadata"]["resourceVersion"] == "1");
  CHECK((*changes[0].object)["metadata"]["resourceVersion"] == "5");
  CHECK(changes[1].key == "ns/d");
  CHECK(changes[1].old == nullptr);
  CHECK(changes[2].key == "ns/b");
  CHECK(changes[2].object == nullptr);
  CHECK((*changes[2].old)["metadata"]["resourceVersion"] == "2");

  CHECK(cache.Get("ns/c") == c_before);
  CHECK(Keys(cache.List()) == Strings{"ns/a", "ns/c", "ns/d"});
  CHECK(Keys(cache.ByIndex("node", "n1")) == Strings{"ns/c"});
  CHECK(Keys(cache.ByIndex("node", "n2")) == Strings{"ns/a", "ns/d"});

  CHECK(cache.Replace({}).size() == 3);
  CHECK(cache.Size() == 0);
  CHECK(cache.ByIndex("node", "n2").empty());
  CHECK(cache.ByIndex(kNamespaceIndex, "ns").empty());
}

TEST_CASE("indexed cache index functions may file under several values, or throw") {
  IndexedCache cache;
  REQUIRE(cache
              .AddIndex("labels",
                        [](const json& o) {
                          std::vector<std::string> out;
                          for (auto& [k, v] : o.at("metadata").at("labels").items()) {
                            out.push_back(k + "=" + v.get<std::string>());
                          }
                          out.push_back(out.empty() ? "" : out.front());  // a duplicate
                          return out;
                        })
              .ok());
  json labelled = *Obj("ns", "a", "1");
  labelled["metadata"]["labels"] = {{"app", "web"}, {"tier", "front"}};
  std::vector<IndexedCache::Change> batch = {
      {"ns/a", std::make_shared<const json>(labelled), nullptr},
      {"ns/b", Obj("ns", "b", "2"), nullptr}};  // no labels: the function throws
  cache.Apply(batch);
  CHECK(Keys(cache.ByIndex("labels", "app=web")) == Strings{"ns/a"});
  CHECK(Keys(cache.ByIndex("labels", "tier=front")) == Strings{"ns/a"});
  CHECK(cache.Size() == 2);
  std::vector<IndexedCache::Change> remove = {{"ns/a", nullptr, nullptr}};
  cache.Apply(remove);
  CHECK(cache.ByIndex("labels", "app=web").empty());
}

}  // namespace
}  // namespace skiff::client
