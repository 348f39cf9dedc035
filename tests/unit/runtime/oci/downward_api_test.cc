// Downward API values as volume files see them: the label/annotation map format and the
// fields volumes may use.
#include "skiff/runtime/downward_api.h"

#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::runtime;
using namespace skiff::runtime::testing;

TEST_CASE("Maps print as sorted key=\"value\" lines quoted like Go's %q") {
  json m = {{"b", "two"},
            {"a", "one"},
            {"quote", "say \"hi\" \\ bye"},
            {"ctl", std::string("tab\tnl\ncr\rbell\a nul") + std::string(1, '\0') + "\x7f"},
            {"utf8", "h\xC3\xA9llo \xE2\x82\xAC"},
            {"bad", "\xff\xfe"},
            {"c1", "\xC2\x85"}};
  CHECK(FormatDownwardMap(m) ==
        "a=\"one\"\n"
        "b=\"two\"\n"
        "bad=\"\\xff\\xfe\"\n"
        "c1=\"\\u0085\"\n"
        "ctl=\"tab\\tnl\\ncr\\rbell\\a nul\\x00\\x7f\"\n"
        "quote=\"say \\\"hi\\\" \\\\ bye\"\n"
        "utf8=\"h\xC3\xA9llo \xE2\x82\xAC\"");
  CHECK(FormatDownwardMap(json::object()) == "");
  CHECK(FormatDownwardMap(nullptr) == "");
}

TEST_CASE("Volume fieldRefs allow only metadata fields") {
  json pod = MakePod(json::array({MakeContainer()}));
  auto info = Info();
  auto v = [&](const char* path) {
    return PodFieldValue(pod, {{"fieldPath", path}}, info, FieldRefUse::kVolume);
  };
  CHECK(*v("metadata.name") == "web");
  CHECK(*v("metadata.labels") == "app=\"web\"\ntier=\"front\"");
  CHECK(*v("metadata.annotations") == "note=\"say \\\"hi\\\"\\n\"");
  CHECK(*v("metadata.annotations['note']") == "say \"hi\"\n");
  CHECK(v("spec.nodeName").status().message() == "unsupported fieldPath: spec.nodeName");
  CHECK(v("metadata.uid['x']").status().message() ==
        "fieldPath \"metadata.uid['x']\" does not support subscript");
}

TEST_CASE("resourceFieldRef names another container by containerName") {
  json pod = MakePod(json::array(
      {MakeContainer(),
       MakeContainer({{"name", "side"}, {"resources", {{"limits", {{"cpu", "500m"}}}}}})}));
  auto info = Info();
  json ref = {{"containerName", "side"}, {"resource", "limits.cpu"}, {"divisor", "1m"}};
  auto v = ContainerResourceValue(pod, nullptr, ref, info);
  REQUIRE(v.ok());
  CHECK(*v == "500");
  json mem = {{"containerName", "side"}, {"resource", "limits.memory"}};
  CHECK(*ContainerResourceValue(pod, nullptr, mem, info) == "4294967296");  // allocatable 4Gi
}
