// The service proxy's nftables ruleset: its shape for each kind of service, then loaded into
// the kernel by the real nft in a private network namespace and driven with real TCP
// connections (ClusterIP spreading over endpoints, NodePort, rejection without endpoints or on
// an unknown port), and replaced incrementally with ClientIP affinity state kept. Needs root.
#include "net/proxy/nft_ruleset.h"
#include "net/proxy/udp_flows.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

using skiff::net::proxy::BuildRuleset;
using skiff::net::proxy::Definition;
using skiff::net::proxy::DeleteScript;
using skiff::net::proxy::Endpoint;
using skiff::net::proxy::ProxyConfig;
using skiff::net::proxy::Ruleset;
using skiff::net::proxy::ServicePort;
using skiff::net::proxy::SyncScript;
using namespace std::chrono_literals;

namespace {

Endpoint Ep(const std::string& ip, int port, bool ready = true, const std::string& node = "n1") {
  Endpoint e;
  e.ip = ip;
  e.port = port;
  e.node = node;
  e.ready = ready;
  e.serving = ready;
  return e;
}

ServicePort Svc(const std::string& name, const std::string& vip, int port,
                std::vector<Endpoint> eps) {
  ServicePort sp;
  sp.ns = "default";
  sp.name = name;
  sp.cluster_ips = {vip};
  sp.port = port;
  sp.endpoints = std::move(eps);
  return sp;
}

ProxyConfig Config() {
  ProxyConfig c;
  c.table = "skiff-proxy-test";
  c.cluster_cidr = "10.250.0.0/16";
  c.node_name = "n1";
  return c;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Shell {
  int code = -1;
  std::string out;
};

Shell Sh(const std::string& cmd) {
  Shell r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A network namespace of the test's own, with a veth interface holding the "pod" addresses
// 10.250.0.2-4 and a route for the service range; removed (with what runs in it) at the end.
struct TestNetns {
  std::string name = "skpx-" + std::to_string(getpid());
  mutable std::vector<std::string> files;  // scripts written for the namespace's servers
  TestNetns() {
    Sh("ip netns del " + name);
    REQUIRE(Sh("ip netns add " + name).code == 0);
    try {
      for (const char* c :
           {"ip link set lo up", "ip link add d0 type veth peer name d1", "ip link set d0 up",
            "ip link set d1 up", "ip addr add 10.250.0.2/24 dev d0",
            "ip addr add 10.250.0.3/24 dev d0", "ip addr add 10.250.0.4/24 dev d0",
            "ip route add 10.251.0.0/24 dev d0"}) {
        Shell s = Exec(c);
        INFO(c << ": " << s.out);
        REQUIRE(s.code == 0);
      }
    } catch (...) {
      Cleanup();  // a failed REQUIRE throws: the destructor would not run
      throw;
    }
  }
  ~TestNetns() { Cleanup(); }
  void Cleanup() {
    Sh("ip netns pids " + name + " | xargs -r kill -9");
    Sh("ip netns del " + name);
    for (const std::string& f : files) std::remove(f.c_str());
  }
  Shell Exec(const std::string& cmd) const { return Sh("ip netns exec " + name + " " + cmd); }
  Shell Nft(const std::string& script) const {
    const std::string path = "/tmp/" + name + ".nft";
    std::ofstream(path) << script;
    Shell s = Exec("nft -f " + path);
    std::remove(path.c_str());
    return s;
  }
  // A TCP server in the namespace answering every connection with `reply`.
  void Serve(const std::string& ip, int port, const std::string& reply) const {
    const std::string code =
        "import socket\n"
        "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "s.bind(('" + ip + "'," + std::to_string(port) + ")); s.listen(64)\n"
        "while True:\n"
        "  c,_=s.accept(); c.sendall(b'" + reply + "'); c.close()\n";
    Launch(code, "tcp", ip, port);
  }
  // A UDP server in the namespace answering every datagram with `reply`.
  void ServeUdp(const std::string& ip, int port, const std::string& reply) const {
    const std::string code =
        "import socket\n"
        "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.bind(('" + ip + "'," + std::to_string(port) + "))\n"
        "while True:\n"
        "  _,a=s.recvfrom(100); s.sendto(b'" + reply + "', a)\n";
    Launch(code, "udp", ip, port);
  }
  // Runs the Python server `code` in the background until it listens on ip:port.
  void Launch(const std::string& code, const std::string& proto, const std::string& ip,
              int port) const {
    const std::string path =
        "/tmp/" + name + "-" + proto + "-" + ip + "-" + std::to_string(port) + ".py";
    std::ofstream(path) << code;
    files.push_back(path);
    Sh("ip netns exec " + name + " /usr/bin/python3 " + path + " >/dev/null 2>&1 &");
    const std::string listening = proto == "udp" ? "ss -lun" : "ss -ltn";
    for (int i = 0; i < 100; ++i) {
      if (Exec("sh -c '" + listening + " | grep -q " + ip + ":" + std::to_string(port) + "'")
              .code == 0)
        return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL("the " << proto << " test server on " << ip << ":" << port << " did not start");
  }
  // The reply to one datagram sent to ip:port from 10.250.0.4:<source_port> ("timeout" when
  // none comes).
  std::string FetchUdp(const std::string& ip, int port, int source_port) const {
    const std::string code =
        "import socket\n"
        "c=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(1)\n"
        "c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "c.bind(('10.250.0.4'," + std::to_string(source_port) + "))\n"
        "c.sendto(b'q', ('" + ip + "'," + std::to_string(port) + "))\n"
        "try: print(c.recv(100).decode())\n"
        "except socket.timeout: print('timeout')\n";
    const std::string path = "/tmp/" + name + "-udp-client.py";
    std::ofstream(path) << code;
    Shell s = Exec("/usr/bin/python3 " + path);
    std::remove(path.c_str());
    return s.out;
  }
  // What `count` connections to ip:port read (or "refused" / "error: ..."), one per line.
  std::string Fetch(const std::string& ip, int port, int count = 1) const {
    const std::string code =
        "import socket\n"
        "for _ in range(" + std::to_string(count) + "):\n"
        "  try:\n"
        "    c=socket.create_connection(('" + ip + "'," + std::to_string(port) + "), timeout=3)\n"
        "    print(c.recv(100).decode()); c.close()\n"
        "  except ConnectionRefusedError: print('refused')\n"
        "  except Exception as e: print('error: %s' % e)\n";
    const std::string path = "/tmp/" + name + "-client.py";
    std::ofstream(path) << code;
    Shell s = Exec("/usr/bin/python3 " + path);
    std::remove(path.c_str());
    return s.out;
  }
};

int CountLines(const std::string& text, const std::string& line) {
  int n = 0;
  size_t pos = 0;
  while ((pos = text.find(line + "\n", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') ++n;
    pos += line.size();
  }
  return n;
}

}  // namespace

TEST_CASE("proxy ruleset: a ClusterIP service spreads over its ready endpoints",
          "[proxy][nft]") {
  Ruleset r = BuildRuleset(Config(), {Svc("web", "10.251.0.10", 80,
                                          {Ep("10.250.0.2", 8080), Ep("10.250.0.3", 8080),
                                           Ep("10.250.0.4", 8080, false)})});
  CHECK(r.service_ports == 1);
  CHECK(r.endpoints == 2);  // the not-ready one is left out
  CHECK(Contains(Definition(r), "10.251.0.10 . tcp . 80 : goto svc-"));
  // One rule picks and DNATs; no chain per endpoint.
  CHECK(Contains(Definition(r), "meta l4proto tcp dnat ip addr . port to numgen random mod 2 map "
                               "{ 0 : 10.250.0.2 . 8080, 1 : 10.250.0.3 . 8080 }"));
  CHECK_FALSE(Contains(Definition(r), "chain ep-"));
  CHECK(Contains(Definition(r), "ip daddr 10.251.0.10 tcp dport 80 ip saddr != 10.250.0.0/16 "
                               "jump mark-for-masquerade"));
  // Hairpin: an endpoint reaching itself is masqueraded in postrouting.
  CHECK(Contains(Definition(r), "elements = { 10.250.0.2 . 10.250.0.2, 10.250.0.3 . 10.250.0.3 }"));
  CHECK(Contains(Definition(r), "ct status dnat ip saddr . ip daddr @hairpin-endpoints masquerade"));
  CHECK_FALSE(Contains(Definition(r), "10.250.0.4 . 8080"));
  CHECK_FALSE(Contains(Definition(r), "10.250.0.4 . 10.250.0.4"));
  CHECK(Contains(Definition(r), "elements = { 10.251.0.10 }"));
  CHECK(r.sets.empty());
  CHECK(r.cluster_ips == std::vector<std::string>{"10.251.0.10"});
}

TEST_CASE("proxy ruleset: endpoints chosen as kube-proxy chooses them", "[proxy][nft]") {
  SECTION("no endpoints: rejected") {
    Ruleset r = BuildRuleset(Config(), {Svc("empty", "10.251.0.11", 80, {})});
    CHECK(Contains(Definition(r), "10.251.0.11 . tcp . 80 : goto reject-chain"));
    CHECK(r.endpoints == 0);
  }
  SECTION("only terminating but serving endpoints: they are used") {
    Endpoint e = Ep("10.250.0.2", 8080, false);
    e.serving = true;
    e.terminating = true;
    Ruleset r = BuildRuleset(Config(), {Svc("t", "10.251.0.12", 80, {e})});
    CHECK(Contains(Definition(r), "dnat to 10.250.0.2:8080"));
  }
  SECTION("internalTrafficPolicy Local keeps this node's endpoints") {
    ServicePort sp = Svc("loc", "10.251.0.13", 80,
                         {Ep("10.250.0.2", 8080), Ep("10.250.9.9", 8080, true, "n2")});
    sp.internal_local = true;
    Ruleset r = BuildRuleset(Config(), {sp});
    CHECK(Contains(Definition(r), "dnat to 10.250.0.2:8080"));
    CHECK_FALSE(Contains(Definition(r), "10.250.9.9"));
  }
  SECTION("bad addresses, ports and protocols are left out") {
    ServicePort bad = Svc("bad", "not-an-ip", 80, {Ep("10.250.0.2", 8080)});
    ServicePort proto = Svc("proto", "10.251.0.14", 80, {Ep("10.250.0.2", 8080)});
    proto.protocol = "ICMP";
    ServicePort ep = Svc("ep", "10.251.0.15", 80, {Ep("10.250.0.2", 0), Ep("fe80::1", 80)});
    Ruleset r = BuildRuleset(Config(), {bad, proto, ep});
    CHECK(r.service_ports == 1);
    CHECK(r.endpoints == 0);
    CHECK(Contains(Definition(r), "10.251.0.15 . tcp . 80 : goto reject-chain"));
  }
}

TEST_CASE("proxy ruleset: NodePort, external IPs, policies and affinity", "[proxy][nft]") {
  ServicePort sp = Svc("np", "10.251.0.20", 80,
                       {Ep("10.250.0.2", 8080), Ep("10.250.9.9", 8080, true, "n2")});
  sp.node_port = 30080;
  sp.external_ips = {"192.0.2.10"};
  SECTION("Cluster policy masquerades and uses every endpoint") {
    Ruleset r = BuildRuleset(Config(), {sp});
    CHECK(Contains(Definition(r), "tcp . 30080 : goto ext-"));
    CHECK(Contains(Definition(r), "192.0.2.10 . tcp . 80 : goto ext-"));
    CHECK(Contains(Definition(r), "    jump mark-for-masquerade\n    goto svc-"));
    // Hairpin pairs: this node's endpoints only (a pod elsewhere never loops through here).
    CHECK(Contains(Definition(r), "10.250.0.2 . 10.250.0.2"));
    CHECK_FALSE(Contains(Definition(r), "10.250.9.9 . 10.250.9.9"));
  }
  SECTION("Local policy keeps the client's address and this node's endpoints") {
    sp.external_local = true;
    Ruleset r = BuildRuleset(Config(), {sp});
    CHECK(Contains(Definition(r), "fib saddr type local goto svc-"));
    CHECK(Contains(Definition(r), "goto svl-"));
    CHECK_FALSE(Contains(Definition(r), "    drop\n"));
    sp.endpoints.erase(sp.endpoints.begin());  // no local endpoint left
    Ruleset none = BuildRuleset(Config(), {sp});
    CHECK(Contains(Definition(none), "    drop\n"));
  }
  SECTION("ClientIP affinity: a timed set per endpoint, checked before spreading") {
    sp.affinity_seconds = 600;
    Ruleset r = BuildRuleset(Config(), {sp});
    REQUIRE(r.sets.size() == 2);
    const std::string set = r.sets.begin()->first;
    CHECK(set.size() == 16);  // aff-<8 characters of hash>-600
    CHECK(set.substr(12) == "-600");
    CHECK(Contains(Definition(r), "set " + set + " { type ipv4_addr; flags dynamic,timeout; "
                                 "timeout 600s; }"));
    CHECK(Contains(Definition(r), "ip saddr @" + set + " goto ep-"));
    CHECK(Contains(Definition(r), "update @" + set + " { ip saddr }"));
  }
  SECTION("no usable endpoint: the node port is rejected") {
    sp.endpoints.clear();
    Ruleset r = BuildRuleset(Config(), {sp});
    CHECK(Contains(Definition(r), "tcp . 30080 : goto reject-chain"));
    CHECK(Contains(Definition(r), "192.0.2.10 . tcp . 80 : goto reject-chain"));
  }
}

TEST_CASE("proxy ruleset: loaded by nft and carrying real connections", "[proxy][nft][root]") {
  if (geteuid() != 0) FAIL("this test makes a network namespace and must run as root");
  TestNetns ns;
  ns.Serve("10.250.0.2", 8080, "two");
  ns.Serve("10.250.0.3", 8080, "three");

  ServicePort web = Svc("web", "10.251.0.10", 80, {Ep("10.250.0.2", 8080), Ep("10.250.0.3", 8080)});
  web.node_port = 30080;
  ServicePort empty = Svc("empty", "10.251.0.11", 80, {});
  Ruleset first = BuildRuleset(Config(), {web, empty});
  Shell applied = ns.Nft(SyncScript(first, nullptr));
  INFO(applied.out << "\n" << Definition(first));
  REQUIRE(applied.code == 0);

  // Spread over both endpoints.
  const std::string spread = ns.Fetch("10.251.0.10", 80, 40);
  INFO(spread);
  CHECK(CountLines(spread, "two") + CountLines(spread, "three") == 40);
  CHECK(CountLines(spread, "two") > 0);
  CHECK(CountLines(spread, "three") > 0);
  // NodePort on a local address.
  const std::string node_port = ns.Fetch("10.250.0.4", 30080);
  CHECK((node_port == "two\n" || node_port == "three\n"));
  // No endpoints, and a port the service does not have: refused at once.
  CHECK(ns.Fetch("10.251.0.11", 80) == "refused\n");
  CHECK(ns.Fetch("10.251.0.10", 81) == "refused\n");

  // Incremental sync: one endpoint left, with ClientIP affinity; the affinity set survives
  // the next sync.
  web.endpoints = {Ep("10.250.0.3", 8080)};
  web.affinity_seconds = 300;
  Ruleset second = BuildRuleset(Config(), {web});
  Shell again = ns.Nft(SyncScript(second, &first));
  INFO(again.out);
  REQUIRE(again.code == 0);
  CHECK(ns.Fetch("10.251.0.10", 80, 5) == "three\nthree\nthree\nthree\nthree\n");
  const std::string empty_gone = ns.Fetch("10.251.0.11", 80);
  CHECK(empty_gone.rfind("error:", 0) == 0);  // no rule any more: nothing answers the VIP
  REQUIRE(second.sets.size() == 1);
  // The client's address (d0's first) is remembered, and still is after another sync.
  const std::string list_set =
      "nft list set ip " + second.table + " " + second.sets.begin()->first;
  CHECK(Contains(ns.Exec(list_set).out, "elements = { 10.250.0.2 expires"));
  Shell third = ns.Nft(SyncScript(BuildRuleset(Config(), {web}), &second));
  REQUIRE(third.code == 0);
  CHECK(Contains(ns.Exec(list_set).out, "elements = { 10.250.0.2 expires"));
  // Chains of the first ruleset that the second no longer has are gone.
  const std::string listing = ns.Exec("nft list table ip " + second.table).out;
  for (const auto& [c, body] : first.chains) {
    CHECK(Contains(listing, "chain " + c + " {") == (second.chains.count(c) > 0));
  }
  CHECK(ns.Nft(DeleteScript(second.table)).code == 0);
  CHECK(ns.Exec("nft list table ip " + second.table).code != 0);
}

TEST_CASE("proxy ruleset: a sync after a change writes only the difference", "[proxy][nft]") {
  ServicePort a = Svc("a", "10.251.0.30", 80, {Ep("10.250.0.2", 8080), Ep("10.250.0.3", 8080)});
  ServicePort b = Svc("b", "10.251.0.31", 80, {Ep("10.250.0.4", 8080)});
  Ruleset first = BuildRuleset(Config(), {a, b});
  // First sync: the whole table, declared anew.
  CHECK(SyncScript(first, nullptr).rfind("table ip skiff-proxy-test {}\ndelete table", 0) == 0);
  // Nothing changed: nothing to do.
  CHECK(SyncScript(BuildRuleset(Config(), {a, b}), &first).empty());

  // One endpoint of a replaced, b untouched.
  a.endpoints[1] = Ep("10.250.0.5", 8080);
  Ruleset second = BuildRuleset(Config(), {a, b});
  const std::string script = SyncScript(second, &first);
  INFO(script);
  CHECK_FALSE(Contains(script, "table ip skiff-proxy-test {"));
  CHECK_FALSE(Contains(script, "10.250.0.4"));  // b is not touched
  CHECK(Contains(script, "flush chain ip skiff-proxy-test svc-"));
  CHECK(Contains(script, "0 : 10.250.0.2 . 8080, 1 : 10.250.0.5 . 8080"));
  CHECK(Contains(script, "delete element ip skiff-proxy-test hairpin-endpoints { 10.250.0.3 . "
                         "10.250.0.3 }"));
  CHECK(Contains(script, "add element ip skiff-proxy-test hairpin-endpoints { 10.250.0.5 . "
                         "10.250.0.5 }"));
  CHECK_FALSE(Contains(script, "service-ips"));  // the maps did not change
  CHECK_FALSE(Contains(script, "chain ip skiff-proxy-test ep-"));

  // b gone: its map element and chains go, in that order.
  Ruleset third = BuildRuleset(Config(), {a});
  const std::string removal = SyncScript(third, &second);
  INFO(removal);
  const size_t element = removal.find("delete element ip skiff-proxy-test service-ips { "
                                      "10.251.0.31 . tcp . 80 }");
  const size_t chain = removal.find("delete chain ip skiff-proxy-test svc-");
  REQUIRE(element != std::string::npos);
  REQUIRE(chain != std::string::npos);
  CHECK(element < chain);
  CHECK(Contains(removal, "delete element ip skiff-proxy-test cluster-ips { 10.251.0.31 }"));
  CHECK(Contains(removal, "delete element ip skiff-proxy-test hairpin-endpoints { 10.250.0.4 . "
                          "10.250.0.4 }"));
}

TEST_CASE("proxy ruleset: UDP through a cluster IP, and its stale flows deleted",
          "[proxy][nft][root]") {
  if (geteuid() != 0) FAIL("this test makes a network namespace and must run as root");
  TestNetns ns;
  ns.ServeUdp("10.250.0.2", 5353, "two");
  ns.ServeUdp("10.250.0.3", 5353, "three");
  ServicePort dns = Svc("dns", "10.251.0.40", 53, {Ep("10.250.0.2", 5353)});
  dns.protocol = "UDP";
  // SCTP services load too (this kernel has no SCTP sockets to carry traffic with).
  ServicePort sctp = Svc("sctp", "10.251.0.41", 9999, {Ep("10.250.0.2", 9999)});
  sctp.protocol = "SCTP";
  Ruleset first = BuildRuleset(Config(), {dns, sctp});
  CHECK(Contains(Definition(first), "10.251.0.41 . sctp . 9999 : goto svc-"));
  Shell applied = ns.Nft(SyncScript(first, nullptr));
  INFO(applied.out);
  REQUIRE(applied.code == 0);
  CHECK(ns.FetchUdp("10.251.0.40", 53, 40000) == "two\n");

  // The endpoint replaced: the client's flow still holds the old DNAT until it is deleted.
  std::vector<ServicePort> before = {dns, sctp};
  dns.endpoints = {Ep("10.250.0.3", 5353)};
  Ruleset second = BuildRuleset(Config(), {dns, sctp});
  REQUIRE(ns.Nft(SyncScript(second, &first)).code == 0);
  CHECK(ns.FetchUdp("10.251.0.40", 53, 40000) == "two\n");  // the stale flow
  for (const std::vector<std::string>& args : skiff::net::proxy::StaleUdpFlows(before, {dns, sctp})) {
    std::string cmd = "conntrack";
    for (const std::string& a : args) cmd += " " + a;
    ns.Exec(cmd);  // exits 1 when a pattern matches nothing (the node port: none here)
  }
  CHECK(ns.FetchUdp("10.251.0.40", 53, 40000) == "three\n");
  CHECK(ns.FetchUdp("10.251.0.40", 53, 40001) == "three\n");
}
