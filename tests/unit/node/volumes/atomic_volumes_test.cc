// configMap, secret, downwardAPI and projected volumes on disk: the atomic-writer layout,
// exact contents and modes, tmpfs for secrets, optional objects and keys, fsGroup.
#include <catch2/catch.hpp>
#include <regex>

#include "volume_test_util.h"

using namespace skiff::node;
using namespace skiff::node::testing;
using Names = std::vector<std::string>;

namespace {

const std::regex kTimestampDir(R"(\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+)");

// The entries of an atomic-writer volume dir: the timestamped dir, ..data and the links.
void CheckLayout(const std::string& dir, const Names& visible) {
  Names entries = Entries(dir);
  REQUIRE(entries.size() == visible.size() + 2);
  std::string ts = entries[0];  // "..2026..." sorts before "..data"
  CHECK(std::regex_match(ts, kTimestampDir));
  CHECK(entries[1] == "..data");
  CHECK(LinkTarget(dir + "/..data") == ts);
  CHECK(Mode(dir + "/" + ts) == 0755);
  for (size_t i = 0; i < visible.size(); ++i) {
    CHECK(entries[i + 2] == visible[i]);
    CHECK(LinkTarget(dir + "/" + visible[i]) == "..data/" + visible[i]);
  }
}

}  // namespace

TEST_CASE("A configMap volume holds its keys as atomic-writer files on disk") {
  PodDir pod_dir;
  Objects objects;
  objects.items["ConfigMap/default/app-config"] =
      ConfigMap("app-config", {{"app.yaml", "port: 80\n"}, {"level", "debug"}},
                {{"blob.bin", skiff::Base64Encode(std::string("\x00\x01\xff", 3))}});
  json pod = MakePod({{{"name", "cfg"}, {"configMap", {{"name", "app-config"}}}},
                      {{"name", "picked"},
                       {"configMap",
                        {{"name", "app-config"},
                         {"defaultMode", 0440},
                         {"items",
                          {{{"key", "app.yaml"}, {"path", "conf/app.yaml"}, {"mode", 0600}},
                           {{"key", "level"}, {"path", "level"}}}}}}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  INFO(volumes.status().ToString());
  REQUIRE(volumes.ok());
  std::string all = pod_dir.path() + "/volumes/kubernetes.io~configmap/cfg";
  std::string picked = pod_dir.path() + "/volumes/kubernetes.io~configmap/picked";
  CHECK(volumes->at("cfg").path == all);
  CHECK(volumes->at("cfg").read_only);
  CHECK(Mode(all) == 0777);
  CHECK(MountsUnder(pod_dir.path()).empty());  // configMaps stay on disk

  CheckLayout(all, {"app.yaml", "blob.bin", "level"});
  CHECK(Slurp(all + "/app.yaml") == "port: 80\n");
  CHECK(Slurp(all + "/level") == "debug");
  CHECK(Slurp(all + "/blob.bin") == std::string("\x00\x01\xff", 3));
  CHECK(Mode(all + "/..data/level") == 0644);

  CheckLayout(picked, {"conf", "level"});
  CHECK(Slurp(picked + "/conf/app.yaml") == "port: 80\n");
  CHECK(Mode(picked + "/..data/conf/app.yaml") == 0600);
  CHECK(Mode(picked + "/..data/conf") == 0755);
  CHECK(Mode(picked + "/..data/level") == 0440);
}

TEST_CASE("A secret volume is a tmpfs with decoded values") {
  PodDir pod_dir;
  Objects objects;
  objects.items["Secret/default/db"] = Secret("db", {{"password", "s3cr3t\n"}, {"user", "admin"}});
  json pod =
      MakePod({{{"name", "creds"}, {"secret", {{"secretName", "db"}, {"defaultMode", 0400}}}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  INFO(volumes.status().ToString());
  REQUIRE(volumes.ok());
  std::string dir = pod_dir.path() + "/volumes/kubernetes.io~secret/creds";
  auto mounts = MountsUnder(pod_dir.path());
  REQUIRE(mounts.size() == 1);
  CHECK(mounts[0].mount_point == dir);
  CHECK(mounts[0].fs_type == "tmpfs");
  // Sized like a memory emptyDir: the pod's memory limit (64Mi) is below allocatable (4Gi).
  CHECK(mounts[0].super_options.find("size=65536k") != std::string::npos);
  CheckLayout(dir, {"password", "user"});
  CHECK(Slurp(dir + "/password") == "s3cr3t\n");
  CHECK(Mode(dir + "/..data/password") == 0400);
  CHECK(volumes->at("creds").read_only);
}

TEST_CASE("A downwardAPI volume writes pod fields and resources") {
  PodDir pod_dir;
  Objects objects;
  json pod = MakePod(
      {{{"name", "info"},
        {"downwardAPI",
         {{"items",
           {{{"path", "labels"}, {"fieldRef", {{"fieldPath", "metadata.labels"}}}},
            {{"path", "annotations"}, {"fieldRef", {{"fieldPath", "metadata.annotations"}}}},
            {{"path", "meta/name"}, {"fieldRef", {{"fieldPath", "metadata.name"}}}},
            {{"path", "app"}, {"fieldRef", {{"fieldPath", "metadata.labels['app']"}}}},
            {{"path", "cpu_limit"},
             {"mode", 0600},
             {"resourceFieldRef",
              {{"containerName", "app"}, {"resource", "limits.cpu"}, {"divisor", "1m"}}}},
            {{"path", "mem_limit"},
             {"resourceFieldRef",
              {{"containerName", "app"},
               {"resource", "limits.memory"},
               {"divisor", "1Mi"}}}}}}}}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  INFO(volumes.status().ToString());
  REQUIRE(volumes.ok());
  std::string dir = pod_dir.path() + "/volumes/kubernetes.io~downward-api/info";
  CHECK(MountsUnder(pod_dir.path()).at(0).fs_type == "tmpfs");
  CheckLayout(dir, {"annotations", "app", "cpu_limit", "labels", "mem_limit", "meta"});
  CHECK(Slurp(dir + "/labels") == "app=\"web\"\ntier=\"front\"");
  CHECK(Slurp(dir + "/annotations") == "team=\"edge\"");
  CHECK(Slurp(dir + "/meta/name") == "web");
  CHECK(Slurp(dir + "/app") == "web");
  CHECK(Slurp(dir + "/cpu_limit") == "250");
  CHECK(Mode(dir + "/..data/cpu_limit") == 0600);
  CHECK(Slurp(dir + "/mem_limit") == "64");

  json bad = MakePod(
      {{{"name", "info"},
        {"downwardAPI",
         {{"items",
           {{{"path", "a"}, {"fieldRef", {{"fieldPath", "spec.nodeName"}}}},
            {{"path", "b"},
             {"resourceFieldRef", {{"containerName", "ghost"}, {"resource", "limits.cpu"}}}}}}}}}});
  PodDir other;
  auto failed = SetUpPodVolumes(bad, other.path(), objects.Lookup(), Info());
  CHECK(failed.status().message() ==
        "MountVolume.SetUp failed for volume \"info\" : [unsupported fieldPath: spec.nodeName, "
        "container ghost not found]");
}

TEST_CASE("A projected volume merges its sources and skips service account tokens") {
  PodDir pod_dir;
  Objects objects;
  objects.items["ConfigMap/default/ca"] = ConfigMap("ca", {{"ca.crt", "CERT"}});
  objects.items["Secret/default/tok"] = Secret("tok", {{"token", "abc"}});
  json pod = MakePod(
      {{{"name", "api"},
        {"projected",
         {{"defaultMode", 0444},
          {"sources",
           {{{"serviceAccountToken", {{"path", "token"}, {"expirationSeconds", 3607}}}},
            {{"configMap", {{"name", "ca"}, {"items", {{{"key", "ca.crt"}, {"path", "ca.crt"}}}}}}},
            {{"secret",
              {{"name", "tok"}, {"items", {{{"key", "token"}, {"path", "secret/token"}}}}}}},
            {{"downwardAPI",
              {{"items",
                {{{"path", "namespace"}, {"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}}}}},
            {{"configMap", {{"name", "absent"}, {"optional", true}}}}}}}}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  INFO(volumes.status().ToString());
  REQUIRE(volumes.ok());
  std::string dir = pod_dir.path() + "/volumes/kubernetes.io~projected/api";
  CHECK(MountsUnder(pod_dir.path()).at(0).fs_type == "tmpfs");
  CheckLayout(dir, {"ca.crt", "namespace", "secret"});
  CHECK(Slurp(dir + "/ca.crt") == "CERT");
  CHECK(Slurp(dir + "/secret/token") == "abc");
  CHECK(Slurp(dir + "/namespace") == "default");
  CHECK(Mode(dir + "/..data/ca.crt") == 0444);
}

TEST_CASE("Missing objects and keys fail unless optional") {
  Objects objects;
  objects.items["ConfigMap/default/cm"] = ConfigMap("cm", {{"a", "1"}});
  auto setup = [&](json volume) {
    PodDir pod_dir;
    auto r = SetUpPodVolumes(MakePod({volume}), pod_dir.path(), objects.Lookup(), Info());
    return std::make_pair(r.status(), r.ok() ? Entries(r->begin()->second.path) : Names{});
  };
  auto [s1, e1] = setup({{"name", "v"}, {"configMap", {{"name", "x"}}}});
  CHECK(s1.code() == skiff::Code::kNotFound);
  CHECK(s1.message() == "MountVolume.SetUp failed for volume \"v\" : configmap \"x\" not found");
  auto [s2, e2] = setup({{"name", "v"}, {"secret", {{"secretName", "x"}}}});
  CHECK(s2.message() == "MountVolume.SetUp failed for volume \"v\" : secret \"x\" not found");
  auto [s3, e3] = setup({{"name", "v"}, {"configMap", {{"name", "x"}, {"optional", true}}}});
  CHECK(s3.ok());
  REQUIRE(e3.size() == 2);  // only the timestamped directory and ..data: an empty volume
  CHECK(e3[1] == "..data");
  auto [s4, e4] = setup(
      {{"name", "v"}, {"configMap", {{"name", "cm"}, {"items", {{{"key", "b"}, {"path", "b"}}}}}}});
  CHECK(s4.message() ==
        "MountVolume.SetUp failed for volume \"v\" : configmap references non-existent config key: "
        "b");
  auto [s5, e5] =
      setup({{"name", "v"},
             {"configMap",
              {{"name", "cm"},
               {"optional", true},
               {"items", {{{"key", "b"}, {"path", "b"}}, {{"key", "a"}, {"path", "a"}}}}}}});
  CHECK(s5.ok());
  CHECK(e5.size() == 3);
  CHECK(e5.back() == "a");
  objects.items["Secret/default/s"] = Secret("s", {{"k", "v"}});
  auto [s6, e6] =
      setup({{"name", "v"},
             {"secret", {{"secretName", "s"}, {"items", {{{"key", "z"}, {"path", "z"}}}}}}});
  CHECK(s6.message() ==
        "MountVolume.SetUp failed for volume \"v\" : references non-existent secret key: z");
}

TEST_CASE("fsGroup owns volume files with group read and setgid directories") {
  PodDir pod_dir;
  Objects objects;
  objects.items["ConfigMap/default/cm"] = ConfigMap("cm", {{"a", "1"}});
  json pod = MakePod({{{"name", "cfg"}, {"configMap", {{"name", "cm"}, {"defaultMode", 0600}}}},
                      {{"name", "scratch"}, {"emptyDir", json::object()}}},
                     {{"fsGroup", 2345}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  REQUIRE(volumes.ok());
  std::string cfg = volumes->at("cfg").path;
  struct stat st;
  REQUIRE(stat((cfg + "/a").c_str(), &st) == 0);
  CHECK(st.st_gid == 2345);
  CHECK((st.st_mode & 07777) == 0640);                 // 0600 | g+r
  REQUIRE(stat((cfg + "/..data").c_str(), &st) == 0);  // the timestamped dir
  CHECK(st.st_gid == 2345);
  CHECK((st.st_mode & 07777) == 02755);
  REQUIRE(stat(volumes->at("scratch").path.c_str(), &st) == 0);
  CHECK(st.st_gid == 2345);
  CHECK((st.st_mode & 07777) == 02777);
  // Refreshing with the same data keeps everything as it is.
  std::string before = LinkTarget(cfg + "/..data");
  REQUIRE(RefreshPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info()).ok());
  CHECK(LinkTarget(cfg + "/..data") == before);
}
