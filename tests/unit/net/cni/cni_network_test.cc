// CniNetwork against the real Debian plugins (root): bridge sktcni0, subnet 10.201.0.0/24,
// namespaces, IPAM data and the result cache under the test's temporary directory.
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "cni_test_support.h"
#include "skiff/net/cni.h"

namespace skiff::net {
namespace {

using testing::CniHost;
using testing::Exchange;
using testing::InspectInterface;
using testing::ListenIn;
using testing::NatOwners;

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

bool InSubnet(const std::string& ip) {
  return ip.rfind("10.201.0.", 0) == 0 && ip != "10.201.0.0" && ip != "10.201.0.1" &&
         ip != "10.201.0.255";
}

std::string ReadSys(const std::string& path) {
  std::string s;
  std::getline(std::ifstream(path), s);
  return s;
}

// Polls `done` for up to five seconds (namespace teardown in the kernel is asynchronous).
template <class F>
bool Eventually(F done) {
  for (int i = 0; i < 250; ++i) {
    if (done()) return true;
    ::usleep(20000);
  }
  return done();
}

std::set<std::string> Owners(const CniHost& host) {
  std::set<std::string> owners;
  for (const Reservation& r : host.Reservations()) owners.insert(r.owner_id);
  return owners;
}

TEST_CASE("net_cni network: ADD gives eth0 an address in the subnet and brings lo up") {
  CniHost host;
  PodNetworkRequest pod = host.NewPod("add");
  Result<PodNetwork> net = host.cni().Add(pod);
  REQUIRE(net.ok());
  CHECK(InSubnet(net->ipv4));
  CHECK(net->ipv6.empty());
  CHECK(net->prefix_length == 24);
  CHECK(net->gateway == testing::kGateway);
  CHECK(net->interface == "eth0");

  testing::IfaceInfo eth0 = InspectInterface(pod.netns_path, "eth0");
  CHECK(eth0.exists);
  CHECK(eth0.up);
  CHECK(eth0.ipv4 == net->ipv4);
  CHECK(eth0.mtu == 1400);
  testing::IfaceInfo lo = InspectInterface(pod.netns_path, "lo");
  CHECK(lo.up);
  CHECK(lo.ipv4 == "127.0.0.1");

  // The host end is a veth on the bridge, and the bridge holds the gateway address.
  REQUIRE_FALSE(net->host_veth.empty());
  CHECK(::if_nametoindex(net->host_veth.c_str()) != 0);
  char master[64] = {};
  ::readlink(("/sys/class/net/" + net->host_veth + "/master").c_str(), master, sizeof master - 1);
  CHECK(std::string(master).find("/sktcni0") != std::string::npos);
  Result<ProcessOutput> addr = testing::Run({"ip", "-4", "-o", "addr", "show", "dev", "sktcni0"});
  REQUIRE(addr.ok());
  CHECK(addr->out.find("inet 10.201.0.1/24") != std::string::npos);

  // host-local holds the address for this sandbox; the result is cached for DEL.
  std::vector<Reservation> held = host.Reservations();
  REQUIRE(held.size() == 1);
  CHECK(held[0].ip == net->ipv4);
  CHECK(held[0].owner_id == pod.sandbox_id);
  CHECK(held[0].ifname == "eth0");
  CHECK(Exists(host.dir() + "/cache/sktcni-" + pod.sandbox_id + "-eth0"));
  Result<PodNetwork> cached = host.cni().Cached(pod.sandbox_id);
  REQUIRE(cached.ok());
  CHECK(cached->ipv4 == net->ipv4);
  CHECK(cached->host_veth == net->host_veth);

  // No per-pod NAT rules: the node-wide masquerade (EnsurePodMasquerade) covers every pod.
  CHECK(NatOwners().empty());
  CHECK(host.cni().ConfList()["plugins"][0]["ipMasq"] == false);
  Status check = host.cni().Check(pod);
  INFO(check.ToString());
  CHECK(check.ok());
}

TEST_CASE("net_cni network: ADD again for the same sandbox returns the cached network") {
  CniHost host;
  PodNetworkRequest pod = host.NewPod("again");
  Result<PodNetwork> first = host.cni().Add(pod);
  REQUIRE(first.ok());
  Result<PodNetwork> second = host.cni().Add(pod);
  REQUIRE(second.ok());
  CHECK(second->ipv4 == first->ipv4);
  CHECK(second->host_veth == first->host_veth);
  CHECK(host.Reservations().size() == 1);
}

TEST_CASE("net_cni network: two pods reach each other and the host reaches a pod") {
  CniHost host;
  PodNetworkRequest a = host.NewPod("ping-a");
  PodNetworkRequest b = host.NewPod("ping-b");
  Result<PodNetwork> na = host.cni().Add(a);
  REQUIRE(na.ok());
  Result<PodNetwork> nb = host.cni().Add(b);
  REQUIRE(nb.ok());
  CHECK(na->ipv4 != nb->ipv4);

  // ICMP from pod a to pod b with busybox ping, started inside a's namespace.
  Result<ProcessOutput> ping = InternalError("not run");
  REQUIRE(RunInNetNs(a.netns_path, [&]() -> Status {
            ping = testing::Run({"busybox", "ping", "-c", "1", "-W", "3", nb->ipv4});
            return Status::Ok();
          }).ok());
  REQUIRE(ping.ok());
  INFO(ping->out << ping->err);
  CHECK(ping->exit_code == 0);
  CHECK(ping->out.find("1 packets received") != std::string::npos);

  // TCP from pod a to a listener in pod b, and from the host to the same listener.
  testing::Fd listener = ListenIn(b.netns_path, 8080);
  CHECK(Exchange(a.netns_path, listener, nb->ipv4, 8080) == "hello from the pod");
  CHECK(Exchange("", listener, nb->ipv4, 8080) == "hello from the pod");
}

TEST_CASE("net_cni network: a hostPort reaches the pod via 127.0.0.1 and the gateway") {
  CniHost host;
  PodNetworkRequest pod = host.NewPod("web", {{39201, 8080, "TCP", ""}});
  Result<PodNetwork> net = host.cni().Add(pod);
  REQUIRE(net.ok());
  testing::Fd listener = ListenIn(pod.netns_path, 8080);
  CHECK(Exchange("", listener, "127.0.0.1", 39201) == "hello from the pod");
  CHECK(Exchange("", listener, testing::kGateway, 39201) == "hello from the pod");
  // From another pod through the node address (hairpin through the bridge).
  PodNetworkRequest other = host.NewPod("client");
  REQUIRE(host.cni().Add(other).ok());
  CHECK(Exchange(other.netns_path, listener, testing::kGateway, 39201) == "hello from the pod");

  // portmap's per-pod DNAT chain carries the sandbox id.
  std::string nat = testing::NatTable();
  CHECK(nat.find("dnat name: \\\"sktcni\\\" id: \\\"" + pod.sandbox_id + "\\\"") !=
        std::string::npos);
  CHECK(nat.find("--to-destination " + net->ipv4 + ":8080") != std::string::npos);
  Status check = host.cni().Check(pod);
  INFO(check.ToString());
  CHECK(check.ok());

  // DEL removes the mapping: the port no longer leads anywhere.
  REQUIRE(host.cni().Del(pod).ok());
  CHECK(testing::NatTable().find("--to-destination " + net->ipv4 + ":8080") == std::string::npos);
  CHECK(NatOwners().empty());
}

TEST_CASE("net_cni network: DEL frees the address, rules and cache, and is idempotent") {
  CniHost host;
  PodNetworkRequest pod = host.NewPod("del", {{39202, 80, "tcp", ""}});
  Result<PodNetwork> net = host.cni().Add(pod);
  REQUIRE(net.ok());
  REQUIRE(Exists(host.IpamDir() + "/" + net->ipv4));

  REQUIRE(host.cni().Del(pod).ok());
  CHECK_FALSE(Exists(host.IpamDir() + "/" + net->ipv4));
  CHECK(host.Reservations().empty());
  CHECK_FALSE(Exists(host.dir() + "/cache/sktcni-" + pod.sandbox_id + "-eth0"));
  CHECK(host.cni().Cached(pod.sandbox_id).status().code() == Code::kNotFound);
  CHECK(NatOwners().empty());
  CHECK(::if_nametoindex(net->host_veth.c_str()) == 0);
  CHECK_FALSE(InspectInterface(pod.netns_path, "eth0").exists);

  CHECK(host.cni().Del(pod).ok());  // second DEL
  Status check = host.cni().Check(pod);
  CHECK(check.code() == Code::kNotFound);

  // The namespace can be networked again afterwards.
  Result<PodNetwork> again = host.cni().Add(pod);
  REQUIRE(again.ok());
  CHECK(InSubnet(again->ipv4));
}

TEST_CASE("net_cni network: DEL after the namespace is gone still cleans everything") {
  CniHost host(/*bridge_ip_masq=*/true);
  PodNetworkRequest pod = host.NewPod("gone", {{39203, 80, "tcp", ""}});
  Result<PodNetwork> net = host.cni().Add(pod);
  REQUIRE(net.ok());
  REQUIRE(host.netns().Remove(pod.sandbox_id).ok());
  // The veth dies with the namespace.
  CHECK(Eventually([&] { return ::if_nametoindex(net->host_veth.c_str()) == 0; }));
  CHECK(NatOwners() == std::set<std::string>{pod.sandbox_id});

  REQUIRE(host.cni().Del(pod).ok());
  CHECK(host.Reservations().empty());
  // The bridge plugin leaves its masquerade chain behind here; Del sweeps it.
  CHECK(NatOwners().empty());
  CHECK(testing::NatTable().find(net->ipv4) == std::string::npos);
  CHECK(host.cni().Cached(pod.sandbox_id).status().code() == Code::kNotFound);
  CHECK(host.cni().Del(pod).ok());
}

TEST_CASE("net_cni network: Check notices a pod whose eth0 disappeared") {
  CniHost host;
  PodNetworkRequest pod = host.NewPod("check");
  REQUIRE(host.cni().Add(pod).ok());
  REQUIRE(host.cni().Check(pod).ok());
  Result<ProcessOutput> del = InternalError("not run");
  REQUIRE(RunInNetNs(pod.netns_path, [&]() -> Status {
            del = testing::Run({"ip", "link", "del", "eth0"});
            return Status::Ok();
          }).ok());
  REQUIRE(del.ok());
  REQUIRE(del->exit_code == 0);
  Status check = host.cni().Check(pod);
  REQUIRE_FALSE(check.ok());
  CHECK(check.message().rfind("CNI plugin bridge CHECK for sandbox sktcni-check failed: CNI "
                              "error ",
                              0) == 0);
}

TEST_CASE("net_cni network: a missing plugin is an error naming it, and leaves nothing") {
  CniHost host;
  CniConfig config = host.Config();
  config.plugin_dir = host.dir() + "/no-plugins";
  Result<std::unique_ptr<CniNetwork>> cni = CniNetwork::Create(config);
  REQUIRE(cni.ok());
  PodNetworkRequest pod = host.NewPod("noplugin");
  Result<PodNetwork> net = (*cni)->Add(pod);
  REQUIRE_FALSE(net.ok());
  CHECK(net.status().code() == Code::kNotFound);
  CHECK(net.status().message() == "CNI plugin loopback not found in " + config.plugin_dir +
                                      ": cannot execute " + config.plugin_dir +
                                      "/loopback: No such file or directory");
  CHECK(host.Reservations().empty());
  CHECK((*cni)->Cached(pod.sandbox_id).status().code() == Code::kNotFound);
}

TEST_CASE("net_cni network: a plugin's CNI error carries its code and message") {
  CniHost host;
  PodNetworkRequest pod = host.NewPod("dup");
  // Something already named eth0 in the pod: the bridge plugin refuses to create its veth.
  Result<ProcessOutput> dummy = InternalError("not run");
  REQUIRE(RunInNetNs(pod.netns_path, [&]() -> Status {
            // (no dummy driver in this kernel; a veth pair inside the namespace will do)
            dummy = testing::Run(
                {"ip", "link", "add", "eth0", "type", "veth", "peer", "name", "sktcni-peer"});
            return Status::Ok();
          }).ok());
  REQUIRE(dummy.ok());
  REQUIRE(dummy->exit_code == 0);
  Result<PodNetwork> net = host.cni().Add(pod);
  REQUIRE_FALSE(net.ok());
  CHECK(net.status().code() == Code::kInternal);
  CHECK(net.status().message() ==
        "CNI plugin bridge ADD for sandbox sktcni-dup failed: CNI error 999: container veth "
        "name provided (eth0) already exists");
  CHECK(host.Reservations().empty());
  CHECK(host.cni().Cached(pod.sandbox_id).status().code() == Code::kNotFound);
}

TEST_CASE("net_cni network: a failure after the bridge ran is undone completely") {
  CniHost host;
  // A plugin directory with everything but portmap: bridge and host-local succeed (an
  // address, a veth, masquerade rules), then the hostPort step fails.
  const std::string dir = host.dir() + "/no-portmap";
  REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
  for (const char* name : {"bridge", "host-local", "loopback"}) {
    REQUIRE(::symlink((std::string("/usr/lib/cni/") + name).c_str(), (dir + "/" + name).c_str()) ==
            0);
  }
  CniConfig config = host.Config();
  config.plugin_dir = dir;
  Result<std::unique_ptr<CniNetwork>> cni = CniNetwork::Create(config);
  REQUIRE(cni.ok());
  PodNetworkRequest pod = host.NewPod("undo", {{39206, 80, "tcp", ""}});
  Result<PodNetwork> net = (*cni)->Add(pod);
  REQUIRE_FALSE(net.ok());
  CHECK(net.status().code() == Code::kNotFound);
  CHECK(net.status().message().rfind("CNI plugin portmap not found in " + dir + ": ", 0) == 0);
  // Rolled back: no address held, no eth0 left, no rules, no cache entry.
  CHECK(host.Reservations().empty());
  CHECK_FALSE(InspectInterface(pod.netns_path, "eth0").exists);
  CHECK(NatOwners().empty());
  CHECK((*cni)->Cached(pod.sandbox_id).status().code() == Code::kNotFound);
  // ...so the same namespace networks fine with every plugin present.
  Result<PodNetwork> good = host.cni().Add(pod);
  INFO(good.status().ToString());
  REQUIRE(good.ok());
  CHECK(InSubnet(good->ipv4));
}

TEST_CASE("net_cni network: ReleaseOrphans frees what missed DELs leaked, sparing live pods") {
  CniHost host;
  PodNetworkRequest live = host.NewPod("live", {{39204, 80, "tcp", ""}});
  PodNetworkRequest cached = host.NewPod("orphan-cached", {{39205, 80, "tcp", ""}});
  PodNetworkRequest bare = host.NewPod("orphan-bare");
  Result<PodNetwork> nl = host.cni().Add(live);
  REQUIRE(nl.ok());
  REQUIRE(host.cni().Add(cached).ok());
  REQUIRE(host.cni().Add(bare).ok());
  // Missed DELs: the namespaces went away without one; one cache entry was lost as well.
  REQUIRE(host.netns().Remove(cached.sandbox_id).ok());
  REQUIRE(host.netns().Remove(bare.sandbox_id).ok());
  REQUIRE(::unlink((host.dir() + "/cache/sktcni-" + bare.sandbox_id + "-eth0").c_str()) == 0);
  REQUIRE(Owners(host) ==
          std::set<std::string>{live.sandbox_id, cached.sandbox_id, bare.sandbox_id});

  REQUIRE(host.cni().ReleaseOrphans({live.sandbox_id}).ok());
  CHECK(Owners(host) == std::set<std::string>{live.sandbox_id});
  CHECK(NatOwners() == std::set<std::string>{live.sandbox_id});
  CHECK(testing::NatTable().find(":39205") == std::string::npos);
  CHECK(host.cni().Cached(cached.sandbox_id).status().code() == Code::kNotFound);
  // The live pod is untouched.
  CHECK(host.cni().Cached(live.sandbox_id).ok());
  Status check = host.cni().Check(live);
  INFO(check.ToString());
  CHECK(check.ok());
  CHECK(InspectInterface(live.netns_path, "eth0").ipv4 == nl->ipv4);

  // Nothing left to do the second time.
  REQUIRE(host.cni().ReleaseOrphans({live.sandbox_id}).ok());
  CHECK(Owners(host) == std::set<std::string>{live.sandbox_id});
}

TEST_CASE("net_cni network: concurrent ADDs get distinct addresses") {
  CniHost host;
  std::vector<PodNetworkRequest> pods;
  for (int i = 0; i < 4; ++i) pods.push_back(host.NewPod("par" + std::to_string(i)));
  std::vector<Result<PodNetwork>> results(pods.size(), InternalError("not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < pods.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = host.cni().Add(pods[i]); });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ips;
  for (auto& r : results) {
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(InSubnet(r->ipv4));
    ips.insert(r->ipv4);
  }
  CHECK(ips.size() == pods.size());
  CHECK(host.Reservations().size() == pods.size());
}

TEST_CASE("net_cni network: node preparation turns on forwarding") {
  REQUIRE(PrepareNodeForPods().ok());
  CHECK(ReadSys("/proc/sys/net/ipv4/ip_forward") == "1");
  if (Exists("/proc/sys/net/bridge/bridge-nf-call-iptables")) {
    CHECK(ReadSys("/proc/sys/net/bridge/bridge-nf-call-iptables") == "1");
  }
}

}  // namespace
}  // namespace skiff::net
