#include "runtime/image/layer_unpack.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "image_test_util.h"

namespace skiff::runtime {
namespace {

using testing::Compression;
using testing::Digest;
using testing::ReadAll;
using testing::TarBuilder;
using testing::TempDir;
using testing::WriteAll;

// Writes the tar as a blob file and unpacks it into dir/fs.
Result<image_detail::UnpackedLayer> Unpack(const TempDir& dir, const std::string& tar,
                                           Compression c = Compression::kNone) {
  WriteAll(dir / "blob", testing::Compress(tar, c));
  ::mkdir((dir / "fs").c_str(), 0755);
  return image_detail::UnpackLayer(dir / "blob", dir / "fs");
}

std::string Xattr(const std::string& path, const char* name) {
  char buf[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

TEST_CASE("Layer unpack converts whiteouts and opaque directories for overlayfs") {
  TempDir dir;
  const std::string tar = TarBuilder()
                              .Dir("etc")
                              .File("etc/.wh.passwd", "")
                              .Dir("var/cache", {.mode = 0700})
                              .File("var/cache/.wh..wh..opq", "")
                              .File("var/cache/fresh", "new\n")
                              .File(".wh.tmp", "")
                              .File("usr/.wh..wh.plnk", "")  // aufs bookkeeping: dropped
                              .Build();
  auto layer = Unpack(dir, tar, Compression::kGzip);
  REQUIRE(layer.ok());
  CHECK(layer->diff_id == Digest(tar));  // the digest of the uncompressed stream
  CHECK(layer->size == 4);

  const std::string fs = dir / "fs";
  for (const std::string& whiteout : {fs + "/etc/passwd", fs + "/tmp"}) {
    INFO(whiteout);
    struct stat st {};
    REQUIRE(::lstat(whiteout.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK(st.st_rdev == makedev(0, 0));
  }
  CHECK(Xattr(fs + "/var/cache", "trusted.overlay.opaque") == "y");
  CHECK(Xattr(fs + "/etc", "trusted.overlay.opaque").empty());
  CHECK(ReadAll(fs + "/var/cache/fresh") == "new\n");
  // No .wh. names reach the disk.
  CHECK_FALSE(Exists(fs + "/etc/.wh.passwd"));
  CHECK_FALSE(Exists(fs + "/var/cache/.wh..wh..opq"));
  CHECK_FALSE(Exists(fs + "/.wh.tmp"));
  CHECK_FALSE(Exists(fs + "/usr/.wh..wh.plnk"));
  // A parent the tar does not list is created 0755.
  struct stat usr {};
  REQUIRE(::stat((fs + "/usr").c_str(), &usr) == 0);
  CHECK((usr.st_mode & 07777) == 0755);
}

TEST_CASE("Layer unpack keeps modes, owners, times, links, devices, fifos and xattrs") {
  TempDir dir;
  const std::string tar =
      TarBuilder()
          .Dir("./", {.mode = 0755, .mtime = 1500000000})
          .Dir("bin", {.mode = 0751, .uid = 0, .gid = 0, .mtime = 1600000000})
          .File("bin/tool", "#!/bin/sh\n",
                {.mode = 04755, .uid = 1000, .gid = 2000, .mtime = 1234567890})
          .Hardlink("bin/tool-link", "bin/tool")
          .Symlink("bin/passwd", "/etc/passwd")  // absolute target: stored, never followed
          .Symlink("bin/rel", "../etc/x")
          .CharDevice("dev/null", 1, 3, {.mode = 0666, .mtime = 1400000000})
          .Fifo("run/fifo", {.mode = 0620, .uid = 7, .gid = 8})
          .File("data/cap", "x", {.mode = 0640, .xattrs = {{"user.skiff.test", "hello"}}})
          .File("data/caf\xc3\xa9", "utf-8 name")
          .File("data/replaced", "first")
          .File("data/replaced", "second")
          .Build();
  auto layer = Unpack(dir, tar, Compression::kZstd);
  REQUIRE(layer.ok());
  CHECK(layer->diff_id == Digest(tar));
  CHECK(layer->size == 10 + 1 + 10 + 5 + 6);

  const std::string fs = dir / "fs";
  struct stat st {};
  REQUIRE(::lstat((fs + "/bin/tool").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 07777) == 04755);
  CHECK(st.st_uid == 1000);
  CHECK(st.st_gid == 2000);
  CHECK(st.st_mtim.tv_sec == 1234567890);
  CHECK(st.st_nlink == 2);
  struct stat link {};
  REQUIRE(::lstat((fs + "/bin/tool-link").c_str(), &link) == 0);
  CHECK(link.st_ino == st.st_ino);

  char target[256] = {};
  REQUIRE(::readlink((fs + "/bin/passwd").c_str(), target, sizeof target - 1) > 0);
  CHECK(std::string(target) == "/etc/passwd");
  REQUIRE(::lstat((fs + "/bin/rel").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));

  REQUIRE(::stat((fs + "/bin").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0751);
  CHECK(st.st_mtim.tv_sec == 1600000000);  // set after its children were created
  REQUIRE(::stat(fs.c_str(), &st) == 0);
  CHECK(st.st_mtim.tv_sec == 1500000000);

  REQUIRE(::lstat((fs + "/dev/null").c_str(), &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(major(st.st_rdev) == 1);
  CHECK(minor(st.st_rdev) == 3);
  CHECK((st.st_mode & 07777) == 0666);
  CHECK(st.st_mtim.tv_sec == 1400000000);

  REQUIRE(::lstat((fs + "/run/fifo").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK((st.st_mode & 07777) == 0620);
  CHECK(st.st_uid == 7);
  CHECK(st.st_gid == 8);

  CHECK(Xattr(fs + "/data/cap", "user.skiff.test") == "hello");
  CHECK(ReadAll(fs + "/data/caf\xc3\xa9") == "utf-8 name");
  CHECK(ReadAll(fs + "/data/replaced") == "second");
}

TEST_CASE("Layer unpack refuses entries that escape the layer directory") {
  struct Case {
    std::string name;
    std::string tar;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"dot-dot", TarBuilder().File("a/../../evil", "x").Build(),
       "layer entry \"a/../../evil\" escapes the layer directory"},
      {"through symlink", TarBuilder().Symlink("link", "/OUTSIDE").File("link/evil", "x").Build(),
       "layer entry \"link/evil\": link is not a directory (symlinks in a layer are never "
       "followed)"},
      {"through relative symlink", TarBuilder().Symlink("up", "..").File("up/evil", "x").Build(),
       "layer entry \"up/evil\": up is not a directory (symlinks in a layer are never followed)"},
      {"hardlink out", TarBuilder().Hardlink("h", "../../etc/passwd").Build(),
       "layer entry \"h\": hardlink target \"../../etc/passwd\" is outside the layer"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    TempDir dir;
    ::mkdir((dir / "OUTSIDE").c_str(), 0755);
    std::string tar = c.tar;
    // Point absolute symlinks at the test's own OUTSIDE dir so a bug could not touch the host.
    if (c.name == "through symlink") {
      tar = TarBuilder().Symlink("link", dir / "OUTSIDE").File("link/evil", "x").Build();
    }
    auto layer = Unpack(dir, tar);
    REQUIRE_FALSE(layer.ok());
    CHECK(layer.status().code() == Code::kCorrupt);
    CHECK(layer.status().message() == c.message);
    CHECK_FALSE(Exists(dir / "evil"));
    CHECK_FALSE(Exists(dir / "OUTSIDE/evil"));
  }
}

TEST_CASE("Layer unpack reports a blob that is not a tar") {
  TempDir dir;
  auto layer = Unpack(dir, "this is not a tar archive at all, just text");
  REQUIRE_FALSE(layer.ok());
  CHECK(layer.status().code() == Code::kCorrupt);
  CHECK_THAT(layer.status().message(), Catch::StartsWith("layer " + dir / "blob"));
}

}  // namespace
}  // namespace skiff::runtime
