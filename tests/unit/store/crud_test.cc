#include <catch2/catch.hpp>

#include "store_fixture.h"

using skiff::Code;
using skiff::store::ListOptions;
using skiff::testing::StoreFixture;

TEST_CASE("create, get, update and delete move one global revision", "[store]") {
  StoreFixture s;
  CHECK(s->CurrentRevision() == 0);

  auto a = s->Create("/registry/pods/default/a", "v1");
  REQUIRE(a.ok());
  CHECK(a->create_revision == 1);
  CHECK(a->mod_revision == 1);
  auto b = s->Create("/registry/pods/default/b", "x");
  REQUIRE(b.ok());
  CHECK(b->mod_revision == 2);

  auto u = s->Update("/registry/pods/default/a", "v2", 1);
  REQUIRE(u.ok());
  CHECK(u->create_revision == 1);
  CHECK(u->mod_revision == 3);

  auto g = s->Get("/registry/pods/default/a");
  REQUIRE(g.ok());
  CHECK(g->value == "v2");
  CHECK(g->mod_revision == 3);
  CHECK(g->create_revision == 1);

  auto d = s->Delete("/registry/pods/default/a", 3);
  REQUIRE(d.ok());
  CHECK(d->mod_revision == 4);
  CHECK(d->value == "v2");
  CHECK(s->Get("/registry/pods/default/a").status().code() == Code::kNotFound);
  CHECK(s->CurrentRevision() == 4);
}

TEST_CASE("writes fail cleanly without consuming a revision", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/k", "1").ok());

  auto dup = s->Create("/k", "2");
  CHECK(dup.status().code() == Code::kAlreadyExists);
  CHECK_THAT(dup.status().message(), Catch::Contains("/k"));

  auto stale = s->Update("/k", "2", 7);
  CHECK(stale.status().code() == Code::kConflict);
  CHECK_THAT(stale.status().message(), Catch::Contains("expected revision 7"));

  CHECK(s->Update("/missing", "x", 0).status().code() == Code::kNotFound);
  CHECK(s->Delete("/missing").status().code() == Code::kNotFound);
  CHECK(s->Delete("/k", 5).status().code() == Code::kConflict);
  CHECK(s->Create("", "x").status().code() == Code::kInvalidArgument);

  std::string big(1536 * 1024 + 1, 'x');
  auto too_big = s->Create("/big", big);
  CHECK(too_big.status().code() == Code::kTooLarge);
  CHECK_THAT(too_big.status().message(), Catch::Contains("/big"));
  CHECK(s->Create("/exact", std::string(1536 * 1024, 'y')).ok());

  // Only the two successful creates took revisions.
  CHECK(s->CurrentRevision() == 2);
  CHECK(s->Get("/k")->value == "1");
  CHECK(s->Get("/big").status().code() == Code::kNotFound);
}

TEST_CASE("unconditional update and delete accept any revision", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/k", "1").ok());
  REQUIRE(s->Update("/k", "2", 0).ok());
  REQUIRE(s->Update("/k", "3", 0).ok());
  CHECK(s->Get("/k")->value == "3");
  REQUIRE(s->Delete("/k", 0).ok());
  CHECK(s->Count("/").value() == 0);
}

TEST_CASE("a deleted key can be created again with a new create revision", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/k", "first").ok());
  REQUIRE(s->Delete("/k").ok());
  auto again = s->Create("/k", "second");
  REQUIRE(again.ok());
  CHECK(again->create_revision == 3);
  CHECK(s->Get("/k")->value == "second");
  CHECK(s->Update("/k", "third", 3).ok());
}

TEST_CASE("get reads the version visible at a past revision", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/k", "a").ok());      // 1
  REQUIRE(s->Create("/other", "o").ok());  // 2
  REQUIRE(s->Update("/k", "b", 1).ok());   // 3
  REQUIRE(s->Delete("/k").ok());           // 4
  REQUIRE(s->Create("/k", "c").ok());      // 5

  CHECK(s->Get("/k", 1)->value == "a");
  CHECK(s->Get("/k", 2)->value == "a");
  CHECK(s->Get("/k", 3)->value == "b");
  CHECK(s->Get("/k", 3)->mod_revision == 3);
  CHECK(s->Get("/k", 4).status().code() == Code::kNotFound);
  CHECK(s->Get("/k", 5)->value == "c");
  CHECK(s->Get("/other", 1).status().code() == Code::kNotFound);
  auto future = s->Get("/k", 6);
  CHECK(future.status().code() == Code::kInvalidArgument);
  CHECK_THAT(future.status().message(), Catch::Contains("future"));
}

TEST_CASE("list returns keys under a prefix in order at one revision", "[store]") {
  StoreFixture s;
  for (const char* k :
       {"/r/pods/ns1/b", "/r/pods/ns1/a", "/r/pods/ns2/a", "/r/podsx/ns1/a", "/r/services/ns1/a"}) {
    REQUIRE(s->Create(k, k).ok());
  }
  auto all = s->List(ListOptions{.prefix = "/r/pods/"});
  REQUIRE(all.ok());
  REQUIRE(all->items.size() == 3);
  CHECK(all->items[0].key == "/r/pods/ns1/a");
  CHECK(all->items[1].key == "/r/pods/ns1/b");
  CHECK(all->items[2].key == "/r/pods/ns2/a");
  CHECK(all->revision == 5);
  CHECK_FALSE(all->more);

  CHECK(s->List(ListOptions{.prefix = "/r/pods/ns1/"})->items.size() == 2);
  CHECK(s->List(ListOptions{})->items.size() == 5);
  CHECK(s->Count("/r/pods/").value() == 3);
  CHECK(s->Count("/r/").value() == 5);
  CHECK(s->Count("/nothing/").value() == 0);
}

TEST_CASE("paginated list stays consistent while writes continue", "[store]") {
  StoreFixture s;
  for (int i = 0; i < 25; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "/p/%03d", i);
    REQUIRE(s->Create(key, "v0").ok());
  }
  auto first = s->List(ListOptions{.prefix = "/p/", .limit = 10});
  REQUIRE(first.ok());
  REQUIRE(first->items.size() == 10);
  CHECK(first->more);
  CHECK(first->remaining == 15);
  const auto at = first->revision;

  // Changes after the first page must not show in later pages read at the same revision.
  REQUIRE(s->Delete("/p/015").ok());
  REQUIRE(s->Update("/p/020", "v1", 0).ok());
  REQUIRE(s->Create("/p/0125", "new").ok());

  std::vector<std::string> keys;
  for (auto& kv : first->items) keys.push_back(kv.key);
  std::string after = first->items.back().key;
  for (;;) {
    auto page =
        s->List(ListOptions{.prefix = "/p/", .start_after = after, .revision = at, .limit = 10});
    REQUIRE(page.ok());
    CHECK(page->revision == at);
    for (auto& kv : page->items) {
      keys.push_back(kv.key);
      if (kv.key == "/p/020") CHECK(kv.value == "v0");
    }
    if (!page->more) break;
    after = page->items.back().key;
  }
  REQUIRE(keys.size() == 25);
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  CHECK(std::find(keys.begin(), keys.end(), "/p/0125") == keys.end());

  // At the latest revision the changes are there.
  auto now = s->List(ListOptions{.prefix = "/p/"});
  CHECK(now->items.size() == 25);
  CHECK(s->Get("/p/015").status().code() == Code::kNotFound);
}

TEST_CASE("revisions survive a restart and are never reused", "[store]") {
  StoreFixture s;
  REQUIRE(s->Create("/a", "1").ok());
  REQUIRE(s->Create("/b", "1").ok());
  REQUIRE(s->Delete("/b").ok());  // revision 3: the newest row is a tombstone
  REQUIRE(s->Compact(3).ok());    // which compaction removes
  s.Reopen();
  CHECK(s->CurrentRevision() == 3);
  CHECK(s->CompactRevision() == 3);
  auto c = s->Create("/c", "1");
  REQUIRE(c.ok());
  CHECK(c->mod_revision == 4);
  CHECK(s->Get("/a")->value == "1");
  CHECK(s->Get("/b").status().code() == Code::kNotFound);
}
