// RefreshPodVolumes: an update is a new timestamped directory swapped in under ..data; an
// unchanged volume is left alone; a failing volume keeps its old contents.
#include <catch2/catch.hpp>

#include "volume_test_util.h"

using namespace skiff::node;
using namespace skiff::node::testing;
using Names = std::vector<std::string>;

TEST_CASE("An update swaps ..data to a new directory and removes the old one") {
  PodDir pod_dir;
  Objects objects;
  objects.items["ConfigMap/default/cm"] = ConfigMap("cm", {{"keep", "1"}, {"drop", "x"}});
  json pod = MakePod({{{"name", "cfg"}, {"configMap", {{"name", "cm"}}}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  REQUIRE(volumes.ok());
  std::string dir = volumes->at("cfg").path;
  std::string first = LinkTarget(dir + "/..data");
  CHECK(Entries(dir) == Names{first, "..data", "drop", "keep"});

  // Unchanged: the same ..data target, nothing rewritten.
  REQUIRE(RefreshPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info()).ok());
  CHECK(LinkTarget(dir + "/..data") == first);

  // Keep an open handle on an old file: it must still read the old contents after the swap.
  std::ifstream old_file(dir + "/keep");
  objects.items["ConfigMap/default/cm"] = ConfigMap("cm", {{"keep", "2"}, {"added", "new"}});
  REQUIRE(RefreshPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info()).ok());
  std::string second = LinkTarget(dir + "/..data");
  CHECK(second != first);
  CHECK(Entries(dir) == Names{second, "..data", "added", "keep"});  // "drop" is gone, old dir too
  CHECK_FALSE(std::filesystem::exists(dir + "/" + first));
  CHECK(Slurp(dir + "/keep") == "2");
  CHECK(Slurp(dir + "/added") == "new");
  CHECK(LinkTarget(dir + "/added") == "..data/added");
  std::string old_contents;
  std::getline(old_file, old_contents);
  CHECK(old_contents == "1");

  // A mode change alone is an update too.
  json pod_mode =
      MakePod({{{"name", "cfg"}, {"configMap", {{"name", "cm"}, {"defaultMode", 0400}}}}});
  REQUIRE(RefreshPodVolumes(pod_mode, pod_dir.path(), objects.Lookup(), Info()).ok());
  CHECK(LinkTarget(dir + "/..data") != second);
  CHECK(Mode(dir + "/..data/keep") == 0400);
}

TEST_CASE("Refresh covers secrets and downward API fields, and keeps old data on failure") {
  PodDir pod_dir;
  Objects objects;
  objects.items["Secret/default/s"] = Secret("s", {{"token", "one"}});
  json pod = MakePod(
      {{{"name", "sec"}, {"secret", {{"secretName", "s"}}}},
       {{"name", "labels"},
        {"downwardAPI",
         {{"items", {{{"path", "labels"}, {"fieldRef", {{"fieldPath", "metadata.labels"}}}}}}}}},
       {{"name", "scratch"}, {"emptyDir", json::object()}}});
  auto volumes = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  REQUIRE(volumes.ok());
  std::string sec = volumes->at("sec").path;
  std::string labels = volumes->at("labels").path;
  CHECK(MountsUnder(pod_dir.path()).size() == 2);

  pod["metadata"]["labels"]["version"] = "v2";
  objects.items.erase("Secret/default/s");
  auto status = RefreshPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  CHECK(status.message() == "MountVolume.SetUp failed for volume \"sec\" : secret \"s\" not found");
  CHECK(Slurp(sec + "/token") == "one");  // old contents stay
  CHECK(Slurp(labels + "/labels") ==
        "app=\"web\"\ntier=\"front\"\nversion=\"v2\"");  // still refreshed
  CHECK(MountsUnder(pod_dir.path()).size() == 2);        // tmpfs not mounted twice

  objects.items["Secret/default/s"] = Secret("s", {{"token", "two"}});
  REQUIRE(RefreshPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info()).ok());
  CHECK(Slurp(sec + "/token") == "two");
}

TEST_CASE("SetUp again after a restart keeps emptyDir data and mounts nothing twice") {
  PodDir pod_dir;
  Objects objects;
  json pod = MakePod({{{"name", "data"}, {"emptyDir", json::object()}},
                      {{"name", "mem"}, {"emptyDir", {{"medium", "Memory"}}}}});
  auto first = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  REQUIRE(first.ok());
  std::ofstream(first->at("data").path + "/kept") << "still here";
  std::ofstream(first->at("mem").path + "/kept") << "in memory";
  auto second = SetUpPodVolumes(pod, pod_dir.path(), objects.Lookup(), Info());
  REQUIRE(second.ok());
  CHECK(Slurp(second->at("data").path + "/kept") == "still here");
  CHECK(Slurp(second->at("mem").path + "/kept") == "in memory");
  CHECK(MountsUnder(pod_dir.path()).size() == 1);
}
