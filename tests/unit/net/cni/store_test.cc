// The host-local store reader/pruner and the ADD result cache, on plain temporary files.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "cni_test_support.h"
#include "net/cni/host_local_store.h"
#include "net/cni/result_cache.h"
#include "skiff/common/file_util.h"

namespace skiff::net {
namespace {

using testing::TempDir;

void Put(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}
bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

TEST_CASE("net_cni store: host-local reservations are listed with their owners") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/sktcni";
  REQUIRE(MakeDirs(dir).ok());
  Put(dir + "/10.201.0.3", "sktcni-b\r\neth0");
  Put(dir + "/10.201.0.2", "sktcni-a\r\neth0");
  Put(dir + "/fd00::9", "sktcni-c");  // an old-format file: owner only
  Put(dir + "/last_reserved_ip.0", "10.201.0.3");
  Put(dir + "/lock", "");
  Result<std::vector<Reservation>> all = ListReservations(dir);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].ip == "10.201.0.2");
  CHECK((*all)[0].owner_id == "sktcni-a");
  CHECK((*all)[0].ifname == "eth0");
  CHECK((*all)[1].ip == "10.201.0.3");
  CHECK((*all)[2].ip == "fd00::9");
  CHECK((*all)[2].owner_id == "sktcni-c");
  CHECK((*all)[2].ifname.empty());

  Result<std::vector<Reservation>> none = ListReservations(tmp.path() + "/absent");
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("net_cni store: releasing keeps live owners and host-local's own files") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/sktcni";
  REQUIRE(MakeDirs(dir).ok());
  Put(dir + "/10.201.0.2", "live\r\neth0");
  Put(dir + "/10.201.0.3", "dead\r\neth0");
  Put(dir + "/10.201.0.4", "dead\r\neth1");
  Put(dir + "/last_reserved_ip.0", "10.201.0.4");
  Result<std::vector<std::string>> released =
      ReleaseReservations(dir, [](const std::string& owner) { return owner == "live"; });
  REQUIRE(released.ok());
  CHECK(*released == std::vector<std::string>{"10.201.0.3", "10.201.0.4"});
  CHECK(Exists(dir + "/10.201.0.2"));
  CHECK_FALSE(Exists(dir + "/10.201.0.3"));
  CHECK_FALSE(Exists(dir + "/10.201.0.4"));
  CHECK(Exists(dir + "/last_reserved_ip.0"));
  CHECK(Exists(dir + "/lock"));  // created for the flock, as host-local does
}

TEST_CASE("net_cni store: cached results round-trip and stay within their network") {
  TempDir tmp;
  ResultCache cache(tmp.path(), "sktcni");
  ResultCache other(tmp.path(), "sktcni-x");  // a network whose name extends ours
  CacheEntry e;
  e.sandbox_id = "pod1";
  e.netns = "/run/netns/pod1";
  e.pod_namespace = "default";
  e.pod_name = "web";
  e.capability_args = {{"portMappings", {{{"hostPort", 80}}}}};
  e.result = {{"cniVersion", "1.0.0"}, {"ips", nlohmann::json::array()}};
  e.loopback_result = {{"cniVersion", "1.0.0"}};
  REQUIRE(cache.Write(e).ok());
  CacheEntry o = e;
  o.sandbox_id = "pod2";
  REQUIRE(other.Write(o).ok());
  CHECK(cache.PathOf("pod1") == tmp.path() + "/sktcni-pod1-eth0");
  CHECK(Exists(tmp.path() + "/sktcni-x-pod2-eth0"));

  Result<CacheEntry> back = cache.Read("pod1");
  REQUIRE(back.ok());
  CHECK(back->netns == e.netns);
  CHECK(back->pod_namespace == "default");
  CHECK(back->pod_name == "web");
  CHECK(back->capability_args == e.capability_args);
  CHECK(back->result == e.result);
  CHECK(back->loopback_result == e.loopback_result);

  // "sktcni-x-pod2-eth0" looks like sandbox "x-pod2" of sktcni, but it is not ours.
  Result<std::vector<std::string>> ids = cache.List();
  REQUIRE(ids.ok());
  CHECK(*ids == std::vector<std::string>{"pod1"});
  Result<CacheEntry> foreign = cache.Read("x-pod2");
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.status().code() == Code::kCorrupt);

  CHECK(cache.Read("pod9").status().code() == Code::kNotFound);
  REQUIRE(cache.Remove("pod1").ok());
  CHECK_FALSE(Exists(cache.PathOf("pod1")));
  CHECK(cache.Remove("pod1").ok());  // idempotent
}

}  // namespace
}  // namespace skiff::net
