// The process user: securityContext over the image USER, names resolved in the rootfs's
// /etc/passwd and /etc/group (symlinks kept inside the rootfs), groups and runAsNonRoot.
#include "runtime/oci/user.h"

#include <catch2/catch.hpp>

#include "runtime/oci/rootfs_path.h"
#include "test_util.h"

using namespace skiff::runtime::testing;
using skiff::runtime::internal::ProcessUser;
using skiff::runtime::internal::ResolveInRoot;
using skiff::runtime::internal::ResolveProcessUser;
using skiff::runtime::internal::VerifyRunAsNonRoot;

namespace {

skiff::Result<ProcessUser> Resolve(const std::string& root, const std::string& image_user,
                                   json container_sc = json::object(),
                                   json pod_sc = json::object()) {
  json pod = MakePod(json::array({MakeContainer({{"securityContext", container_sc}})}),
                     {{"securityContext", pod_sc}});
  return ResolveProcessUser(pod, pod["spec"]["containers"][0], image_user, root);
}

using Gids = std::vector<uint32_t>;

}  // namespace

TEST_CASE("Image users resolve through /etc/passwd and /etc/group") {
  TempDir root;
  MakeUserFiles(root.path());
  auto none = Resolve(root.path(), "");
  REQUIRE(none.ok());
  CHECK(none->uid == 0);
  CHECK(none->gid == 0);
  CHECK(none->additional_gids == Gids{0, 50});  // root is listed in staff

  auto by_name = Resolve(root.path(), "app");
  REQUIRE(by_name.ok());
  CHECK(by_name->uid == 1000);
  CHECK(by_name->gid == 1001);
  CHECK(by_name->additional_gids == Gids{29, 44, 1001});

  auto by_uid = Resolve(root.path(), "1000");  // primary group from passwd
  REQUIRE(by_uid.ok());
  CHECK(by_uid->gid == 1001);
  auto unknown_uid = Resolve(root.path(), "4242");  // not in passwd: gid 0
  REQUIRE(unknown_uid.ok());
  CHECK(unknown_uid->uid == 4242);
  CHECK(unknown_uid->gid == 0);
  CHECK(unknown_uid->additional_gids == Gids{0});

  auto pair = Resolve(root.path(), "app:video");
  REQUIRE(pair.ok());
  CHECK(pair->uid == 1000);
  CHECK(pair->gid == 44);
  auto numeric = Resolve(root.path(), "7:8");
  REQUIRE(numeric.ok());
  CHECK(numeric->uid == 7);
  CHECK(numeric->gid == 8);
}

TEST_CASE("Unknown user and group names are errors naming them") {
  TempDir root;
  MakeUserFiles(root.path());
  CHECK(Resolve(root.path(), "ghost").status().message() ==
        "unable to find user ghost: no matching entries in passwd file");
  CHECK(Resolve(root.path(), "app:ghosts").status().message() ==
        "unable to find group ghosts: no matching entries in group file");
  CHECK(Resolve(root.path(), "a:b:c").status().message() == "invalid USER value a:b:c");
  TempDir empty;  // no /etc/passwd at all: names cannot resolve, uids can
  CHECK(Resolve(empty.path(), "app").status().message() ==
        "unable to find user app: no matching entries in passwd file");
  CHECK(Resolve(empty.path(), "33")->uid == 33);
}

TEST_CASE("runAsUser/runAsGroup override the image, container over pod, plus groups") {
  TempDir root;
  MakeUserFiles(root.path());
  auto u = Resolve(root.path(), "app", {{"runAsUser", 2000}},
                   {{"runAsUser", 3000},
                    {"runAsGroup", 3001},
                    {"supplementalGroups", {7, 5}},
                    {"fsGroup", 9000}});
  REQUIRE(u.ok());
  CHECK(u->uid == 2000);
  CHECK(u->gid == 3001);
  CHECK(u->additional_gids == Gids{5, 7, 3001, 9000});
  auto uid_only = Resolve(root.path(), "", {{"runAsUser", 1000}});
  REQUIRE(uid_only.ok());
  CHECK(uid_only->gid == 1001);  // looked up like a numeric image user
  auto group_only = Resolve(root.path(), "app", {{"runAsGroup", 44}});
  REQUIRE(group_only.ok());
  CHECK(group_only->uid == 1000);
  CHECK(group_only->gid == 44);
}

TEST_CASE("Rootfs symlinks resolve inside the rootfs, never to the host") {
  TempDir root;
  MakeUserFiles(root.path() + "/real");
  std::filesystem::create_directories(root.path() + "/etc");
  std::filesystem::create_symlink("/real/etc/passwd", root.path() + "/etc/passwd");
  std::filesystem::create_symlink("../../../../../real/etc/group", root.path() + "/etc/group");
  CHECK(*ResolveInRoot(root.path(), "/etc/passwd") == root.path() + "/real/etc/passwd");
  CHECK(*ResolveInRoot(root.path(), "/etc/group") == root.path() + "/real/etc/group");
  CHECK(*ResolveInRoot(root.path(), "/../../etc/shadow") == root.path() + "/etc/shadow");
  auto app = Resolve(root.path(), "app");
  REQUIRE(app.ok());
  CHECK(app->additional_gids == Gids{29, 44, 1001});
  std::filesystem::create_symlink("loop", root.path() + "/loop");
  CHECK(ResolveInRoot(root.path(), "/loop/x")
            .status()
            .message()
            .rfind("too many symlinks resolving /loop/x", 0) == 0);
}

TEST_CASE("runAsNonRoot is verified as kubelet does") {
  json pod_sc = {{"runAsNonRoot", true}};
  auto verify = [&](json container_sc, const std::string& image_user) {
    json pod = MakePod(json::array({MakeContainer({{"securityContext", container_sc}})}),
                       {{"securityContext", pod_sc}});
    return VerifyRunAsNonRoot(pod, pod["spec"]["containers"][0], image_user);
  };
  CHECK(verify(json::object(), "1000").ok());
  CHECK(verify(json::object(), "").message() ==
        "container has runAsNonRoot and image will run as root (pod: \"web_default(0b5e-uid)\", "
        "container: app)");
  CHECK(verify(json::object(), "app").message() ==
        "container has runAsNonRoot and image has non-numeric user (app), cannot verify user is "
        "non-root (pod: \"web_default(0b5e-uid)\", container: app)");
  CHECK(verify({{"runAsUser", 0}}, "1000").message() ==
        "container's runAsUser breaks non-root policy (pod: \"web_default(0b5e-uid)\", "
        "container: app)");
  CHECK(verify({{"runAsUser", 5}}, "").ok());
  CHECK(verify({{"runAsNonRoot", false}}, "").ok());
}
