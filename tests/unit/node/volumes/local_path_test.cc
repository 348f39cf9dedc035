// local-path volumes on real loop devices and ext4 images (root): create, idempotence, remount
// after an unmount (a reboot or restart), a half-made image made again, online growth, delete
// while mounted, plain directories. Every test works in its own temporary root, which is
// unmounted (detaching the loop devices) and removed whatever the outcome.
#include "node/volumes/local_path.h"
#include "node/volumes/loop_device.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "volume_test_util.h"

using namespace skiff::node;
using skiff::node::testing::MountsUnder;
using skiff::node::testing::PodDir;
using skiff::Status;

namespace {

constexpr int64_t kMi = int64_t{1} << 20;

#define REQUIRE_OK(expr)            \
  do {                              \
    const skiff::Status s_ = (expr); \
    INFO(s_.ToString());            \
    REQUIRE(s_.ok());               \
  } while (0)

// Writes `bytes` of data to `file`; returns the errno of the first failed write (or fsync),
// 0 when all went through.
int WriteBytes(const std::string& file, int64_t bytes) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  std::string chunk(1 << 20, 'x');
  int err = 0;
  for (int64_t done = 0; done < bytes && err == 0;) {
    size_t n = static_cast<size_t>(std::min<int64_t>(bytes - done, chunk.size()));
    ssize_t w = ::write(fd, chunk.data(), n);
    if (w < 0) err = errno;
    else done += w;
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  return err;
}

std::string FsType(const std::string& dir) {
  for (const auto& m : MountsUnder(dir)) {
    if (m.mount_point == dir) return m.fs_type;
  }
  return "";
}

int64_t StatfsBytes(const std::string& dir) {
  struct statfs st {};
  if (::statfs(dir.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.f_blocks) * st.f_frsize;
}

std::string MountOptions(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mp, opts;
    f >> id >> parent >> dev >> root >> mp >> opts;
    if (mp == dir) return opts;
  }
  return "";
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

TEST_CASE("local-path enforced: an ext4 image of the capacity loop-mounted on the directory",
          "[volumes][local-path]") {
  PodDir root;
  const std::string path = root.path() + "/pvc-u1_default_data";
  REQUIRE_OK(EnsureLocalPathVolume(path, 64 * kMi, true));

  CHECK(FsType(path) == "ext4");
  const std::string opts = MountOptions(path);
  CHECK(opts.find("nodev") != std::string::npos);
  CHECK(opts.find("nosuid") != std::string::npos);
  CHECK(ModeOf(path) == 0777);  // the filesystem's root, as k3s's directories
  CHECK(LocalPathImage(path) == root.path() + "/.images/pvc-u1_default_data.img");
  struct stat st {};
  REQUIRE(::stat(LocalPathImage(path).c_str(), &st) == 0);
  CHECK(st.st_size == 64 * kMi);
  CHECK(st.st_blocks * 512 < 32 * kMi);  // sparse
  // df: a little under 64Mi after ext4's metadata, and no blocks reserved for root.
  auto size = LocalPathVolumeSize(path);
  REQUIRE(size.ok());
  CHECK(*size > 50 * kMi);
  CHECK(*size <= 64 * kMi);
  // No blocks reserved for root (s_r_blocks_count in the superblock).
  {
    int fd = ::open(LocalPathImage(path).c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    uint32_t reserved = 1;
    CHECK(::pread(fd, &reserved, 4, 1024 + 8) == 4);
    ::close(fd);
    CHECK(reserved == 0);
  }

  SECTION("writing more than the capacity fails with ENOSPC") {
    CHECK(WriteBytes(path + "/big", 80 * kMi) == ENOSPC);
  }
  SECTION("a second ensure changes nothing and keeps the data") {
    REQUIRE(WriteBytes(path + "/keep", kMi) == 0);
    const size_t mounts = MountsUnder(path).size();
    REQUIRE_OK(EnsureLocalPathVolume(path, 64 * kMi, true));
    CHECK(MountsUnder(path).size() == mounts);
    CHECK(Exists(path + "/keep"));
    auto state = InspectLocalPathVolume(path);
    REQUIRE(state.ok());
    CHECK(state->exists);
    CHECK(state->enforced);
    CHECK(state->mounted);
    CHECK(state->image_bytes == 64 * kMi);
  }
  SECTION("after an unmount (a reboot) ensure mounts the same filesystem again") {
    REQUIRE(WriteBytes(path + "/keep", kMi) == 0);
    REQUIRE(::umount2(path.c_str(), 0) == 0);
    CHECK(FsType(path).empty());
    CHECK_FALSE(Exists(path + "/keep"));
    REQUIRE_OK(EnsureLocalPathVolume(path, 64 * kMi, true));
    CHECK(FsType(path) == "ext4");
    CHECK(Exists(path + "/keep"));
  }
  SECTION("grows online to a larger capacity with the data kept") {
    REQUIRE(WriteBytes(path + "/keep", 4 * kMi) == 0);
    const int64_t before = StatfsBytes(path);
    REQUIRE_OK(ExpandLocalPathVolume(path, 128 * kMi));
    CHECK(StatfsBytes(path) > before + 56 * kMi);
    CHECK(Exists(path + "/keep"));
    CHECK(WriteBytes(path + "/more", 80 * kMi) == 0);  // did not fit before
    auto state = InspectLocalPathVolume(path);
    REQUIRE(state.ok());
    CHECK(state->image_bytes == 128 * kMi);
    // Idempotent, and shrinking is refused.
    CHECK(ExpandLocalPathVolume(path, 128 * kMi).ok());
    Status shrink = ExpandLocalPathVolume(path, 64 * kMi);
    CHECK(shrink.code() == skiff::Code::kInvalidArgument);
    CHECK(shrink.message().find(path) != std::string::npos);
  }
  SECTION("grows an unmounted volume: mounted again, at the new size") {
    REQUIRE(::umount2(path.c_str(), 0) == 0);
    REQUIRE_OK(ExpandLocalPathVolume(path, 96 * kMi));
    CHECK(FsType(path) == "ext4");
    CHECK(StatfsBytes(path) > 80 * kMi);
  }
  SECTION("ensure with a larger capacity grows it too") {
    REQUIRE_OK(EnsureLocalPathVolume(path, 96 * kMi, true));
    CHECK(StatfsBytes(path) > 80 * kMi);
  }
  SECTION("growing a volume in use: online where permitted, else it waits until unused") {
    int busy = ::open((path + "/open").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(busy >= 0);
    Status grown = ExpandLocalPathVolume(path, 96 * kMi);
    // Ensure never fails a pod's set-up for a growth that must wait.
    Status ensured = EnsureLocalPathVolume(path, 96 * kMi, true);
    ::close(busy);
    CHECK(ensured.ok());
    if (grown.ok()) {  // skiff has CAP_SYS_RESOURCE: grown online
      CHECK(StatfsBytes(path) > 80 * kMi);
    } else {
      CHECK(grown.code() == skiff::Code::kUnavailable);
      CHECK(grown.message().find("cannot grow " + path + " to 96Mi") != std::string::npos);
      CHECK(FsType(path) == "ext4");  // still mounted, at its old size
      REQUIRE_OK(ExpandLocalPathVolume(path, 96 * kMi));  // unused now
      CHECK(StatfsBytes(path) > 80 * kMi);
    }
  }
  SECTION("a volume a container holds (another mount namespace) is never grown offline") {
    REQUIRE(WriteBytes(path + "/kept", 4 * kMi) == 0);
    const int64_t before = StatfsBytes(path);
    // A child in a private mount namespace holds the filesystem, as a container's bind does.
    int ready[2], release[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(release) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      char c = 0;
      if (::unshare(CLONE_NEWNS) != 0 ||
          ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        ::_exit(1);
      }
      (void)!::write(ready[1], "x", 1);
      (void)!::read(release[0], &c, 1);
      ::_exit(0);
    }
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    Status grown = ExpandLocalPathVolume(path, 96 * kMi);
    CHECK(FsType(path) == "ext4");
    // One filesystem on one device, whatever happened.
    const std::string device = skiff::node::internal::FindLoopDevice(LocalPathImage(path));
    CHECK_FALSE(device.empty());
    int devices = 0;
    for (const auto& e : std::filesystem::directory_iterator("/sys/block")) {
      const std::string n = e.path().filename().string();
      if (n.rfind("loop", 0) == 0 &&
          skiff::node::internal::LoopBackingFile("/dev/" + n).find(LocalPathImage(path).substr(
              LocalPathImage(path).rfind('/'))) != std::string::npos) {
        ++devices;
      }
    }
    CHECK(devices == 1);
    if (!grown.ok()) {
      CHECK(grown.code() == skiff::Code::kUnavailable);
      CHECK(StatfsBytes(path) == before);
    }
    (void)!::write(release[1], "x", 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    REQUIRE_OK(ExpandLocalPathVolume(path, 96 * kMi));
    CHECK(StatfsBytes(path) > 80 * kMi);
    struct stat st {};
    CHECK((::stat((path + "/kept").c_str(), &st) == 0 && st.st_size == 4 * kMi));
    for (int fd : {ready[0], ready[1], release[0], release[1]}) ::close(fd);
  }
  SECTION("delete while mounted and busy: unmounted, directory and image gone") {
    int busy = ::open((path + "/open").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(busy >= 0);
    Status s = DeleteLocalPathVolume(path);
    ::close(busy);
    REQUIRE(s.ok());
    CHECK(MountsUnder(path).empty());
    CHECK_FALSE(Exists(path));
    CHECK_FALSE(Exists(LocalPathImage(path)));
    CHECK(DeleteLocalPathVolume(path).ok());  // already gone
  }
}

TEST_CASE("local-path enforced: a half-made image is made again", "[volumes][local-path]") {
  PodDir root;
  const std::string path = root.path() + "/pvc-u2_default_data";
  const std::string tmp = LocalPathImage(path) + ".tmp";
  std::filesystem::create_directories(root.path() + "/.images");
  {
    std::ofstream junk(tmp);
    junk << "a crash during mkfs";
  }
  REQUIRE_OK(EnsureLocalPathVolume(path, 32 * kMi, true));
  CHECK(FsType(path) == "ext4");
  CHECK_FALSE(Exists(tmp));
  CHECK(Exists(LocalPathImage(path)));
  CHECK(DeleteLocalPathVolume(path).ok());
}

TEST_CASE("local-path enforced: an image with recorded errors is checked before the mount",
          "[volumes][local-path]") {
  PodDir root;
  const std::string path = root.path() + "/pvc-u3_default_data";
  REQUIRE_OK(EnsureLocalPathVolume(path, 32 * kMi, true));
  REQUIRE(WriteBytes(path + "/keep", kMi) == 0);
  REQUIRE(::umount2(path.c_str(), 0) == 0);
  // Mark the superblock "errors detected", as the kernel does when it finds corruption
  // (debugfs keeps the superblock's checksum right).
  const std::string mark = "debugfs -w -R 'ssv state 3' " + LocalPathImage(path) + " 2>/dev/null";
  REQUIRE(std::system(mark.c_str()) == 0);
  REQUIRE_OK(EnsureLocalPathVolume(path, 32 * kMi, true));
  CHECK(FsType(path) == "ext4");
  CHECK(Exists(path + "/keep"));
}

TEST_CASE("local-path enforced: errors name the volume and the cause", "[volumes][local-path]") {
  PodDir root;
  const std::string path = root.path() + "/pvc-u4_default_data";
  // An image larger than any file the filesystem allows.
  Status s = EnsureLocalPathVolume(path, int64_t{1} << 62, true);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("cannot create the 4Ei image for " + path) != std::string::npos);
  CHECK(MountsUnder(root.path()).empty());
  CHECK_FALSE(Exists(LocalPathImage(path) + ".tmp"));
}

TEST_CASE("local-path enforced: images never promise more than the disk has",
          "[volumes][local-path]") {
  PodDir root;
  // A 96Mi disk of its own (tmpfs keeps sparse files sparse, as ext4 does).
  const std::string disk = root.path() + "/disk";
  REQUIRE(::mkdir(disk.c_str(), 0700) == 0);
  REQUIRE(::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=96m") == 0);
  const std::string a = disk + "/pvc-a_default_data";
  const std::string b = disk + "/pvc-b_default_data";

  Status s = EnsureLocalPathVolume(a, 128 * kMi, true);
  REQUIRE(s.code() == skiff::Code::kResourceExhausted);
  CHECK(s.message() == "cannot create the 128Mi image for " + a +
                           ": only 96Mi of the disk holding " + disk + "/.images is free");
  CHECK_FALSE(Exists(LocalPathImage(a)));
  CHECK(MountsUnder(disk).size() == 1);  // the tmpfs alone

  REQUIRE_OK(EnsureLocalPathVolume(a, 40 * kMi, true));
  // 40Mi more are promised to a (its filesystem holds a little of it already): 60Mi do not fit.
  s = EnsureLocalPathVolume(b, 60 * kMi, true);
  REQUIRE(s.code() == skiff::Code::kResourceExhausted);
  CHECK(s.message().find("cannot create the 60Mi image for " + b + ": only ") == 0);
  CHECK(s.message().find("of that is promised to volumes already made") != std::string::npos);
  CHECK_FALSE(Exists(LocalPathImage(b)));
  CHECK_FALSE(Exists(LocalPathImage(b) + ".tmp"));
  REQUIRE_OK(EnsureLocalPathVolume(b, 40 * kMi, true));

  // Growing a to 100Mi would promise 60Mi more than the disk has left.
  s = ExpandLocalPathVolume(a, 100 * kMi);
  REQUIRE(s.code() == skiff::Code::kResourceExhausted);
  CHECK(s.message().find("cannot grow " + a + " to 100Mi: only ") == 0);
  auto state = InspectLocalPathVolume(a);
  REQUIRE(state.ok());
  CHECK(state->image_bytes == 40 * kMi);

  // Writing fills a volume, not the disk: a stays usable, b's promise stands.
  CHECK(WriteBytes(a + "/fill", 64 * kMi) == ENOSPC);
  CHECK(WriteBytes(b + "/small", 8 * kMi) == 0);
}

TEST_CASE("local-path unenforced: a plain directory of mode 0777", "[volumes][local-path]") {
  PodDir root;
  const std::string path = root.path() + "/storage/pvc-u5_default_data";
  REQUIRE_OK(EnsureLocalPathVolume(path, 64 * kMi, false));
  CHECK(ModeOf(path) == 0777);
  CHECK(MountsUnder(path).empty());
  REQUIRE(WriteBytes(path + "/keep", kMi) == 0);
  REQUIRE_OK(EnsureLocalPathVolume(path, 64 * kMi, false));
  CHECK(Exists(path + "/keep"));
  CHECK(ExpandLocalPathVolume(path, 128 * kMi).ok());  // nothing to do
  auto state = InspectLocalPathVolume(path);
  REQUIRE(state.ok());
  CHECK(state->exists);
  CHECK_FALSE(state->enforced);
  CHECK(LocalPathVolumeSize(path).ok());
  REQUIRE_OK(DeleteLocalPathVolume(path));
  CHECK_FALSE(Exists(path));
  CHECK(ExpandLocalPathVolume(path, 128 * kMi).code() == skiff::Code::kNotFound);
  CHECK(LocalPathVolumeSize(path).status().code() == skiff::Code::kNotFound);
}

TEST_CASE("local-path: PrepareLocalPathVolume reads the PersistentVolume", "[volumes][local-path]") {
  PodDir root;
  const std::string path = root.path() + "/pvc-u6_default_data";
  nlohmann::json pv = {
      {"metadata",
       {{"name", "pvc-u6"},
        {"annotations",
         {{"pv.kubernetes.io/provisioned-by", "skiff.io/local-path"},
          {"skiff.io/local-path-capacity", "enforced"}}}}},
      {"spec", {{"capacity", {{"storage", "48Mi"}}}, {"local", {{"path", path}}}}}};
  auto dir = PrepareLocalPathVolume(pv);
  INFO(dir.status().ToString());
  REQUIRE(dir.ok());
  CHECK(*dir == path);
  CHECK(FsType(path) == "ext4");
  CHECK(InspectLocalPathVolume(path)->image_bytes == 48 * kMi);

  pv["metadata"]["annotations"]["skiff.io/local-path-capacity"] = "unenforced";
  pv["spec"]["local"]["path"] = root.path() + "/pvc-u7_default_data";
  REQUIRE(PrepareLocalPathVolume(pv).ok());
  CHECK(ModeOf(root.path() + "/pvc-u7_default_data") == 0777);

  nlohmann::json local = {{"metadata", {{"name", "by-hand"}}},
                          {"spec", {{"local", {{"path", root.path() + "/missing"}}}}}};
  auto missing = PrepareLocalPathVolume(local);
  CHECK(missing.status().code() == skiff::Code::kNotFound);
  CHECK(missing.status().message() == "path \"" + root.path() + "/missing\" does not exist");
  local["spec"]["local"]["path"] = root.path();
  CHECK(*PrepareLocalPathVolume(local) == root.path());
  CHECK(DeleteLocalPathVolume(path).ok());
}
