// The node-wide pod masquerade against real nftables and real traffic (root): pods on sktcni0
// (10.201.0.0/24) talk to an "outside" namespace behind a veth sktcniout0 (10.203.0.0/24).
#include <catch2/catch.hpp>

#include "cni_test_support.h"
#include "skiff/net/cni.h"

namespace skiff::net {
namespace {

using testing::CniHost;
using testing::Fd;
using testing::Run;

constexpr char kOutsideHost[] = "10.203.0.1";
constexpr char kOutsidePeer[] = "10.203.0.2";

PodMasquerade Masquerade() {
  PodMasquerade m;
  m.bridge = testing::kBridge;
  m.pod_subnet = testing::kSubnet;
  m.cluster_cidr = "10.201.0.0/16";
  return m;
}

std::string ListTable() {
  Result<ProcessOutput> out = Run({"nft", "list", "table", "ip", "skiff-sktcni0"});
  return out.ok() && out->ok() ? out->out : std::string();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The masquerade table and the outside veth, removed even when an assertion fails.
struct Cleanup {
  ~Cleanup() {
    (void)RemovePodMasquerade(Masquerade());
    (void)Run({"ip", "link", "del", "sktcniout0"});
    (void)Run({"nft", "delete table ip sktcni-dnat"});
  }
};

// A namespace reached from the host through the veth sktcniout0 (10.203.0.1) <-> eth0
// (10.203.0.2): an address outside the cluster, as far as the pods can tell.
std::string MakeOutside(CniHost& host) {
  const std::string ns = host.NewPod("outside").netns_path;
  Status made = RunInNetNs(ns, [&]() -> Status {
    for (std::vector<std::string> cmd :
         {std::vector<std::string>{"ip", "link", "add", "sktcniout0", "type", "veth", "peer",
                                   "name", "eth0"},
          {"ip", "link", "set", "sktcniout0", "netns", "1"},
          {"ip", "addr", "add", std::string(kOutsidePeer) + "/24", "dev", "eth0"},
          {"ip", "link", "set", "eth0", "up"},
          {"ip", "link", "set", "lo", "up"}}) {
      Result<ProcessOutput> r = Run(cmd);
      if (!r.ok()) return r.status();
      if (!r->ok()) return InternalError(cmd[1] + " " + cmd[2] + ": " + r->err);
    }
    return Status::Ok();
  });
  if (!made.ok()) throw std::runtime_error(made.ToString());
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"ip", "addr", "add", std::string(kOutsideHost) + "/24", "dev",
                                 "sktcniout0"},
        {"ip", "link", "set", "sktcniout0", "up"}}) {
    Result<ProcessOutput> r = Run(cmd);
    if (!r.ok() || !r->ok()) throw std::runtime_error("cannot set up sktcniout0");
  }
  return ns;
}

// Gives the outside namespace a route to the pod subnet through `via` (the host's side).
Status RoutePodsVia(const std::string& outside, const std::string& via) {
  return RunInNetNs(outside, [&] {
    Result<ProcessOutput> r = Run({"ip", "route", "add", testing::kSubnet, "via", via});
    return r.ok() && r->ok() ? Status::Ok() : InternalError("route");
  });
}

// Connects from `client_netns` to ip:port and returns the source address the listener saw,
// or "(failed: ...)".
std::string PeerSeen(const std::string& client_netns, const Fd& listener, const std::string& ip,
                     int port) {
  Fd client = testing::SocketIn(client_netns);
  sockaddr_in to = testing::Addr(ip, port);
  timeval tv{3, 0};
  ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    return std::string("(failed: connect: ") + std::strerror(errno) + ")";
  }
  pollfd l{listener.get(), POLLIN, 0};
  if (::poll(&l, 1, 3000) != 1) return "(failed: no connection reached the listener)";
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  Fd conn(::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  return text;
}

TEST_CASE("net_cni masquerade: one table, one rule, rewritten in place") {
  testing::HostLock lock;
  Cleanup cleanup;
  REQUIRE(EnsurePodMasquerade(Masquerade()).ok());
  std::string table = ListTable();
  INFO(table);
  CHECK(table.find("type nat hook postrouting priority srcnat; policy accept;") !=
        std::string::npos);
  CHECK(table.find("ip saddr 10.201.0.0/24 ip daddr != 10.201.0.0/16 ip daddr != 224.0.0.0/4 "
                   "masquerade") != std::string::npos);
  CHECK(PodMasqueradeTable(Masquerade()) == "skiff-sktcni0");

  // Again: still one rule. After someone flushes the table: the rule is back.
  REQUIRE(EnsurePodMasquerade(Masquerade()).ok());
  CHECK(Count(ListTable(), "masquerade") == 1);
  REQUIRE(Run({"nft", "flush", "table", "ip", "skiff-sktcni0"}).ok());
  CHECK(Count(ListTable(), "masquerade") == 0);
  REQUIRE(EnsurePodMasquerade(Masquerade()).ok());
  CHECK(Count(ListTable(), "masquerade") == 1);

  // Without a cluster CIDR the pod subnet is the exception.
  PodMasquerade own = Masquerade();
  own.cluster_cidr.clear();
  REQUIRE(EnsurePodMasquerade(own).ok());
  CHECK(ListTable().find("ip daddr != 10.201.0.0/24 ip daddr != 224.0.0.0/4 masquerade") !=
        std::string::npos);

  REQUIRE(RemovePodMasquerade(Masquerade()).ok());
  CHECK(ListTable().empty());
  CHECK(RemovePodMasquerade(Masquerade()).ok());  // nothing to remove
}

TEST_CASE("net_cni masquerade: bad settings are refused before nft runs") {
  PodMasquerade m = Masquerade();
  m.bridge = "br 0";
  Status s = EnsurePodMasquerade(m);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message() ==
        "pod masquerade: bridge name \"br 0\" must be 1-15 letters, digits, '_', '.' or '-'");
  m = Masquerade();
  m.pod_subnet = "10.201.0.0";
  CHECK(EnsurePodMasquerade(m).message() ==
        "pod masquerade: pod subnet \"10.201.0.0\" is not a CIDR like 10.42.0.0/24");
  m = Masquerade();
  m.cluster_cidr = "10.201.0.0/16; flush ruleset";
  CHECK(EnsurePodMasquerade(m).code() == Code::kInvalidArgument);
  m = Masquerade();
  m.cluster_cidr = "fd00::/48";
  CHECK(EnsurePodMasquerade(m).message() ==
        "pod masquerade: cluster CIDR fd00::/48 and pod subnet 10.201.0.0/24 are of different "
        "families");
  m = Masquerade();
  m.search_path = "/nonexistent";
  CHECK(EnsurePodMasquerade(m).code() == Code::kNotFound);
}

TEST_CASE("net_cni masquerade: traffic leaving the cluster is masqueraded, pod to pod is not") {
  CniHost host;
  Cleanup cleanup;
  const std::string outside = MakeOutside(host);
  PodNetworkRequest a = host.NewPod("masq-a");
  PodNetworkRequest b = host.NewPod("masq-b");
  Result<PodNetwork> na = host.cni().Add(a);
  REQUIRE(na.ok());
  Result<PodNetwork> nb = host.cni().Add(b);
  REQUIRE(nb.ok());
  REQUIRE(EnsurePodMasquerade(Masquerade()).ok());

  // The outside sees the host's address on its link, so its replies find their way back.
  Fd out_listener = testing::ListenIn(outside, 9090);
  CHECK(PeerSeen(a.netns_path, out_listener, kOutsidePeer, 9090) == kOutsideHost);
  // Pod to pod keeps the pod's own address.
  Fd b_listener = testing::ListenIn(b.netns_path, 9091);
  CHECK(PeerSeen(a.netns_path, b_listener, nb->ipv4, 9091) == na->ipv4);

  // Without the table the outside sees the pod's address (it is given a route back here).
  REQUIRE(RemovePodMasquerade(Masquerade()).ok());
  REQUIRE(RoutePodsVia(outside, kOutsideHost).ok());
  CHECK(PeerSeen(a.netns_path, out_listener, kOutsidePeer, 9090) == na->ipv4);
}

TEST_CASE("net_cni guard: the outside reaches pods only through DNAT (Services, hostPorts)") {
  CniHost host;
  Cleanup cleanup;
  const std::string outside = MakeOutside(host);
  PodMasquerade m = Masquerade();
  PodNetworkRequest a = host.NewPod("guard-a");
  PodNetworkRequest b = host.NewPod("guard-b");
  Result<PodNetwork> na = host.cni().Add(a);
  REQUIRE(na.ok());
  Result<PodNetwork> nb = host.cni().Add(b);
  REQUIRE(nb.ok());
  REQUIRE(EnsurePodMasquerade(m).ok());
  CHECK(ListTable().find("oifname \"sktcni0\" ip daddr 10.201.0.0/24 jump guard-pods") !=
        std::string::npos);
  // The outside knows the way to the pods (as a neighbour on the node's network could).
  REQUIRE(RoutePodsVia(outside, kOutsideHost).ok());
  Fd b_listener = testing::ListenIn(b.netns_path, 9092);

  // Straight to the pod's address: dropped.
  CHECK(PeerSeen(outside, b_listener, nb->ipv4, 9092).rfind("(failed", 0) == 0);
  // Pods of the bridge, and the node itself, still reach it.
  CHECK(PeerSeen(a.netns_path, b_listener, nb->ipv4, 9092) == na->ipv4);
  // A port forwarded on the node's address (what a NodePort or hostPort does) reaches it.
  REQUIRE(Run({"nft", "add table ip sktcni-dnat; add chain ip sktcni-dnat pre { type nat hook "
                      "prerouting priority dstnat; }; add rule ip sktcni-dnat pre ip daddr " +
                          std::string(kOutsideHost) + " tcp dport 9093 dnat to " + nb->ipv4 +
                          ":9092"})
              ->ok());
  CHECK(PeerSeen(outside, b_listener, kOutsideHost, 9093) == kOutsidePeer);
  // Replies to what a pod started pass (the outside answers the pod's own connection).
  Fd out_listener = testing::ListenIn(outside, 9094);
  CHECK(PeerSeen(a.netns_path, out_listener, kOutsidePeer, 9094) == kOutsideHost);
  // Without the table the pod's address is open to the outside: the guard was what closed it.
  REQUIRE(RemovePodMasquerade(m).ok());
  CHECK(PeerSeen(outside, b_listener, nb->ipv4, 9092) == kOutsidePeer);
}

}  // namespace
}  // namespace skiff::net
