#include <fcntl.h>
#include <sys/stat.h>
#include <utime.h>

#include <catch2/catch.hpp>

#include "image_test_util.h"
#include "skiff/runtime/image_store.h"

namespace skiff::runtime {
namespace {

using testing::Compression;
using testing::ReadAll;
using testing::Run;
using testing::TempDir;
using testing::WriteAll;

std::unique_ptr<ImageStore> OpenStore(const std::string& root) {
  auto store = ImageStore::Open(root);
  REQUIRE(store.ok());
  return std::move(store).value();
}

ImageRef Ref(const std::string& s) {
  auto r = ImageRef::Parse(s);
  REQUIRE(r.ok());
  return *r;
}

// The image is the busybox image BuildBusyboxLayout makes, unpacked and usable.
void CheckBusybox(const Image& img) {
  REQUIRE(img.layer_dirs.size() == 1);
  struct stat st {};
  REQUIRE(::stat((img.layer_dirs[0] + "/bin/busybox").c_str(), &st) == 0);
  CHECK(ReadAll(img.layer_dirs[0] + "/bin/busybox") == ReadAll("/bin/busybox"));
  char target[64] = {};
  REQUIRE(::readlink((img.layer_dirs[0] + "/bin/sh").c_str(), target, sizeof target - 1) > 0);
  CHECK(std::string(target) == "busybox");
  CHECK(img.config.cmd == std::vector<std::string>{"/bin/sh"});
  CHECK(img.config.env == std::vector<std::string>{"FOO=bar"});
  CHECK(img.size == static_cast<int64_t>(ReadAll("/bin/busybox").size()));
}

// Makes every archive form of one busybox image under `dir`; returns the OCI layout path.
std::string MakeArchives(const TempDir& dir) {
  const std::string layout = dir / "layout";
  testing::BuildBusyboxLayout(layout, "localhost/test:v1");
  auto r = Run({"tar", "-C", layout, "-cf", dir / "oci.tar", "."});
  REQUIRE(r.exit_code == 0);
  r = Run({"skopeo", "copy", "oci:" + layout + ":localhost/test:v1",
           "docker-archive:" + dir / "docker.tar" + ":localhost/saved:v2"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  WriteAll(dir / "oci.tar.gz", testing::Compress(ReadAll(dir / "oci.tar"), Compression::kGzip));
  WriteAll(dir / "docker.tar.zst",
           testing::Compress(ReadAll(dir / "docker.tar"), Compression::kZstd));
  return layout;
}

TEST_CASE("ImportArchive reads OCI layouts and docker save tarballs, plain, gzip and zstd") {
  TempDir dir;
  MakeArchives(dir);
  struct Case {
    std::string file, tag;
  };
  std::string id;
  for (const Case& c : std::vector<Case>{{"layout", "localhost/test:v1"},
                                         {"oci.tar", "localhost/test:v1"},
                                         {"oci.tar.gz", "localhost/test:v1"},
                                         {"docker.tar", "localhost/saved:v2"},
                                         {"docker.tar.zst", "localhost/saved:v2"}}) {
    INFO(c.file);
    TempDir root;
    auto store = OpenStore(root / "images");
    auto images = store->ImportArchive(dir / c.file, /*pinned=*/false);
    INFO(images.status().ToString());
    REQUIRE(images.ok());
    REQUIRE(images->size() == 1);
    const Image& img = (*images)[0];
    CHECK(img.repo_tags == std::vector<std::string>{c.tag});
    CHECK_FALSE(img.pinned);
    CheckBusybox(img);
    auto found = store->Find(Ref(c.tag));
    REQUIRE(found.ok());
    CHECK(found->id == img.id);
    if (id.empty()) id = img.id;
    CHECK(img.id == id);  // the same config in every form
  }
}

TEST_CASE("A layer shared by two images is unpacked once") {
  TempDir dir;
  const std::string layout = dir / "layout";
  testing::BuildBusyboxLayout(layout, "localhost/base:v1");
  testing::AddDerivedImage(layout, "localhost/base:v1", "localhost/derived:v1",
                           {{"derived", "yes\n"}});
  auto store = OpenStore(dir / "images");
  auto images = store->ImportArchive(layout, false);
  REQUIRE(images.ok());
  REQUIRE(images->size() == 2);
  auto base = store->Find(Ref("localhost/base:v1"));
  auto derived = store->Find(Ref("localhost/derived:v1"));
  REQUIRE(base.ok());
  REQUIRE(derived.ok());
  REQUIRE(derived->layer_dirs.size() == 2);
  CHECK(derived->diff_ids[0] == base->diff_ids[0]);
  CHECK(derived->layer_dirs[0] == base->layer_dirs[0]);
  CHECK(ReadAll(derived->layer_dirs[1] + "/derived") == "yes\n");
  auto count = Run({"sh", "-c", "ls " + dir / "images/layers" + " | grep -v '^tmp$' | wc -l"});
  CHECK(std::stoi(count.output) == 2);

  // Importing the same images again (as a tarball) unpacks nothing: the directory stays the same.
  struct stat before {};
  REQUIRE(::stat((base->layer_dirs[0] + "/bin/busybox").c_str(), &before) == 0);
  REQUIRE(Run({"tar", "-C", layout, "-cf", dir / "again.tar", "."}).exit_code == 0);
  REQUIRE(store->ImportArchive(dir / "again.tar", false).ok());
  struct stat after {};
  REQUIRE(::stat((base->layer_dirs[0] + "/bin/busybox").c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);
  CHECK(after.st_ctim.tv_nsec == before.st_ctim.tv_nsec);
  count = Run({"sh", "-c", "ls " + dir / "images/layers" + " | grep -v '^tmp$' | wc -l"});
  CHECK(std::stoi(count.output) == 2);
}

const ImportReport::File* FileIn(const ImportReport& report, const std::string& path) {
  for (const auto& f : report.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

TEST_CASE("ImportDirectory imports every archive once and reports the broken ones") {
  TempDir dir;
  TempDir airgap;
  const std::string layout = MakeArchives(dir);
  REQUIRE(Run({"cp", "-r", layout, airgap / "layout"}).exit_code == 0);
  REQUIRE(Run({"cp", dir / "oci.tar.gz", airgap / "b-oci.tar.gz"}).exit_code == 0);
  REQUIRE(Run({"cp", dir / "docker.tar.zst", airgap / "c-docker.tar.zst"}).exit_code == 0);
  WriteAll(airgap / "d-broken.tar", "this is not a tar archive\n");
  const std::string zst = ReadAll(dir / "docker.tar.zst");
  WriteAll(airgap / "e-truncated.tar.zst", zst.substr(0, zst.size() / 2));
  WriteAll(airgap / "notes.txt", "ignored\n");

  ImportReport report;
  {
    auto store = OpenStore(dir / "images");
    REQUIRE(store->ImportDirectory(airgap.path(), &report).ok());
    REQUIRE(report.files.size() == 5);
    CHECK(report.files[0].path == airgap / "b-oci.tar.gz");  // sorted by path
    for (const char* good : {"layout", "b-oci.tar.gz", "c-docker.tar.zst"}) {
      INFO(good);
      const auto* f = FileIn(report, airgap / good);
      REQUIRE(f != nullptr);
      CHECK(f->status.ok());
      CHECK_FALSE(f->unchanged);
      CHECK(f->image_ids.size() == 1);
    }
    const auto* broken = FileIn(report, airgap / "d-broken.tar");
    REQUIRE(broken != nullptr);
    CHECK(broken->status.code() == Code::kCorrupt);
    CHECK_THAT(broken->status.message(), Catch::StartsWith("archive " + airgap / "d-broken.tar"));
    const auto* truncated = FileIn(report, airgap / "e-truncated.tar.zst");
    REQUIRE(truncated != nullptr);
    CHECK_FALSE(truncated->status.ok());
    CHECK_THAT(truncated->status.message(), Catch::Contains(airgap / "e-truncated.tar.zst"));

    for (const char* tag : {"localhost/test:v1", "localhost/saved:v2"}) {
      auto img = store->Find(Ref(tag));
      REQUIRE(img.ok());
      CHECK(img->pinned);  // airgap images are never collected
    }
  }

  // Next start: the unchanged files are not read again. Proof: b-oci.tar.gz now holds garbage
  // with the same size and mtime, and is still reported as imported.
  struct stat st {};
  REQUIRE(::stat((airgap / "b-oci.tar.gz").c_str(), &st) == 0);
  WriteAll(airgap / "b-oci.tar.gz", std::string(static_cast<size_t>(st.st_size), 'x'));
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, (airgap / "b-oci.tar.gz").c_str(), times, 0) == 0);
  {
    auto store = OpenStore(dir / "images");
    ImportReport second;
    REQUIRE(store->ImportDirectory(airgap.path() + "/", &second).ok());
    REQUIRE(second.files.size() == 5);
    for (const char* good : {"layout", "b-oci.tar.gz", "c-docker.tar.zst"}) {
      INFO(good);
      const auto* f = FileIn(second, airgap / good);
      REQUIRE(f != nullptr);
      CHECK(f->status.ok());
      CHECK(f->unchanged);
      CHECK(f->image_ids == FileIn(report, airgap / good)->image_ids);
    }
    CHECK_FALSE(FileIn(second, airgap / "d-broken.tar")->status.ok());  // failures are retried

    // A changed file is read again (and now fails: it is garbage).
    WriteAll(airgap / "b-oci.tar.gz", "changed");
    // A removed image is imported again from its unchanged file.
    REQUIRE(store->Remove("localhost/saved:v2").ok());
    ImportReport third;
    REQUIRE(store->ImportDirectory(airgap.path(), &third).ok());
    CHECK_FALSE(FileIn(third, airgap / "b-oci.tar.gz")->unchanged);
    CHECK_FALSE(FileIn(third, airgap / "b-oci.tar.gz")->status.ok());
    CHECK_FALSE(FileIn(third, airgap / "c-docker.tar.zst")->unchanged);
    CHECK(FileIn(third, airgap / "c-docker.tar.zst")->status.ok());
    CHECK(store->Find(Ref("localhost/saved:v2")).ok());
  }

  // A missing directory is not an error.
  auto store = OpenStore(dir / "images");
  ImportReport none;
  CHECK(store->ImportDirectory(dir / "no-such-dir", &none).ok());
  CHECK(none.files.empty());
}

TEST_CASE("An OCI layout entry without a usable name is imported by id with a warning") {
  TempDir dir;
  const std::string layout = dir / "airgap/layout";
  REQUIRE(Run({"mkdir", "-p", dir / "airgap"}).exit_code == 0);
  testing::BuildBusyboxLayout(layout, "v1");  // ref.name "v1": only a tag
  auto store = OpenStore(dir / "images");
  ImportReport report;
  REQUIRE(store->ImportDirectory(dir / "airgap", &report).ok());
  REQUIRE(report.files.size() == 1);
  REQUIRE(report.files[0].status.ok());
  REQUIRE(report.files[0].image_ids.size() == 1);
  REQUIRE(report.files[0].warnings.size() == 1);
  CHECK_THAT(report.files[0].warnings[0],
             Catch::EndsWith("ref.name \"v1\" is only a tag, not an image name; imported without "
                             "a name"));
  auto img = store->Lookup(report.files[0].image_ids[0]);
  REQUIRE(img.ok());
  CHECK(img->repo_tags.empty());
  CHECK(img->repo_digests.empty());
  CheckBusybox(*img);
}

}  // namespace
}  // namespace skiff::runtime
