// Every record kind of the cluster zone, with exact answers (names, types, TTLs, rcodes, the
// SOA in the authority section of NODATA and NXDOMAIN), and the snapshot swap under load.
#include "net/dns/cluster_records.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "cluster_objects.h"
#include "dns_test_util.h"
#include "net/dns/reverse_name.h"

namespace skiff::net::dns {
namespace {

using namespace testing;
using Strings = std::vector<std::string>;

const std::string kSoa =
    "cluster.local. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 7200 1800 86400 5";
const std::string kReverseSoa =
    "43.10.in-addr.arpa. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 7200 1800 86400 5";

std::string RcodeName(uint16_t r) {
  switch (r) {
    case rcode::kNoError:
      return "NOERROR";
    case rcode::kNxDomain:
      return "NXDOMAIN";
    case rcode::kServFail:
      return "SERVFAIL";
    default:
      return std::to_string(r);
  }
}

struct Zone {
  std::unique_ptr<ClusterRecords> records;

  explicit Zone(const std::string& domain = "cluster.local") {
    ClusterRecordsOptions o;
    o.domain = domain;
    o.service_cidrs = {cli::ParseCidr("10.43.0.0/16").value(),
                       cli::ParseCidr("fd00:43::/112").value()};
    o.nameservers = {cli::ParseIpAddress("10.43.0.10").value()};
    auto r = ClusterRecords::Create(o);
    REQUIRE(r.ok());
    records = std::move(r).value();
  }

  void Add(const json& svc, const std::vector<json>& slices = {}) {
    std::vector<const json*> ptrs;
    for (const auto& s : slices) ptrs.push_back(&s);
    records->UpsertService(svc, ptrs);
  }

  ZoneAnswer Ask(const std::string& name, uint16_t type) const {
    return records->Lookup(Q(name, type));
  }
  // "RCODE | answers | authority" for compact exact checks.
  Strings Answer(const std::string& name, uint16_t type) const {
    ZoneAnswer a = Ask(name, type);
    Strings out{RcodeName(a.rcode)};
    for (const auto& s : ShowAll(a.answers)) out.push_back(s);
    for (const auto& s : ShowAll(a.authority)) out.push_back("AUTH " + s);
    for (const auto& s : ShowAll(a.additional)) out.push_back("ADD " + s);
    return out;
  }
};

TEST_CASE("A ClusterIP service answers A, SRV and PTR, with NODATA and NXDOMAIN around it") {
  Zone z;
  z.Add(ServiceJson("default", "kubernetes", {"10.43.0.1"}, {{"https", 443}, {"", 8080}}));
  const std::string svc = "kubernetes.default.svc.cluster.local.";

  CHECK(z.Answer(svc, rrtype::kA) == Strings{"NOERROR", svc + " 5 A 10.43.0.1"});
  // The owner name is spelt as asked.
  CHECK(z.Answer("KUBERNETES.Default.SVC.cluster.local", rrtype::kA) ==
        Strings{"NOERROR", "KUBERNETES.Default.SVC.cluster.local. 5 A 10.43.0.1"});
  CHECK(z.Ask(svc, rrtype::kA).authoritative);
  // The name exists: other types are NODATA with the SOA.
  CHECK(z.Answer(svc, rrtype::kAAAA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer(svc, rrtype::kTXT) == Strings{"NOERROR", "AUTH " + kSoa});
  // SRV for the named port only, the service's A record as additional data.
  CHECK(z.Answer("_https._tcp." + svc, rrtype::kSRV) ==
        Strings{"NOERROR", "_https._tcp." + svc + " 5 SRV 0 100 443 " + svc,
                "ADD " + svc + " 5 A 10.43.0.1"});
  CHECK(z.Answer("_https._tcp." + svc, rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("_http._tcp." + svc, rrtype::kSRV) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("_https._udp." + svc, rrtype::kSRV) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("_tcp." + svc, rrtype::kSRV) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("_udp." + svc, rrtype::kSRV) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  // PTR for the ClusterIP; an unknown address in the service range is NXDOMAIN there.
  CHECK(z.Answer("1.0.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NOERROR", "1.0.43.10.in-addr.arpa. 5 PTR " + svc});
  CHECK(z.Answer("1.0.43.10.in-addr.arpa", rrtype::kA) ==
        Strings{"NOERROR", "AUTH " + kReverseSoa});
  CHECK(z.Answer("99.0.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NXDOMAIN", "AUTH " + kReverseSoa});
  CHECK(z.Answer("0.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NOERROR", "AUTH " + kReverseSoa});
  CHECK(z.Answer("9.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NXDOMAIN", "AUTH " + kReverseSoa});
  // Reverse names outside the service range are not ours unless we know the address.
  CHECK_FALSE(z.Ask("1.1.168.192.in-addr.arpa", rrtype::kPTR).authoritative);
  CHECK_FALSE(z.Ask("10.in-addr.arpa", rrtype::kPTR).authoritative);
  // Names around it.
  CHECK(z.Answer("missing.default.svc.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("default.svc.cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("nosuchns.svc.cluster.local", rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("svc.cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("a.b." + svc, rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("x." + svc, rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("foo.cluster.local", rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  // Outside the zone: not ours.
  CHECK_FALSE(z.Ask("www.example.com", rrtype::kA).authoritative);
  CHECK_FALSE(z.Ask("kubernetes.default.svc.cluster.local.lan", rrtype::kA).authoritative);
}

TEST_CASE("The zone apex has SOA and NS, and dns-version.<zone> has the schema version") {
  Zone z;
  CHECK(z.Answer("cluster.local", rrtype::kSOA) == Strings{"NOERROR", kSoa});
  CHECK(z.Answer("cluster.local", rrtype::kNS) ==
        Strings{"NOERROR", "cluster.local. 5 NS ns.dns.cluster.local.",
                "ADD ns.dns.cluster.local. 5 A 10.43.0.10"});
  CHECK(z.Answer("cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("ns.dns.cluster.local", rrtype::kA) ==
        Strings{"NOERROR", "ns.dns.cluster.local. 5 A 10.43.0.10"});
  CHECK(z.Answer("dns.cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("dns-version.cluster.local", rrtype::kTXT) ==
        Strings{"NOERROR", "dns-version.cluster.local. 28800 TXT \"1.1.0\""});
  CHECK(z.Answer("dns-version.cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  // The serial moves forward with every change.
  const uint32_t before =
      std::get<SoaData>(z.Ask("cluster.local", rrtype::kSOA).answers[0].data).serial;
  z.Add(ServiceJson("default", "a", {"10.43.0.2"}, {}));
  const uint32_t after =
      std::get<SoaData>(z.Ask("cluster.local", rrtype::kSOA).answers[0].data).serial;
  CHECK(after > before);
}

TEST_CASE("A dual-stack service answers A and AAAA from its ClusterIPs") {
  Zone z;
  z.Add(ServiceJson("default", "dual", {"10.43.0.20", "fd00:43::20"}, {}));
  const std::string svc = "dual.default.svc.cluster.local.";
  CHECK(z.Answer(svc, rrtype::kA) == Strings{"NOERROR", svc + " 5 A 10.43.0.20"});
  CHECK(z.Answer(svc, rrtype::kAAAA) == Strings{"NOERROR", svc + " 5 AAAA fd00:43::20"});
  CHECK(z.Answer(svc, rrtype::kANY) ==
        Strings{"NOERROR", svc + " 5 A 10.43.0.20", svc + " 5 AAAA fd00:43::20"});
  const std::string rev6 = ReverseName(cli::ParseIpAddress("fd00:43::20").value()).ToText();
  CHECK(rev6.starts_with("0.2.0.0.0.0.0.0."));
  CHECK(z.Answer(rev6, rrtype::kPTR) == Strings{"NOERROR", rev6 + " 5 PTR " + svc});
}

TEST_CASE("A headless service answers its ready endpoints, by name and in SRV records") {
  Zone z;
  z.Add(ServiceJson("default", "db", {"None"}, {{"pg", 5432}}),
        {SliceJson("default", "db", "db-abc", "IPv4",
                   {{{"10.42.0.5"}, "db-0", true},
                    {{"10.42.0.6"}, "", std::nullopt},
                    {{"10.42.0.7"}, "db-2", false}},
                   {{"pg", 5432}})});
  const std::string svc = "db.default.svc.cluster.local.";
  CHECK(z.Answer(svc, rrtype::kA) ==
        Strings{"NOERROR", svc + " 5 A 10.42.0.5", svc + " 5 A 10.42.0.6"});
  CHECK(z.Answer(svc, rrtype::kAAAA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("db-0." + svc, rrtype::kA) ==
        Strings{"NOERROR", "db-0." + svc + " 5 A 10.42.0.5"});
  CHECK(z.Answer("10-42-0-6." + svc, rrtype::kA) ==
        Strings{"NOERROR", "10-42-0-6." + svc + " 5 A 10.42.0.6"});
  CHECK(z.Answer("db-2." + svc, rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});  // not ready
  CHECK(z.Answer("_pg._tcp." + svc, rrtype::kSRV) ==
        Strings{"NOERROR", "_pg._tcp." + svc + " 5 SRV 0 50 5432 db-0." + svc,
                "_pg._tcp." + svc + " 5 SRV 0 50 5432 10-42-0-6." + svc,
                "ADD db-0." + svc + " 5 A 10.42.0.5", "ADD 10-42-0-6." + svc + " 5 A 10.42.0.6"});
  CHECK(z.Answer("5.0.42.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NOERROR", "5.0.42.10.in-addr.arpa. 5 PTR db-0." + svc});
  CHECK(z.Answer("6.0.42.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NOERROR", "6.0.42.10.in-addr.arpa. 5 PTR 10-42-0-6." + svc});
  CHECK_FALSE(z.Ask("7.0.42.10.in-addr.arpa", rrtype::kPTR).authoritative);  // not published

  // publishNotReadyAddresses publishes every endpoint.
  json pnr = ServiceJson("default", "db", {"None"}, {{"pg", 5432}});
  pnr["spec"]["publishNotReadyAddresses"] = true;
  z.Add(pnr, {SliceJson("default", "db", "db-abc", "IPv4",
                        {{{"10.42.0.5"}, "db-0", true}, {{"10.42.0.7"}, "db-2", false}},
                        {{"pg", 5432}})});
  CHECK(z.Answer(svc, rrtype::kA) ==
        Strings{"NOERROR", svc + " 5 A 10.42.0.5", svc + " 5 A 10.42.0.7"});
  CHECK(z.Answer("db-2." + svc, rrtype::kA) ==
        Strings{"NOERROR", "db-2." + svc + " 5 A 10.42.0.7"});
  CHECK_FALSE(z.Ask("6.0.42.10.in-addr.arpa", rrtype::kPTR).authoritative);  // gone with it

  // Without ready endpoints the service name is NXDOMAIN (the specification's rule).
  z.Add(ServiceJson("default", "empty", {"None"}, {{"pg", 5432}}),
        {SliceJson("default", "empty", "empty-1", "IPv4", {{{"10.42.0.9"}, "", false}}, {})});
  CHECK(z.Answer("empty.default.svc.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("_pg._tcp.empty.default.svc.cluster.local", rrtype::kSRV) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
}

TEST_CASE("A StatefulSet-like headless service spans slices of both families") {
  Zone z;
  z.Add(ServiceJson("apps", "web", {"None"}, {{"http", 80}}),
        {SliceJson("apps", "web", "web-v4", "IPv4", {{{"10.42.1.2"}, "web-0", true}},
                   {{"http", 8080}}),
         SliceJson("apps", "web", "web-v6", "IPv6", {{{"fd00:42::2"}, "web-0", true}},
                   {{"http", 8080}}),
         // A slice of another service and an FQDN slice are ignored.
         SliceJson("apps", "other", "other-1", "IPv4", {{{"10.42.9.9"}, "x", true}}, {}),
         SliceJson("apps", "web", "web-fqdn", "FQDN", {{{"example.com"}, "y", true}}, {})});
  const std::string svc = "web.apps.svc.cluster.local.";
  CHECK(z.Answer("web-0." + svc, rrtype::kANY) == Strings{"NOERROR",
                                                          "web-0." + svc + " 5 A 10.42.1.2",
                                                          "web-0." + svc + " 5 AAAA fd00:42::2"});
  // One SRV per endpoint name and port, the endpoint port (the target port of a headless
  // service), both addresses as additional data.
  CHECK(z.Answer("_http._tcp." + svc, rrtype::kSRV) ==
        Strings{"NOERROR", "_http._tcp." + svc + " 5 SRV 0 100 8080 web-0." + svc,
                "ADD web-0." + svc + " 5 A 10.42.1.2", "ADD web-0." + svc + " 5 AAAA fd00:42::2"});
  CHECK(z.Answer("x." + svc, rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
}

TEST_CASE("ExternalName services answer a CNAME, followed when the target is in the zone") {
  Zone z;
  z.Add(ServiceJson("default", "kubernetes", {"10.43.0.1"}, {}));
  z.Add(ExternalNameJson("default", "ext", "www.example.com"));
  z.Add(ExternalNameJson("default", "alias", "kubernetes.default.svc.cluster.local"));
  z.Add(ExternalNameJson("default", "dangling", "missing.default.svc.cluster.local"));
  z.Add(ExternalNameJson("default", "loop1", "loop2.default.svc.cluster.local"));
  z.Add(ExternalNameJson("default", "loop2", "loop1.default.svc.cluster.local"));

  ZoneAnswer a = z.Ask("ext.default.svc.cluster.local", rrtype::kA);
  CHECK(ShowAll(a.answers) == Strings{"ext.default.svc.cluster.local. 5 CNAME www.example.com."});
  CHECK(a.rcode == rcode::kNoError);
  REQUIRE(a.chase);  // the caller asks upstream for www.example.com A
  CHECK(a.chase->name.ToText() == "www.example.com.");
  CHECK(a.chase->type == rrtype::kA);
  a = z.Ask("ext.default.svc.cluster.local", rrtype::kCNAME);
  CHECK(ShowAll(a.answers) == Strings{"ext.default.svc.cluster.local. 5 CNAME www.example.com."});
  CHECK_FALSE(a.chase);

  CHECK(z.Answer("alias.default.svc.cluster.local", rrtype::kA) ==
        Strings{"NOERROR",
                "alias.default.svc.cluster.local. 5 CNAME kubernetes.default.svc.cluster.local.",
                "kubernetes.default.svc.cluster.local. 5 A 10.43.0.1"});
  CHECK_FALSE(z.Ask("alias.default.svc.cluster.local", rrtype::kA).chase);
  // The rcode is the last name's (RFC 6604), with the SOA.
  CHECK(z.Answer("dangling.default.svc.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN",
                "dangling.default.svc.cluster.local. 5 CNAME missing.default.svc.cluster.local.",
                "AUTH " + kSoa});
  CHECK(z.Ask("loop1.default.svc.cluster.local", rrtype::kA).rcode == rcode::kServFail);
  // No endpoint or SRV names below an ExternalName service.
  CHECK(z.Answer("_http._tcp.ext.default.svc.cluster.local", rrtype::kSRV) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
}

TEST_CASE("Pod names answer the address they spell in namespaces that exist") {
  Zone z;
  z.Add(ServiceJson("default", "kubernetes", {"10.43.0.1"}, {}));
  CHECK(z.Answer("10-42-0-9.default.pod.cluster.local", rrtype::kA) ==
        Strings{"NOERROR", "10-42-0-9.default.pod.cluster.local. 5 A 10.42.0.9"});
  CHECK(z.Answer("10-42-0-9.default.pod.cluster.local", rrtype::kAAAA) ==
        Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("fd00--9.default.pod.cluster.local", rrtype::kAAAA) ==
        Strings{"NOERROR", "fd00--9.default.pod.cluster.local. 5 AAAA fd00::9"});
  CHECK(z.Answer("10-42-0.default.pod.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("10-42-0-300.default.pod.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("x.10-42-0-9.default.pod.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("default.pod.cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  CHECK(z.Answer("pod.cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  // A namespace nobody mentions does not exist; once the Namespace object is seen, it does.
  CHECK(z.Answer("10-42-0-9.quiet.pod.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
  z.records->SetNamespace("quiet", true);
  CHECK(z.Answer("10-42-0-9.quiet.pod.cluster.local", rrtype::kA) ==
        Strings{"NOERROR", "10-42-0-9.quiet.pod.cluster.local. 5 A 10.42.0.9"});
  CHECK(z.Answer("quiet.svc.cluster.local", rrtype::kA) == Strings{"NOERROR", "AUTH " + kSoa});
  z.records->SetNamespace("quiet", false);
  CHECK(z.Answer("quiet.svc.cluster.local", rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
}

TEST_CASE("Before the caches synced an NXDOMAIN is a SERVFAIL") {
  Zone z;
  z.Add(ServiceJson("default", "kubernetes", {"10.43.0.1"}, {}));
  z.records->SetSynced(false);
  CHECK(z.Answer("missing.default.svc.cluster.local", rrtype::kA) == Strings{"SERVFAIL"});
  CHECK(z.Answer("kubernetes.default.svc.cluster.local", rrtype::kA) ==
        Strings{"NOERROR", "kubernetes.default.svc.cluster.local. 5 A 10.43.0.1"});
  z.records->SetSynced(true);
  CHECK(z.Answer("missing.default.svc.cluster.local", rrtype::kA) ==
        Strings{"NXDOMAIN", "AUTH " + kSoa});
}

TEST_CASE("Updates replace one service's records and removals drop them, PTRs included") {
  Zone z;
  z.Add(ServiceJson("default", "a", {"10.43.0.2"}, {}));
  z.Add(ServiceJson("other", "b", {"10.43.0.3"}, {}));
  CHECK(z.records->service_count() == 2);
  z.Add(ServiceJson("default", "a", {"10.43.0.4"}, {}));
  CHECK(z.records->service_count() == 2);
  CHECK(z.Answer("a.default.svc.cluster.local", rrtype::kA) ==
        Strings{"NOERROR", "a.default.svc.cluster.local. 5 A 10.43.0.4"});
  CHECK(z.Answer("2.0.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NXDOMAIN", "AUTH " + kReverseSoa});
  CHECK(z.Answer("4.0.43.10.in-addr.arpa", rrtype::kPTR)[0] == "NOERROR");
  z.records->RemoveService("default", "a");
  CHECK(z.records->service_count() == 1);
  CHECK(z.Answer("a.default.svc.cluster.local", rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("default.svc.cluster.local", rrtype::kA) == Strings{"NXDOMAIN", "AUTH " + kSoa});
  CHECK(z.Answer("4.0.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NXDOMAIN", "AUTH " + kReverseSoa});
  CHECK(z.Answer("b.other.svc.cluster.local", rrtype::kA)[0] == "NOERROR");
}

TEST_CASE("Another cluster domain is served the same way") {
  Zone z("Edge.Internal.");
  z.Add(ServiceJson("default", "kubernetes", {"10.43.0.1"}, {}));
  CHECK(z.records->zone().ToText() == "edge.internal.");
  CHECK(z.Answer("kubernetes.default.svc.edge.internal", rrtype::kA) ==
        Strings{"NOERROR", "kubernetes.default.svc.edge.internal. 5 A 10.43.0.1"});
  CHECK_FALSE(z.Ask("kubernetes.default.svc.cluster.local", rrtype::kA).authoritative);
  CHECK(z.Answer("1.0.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"NOERROR", "1.0.43.10.in-addr.arpa. 5 PTR kubernetes.default.svc.edge.internal."});
  CHECK(ClusterRecords::Create({.domain = "a..b"}).status().message() ==
        "cluster domain \"a..b\": domain name \"a..b\" has an empty label");
}

TEST_CASE("Readers see whole snapshots while a writer keeps replacing them") {
  Zone z;
  z.Add(ServiceJson("default", "flip", {"10.43.1.1"}, {{"http", 80}}));
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, reads{0};
  // Built here: Catch2's assertions (inside Q) must stay on this thread.
  const Question a_q = Q("flip.default.svc.cluster.local", rrtype::kA);
  const Question srv_q = Q("_http._tcp.flip.default.svc.cluster.local", rrtype::kSRV);
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        ZoneAnswer a = z.records->Lookup(a_q);
        ZoneAnswer s = z.records->Lookup(srv_q);
        const auto shown = ShowAll(a.answers);
        const bool ok =
            a.rcode == rcode::kNoError && shown.size() == 1 &&
            (shown[0].ends_with(" A 10.43.1.1") || shown[0].ends_with(" A 10.43.1.2")) &&
            s.answers.size() == 1;
        if (!ok) ++bad;
        ++reads;
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    z.Add(ServiceJson("default", "flip", {i % 2 ? "10.43.1.2" : "10.43.1.1"}, {{"http", 80}}));
    z.Add(ServiceJson("default", "n" + std::to_string(i % 50), {"10.43.2.1"}, {}));
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(bad.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(z.records->service_count() == 51);
}

}  // namespace
}  // namespace skiff::net::dns
