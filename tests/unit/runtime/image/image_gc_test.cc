#include <catch2/catch.hpp>
#include <thread>

#include "image_test_util.h"
#include "skiff/runtime/image_store.h"

namespace skiff::runtime {
namespace {

using testing::Compression;
using testing::Digest;
using testing::ImageBuilder;
using testing::TarBuilder;
using testing::TempDir;

ImageRef Ref(const std::string& s) {
  auto r = ImageRef::Parse(s);
  REQUIRE(r.ok());
  return *r;
}

struct Built {
  Image image;
  std::vector<std::string> blobs;  // manifest, config, layer blobs
};

Built Make(ImageStore* store, const std::string& name, const std::vector<std::string>& layers,
           bool pinned) {
  ImageBuilder b(&store->content());
  Built out;
  for (size_t i = 0; i < layers.size(); ++i) {
    b.AddLayer(layers[i], Compression::kNone);
    out.blobs.push_back(b.LayerDigest(i));
  }
  const std::string manifest = b.Build({{"Cmd", {name}}});
  out.blobs.push_back(manifest);
  out.blobs.push_back(b.config_digest());
  auto img = store->Register(Ref(name), manifest, pinned);
  REQUIRE(img.ok());
  out.image = *img;
  return out;
}

TEST_CASE("GarbageCollect removes unused unpinned images and keeps pinned and in-use ones") {
  TempDir dir;
  auto opened = ImageStore::Open(dir / "images");
  REQUIRE(opened.ok());
  auto& store = *opened;
  const std::string shared = TarBuilder().File("shared", std::string(3000, 's')).Build();
  Built pinned = Make(store.get(), "airgap/pinned:v1",
                      {TarBuilder().File("p", std::string(1000, 'p')).Build()}, true);
  Built used = Make(store.get(), "app/used:v1",
                    {shared, TarBuilder().File("u", std::string(500, 'u')).Build()}, false);
  Built victim = Make(store.get(), "app/victim:v1",
                      {shared, TarBuilder().File("v", std::string(700, 'v')).Build()}, false);
  // A blob no image references (a pull that never finished).
  const std::string orphan = std::string(4000, 'o');
  REQUIRE(store->content().WriteBlob(Digest(orphan), orphan).ok());

  // Below the high threshold nothing happens.
  auto none = store->GarbageCollect(101, 0, {});
  REQUIRE(none.ok());
  CHECK(*none == 0);
  CHECK(store->List().size() == 3);

  // What only the victim uses: its own layer (700 bytes unpacked) and its blobs except the
  // shared layer blob.
  int64_t expected = 700;
  for (size_t i = 1; i < victim.blobs.size(); ++i) {
    expected += *store->content().BlobSize(victim.blobs[i]);
  }
  CHECK(victim.blobs[0] == used.blobs[0]);  // the shared layer blob

  auto freed = store->GarbageCollect(0, 0, {used.image.id});
  REQUIRE(freed.ok());
  CHECK(*freed == expected);  // the fresh orphan blob is within its grace period
  CHECK(store->Lookup(victim.image.id).status().code() == Code::kNotFound);
  CHECK(store->Lookup(pinned.image.id).ok());
  CHECK(store->Lookup(used.image.id).ok());
  CHECK_FALSE(store->HasLayer(victim.image.diff_ids[1]));
  CHECK(store->HasLayer(victim.image.diff_ids[0]));  // shared with the image in use
  for (size_t i = 1; i < victim.blobs.size(); ++i)
    CHECK_FALSE(store->content().Has(victim.blobs[i]));
  CHECK(store->content().Has(victim.blobs[0]));
  CHECK(store->content().Has(Digest(orphan)));

  // Once nothing uses it, the other image goes too; pinned images never do. With no grace
  // period the orphan blob is collected as well.
  opened->reset();
  ImageStoreOptions no_grace;
  no_grace.orphan_blob_grace_seconds = 0;
  auto reopened = ImageStore::Open(dir / "images", no_grace);
  REQUIRE(reopened.ok());
  auto again = (*reopened)->GarbageCollect(0, 0, {});
  REQUIRE(again.ok());
  CHECK(*again > 4000 + 3000 + 500);
  CHECK_FALSE((*reopened)->content().Has(Digest(orphan)));
  REQUIRE((*reopened)->List().size() == 1);
  CHECK((*reopened)->List()[0].id == pinned.image.id);
  CHECK((*reopened)->HasLayer(pinned.image.diff_ids[0]));
}

TEST_CASE("GarbageCollect takes the least recently used image first") {
  TempDir dir;
  auto opened = ImageStore::Open(dir / "images");
  REQUIRE(opened.ok());
  auto& store = *opened;
  std::vector<std::string> ids;
  for (const char* name : {"a", "b", "c", "d"}) {
    ids.push_back(Make(store.get(), std::string("lru/") + name + ":v",
                       {TarBuilder().File(name, name).Build()}, false)
                      .image.id);
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  CHECK(store->EvictionOrder({}) == ids);  // registration order
  store->MarkUsed(ids[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  store->MarkUsed(ids[2]);
  CHECK(store->EvictionOrder({}) == std::vector<std::string>{ids[1], ids[3], ids[0], ids[2]});
  CHECK(store->EvictionOrder({ids[1]}) == std::vector<std::string>{ids[3], ids[0], ids[2]});
  CHECK(store->Lookup(ids[2])->last_used_ms >= store->Lookup(ids[0])->last_used_ms);
}

TEST_CASE("GarbageCollect keeps images pulled or used within the minimum age") {
  TempDir dir;
  auto opened = ImageStore::Open(dir / "images");
  REQUIRE(opened.ok());
  auto& store = *opened;
  const std::string old_id =
      Make(store.get(), "age/old:v", {TarBuilder().File("o", "o").Build()}, false).image.id;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string fresh_id =
      Make(store.get(), "age/fresh:v", {TarBuilder().File("f", "f").Build()}, false).image.id;
  using std::chrono::milliseconds;
  CHECK(store->EvictionOrder({}, milliseconds(200)) == std::vector<std::string>{old_id});
  CHECK(store->EvictionOrder({}, milliseconds(0)) == std::vector<std::string>{old_id, fresh_id});
  // A forced collection with a minimum age leaves the fresh image alone.
  auto freed = store->GarbageCollect(0, 0, {}, milliseconds(200));
  REQUIRE(freed.ok());
  CHECK(*freed > 0);
  REQUIRE(store->List().size() == 1);
  CHECK(store->List()[0].id == fresh_id);
  // Used again just now: still too young.
  store->MarkUsed(fresh_id);
  REQUIRE(store->GarbageCollect(0, 0, {}, milliseconds(200)).ok());
  CHECK(store->List().size() == 1);
}

}  // namespace
}  // namespace skiff::runtime
