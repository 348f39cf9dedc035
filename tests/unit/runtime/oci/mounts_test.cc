// Mounts: host files, volumeMounts with subPath/readOnly/propagation, overrides of default
// mounts and parent-before-child order.
#include "runtime/oci/mounts.h"

#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::runtime;
using namespace skiff::runtime::testing;
using skiff::runtime::internal::PrepareSubPath;
using Strings = std::vector<std::string>;

namespace {

struct Fixture {
  TempDir dir;
  std::string vol_data, vol_cfg;
  Fixture() {
    MakeUserFiles(dir.path() + "/rootfs");
    vol_data = dir.path() + "/volumes/data";
    vol_cfg = dir.path() + "/volumes/cfg";
    std::filesystem::create_directories(vol_data + "/logs");
    std::filesystem::create_directories(vol_cfg);
    WriteFile(dir.path() + "/hosts", "127.0.0.1 localhost\n");
    WriteFile(dir.path() + "/resolv.conf", "nameserver 10.43.0.10\n");
    WriteFile(dir.path() + "/hostname", "web\n");
    WriteFile(dir.path() + "/termination-log", "");
    std::filesystem::create_directories(dir.path() + "/shm");
  }
  ContainerSpecInput Input(const json& pod) {
    ContainerSpecInput in;
    in.pod = &pod;
    in.container = &pod["spec"]["containers"][0];
    in.image.cmd = {"/bin/sh"};
    in.rootfs = dir.path() + "/rootfs";
    in.hostname = "web";
    in.hosts_file = dir.path() + "/hosts";
    in.resolv_conf_file = dir.path() + "/resolv.conf";
    in.hostname_file = dir.path() + "/hostname";
    in.termination_message_file = dir.path() + "/termination-log";
    in.shm_path = dir.path() + "/shm";
    in.volumes["data"] = {vol_data, false, 0};
    in.volumes["cfg"] = {vol_cfg, true, 0};
    in.runtime_info = Info();
    return in;
  }
};

json Mount(const std::string& dst, const std::string& src, Strings options) {
  return {{"destination", dst}, {"type", "bind"}, {"source", src}, {"options", options}};
}

}  // namespace

TEST_CASE("Host files, volumes and the termination log are bind mounts after the defaults") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer(
      {{"volumeMounts",
        {{{"name", "data"}, {"mountPath", "/var/lib/app/logs"}, {"subPath", "logs"}},
         {{"name", "data"}, {"mountPath", "/var/lib/app"}, {"mountPropagation", "HostToContainer"}},
         {{"name", "cfg"}, {"mountPath", "/etc/app"}},
         {{"name", "data"}, {"mountPath", "/ro"}, {"readOnly", true}}}}})}));
  auto r = BuildOciSpec(f.Input(pod));
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  const std::string& d = f.dir.path();
  json want = json::array({
      {{"destination", "/proc"},
       {"type", "proc"},
       {"source", "proc"},
       {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"},
       {"type", "devpts"},
       {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
      {{"destination", "/dev/mqueue"},
       {"type", "mqueue"},
       {"source", "mqueue"},
       {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/sys"},
       {"type", "sysfs"},
       {"source", "sysfs"},
       {"options", {"nosuid", "noexec", "nodev", "ro"}}},
      {{"destination", "/sys/fs/cgroup"},
       {"type", "cgroup"},
       {"source", "cgroup"},
       {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}},
      // Sorted by depth; equal depths keep kubelet's order, then containerd's sandbox files.
      Mount("/ro", f.vol_data, {"rbind", "rprivate", "ro"}),
      Mount("/etc/app", f.vol_cfg, {"rbind", "rprivate", "ro"}),  // configMap-like: forced ro
      Mount("/dev/termination-log", d + "/termination-log", {"rbind", "rprivate", "rw"}),
      Mount("/etc/hostname", d + "/hostname", {"rbind", "rprivate", "rw"}),
      Mount("/etc/hosts", d + "/hosts", {"rbind", "rprivate", "rw"}),
      Mount("/etc/resolv.conf", d + "/resolv.conf", {"rbind", "rprivate", "rw"}),
      Mount("/dev/shm", d + "/shm", {"rbind", "rprivate", "rw"}),
      Mount("/var/lib/app", f.vol_data, {"rbind", "rslave", "rw"}),
      Mount("/var/lib/app/logs", f.vol_data + "/logs", {"rbind", "rprivate", "rw"}),
  });
  CHECK(r->at("mounts") == want);
  CHECK(r->at("linux")["rootfsPropagation"] == "rslave");
}

TEST_CASE("A volumeMount replaces the default mount at the same place") {
  Fixture f;
  json pod = MakePod(json::array({MakeContainer(
      {{"volumeMounts",
        {{{"name", "data"}, {"mountPath", "/etc/hosts"}, {"subPath", "hosts"}},
         {{"name", "data"}, {"mountPath", "/dev"}, {"mountPropagation", "Bidirectional"}}}}})}));
  WriteFile(f.vol_data + "/hosts", "10.0.0.1 mine\n");
  auto r = BuildOciSpec(f.Input(pod));
  REQUIRE(r.ok());
  Strings destinations;
  for (const auto& m : r->at("mounts")) destinations.push_back(m["destination"]);
  // /dev from the volume drops /dev/pts, /dev/shm and /dev/mqueue defaults; the sandbox /dev/shm
  // bind stays (it is not a default); /etc/hosts is the volume's file.
  CHECK(destinations == Strings{"/proc", "/sys", "/sys/fs/cgroup", "/dev", "/etc/hosts",
                                "/dev/termination-log", "/etc/hostname", "/etc/resolv.conf",
                                "/dev/shm"});
  CHECK(r->at("mounts")[3]["options"] == Strings{"rbind", "rshared", "rw"});
  CHECK(r->at("mounts")[4]["source"] == f.vol_data + "/hosts");
  CHECK(r->at("linux")["rootfsPropagation"] == "rshared");
}

TEST_CASE("subPathExpr expands from the container env and missing values are errors") {
  Fixture f;
  auto build = [&](json env) {
    json pod = MakePod(json::array({MakeContainer(
        {{"env", env},
         {"volumeMounts",
          {{{"name", "data"}, {"mountPath", "/out"}, {"subPathExpr", "pods/$(POD_NAME)"}}}}})}));
    return BuildOciSpec(f.Input(pod));
  };
  auto ok = build(
      {{{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}}});
  REQUIRE(ok.ok());
  json out_mount;
  for (const auto& m : ok->at("mounts")) {
    if (m["destination"] == "/out") out_mount = m;
  }
  CHECK(out_mount["source"] == f.vol_data + "/pods/web");
  CHECK(std::filesystem::is_directory(f.vol_data + "/pods/web"));
  CHECK(build(json::array()).status().message() == "missing value for POD_NAME");
}

TEST_CASE("subPath must stay inside its volume") {
  Fixture f;
  CHECK(PrepareSubPath(f.vol_data, "/etc").status().message() ==
        "error SubPath `/etc` must not be an absolute path");
  CHECK(PrepareSubPath(f.vol_data, "a/../../b").status().message() ==
        "unable to provision SubPath `a/../../b`: must not contain '..'");
  CHECK(PrepareSubPath(f.vol_data, "..").status().message() ==
        "unable to provision SubPath `..`: must not contain '..'");
  std::filesystem::create_symlink("/etc", f.vol_data + "/escape");
  std::filesystem::create_symlink("../cfg", f.vol_data + "/sibling");
  std::filesystem::create_symlink("logs", f.vol_data + "/inside");
  CHECK(PrepareSubPath(f.vol_data, "escape/passwd").status().message() ==
        "subpath \"/etc\" not within volume path \"" + f.vol_data + "\"");
  CHECK(PrepareSubPath(f.vol_data, "sibling").status().message() ==
        "subpath \"" + f.vol_cfg + "\" not within volume path \"" + f.vol_data + "\"");
  CHECK(*PrepareSubPath(f.vol_data, "inside") == f.vol_data + "/logs");
  // A missing subPath is created as a directory with the volume's mode.
  std::filesystem::permissions(f.vol_data, std::filesystem::perms(0750));
  CHECK(*PrepareSubPath(f.vol_data, "new/deeper") == f.vol_data + "/new/deeper");
  struct stat st;
  REQUIRE(stat((f.vol_data + "/new/deeper").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  CHECK_FALSE(std::filesystem::exists("/etc/passwd/x"));
}

TEST_CASE("A volumeMount naming an unknown volume is a config error") {
  Fixture f;
  json pod = MakePod(
      json::array({MakeContainer({{"volumeMounts", {{{"name", "nope"}, {"mountPath", "/x"}}}}})}));
  auto r = BuildOciSpec(f.Input(pod));
  CHECK(r.status().message() == "cannot find volume \"nope\" to mount into container \"app\"");
  CHECK_FALSE(IsCreateContainerError(r.status()));
}
