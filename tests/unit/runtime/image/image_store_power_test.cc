// The image store after a power cut or a disk error: damaged metadata, blobs, layers and
// partial ingests are found at Open, discarded (and logged) and repaired by the next
// registration, never a failed Open.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "image_test_util.h"
#include "skiff/runtime/image_store.h"
#include "support/stderr_capture.h"

namespace skiff::runtime {
namespace {

using testing::Compression;
using testing::ImageBuilder;
using testing::ReadAll;
using testing::TarBuilder;
using testing::TempDir;
using testing::WriteAll;

ImageRef Ref(const std::string& s) {
  auto r = ImageRef::Parse(s);
  REQUIRE(r.ok());
  return *r;
}

std::unique_ptr<ImageStore> OpenStore(const std::string& root) {
  auto store = ImageStore::Open(root);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::string BlobPath(const std::string& root, const std::string& digest) {
  return root + "/content/blobs/sha256/" + digest.substr(7);
}

std::string LayerDir(const std::string& root, const std::string& diff_id) {
  return root + "/layers/" + diff_id.substr(7);
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Random bytes do not compress: a tar of them makes a layer blob over the 1 MiB Open hashes.
std::string Noise(size_t n) {
  std::mt19937 rng(42);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// One image with a small gzip layer and a 2 MiB uncompressed one, registered as app:v1.
struct Fixture {
  TempDir dir;
  std::string root = dir / "images";
  std::string manifest, config, small_diff, big_diff, big_blob;
  Fixture() {
    auto store = OpenStore(root);
    Build(store.get());
    REQUIRE(store->Register(Ref("localhost:5000/app:v1"), manifest, false).ok());
  }
  // Writes the image's blobs (the same bytes every time) into the store's content.
  void Build(ImageStore* store) {
    ImageBuilder b(&store->content());
    small_diff = b.AddLayer(TarBuilder().Dir("etc").File("etc/os", "skiff\n").Build());
    big_diff = b.AddLayer(TarBuilder().File("noise", Noise(2 << 20)).Build(), Compression::kNone);
    manifest = b.Build({{"Cmd", {"/bin/sh"}}});
    config = b.config_digest();
    big_blob = b.LayerDigest(1);
  }
  void Damage(const std::string& digest, bool truncate) {
    std::string bytes = ReadAll(BlobPath(root, digest));
    if (truncate) {
      bytes.resize(bytes.size() / 2);
    } else {
      bytes[bytes.size() / 2] ^= 0x55;
    }
    ::chmod(BlobPath(root, digest).c_str(), 0644);
    WriteAll(BlobPath(root, digest), bytes);
  }
};

TEST_CASE("Open rebuilds a damaged metadata file from the blobs") {
  Fixture f;
  WriteAll(f.root + "/metadata.json", "{\"version\": 1, \"images\": [ {\"id\": 3");
  skiff::testing::StderrCapture log;
  auto store = OpenStore(f.root);
  CHECK(log.Has("image metadata is damaged"));
  CHECK(log.Has(f.root + "/metadata.json"));
  CHECK(ReadAll(f.root + "/metadata.json.damaged") == "{\"version\": 1, \"images\": [ {\"id\": 3");
  // The image is known again by id; its name was only in metadata.json.
  auto images = store->List();
  REQUIRE(images.size() == 1);
  CHECK(images[0].id == f.config);
  CHECK(images[0].repo_tags.empty());
  CHECK(store->Lookup(f.config).ok());
  CHECK(store->Lookup("localhost:5000/app:v1").status().code() == Code::kNotFound);
  // A pull by name finds every blob here and records the name again.
  auto again = store->Register(Ref("localhost:5000/app:v1"), f.manifest, false);
  REQUIRE(again.ok());
  CHECK(again->repo_tags == std::vector<std::string>{"localhost:5000/app:v1"});
  store.reset();
  CHECK(OpenStore(f.root)->Lookup("localhost:5000/app:v1").ok());
}

TEST_CASE("Open rebuilds metadata that is not JSON at all or empty") {
  Fixture f;
  for (const std::string& garbage : {std::string(4096, '\0'), std::string()}) {
    WriteAll(f.root + "/metadata.json", garbage);
    auto store = OpenStore(f.root);
    CHECK(store->List().size() == 1);
    CHECK(store->Register(Ref("localhost:5000/app:v1"), f.manifest, false).ok());
  }
}

TEST_CASE("Open discards a small blob whose content does not match its digest") {
  Fixture f;
  f.Damage(f.config, /*truncate=*/false);
  skiff::testing::StderrCapture log;
  auto store = OpenStore(f.root);
  CHECK(log.Has("discarding a damaged blob"));
  CHECK(log.Has(BlobPath(f.root, f.config)));
  CHECK_FALSE(Exists(BlobPath(f.root, f.config)));
  // The image runs from its unpacked layers; a registration reports the blob missing (the
  // puller fetches it), and once it is back all is well.
  CHECK(store->Lookup("localhost:5000/app:v1").ok());
  CHECK(store->Register(Ref("localhost:5000/app:v1"), f.manifest, false).status().code() ==
        Code::kNotFound);
  f.Build(store.get());
  CHECK(store->Register(Ref("localhost:5000/app:v1"), f.manifest, false).ok());
}

TEST_CASE("Open discards a large blob cut shorter than its manifest says") {
  Fixture f;
  f.Damage(f.big_blob, /*truncate=*/true);
  skiff::testing::StderrCapture log;
  auto store = OpenStore(f.root);
  CHECK(log.Has(BlobPath(f.root, f.big_blob)));
  CHECK_FALSE(Exists(BlobPath(f.root, f.big_blob)));
  CHECK(Exists(BlobPath(f.root, f.manifest)));
  CHECK(store->Lookup("localhost:5000/app:v1").ok());
}

TEST_CASE("A large blob damaged in place is hashed at Open only after an unclean shutdown") {
  Fixture f;
  // The layer must come from the blob again: its unpacked directory is gone.
  std::filesystem::remove_all(LayerDir(f.root, f.big_diff));
  f.Damage(f.big_blob, /*truncate=*/false);
  SECTION("clean shutdown: found when the layer is unpacked") {
    auto store = OpenStore(f.root);
    CHECK(store->List().empty());  // its layer is gone
    REQUIRE(Exists(BlobPath(f.root, f.big_blob)));
    skiff::testing::StderrCapture log;
    auto img = store->Register(Ref("localhost:5000/app:v1"), f.manifest, false);
    CHECK(img.status().code() == Code::kNotFound);
    CHECK(log.Has("discarding a damaged blob"));
    CHECK_FALSE(Exists(BlobPath(f.root, f.big_blob)));
    f.Build(store.get());
    CHECK(store->Register(Ref("localhost:5000/app:v1"), f.manifest, false).ok());
  }
  SECTION("unclean shutdown: found at Open") {
    REQUIRE(::unlink((f.root + "/closed-cleanly").c_str()) == 0);
    skiff::testing::StderrCapture log;
    auto store = OpenStore(f.root);
    CHECK(log.Has("written shortly before an unclean shutdown"));
    CHECK_FALSE(Exists(BlobPath(f.root, f.big_blob)));
    f.Build(store.get());
    CHECK(store->Register(Ref("localhost:5000/app:v1"), f.manifest, false).ok());
  }
}

TEST_CASE("Open discards layers without a valid meta.json and forgets the images using them") {
  Fixture f;
  SECTION("missing") { REQUIRE(::unlink((LayerDir(f.root, f.small_diff) + "/meta.json").c_str()) == 0); }
  SECTION("half written") { WriteAll(LayerDir(f.root, f.small_diff) + "/meta.json", "{\"diff_id\": \"sha"); }
  SECTION("no fs directory") { std::filesystem::remove_all(LayerDir(f.root, f.small_diff) + "/fs"); }
  skiff::testing::StderrCapture log;
  auto store = OpenStore(f.root);
  CHECK(log.Has("discarding a damaged layer"));
  CHECK(log.Has(LayerDir(f.root, f.small_diff)));
  CHECK_FALSE(Exists(LayerDir(f.root, f.small_diff)));
  CHECK_FALSE(store->HasLayer(f.small_diff));
  CHECK(store->HasLayer(f.big_diff));
  CHECK(store->List().empty());
  // The blobs are intact: registering again unpacks the layer anew.
  auto img = store->Register(Ref("localhost:5000/app:v1"), f.manifest, false);
  REQUIRE(img.ok());
  CHECK(store->HasLayer(f.small_diff));
  CHECK(ReadAll(img->layer_dirs[0] + "/etc/os") == "skiff\n");
}

TEST_CASE("Open empties layers tmp and a garbage partial ingest costs one clean retry") {
  Fixture f;
  std::filesystem::create_directories(f.root + "/layers/tmp/0123-1-0/fs/half");
  const std::string data = "the blob's real bytes";
  const std::string digest = testing::Digest(data);
  WriteAll(f.root + "/content/ingest/" + digest.substr(7) + ".partial", std::string(7, '\0'));
  auto store = OpenStore(f.root);
  CHECK_FALSE(Exists(f.root + "/layers/tmp/0123-1-0"));
  CHECK(store->List().size() == 1);
  {
    auto ingest = store->content().BeginIngest(digest, static_cast<int64_t>(data.size()));
    REQUIRE(ingest.ok());
    CHECK((*ingest)->offset() == 7);  // resumes after the garbage
    REQUIRE((*ingest)->Write(data.data() + 7, data.size() - 7).ok());
    CHECK((*ingest)->Commit().code() == Code::kCorrupt);
  }
  auto ingest = store->content().BeginIngest(digest, static_cast<int64_t>(data.size()));
  REQUIRE(ingest.ok());
  CHECK((*ingest)->offset() == 0);
  REQUIRE((*ingest)->Write(data.data(), data.size()).ok());
  REQUIRE((*ingest)->Commit().ok());
  CHECK(store->content().ReadBlob(digest).ok());
}

}  // namespace
}  // namespace skiff::runtime
