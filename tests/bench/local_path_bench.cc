// local-path volumes: how long creating and mounting one takes (the part of a pod's start that
// a new claim adds), with the pieces of an enforced volume measured one by one, and mount(8)
// -o loop beside skiff's own loop set-up. Root; works in a temporary directory under --dir
// (default /var/tmp: a real disk, as /var/lib/skiff/storage is) and removes everything.
//
//   local_path_bench [--quick] [--rounds N] [--size-mib M] [--dir D]
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "node/volumes/ext4_image.h"
#include "node/volumes/local_path.h"
#include "node/volumes/loop_device.h"

using namespace skiff::node;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

void Report(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::printf("%-44s median %7.1f ms   min %7.1f   max %7.1f   (n=%zu)\n", what, v[v.size() / 2],
              v.front(), v.back(), v.size());
}

void Check(const skiff::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 10;
  int64_t size_mib = 1024;
  std::string base = "/var/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") rounds = 2;
    else if (a == "--rounds" && i + 1 < argc) rounds = std::atoi(argv[++i]);
    else if (a == "--size-mib" && i + 1 < argc) size_mib = std::atoll(argv[++i]);
    else if (a == "--dir" && i + 1 < argc) base = argv[++i];
  }
  std::string tmpl = base + "/skiff-local-path-bench-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string root = tmpl;
  const int64_t bytes = size_mib << 20;
  std::vector<double> enforced, enforced_remount, unenforced, deletes, mkfs, attach_mount,
      mount8;
  for (int r = 0; r < rounds; ++r) {
    const std::string path = root + "/pvc-" + std::to_string(r) + "_default_data";
    auto t0 = Clock::now();
    Check(EnsureLocalPathVolume(path, bytes, true), "ensure enforced");
    auto t1 = Clock::now();
    enforced.push_back(Ms(t0, t1));
    umount2(path.c_str(), 0);  // a reboot: the image is there, not mounted
    t0 = Clock::now();
    Check(EnsureLocalPathVolume(path, bytes, true), "ensure (remount)");
    t1 = Clock::now();
    enforced_remount.push_back(Ms(t0, t1));
    t0 = Clock::now();
    Check(DeleteLocalPathVolume(path), "delete");
    t1 = Clock::now();
    deletes.push_back(Ms(t0, t1));

    const std::string dir = root + "/plain-" + std::to_string(r);
    t0 = Clock::now();
    Check(EnsureLocalPathVolume(dir, bytes, false), "ensure unenforced");
    t1 = Clock::now();
    unenforced.push_back(Ms(t0, t1));
    Check(DeleteLocalPathVolume(dir), "delete unenforced");

    // The pieces: mkfs (+ debugfs, fsync, rename), then the loop set-up and mount, ours and
    // mount(8)'s.
    const std::string image = root + "/piece.img", mnt = root + "/piece";
    std::filesystem::create_directories(mnt);
    t0 = Clock::now();
    Check(internal::CreateExt4Image(image + ".tmp", image, bytes), "create image");
    t1 = Clock::now();
    mkfs.push_back(Ms(t0, t1));
    t0 = Clock::now();
    {
      auto loop = internal::AttachLoopDevice(image);
      Check(loop.status(), "attach");
      if (mount(loop->path.c_str(), mnt.c_str(), "ext4", MS_NODEV | MS_NOSUID, nullptr) != 0) {
        std::perror("mount");
        return 1;
      }
    }
    t1 = Clock::now();
    attach_mount.push_back(Ms(t0, t1));
    umount2(mnt.c_str(), 0);
    const std::string cmd = "mount -o loop,nodev,nosuid " + image + " " + mnt;
    t0 = Clock::now();
    if (std::system(cmd.c_str()) != 0) return 1;
    t1 = Clock::now();
    mount8.push_back(Ms(t0, t1));
    umount2(mnt.c_str(), 0);
    std::filesystem::remove(image);
  }
  std::printf("local-path volumes of %lld MiB under %s, %d rounds\n",
              static_cast<long long>(size_mib), base.c_str(), rounds);
  Report("enforced: create + mount (Ensure)", enforced);
  Report("enforced: mount an existing image (Ensure)", enforced_remount);
  Report("enforced: delete (unmount, remove)", deletes);
  Report("unenforced: create the directory (Ensure)", unenforced);
  Report("  piece: sparse file + mkfs.ext4 + debugfs", mkfs);
  Report("  piece: LOOP_CONFIGURE + mount(2)", attach_mount);
  Report("  piece: mount(8) -o loop (for comparison)", mount8);
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  return 0;
}
