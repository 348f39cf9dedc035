// NFS volumes without an NFS kernel: the kernel/helper check on injected files, the order of
// the pre-mount checks and their messages, the mount helper's command line and timeout (a
// fake helper script), and the mount table reads and the unmount on tmpfs stand-ins.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "fake_rpc_server.h"
#include "node/volumes/mount_table.h"
#include "node/volumes/nfs_mount.h"
#include "node/volumes/nfs_volume.h"
#include "skiff/node/nfs_support.h"
#include "volume_test_util.h"

using namespace skiff::node;
using namespace skiff::node::internal;
using skiff::Code;
using skiff::node::testing::AcceptedReply;
using skiff::node::testing::ClosedPort;
using skiff::node::testing::FakeRpcServer;
using skiff::node::testing::PodDir;
using skiff::node::testing::Slurp;
using namespace std::chrono_literals;

namespace {

void Write(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

const char* kNoNfs = "nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\toverlay\n";

std::string Release() {
  utsname u{};
  ::uname(&u);
  return u.release;
}

// Support files under a temporary root: /proc/filesystems, modules, the helper.
struct FakeHost {
  PodDir root;
  NfsSupportPaths paths;
  FakeHost(const std::string& filesystems, bool helper) {
    paths.proc_filesystems = root.path() + "/filesystems";
    paths.modules_root = root.path() + "/modules";
    paths.modules_disabled = root.path() + "/modules_disabled";
    paths.mount_helper = root.path() + "/sbin/mount.nfs";
    Write(paths.proc_filesystems, filesystems);
    if (helper) Write(paths.mount_helper, "#!/bin/sh\nexit 0\n", 0755);
  }
};

NfsSetUpEnv Env(const NfsSupportPaths& paths, const std::string& mount_binary = "/bin/false") {
  NfsSetUpEnv env;
  env.ping_timeout = 1s;
  env.mount_timeout = 2s;
  env.support = paths;
  env.mount_binary = mount_binary;
  return env;
}

nlohmann::json Source(const std::string& server, const std::string& path, bool ro = false) {
  return {{"server", server}, {"path", path}, {"readOnly", ro}};
}

}  // namespace

TEST_CASE("nfs support: the kernel counts when /proc/filesystems lists nfs or nfs4") {
  FakeHost with(std::string(kNoNfs) + "nodev\tnfs\nnodev\tnfs4\n", true);
  auto s = CheckNfsClientSupport(with.paths);
  CHECK(s.kernel);
  CHECK(s.kernel_how == "nfs in " + with.paths.proc_filesystems);
  CHECK(s.helper);

  FakeHost v4_only(std::string(kNoNfs) + "nodev\tnfs4\n", false);
  auto v4 = CheckNfsClientSupport(v4_only.paths);
  CHECK(v4.kernel);
  CHECK(v4.kernel_how == "nfs4 in " + v4_only.paths.proc_filesystems);
  CHECK_FALSE(v4.helper);
}

TEST_CASE("nfs support: no nfs and no module is a kernel that lacks NFS") {
  FakeHost host(kNoNfs, true);
  auto s = CheckNfsClientSupport(host.paths);
  CHECK_FALSE(s.kernel);
  CHECK(s.kernel_lack == "no nfs in " + host.paths.proc_filesystems + ", no nfs module in " +
                             host.paths.modules_root + "/" + Release() + "/modules.dep");
}

TEST_CASE("nfs support: an installed nfs module counts only when modules can be loaded") {
  FakeHost host(kNoNfs, true);
  Write(host.paths.modules_root + "/" + Release() + "/modules.dep",
        "kernel/fs/nfs/nfs.ko.xz: kernel/fs/lockd/lockd.ko.xz kernel/net/sunrpc/sunrpc.ko.xz\n");
  Write(host.paths.modules_disabled, "0\n");
  auto s = CheckNfsClientSupport(host.paths);
  CHECK(s.kernel);
  CHECK(s.kernel_how == "nfs module for " + Release() + " (loaded on the first mount)");

  Write(host.paths.modules_disabled, "1\n");
  auto off = CheckNfsClientSupport(host.paths);
  CHECK_FALSE(off.kernel);
  CHECK(off.kernel_lack == "no nfs in " + host.paths.proc_filesystems +
                               ", and module loading is off");
}

TEST_CASE("nfs volume: a server that is not answering fails first, before the kernel check") {
  FakeHost host(kNoNfs, false);
  PodDir pod;
  const int port = ClosedPort();
  auto r = SetUpNfsVolumeWith(Source("127.0.0.1", "/export"), {"port=" + std::to_string(port)},
                              false, pod.path() + "/volumes/kubernetes.io~nfs/data",
                              Env(host.paths));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message() == "NFS server 127.0.0.1:" + std::to_string(port) +
                                    " is not answering: connection refused");
}

TEST_CASE("nfs volume: a live server on a kernel without NFS names the missing kernel support") {
  FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 0); });
  FakeHost host(kNoNfs, true);
  PodDir pod;
  auto r = SetUpNfsVolumeWith(Source("127.0.0.1", "/export"),
                              {"port=" + std::to_string(server.port())}, false,
                              pod.path() + "/volumes/kubernetes.io~nfs/data", Env(host.paths));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnimplemented);
  CHECK(r.status().message() ==
        "mount of 127.0.0.1:/export needs NFS support in the kernel, which this node lacks "
        "(no nfs in " + host.paths.proc_filesystems + ", no nfs module in " +
            host.paths.modules_root + "/" + Release() + "/modules.dep)");
  CHECK(server.calls().size() == 1);  // version 4 answered
}

TEST_CASE("nfs volume: a kernel with NFS but no mount.nfs says to install nfs-common") {
  FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 0); });
  FakeHost host("nodev\tnfs\n", false);
  PodDir pod;
  auto r = SetUpNfsVolumeWith(Source("127.0.0.1", "/export"),
                              {"port=" + std::to_string(server.port())}, false,
                              pod.path() + "/volumes/kubernetes.io~nfs/data", Env(host.paths));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnimplemented);
  CHECK(r.status().message() == "mount of 127.0.0.1:/export needs " + host.paths.mount_helper +
                                    ", which is missing: apt-get install nfs-common");
}

TEST_CASE("nfs volume: with every check passed the mount helper gets the request") {
  FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 0); });
  FakeHost host("nodev\tnfs\n", true);
  PodDir pod;
  const std::string args = host.root.path() + "/args";
  const std::string fake_mount = host.root.path() + "/mount";
  Write(fake_mount, "#!/bin/sh\necho \"$@\" > " + args + "\n", 0755);
  const std::string port = "port=" + std::to_string(server.port());
  const std::string target = pod.path() + "/volumes/kubernetes.io~nfs/data";
  auto r = SetUpNfsVolumeWith(Source("127.0.0.1", "/export", true), {port}, false, target,
                              Env(host.paths, fake_mount));
  REQUIRE(r.ok());
  CHECK(r->path == target);
  CHECK(r->read_only);
  CHECK(Slurp(args) == "-t nfs -o " + port + ",ro,timeo=100,retrans=3,retry=0 127.0.0.1:/export " +
                           target + "\n");
  struct stat st;
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
}

TEST_CASE("nfs volume: a failing or hanging mount helper is reported, the hang killed in time") {
  FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 0); });
  FakeHost host("nodev\tnfs\n", true);
  PodDir pod;
  const std::string port = "port=" + std::to_string(server.port());
  const std::string target = pod.path() + "/volumes/kubernetes.io~nfs/data";

  const std::string failing = host.root.path() + "/mount-fails";
  Write(failing, "#!/bin/sh\necho 'mount.nfs: access denied by server' >&2\nexit 32\n", 0755);
  auto r = SetUpNfsVolumeWith(Source("127.0.0.1", "/export"), {port, "hard"}, false, target,
                              Env(host.paths, failing));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message() == "mount -t nfs -o " + port + ",hard,timeo=100,retrans=3,retry=0 "
                                "127.0.0.1:/export " + target +
                                    " failed: exit status 32: mount.nfs: access denied by server");

  const std::string hanging = host.root.path() + "/mount-hangs";
  Write(hanging, "#!/bin/sh\nsleep 30\n", 0755);
  NfsSetUpEnv env = Env(host.paths, hanging);
  env.mount_timeout = 500ms;
  const auto start = std::chrono::steady_clock::now();
  auto hung = SetUpNfsVolumeWith(Source("127.0.0.1", "/export"), {port, "timeo=5"}, false,
                                 target, env);
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  REQUIRE_FALSE(hung.ok());
  CHECK(hung.status().message() == "mount -t nfs -o " + port + ",timeo=5 127.0.0.1:/export " +
                                       target + " timed out after 500 ms (killed)");
}

TEST_CASE("nfs volume: spec errors come before any network question") {
  FakeHost host(kNoNfs, false);
  PodDir pod;
  auto r = SetUpNfsVolumeWith(Source("", "/export"), {}, false, pod.path() + "/nfs",
                              Env(host.paths));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message() == "nfs.server is empty");
}

TEST_CASE("nfs mounts: MountedAt reads type and source, UnmountNfs takes the mount away") {
  PodDir pod;
  const std::string dir = pod.path() + "/m";
  std::filesystem::create_directories(dir);
  CHECK(MountedAt(dir).status().code() == skiff::Code::kNotFound);
  CHECK(UnmountNfs(dir).ok());  // not mounted: nothing to do
  REQUIRE(::mount("10.0.0.5:/export", dir.c_str(), "tmpfs", 0, nullptr) == 0);
  auto m = MountedAt(dir);
  REQUIRE(m.ok());
  CHECK(m->fs_type == "tmpfs");
  CHECK(m->source == "10.0.0.5:/export");
  REQUIRE(UnmountNfs(dir, 2s).ok());
  CHECK(MountedAt(dir).status().code() == skiff::Code::kNotFound);
}

TEST_CASE("nfs mounts: sources compare without trailing or doubled slashes") {
  CHECK(SameNfsSource("10.0.0.5:/export/", "10.0.0.5:/export"));
  CHECK(SameNfsSource("10.0.0.5://export//a", "10.0.0.5:/export/a"));
  CHECK(SameNfsSource("[fd00::5]:/", "[fd00::5]:/"));
  CHECK_FALSE(SameNfsSource("10.0.0.5:/export", "10.0.0.6:/export"));
  CHECK_FALSE(SameNfsSource("10.0.0.5:/export", "10.0.0.5:/export2"));
}

TEST_CASE("nfs volume: the pod's inline nfs volume goes through SetUpPodVolumes") {
  // Nothing listens on 127.0.0.1:2049 in this test unless the host runs an NFS server; a
  // 127.0.0.0/8 address of its own is sure to be silent.
  PodDir pod;
  skiff::node::testing::Objects objects;
  auto r = SetUpPodVolumes(
      skiff::node::testing::MakePod(
          {{{"name", "share"}, {"nfs", {{"server", "127.77.0.9"}, {"path", "/export"}}}}}),
      pod.path(), objects.Lookup(), skiff::node::testing::Info());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message() == "MountVolume.SetUp failed for volume \"share\" : NFS server "
                                "127.77.0.9:2049 is not answering: connection refused");
  CHECK(TearDownPodVolumes(pod.path()).ok());
}
