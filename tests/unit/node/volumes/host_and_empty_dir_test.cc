// hostPath type checks, emptyDir on disk and in memory, unsupported types, and teardown.
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>

#include "volume_test_util.h"

using namespace skiff::node;
using namespace skiff::node::testing;

namespace {

skiff::Status HostPath(const std::string& path, const std::string& type) {
  PodDir pod_dir;
  Objects objects;
  json source = {{"path", path}};
  if (!type.empty()) source["type"] = type;
  auto r = SetUpPodVolumes(MakePod({{{"name", "host"}, {"hostPath", source}}}), pod_dir.path(),
                           objects.Lookup(), Info());
  if (r.ok()) {
    CHECK(r->at("host").path == path);
    CHECK_FALSE(r->at("host").read_only);
  }
  return r.status();
}

std::string Prefix() { return "MountVolume.SetUp failed for volume \"host\" : "; }

}  // namespace

TEST_CASE("hostPath types are checked as Kubernetes does") {
  PodDir dir;  // a scratch area for host paths
  const std::string& d = dir.path();
  std::ofstream(d + "/file") << "x";
  CHECK(HostPath(d, "Directory").ok());
  CHECK(HostPath(d, "").ok());
  CHECK(HostPath(d + "/file", "File").ok());
  CHECK(HostPath("/dev/null", "CharDevice").ok());
  CHECK(HostPath(d + "/file", "Directory").message() ==
        Prefix() + "hostPath type check failed: " + d + "/file is not a directory");
  CHECK(HostPath(d + "/missing", "Directory").message() ==
        Prefix() + "hostPath type check failed: " + d + "/missing is not a directory");
  CHECK(HostPath(d, "File").message() ==
        Prefix() + "hostPath type check failed: " + d + " is not a file");
  CHECK(HostPath(d + "/file", "Socket").message() ==
        Prefix() + "hostPath type check failed: " + d + "/file is not a socket file");
  CHECK(HostPath(d + "/file", "CharDevice").message() ==
        Prefix() + "hostPath type check failed: " + d + "/file is not a character device");
  CHECK(HostPath("/dev/null", "BlockDevice").message() ==
        Prefix() + "hostPath type check failed: /dev/null is not a block device");
  CHECK(HostPath(d, "Weird").message() == Prefix() + "Weird is an invalid volume type");
  CHECK(HostPath(d, "Weird").code() == skiff::Code::kInvalidArgument);

  // A real socket.
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = d + "/s.sock";
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock.c_str());
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  CHECK(HostPath(sock, "Socket").ok());
  close(fd);

  // ...OrCreate create what is missing; FileOrCreate needs the parent.
  CHECK(HostPath(d + "/new/dir", "DirectoryOrCreate").ok());
  CHECK(std::filesystem::is_directory(d + "/new/dir"));
  CHECK(Mode(d + "/new/dir") == 0755);
  CHECK(HostPath(d + "/new/file", "FileOrCreate").ok());
  CHECK(std::filesystem::is_regular_file(d + "/new/file"));
  CHECK(Mode(d + "/new/file") == 0644);
  CHECK(HostPath(d + "/nope/file", "FileOrCreate")
            .message()
            .rfind(Prefix() + "cannot create hostPath file " + d + "/nope/file", 0) == 0);
  CHECK(HostPath(d + "/untyped/dir", "").ok());  // created like containerd would
  CHECK(std::filesystem::is_directory(d + "/untyped/dir"));
}

TEST_CASE("emptyDir is a 0777 directory on disk, or a sized tmpfs in memory") {
  PodDir pod_dir;
  Objects objects;
  json pod =
      MakePod({{{"name", "disk"}, {"emptyDir", {{"sizeLimit", "1Gi"}}}},
               {{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "16Mi"}}}},
               {{"name", "mem-pod"}, {"emptyDir", {{"medium", "Memory"}}}},
               {{"name", "mem-big"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "1Gi"}}}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  INFO(volumes.status().ToString());
  REQUIRE(volumes.ok());
  std::string base = pod_dir.path() + "/volumes/kubernetes.io~empty-dir/";
  CHECK(volumes->at("disk").path == base + "disk");
  CHECK(volumes->at("disk").size_limit_bytes == 1073741824);
  CHECK_FALSE(volumes->at("disk").read_only);
  CHECK(Mode(base + "disk") == 0777);
  CHECK(volumes->at("mem").size_limit_bytes == 0);
  std::map<std::string, std::string> sizes;
  for (const auto& m : MountsUnder(pod_dir.path())) {
    CHECK(m.fs_type == "tmpfs");
    auto pos = m.super_options.find("size=");
    REQUIRE(pos != std::string::npos);
    sizes[m.mount_point.substr(base.size())] =
        m.super_options.substr(pos, m.super_options.find(',', pos) - pos);
  }
  CHECK(sizes == std::map<std::string, std::string>{{"mem", "size=16384k"},
                                                    {"mem-pod", "size=65536k"},
                                                    {"mem-big", "size=65536k"}});
  CHECK(Mode(base + "mem") == 01777);
}

TEST_CASE("Unsupported volume types are reported, not ignored") {
  PodDir pod_dir;
  Objects objects;
  auto r = SetUpPodVolumes(
      MakePod({{{"name", "disk"}, {"awsElasticBlockStore", {{"volumeID", "vol-1"}}}}}),
      pod_dir.path(), objects.Lookup(), Info());
  CHECK(r.status().code() == skiff::Code::kUnimplemented);
  CHECK(r.status().message() ==
        "MountVolume.SetUp failed for volume \"disk\" : volume type "
        "awsElasticBlockStore is not supported by skiff");
}

TEST_CASE("A claim volume is its bound PersistentVolume's source") {
  PodDir pod_dir;
  PodDir host;
  Objects objects;
  const json pod = MakePod({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data"}}}},
                            {{"name", "ro"},
                             {"persistentVolumeClaim", {{"claimName", "data"}, {"readOnly", true}}}}});
  auto failed = [&] { return SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info()).status(); };
  CHECK(failed().message() ==
        "MountVolume.SetUp failed for volume \"data\" : persistentvolumeclaim \"data\" not found");

  json claim = {{"metadata", {{"name", "data"}, {"namespace", "default"}}},
                {"spec", {{"storageClassName", ""}}},
                {"status", {{"phase", "Pending"}}}};
  objects.items["PersistentVolumeClaim/default/data"] = claim;
  CHECK(failed().message() ==
        "MountVolume.SetUp failed for volume \"data\" : error processing PVC default/data: PVC is "
        "not bound");

  claim["spec"]["volumeName"] = "pv-1";
  claim["status"]["phase"] = "Bound";
  objects.items["PersistentVolumeClaim/default/data"] = claim;
  CHECK(failed().message() ==
        "MountVolume.SetUp failed for volume \"data\" : error processing PVC default/data: "
        "persistentvolume \"pv-1\" not found");

  json pv = {{"metadata", {{"name", "pv-1"}}},
             {"spec",
              {{"capacity", {{"storage", "1Gi"}}},
               {"accessModes", {"ReadWriteOnce"}},
               {"mountOptions", {"noatime"}},
               {"hostPath", {{"path", host.path()}, {"type", "Directory"}}}}}};
  objects.items["PersistentVolume//pv-1"] = pv;
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  REQUIRE(volumes.ok());
  CHECK(volumes->at("data").path == host.path());
  CHECK_FALSE(volumes->at("data").read_only);
  CHECK(volumes->at("ro").read_only);
  CHECK_FALSE(volumes->at("data").owned);  // host paths keep their ownership

  pv["spec"].erase("hostPath");
  pv["spec"]["local"] = {{"path", host.path() + "/missing"}};
  objects.items["PersistentVolume//pv-1"] = pv;
  CHECK(failed().message() ==
        "MountVolume.SetUp failed for volume \"data\" : path \"" + host.path() +
            "/missing\" does not exist");

  pv["spec"].erase("local");
  pv["spec"]["cinder"] = {{"volumeID", "x"}};
  objects.items["PersistentVolume//pv-1"] = pv;
  CHECK(failed().code() == skiff::Code::kUnimplemented);
  CHECK(failed().message() ==
        "MountVolume.SetUp failed for volume \"data\" : persistentvolume \"pv-1\" has a volume "
        "type (cinder) skiff does not support");
}

TEST_CASE("TearDown unmounts every tmpfs and removes the volumes, never a hostPath") {
  PodDir pod_dir;
  PodDir host;
  std::ofstream(host.path() + "/precious") << "keep me";
  Objects objects;
  objects.items["Secret/default/s"] = Secret("s", {{"k", "v"}});
  objects.items["ConfigMap/default/cm"] = ConfigMap("cm", {{"a", "1"}});
  json pod = MakePod({{{"name", "sec"}, {"secret", {{"secretName", "s"}}}},
                      {{"name", "cfg"}, {"configMap", {{"name", "cm"}}}},
                      {{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}}}},
                      {{"name", "disk"}, {"emptyDir", json::object()}},
                      {{"name", "host"}, {"hostPath", {{"path", host.path()}}}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  REQUIRE(volumes.ok());
  std::ofstream(volumes->at("mem").path + "/f") << "x";
  std::ofstream(volumes->at("disk").path + "/f") << "x";
  REQUIRE(MountsUnder(pod_dir.path()).size() == 2);
  std::ofstream(pod_dir.path() + "/other-agent-file") << "not ours";

  REQUIRE(TearDownPodVolumes(pod_dir.path()).ok());
  CHECK(MountsUnder(pod_dir.path()).empty());
  CHECK_FALSE(std::filesystem::exists(pod_dir.path() + "/volumes"));
  CHECK(std::filesystem::exists(pod_dir.path() + "/other-agent-file"));
  CHECK(Slurp(host.path() + "/precious") == "keep me");
  CHECK(TearDownPodVolumes(pod_dir.path()).ok());  // nothing left: still fine
}
