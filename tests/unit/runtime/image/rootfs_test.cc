#include "skiff/runtime/rootfs.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "image_test_util.h"
#include "skiff/runtime/image_store.h"

namespace skiff::runtime {
namespace {

using testing::ImageBuilder;
using testing::MountsUnder;
using testing::ReadAll;
using testing::Run;
using testing::TarBuilder;
using testing::TempDir;

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string Ls(const std::string& dir) { return Run({"ls", "-A", dir}).output; }

// The mountinfo line of the mount at `point`.
std::string MountLine(const std::string& point) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(" " + point + " ") != std::string::npos) return line;
  }
  return "";
}

// Unmounts even when a check failed half way.
struct UnmountGuard {
  std::string dir;
  ~UnmountGuard() {
    Status s = UnmountRootfs(dir);
    (void)s;
  }
};

Image Register(ImageStore* store, ImageBuilder* b, const std::string& name) {
  auto ref = ImageRef::Parse(name);
  REQUIRE(ref.ok());
  auto img = store->Register(*ref, b->Build(), false);
  INFO(img.status().ToString());
  REQUIRE(img.ok());
  return *img;
}

TEST_CASE("MountRootfs merges the layers hiding whiteouts and UnmountRootfs cleans up") {
  TempDir dir;
  auto store = ImageStore::Open(dir / "images");
  REQUIRE(store.ok());
  ImageBuilder b(&(*store)->content());
  b.AddLayer(TarBuilder()
                 .Dir("etc")
                 .File("etc/passwd", "root:x:0:0\n")
                 .File("etc/hosts", "127.0.0.1 localhost\n")
                 .Dir("var/cache")
                 .File("var/cache/old1", "1")
                 .File("var/cache/old2", "2")
                 .File("tmp/keep", "kept")
                 .Build());
  b.AddLayer(TarBuilder()
                 .Dir("etc")
                 .File("etc/.wh.passwd", "")
                 .File("etc/motd", "hello\n")
                 .Dir("var/cache")
                 .File("var/cache/.wh..wh..opq", "")
                 .File("var/cache/new", "n")
                 .Build());
  Image img = Register(store->get(), &b, "localhost/merged:v1");

  const std::string container = dir / "containers/c1";
  UnmountGuard guard{container};
  REQUIRE(MountRootfs(img, container).ok());
  const std::string rootfs = container + "/rootfs";
  const std::string line = MountLine(rootfs);
  REQUIRE_FALSE(line.empty());
  CHECK_THAT(line, Catch::Contains("lowerdir=" + img.layer_dirs[1] + ":" + img.layer_dirs[0]));
  CHECK_THAT(line, Catch::Contains("upperdir=" + container + "/upper"));

  CHECK(Ls(rootfs + "/etc") == "hosts\nmotd\n");  // passwd deleted by the top layer
  CHECK(Ls(rootfs + "/var/cache") == "new\n");    // opaque: the old entries are hidden
  CHECK(ReadAll(rootfs + "/tmp/keep") == "kept");
  CHECK(ReadAll(rootfs + "/etc/motd") == "hello\n");

  // Writes land in upper; the shared layers stay untouched.
  { std::ofstream(rootfs + "/etc/hosts") << "changed\n"; }
  ::unlink((rootfs + "/tmp/keep").c_str());
  CHECK(ReadAll(container + "/upper/etc/hosts") == "changed\n");
  CHECK(ReadAll(img.layer_dirs[0] + "/etc/hosts") == "127.0.0.1 localhost\n");
  CHECK(Exists(img.layer_dirs[0] + "/tmp/keep"));

  // Mounting again is harmless (an agent restarting).
  REQUIRE(MountRootfs(img, container).ok());
  CHECK(MountsUnder(container).size() == 1);

  REQUIRE(UnmountRootfs(container).ok());
  CHECK(MountsUnder(container).empty());
  CHECK_FALSE(Exists(container + "/rootfs"));
  CHECK_FALSE(Exists(container + "/upper"));
  CHECK_FALSE(Exists(container + "/work"));
  CHECK(Exists(container));                // the container dir itself belongs to the caller
  REQUIRE(UnmountRootfs(container).ok());  // idempotent
  REQUIRE(UnmountRootfs(dir / "never-mounted").ok());
}

TEST_CASE("MountRootfs gives a one-layer busybox image a usable root") {
  if (!testing::HaveImageTools()) FAIL("umoci and skopeo are needed");
  TempDir dir;
  testing::BuildBusyboxLayout(dir / "layout", "localhost/busybox:v1");
  auto store = ImageStore::Open(dir / "images");
  REQUIRE(store.ok());
  auto images = (*store)->ImportArchive(dir / "layout", false);
  REQUIRE(images.ok());
  const Image& img = (*images)[0];
  REQUIRE(img.layer_dirs.size() == 1);

  const std::string container = dir / "c";
  UnmountGuard guard{container};
  REQUIRE(MountRootfs(img, container).ok());
  auto r = Run({"chroot", container + "/rootfs", "/bin/sh", "-c",
                "echo from-container > /written && ls /bin"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output == "busybox\ncat\nls\nsh\n");
  CHECK(ReadAll(container + "/upper/written") == "from-container\n");
  struct stat st {};
  REQUIRE(::stat((container + "/rootfs").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  REQUIRE(UnmountRootfs(container).ok());
  CHECK(MountsUnder(container).empty());
}

TEST_CASE("MountRootfs uses short links when the lowerdir list exceeds a page") {
  TempDir dir;
  // Long store paths: 20 layers of ~300 characters each make ~6 KB of options.
  const std::string root = dir / std::string(200, 'r') + "/" + std::string(20, 's');
  auto store = ImageStore::Open(root);
  REQUIRE(store.ok());
  ImageBuilder b(&(*store)->content());
  constexpr int kLayers = 20;
  for (int i = 0; i < kLayers; ++i) {
    b.AddLayer(TarBuilder()
                   .File("layer" + std::to_string(i), std::to_string(i))
                   .File("who", std::to_string(i))
                   .Build());
  }
  Image img = Register(store->get(), &b, "localhost/tall:v1");
  size_t total = 0;
  for (const auto& d : img.layer_dirs) total += d.size() + 1;
  REQUIRE(total > 4096);

  const std::string container = dir / "c";
  UnmountGuard guard{container};
  Status s = MountRootfs(img, container);
  INFO(s.ToString());
  REQUIRE(s.ok());
  const std::string rootfs = container + "/rootfs";
  CHECK_THAT(MountLine(rootfs), Catch::Contains("lowerdir=l/0:l/1:l/2"));
  CHECK(ReadAll(rootfs + "/who") == std::to_string(kLayers - 1));  // the top layer wins
  for (int i = 0; i < kLayers; ++i) {
    CHECK(ReadAll(rootfs + "/layer" + std::to_string(i)) == std::to_string(i));
  }
  char target[8192] = {};
  REQUIRE(::readlink((container + "/l/0").c_str(), target, sizeof target - 1) > 0);
  CHECK(std::string(target) == img.layer_dirs.back());  // l/0 is the top layer
  REQUIRE(UnmountRootfs(container).ok());
  CHECK(MountsUnder(container).empty());
  CHECK_FALSE(Exists(container + "/l"));
}

TEST_CASE("MountRootfs mounts an image without layers on an empty lower dir") {
  TempDir dir;
  auto store = ImageStore::Open(dir / "images");
  REQUIRE(store.ok());
  ImageBuilder b(&(*store)->content());
  Image img = Register(store->get(), &b, "localhost/scratch:v1");
  CHECK(img.layer_dirs.empty());
  const std::string container = dir / "c";
  UnmountGuard guard{container};
  REQUIRE(MountRootfs(img, container).ok());
  CHECK(Ls(container + "/rootfs").empty());
  REQUIRE(UnmountRootfs(container).ok());
  CHECK_FALSE(Exists(container + "/empty"));
}

}  // namespace
}  // namespace skiff::runtime
