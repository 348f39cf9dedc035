// The DNS server on loopback: real queries with dig (bind9-dnsutils) over UDP and TCP,
// truncation then TCP retry, forwarding to a fake upstream through a resolv.conf, SERVFAIL
// when the upstreams are dead or silent, and the TCP rules (several queries per connection,
// idle timeout, connection cap) with plain sockets.
#include "net/dns/dns_server.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "cluster_objects.h"
#include "dns_sockets.h"
#include "dns_test_util.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace skiff::net::dns {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using Names = std::map<std::string, std::string>;

// dig is a test dependency (scripts/install-deps.sh): without it a case fails rather than
// passing untested.
#define REQUIRE_DIG()                                                                     \
  if (access("/usr/bin/dig", X_OK) != 0)                                                  \
  FAIL("/usr/bin/dig is missing: scripts/install-deps.sh installs bind9-dnsutils")

// Records: kubernetes (ClusterIP), big (headless, 60 endpoints), ext (ExternalName to
// www.example.test).
std::unique_ptr<ClusterRecords> TestRecords() {
  ClusterRecordsOptions o;
  o.service_cidrs = {cli::ParseCidr("10.43.0.0/16").value()};
  auto records = ClusterRecords::Create(o).value();
  records->UpsertService(ServiceJson("default", "kubernetes", {"10.43.0.1"}, {{"https", 443}}), {});
  std::vector<EndpointSpec> eps;
  for (int i = 0; i < 60; ++i) eps.push_back({{"10.42.1." + std::to_string(i + 1)}, "", true});
  json slice = SliceJson("default", "big", "big-1", "IPv4", eps, {});
  records->UpsertService(ServiceJson("default", "big", {"None"}, {}), {&slice});
  records->UpsertService(ExternalNameJson("default", "ext", "www.example.test"), {});
  return records;
}

struct Server {
  skiff::testing::TempDir dir;
  std::unique_ptr<ClusterRecords> records = TestRecords();
  std::unique_ptr<DnsServer> server;

  // `nameservers`: the resolv.conf lines' addresses, all on `upstream_port`.
  explicit Server(const std::vector<std::string>& nameservers = {}, uint16_t upstream_port = 53,
                  DnsServerOptions o = {}) {
    std::ofstream conf(dir / "resolv.conf");
    conf << "# test resolvers\nsearch example.test\n";
    for (const auto& ns : nameservers) conf << "nameserver " << ns << "\n";
    conf.close();
    o.listen = {{"127.0.0.1", 0}};
    o.upstreams.resolv_conf = dir / "resolv.conf";
    o.upstreams.port = upstream_port;
    if (o.forwarder.timeout == 2000ms) o.forwarder.timeout = 500ms;
    auto s = DnsServer::Start(*records, o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    server = std::move(s).value();
  }

  skiff::testing::RunResult Dig(std::vector<std::string> args) const {
    std::vector<std::string> argv = {
        "/usr/bin/dig", "@127.0.0.1", "-p", std::to_string(server->port()), "+time=5", "+tries=1"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = skiff::testing::Run(argv, 20s);
    INFO(r.out << r.err);
    return r;
  }
  // dig +short output lines.
  std::vector<std::string> Short(std::vector<std::string> args) const {
    args.push_back("+short");
    auto r = Dig(args);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < r.out.size()) {
      size_t nl = r.out.find('\n', start);
      if (nl == std::string::npos) nl = r.out.size();
      if (nl > start) lines.push_back(r.out.substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  }
};

TEST_CASE("dig resolves cluster names over UDP and TCP") {
  REQUIRE_DIG();
  Server s;
  using V = std::vector<std::string>;
  CHECK(s.Short({"kubernetes.default.svc.cluster.local", "A"}) == V{"10.43.0.1"});
  CHECK(s.Short({"+tcp", "kubernetes.default.svc.cluster.local", "A"}) == V{"10.43.0.1"});
  CHECK(s.Short({"_https._tcp.kubernetes.default.svc.cluster.local", "SRV"}) ==
        V{"0 100 443 kubernetes.default.svc.cluster.local."});
  CHECK(s.Short({"-x", "10.43.0.1"}) == V{"kubernetes.default.svc.cluster.local."});
  CHECK(s.Short({"dns-version.cluster.local", "TXT"}) == V{"\"1.1.0\""});
  auto r = s.Dig({"nope.default.svc.cluster.local", "A"});
  CHECK(r.out.find("status: NXDOMAIN") != std::string::npos);
  CHECK(r.out.find("flags: qr aa rd ra") != std::string::npos);
  CHECK(r.out.find("SOA\tns.dns.cluster.local. hostmaster.cluster.local. ") != std::string::npos);
  DnsServerStats st = s.server->stats();
  CHECK(st.udp_queries == 5);
  CHECK(st.tcp_queries == 1);
  CHECK(st.cluster == 6);
  CHECK(st.noerror == 5);
  CHECK(st.nxdomain == 1);
}

TEST_CASE("dig retries a truncated UDP answer over TCP and gets it whole") {
  REQUIRE_DIG();
  Server s;
  auto r = s.Dig({"+noedns", "big.default.svc.cluster.local", "A"});
  CHECK(r.out.find(";; Truncated, retrying in TCP mode.") != std::string::npos);
  CHECK(r.out.find("ANSWER: 60,") != std::string::npos);
  DnsServerStats st = s.server->stats();
  CHECK(st.truncated == 1);
  CHECK(st.udp_queries == 1);
  CHECK(st.tcp_queries == 1);
}

TEST_CASE("Names outside the cluster go to the upstream from resolv.conf") {
  REQUIRE_DIG();
  FakeUpstream up(Names{{"example.test.", "192.0.2.1"}, {"www.example.test.", "192.0.2.7"}});
  REQUIRE(up.port() != 0);
  Server s({"127.0.0.1"}, up.port());
  using V = std::vector<std::string>;
  CHECK(s.Short({"example.test", "A"}) == V{"192.0.2.1"});
  CHECK(s.Short({"+tcp", "example.test", "A"}) == V{"192.0.2.1"});
  auto r = s.Dig({"missing.example.test", "A"});
  CHECK(r.out.find("status: NXDOMAIN") != std::string::npos);
  // An ExternalName service: the CNAME, then the upstream's address for its target.
  CHECK(s.Short({"ext.default.svc.cluster.local", "A"}) == V{"www.example.test.", "192.0.2.7"});
  // The upstream truncates big.example.test over UDP: the forwarder asks again over TCP and
  // relays the whole answer to a TCP client (a UDP client without EDNS is told to retry).
  r = s.Dig({"+noedns", "big.example.test", "A"});
  CHECK(r.out.find(";; Truncated, retrying in TCP mode.") != std::string::npos);
  CHECK(r.out.find("ANSWER: 60,") != std::string::npos);
  CHECK(up.tcp_queries() == 2);
  DnsServerStats st = s.server->stats();
  CHECK(st.forwarded == 6);
  CHECK(st.servfail == 0);
}

TEST_CASE("SERVFAIL when every upstream is dead, and a silent one is skipped after the timeout") {
  REQUIRE_DIG();
  FakeUpstream good(Names{{"example.test.", "192.0.2.1"}}, "127.0.0.3");
  REQUIRE(good.port() != 0);
  FakeUpstream silent(Names{}, "127.0.0.2", good.port(), true);
  REQUIRE(silent.port() == good.port());
  {
    // Nothing listens on 127.0.0.4 at that port: refused at once.
    Server s({"127.0.0.4"}, good.port());
    auto r = s.Dig({"example.test", "A"});
    CHECK(r.out.find("status: SERVFAIL") != std::string::npos);
    CHECK(s.server->stats().servfail == 1);
  }
  {
    Server s({"127.0.0.2", "127.0.0.3"}, good.port());
    const auto start = std::chrono::steady_clock::now();
    CHECK(s.Short({"example.test", "A"}) == std::vector<std::string>{"192.0.2.1"});
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 450ms);  // the silent one's 500 ms timeout
    CHECK(silent.udp_queries() == 1);
    CHECK(good.udp_queries() == 1);
  }
  {
    Server s({"127.0.0.2"}, good.port());
    auto r = s.Dig({"example.test", "A"});
    CHECK(r.out.find("status: SERVFAIL") != std::string::npos);
  }
}

TEST_CASE("Raw packets: FORMERR for garbage after a header, nothing for less than a header") {
  Server s;
  auto reply = UdpExchange(s.server->port(), QueryHeader() + Bytes({0xC0, 12, 0, 1, 0, 1}));
  REQUIRE(reply);
  auto m = ParseMessage(*reply);
  REQUIRE(m.ok());
  CHECK(m->header.id == 0x1234);
  CHECK(m->FullRcode() == rcode::kFormErr);
  CHECK_FALSE(UdpExchange(s.server->port(), "hello", 300));
  // The server still answers afterwards.
  reply = UdpExchange(s.server->port(),
                      Encode(MakeQuery(5, Q("kubernetes.default.svc.cluster.local", 1))).wire);
  REQUIRE(reply);
  CHECK(ParseMessage(*reply)->answers.size() == 1);
  DnsServerStats st = s.server->stats();
  CHECK(st.dropped == 1);
  CHECK(st.formerr == 1);
}

TEST_CASE("TCP: several queries per connection, an idle timeout and a connection cap") {
  DnsServerOptions o;
  o.tcp_idle = 300ms;
  o.max_tcp_connections = 2;
  Server s({}, 53, o);
  const uint16_t port = s.server->port();

  int fd = TcpConnect(port);
  REQUIRE(fd >= 0);
  std::string batch;
  for (uint16_t id = 1; id <= 3; ++id) {
    batch += Framed(Encode(MakeQuery(id, Q("kubernetes.default.svc.cluster.local", 1))).wire);
  }
  REQUIRE(send(fd, batch.data(), batch.size(), 0) == static_cast<ssize_t>(batch.size()));
  for (uint16_t id = 1; id <= 3; ++id) {
    auto r = ReadFramed(fd);
    REQUIRE(r);
    auto m = ParseMessage(*r);
    REQUIRE(m.ok());
    CHECK(m->header.id == id);
    CHECK(ShowAll(m->answers) ==
          std::vector<std::string>{"kubernetes.default.svc.cluster.local. 5 A 10.43.0.1"});
  }
  // Idle for longer than 300 ms: the server closes it.
  CHECK(ClosedByPeer(fd, 2000));
  close(fd);

  // Two connections are allowed; a third is closed at once.
  int a = TcpConnect(port), b = TcpConnect(port);
  REQUIRE(a >= 0);
  REQUIRE(b >= 0);
  CHECK(WaitUntil([&] { return s.server->stats().tcp_connections == 3; }, 2s));
  int c = TcpConnect(port);
  REQUIRE(c >= 0);
  CHECK(ClosedByPeer(c, 2000));
  CHECK(s.server->stats().tcp_rejected == 1);
  // The first two still answer.
  std::string q = Framed(Encode(MakeQuery(9, Q("kubernetes.default.svc.cluster.local", 1))).wire);
  REQUIRE(send(a, q.data(), q.size(), 0) == static_cast<ssize_t>(q.size()));
  CHECK(ReadFramed(a));
  close(a);
  close(b);
  close(c);
}

TEST_CASE("The server stops cleanly with queries in flight and can bind again") {
  FakeUpstream silent(Names{}, "127.0.0.2", 0, true);
  REQUIRE(silent.port() != 0);
  DnsServerOptions o;
  o.threads = 2;
  o.forwarder.timeout = 5000ms;
  Server s({"127.0.0.2"}, silent.port(), o);
  const uint16_t port = s.server->port();
  // A forwarded query waits on the silent upstream while the server stops.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to = Addr("127.0.0.1", port);
  std::string q = Encode(MakeQuery(1, Q("example.test", 1))).wire;
  sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  CHECK(WaitUntil([&] { return silent.udp_queries() == 1; }, 2s));
  const auto start = std::chrono::steady_clock::now();
  s.server->Stop();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  close(fd);
  // The port is free again.
  DnsServerOptions again;
  again.listen = {{"127.0.0.1", port}};
  again.upstreams.resolv_conf = s.dir / "resolv.conf";
  auto s2 = DnsServer::Start(*s.records, again);
  INFO(s2.status().ToString());
  CHECK(s2.ok());
}

}  // namespace
}  // namespace skiff::net::dns
