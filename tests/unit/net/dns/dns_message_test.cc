// The DNS wire format: names, round trips, compression, strict rejection and truncation.
#include "net/dns/dns_message.h"

#include <catch2/catch.hpp>

#include "dns_test_util.h"
#include "net/dns/reverse_name.h"

namespace skiff::net::dns {
namespace {

using namespace testing;

TEST_CASE("Names convert between text and wire form and compare without case") {
  Name n = N("Www.Example.COM");
  CHECK(n.wire() == Label("Www") + Label("Example") + Label("COM") + std::string(1, '\0'));
  CHECK(n.ToText() == "Www.Example.COM.");
  CHECK(n.LabelCount() == 3);
  CHECK(n.Equals(N("www.example.com.")));
  CHECK(n.IsSubdomainOf(N("example.com")));
  CHECK(n.IsSubdomainOf(N(".")));
  CHECK_FALSE(n.IsSubdomainOf(N("ample.com")));  // label boundaries matter
  CHECK_FALSE(N("example.com").IsSubdomainOf(n));
  auto before = n.LabelsBefore(N("EXAMPLE.com"));
  REQUIRE(before.size() == 1);
  CHECK(before[0] == "Www");
  CHECK(N(".").IsRoot());
  CHECK(N(".").ToText() == ".");
  CHECK(N("a\\.b.c").LabelCount() == 2);
  CHECK(N("a\\.b.c").ToText() == "a\\.b.c.");
  CHECK(N("\\000x").ToText() == "\\000x.");

  CHECK(Name::FromText("a..b").status().message() == "domain name \"a..b\" has an empty label");
  CHECK(Name::FromText(std::string(64, 'a')).status().message() ==
        "label \"" + std::string(64, 'a') + "\" is longer than 63 octets");
  CHECK(Name::FromText(std::string(63, 'a') + ".").ok());
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(63, 'a') + ".";
  CHECK_FALSE(Name::FromText(long_name).ok());      // 4 * 64 + 1 = 257 octets
  CHECK(Name::FromText(long_name.substr(2)).ok());  // 255 octets exactly
}

TEST_CASE("Reverse names map addresses both ways and zones round to octets or nibbles") {
  auto ip = cli::ParseIpAddress("10.43.0.10").value();
  CHECK(ReverseName(ip).ToText() == "10.0.43.10.in-addr.arpa.");
  CHECK(AddressFromReverse(N("10.0.43.10.IN-ADDR.arpa"))->ToString() == "10.43.0.10");
  CHECK_FALSE(AddressFromReverse(N("0.43.10.in-addr.arpa")));      // partial
  CHECK_FALSE(AddressFromReverse(N("010.0.43.10.in-addr.arpa")));  // leading zero
  CHECK_FALSE(AddressFromReverse(N("256.0.43.10.in-addr.arpa")));
  auto v6 = cli::ParseIpAddress("fd00:10:43::a").value();
  Name r6 = ReverseName(v6);
  CHECK(r6.ToText() == "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.4.0.0.0.1.0.0.0.0.d.f.ip6.arpa.");
  CHECK(AddressFromReverse(r6)->ToString() == "fd00:10:43::a");
  CHECK(ReverseZone(cli::ParseCidr("10.43.0.0/16").value()).ToText() == "43.10.in-addr.arpa.");
  CHECK(ReverseZone(cli::ParseCidr("10.32.0.0/12").value()).ToText() == "10.in-addr.arpa.");
  CHECK(ReverseZone(cli::ParseCidr("fd00:43::/112").value()).ToText() ==
        "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.4.0.0.0.0.d.f.ip6.arpa.");
}

TEST_CASE("A query parses from hand-written octets") {
  std::string wire =
      QueryHeader() + Label("www") + Label("example") + Label("com") + Bytes({0, 0, 28, 0, 1});
  auto m = ParseQuery(wire);
  REQUIRE(m.ok());
  CHECK(m->header.id == 0x1234);
  CHECK(m->header.rd);
  CHECK_FALSE(m->header.qr);
  CHECK(m->questions[0].name.ToText() == "www.example.com.");
  CHECK(m->questions[0].type == rrtype::kAAAA);
  CHECK(m->questions[0].qclass == kClassIN);
  CHECK_FALSE(m->edns);
  // Encoding gives the same octets back.
  CHECK(Encode(*m).wire == wire);
}

TEST_CASE("Every record type survives an encode and parse round trip") {
  Message m;
  m.header.id = 7;
  m.header.qr = m.header.aa = m.header.ra = true;
  m.questions.push_back(Q("svc.ns.svc.cluster.local", rrtype::kANY));
  const Name owner = N("svc.ns.svc.cluster.local");
  m.answers.push_back({owner, rrtype::kA, kClassIN, 5, AData{{10, 43, 0, 1}}});
  AaaaData six;
  six.address[0] = 0xfd;
  six.address[15] = 1;
  m.answers.push_back({owner, rrtype::kAAAA, kClassIN, 5, six});
  m.answers.push_back({owner, rrtype::kCNAME, kClassIN, 5, NameData{N("x.example.org")}});
  m.answers.push_back({owner, rrtype::kSRV, kClassIN, 5, SrvData{0, 100, 443, owner}});
  m.answers.push_back({owner, rrtype::kTXT, kClassIN, 28800, TxtData{{"1.1.0", "two"}}});
  m.answers.push_back({owner, rrtype::kMX, kClassIN, 5, MxData{10, N("mail.cluster.local")}});
  m.answers.push_back({owner, 99, kClassIN, 5, RawData{"\x01\x02\x03"}});
  m.authority.push_back({N("cluster.local"), rrtype::kSOA, kClassIN, 5,
                         SoaData{N("ns.dns.cluster.local"), N("hostmaster.cluster.local"), 42, 7200,
                                 1800, 86400, 5}});
  m.additional.push_back(
      {N("ns.dns.cluster.local"), rrtype::kA, kClassIN, 5, AData{{10, 43, 0, 10}}});
  m.edns = Edns{1232, 0, 0, true, ""};

  EncodeResult e = Encode(m);
  CHECK_FALSE(e.truncated);
  auto back = ParseMessage(e.wire);
  REQUIRE(back.ok());
  CHECK(back->header.id == 7);
  CHECK(back->header.aa);
  CHECK(back->header.qr);
  CHECK(ShowAll(back->answers) ==
        std::vector<std::string>{"svc.ns.svc.cluster.local. 5 A 10.43.0.1",
                                 "svc.ns.svc.cluster.local. 5 AAAA fd00::1",
                                 "svc.ns.svc.cluster.local. 5 CNAME x.example.org.",
                                 "svc.ns.svc.cluster.local. 5 SRV 0 100 443 "
                                 "svc.ns.svc.cluster.local.",
                                 "svc.ns.svc.cluster.local. 28800 TXT \"1.1.0\" \"two\"",
                                 "svc.ns.svc.cluster.local. 5 MX 10 mail.cluster.local.",
                                 "svc.ns.svc.cluster.local. 5 TYPE99 raw:3"});
  CHECK(ShowAll(back->authority) ==
        std::vector<std::string>{"cluster.local. 5 SOA ns.dns.cluster.local. "
                                 "hostmaster.cluster.local. 7200 1800 86400 5"});
  CHECK(std::get<SoaData>(back->authority[0].data).serial == 42);
  CHECK(ShowAll(back->additional) ==
        std::vector<std::string>{"ns.dns.cluster.local. 5 A 10.43.0.10"});
  REQUIRE(back->edns);
  CHECK(back->edns->udp_payload_size == 1232);
  CHECK(back->edns->dnssec_ok);
  // Re-encoding the parsed message gives the same octets.
  CHECK(Encode(*back).wire == e.wire);
}

TEST_CASE("Names are compressed against earlier names, SRV targets are not") {
  Message m;
  m.header.qr = true;
  m.questions.push_back(Q("a.example.com", rrtype::kA));
  m.answers.push_back({N("a.example.com"), rrtype::kA, kClassIN, 5, AData{{1, 2, 3, 4}}});
  m.answers.push_back(
      {N("b.example.com"), rrtype::kCNAME, kClassIN, 5, NameData{N("c.example.com")}});
  m.answers.push_back(
      {N("a.example.com"), rrtype::kSRV, kClassIN, 5, SrvData{1, 2, 3, N("a.example.com")}});
  const std::string w = Encode(m).wire;
  // Question at 12: \1a\7example\3com\0 (15 octets) + type/class -> the first answer at 31.
  CHECK(w.substr(31, 2) == Bytes({0xC0, 0x0C}));  // a.example.com -> offset 12
  // Second answer at 31+2+10+4 = 47: "b" then a pointer to example.com (offset 14).
  CHECK(w.substr(47, 4) == Label("b") + Bytes({0xC0, 0x0E}));
  // Its CNAME target "c" + pointer, RDLENGTH 4.
  CHECK(w.substr(51 + 8, 2) == Bytes({0, 4}));
  CHECK(w.substr(61, 4) == Label("c") + Bytes({0xC0, 0x0E}));
  // SRV: owner compressed, target written out in full.
  CHECK(w.substr(65, 2) == Bytes({0xC0, 0x0C}));
  CHECK(w.substr(65 + 10, 2) == Bytes({0, 6 + 15}));
  CHECK(w.substr(65 + 12 + 6) == Label("a") + Label("example") + Label("com") + Bytes({0}));
  auto back = ParseMessage(w);
  REQUIRE(back.ok());
  CHECK(Show(back->answers[1]) == "b.example.com. 5 CNAME c.example.com.");

  // A name spelt differently is only compressed onto the suffix with the same octets.
  Message c;
  c.questions.push_back(Q("a.example.com", rrtype::kA));
  c.answers.push_back({N("A.EXAMPLE.com"), rrtype::kA, kClassIN, 5, AData{{1, 2, 3, 4}}});
  const std::string cw = Encode(c).wire;
  CHECK(cw.substr(31, 12) == Label("A") + Label("EXAMPLE") + Bytes({0xC0, 22}));
  CHECK(Show(ParseMessage(cw)->answers[0]) == "A.EXAMPLE.com. 5 A 1.2.3.4");
}

TEST_CASE("Malformed messages are rejected with the reason") {
  const std::string q = Label("a") + Bytes({0, 0, 1, 0, 1});
  auto reason = [](const std::string& wire) { return ParseMessage(wire).status().message(); };

  CHECK(ParseHeader(Bytes({0x12, 0x34, 1, 0, 0, 1})).status().message() ==
        "message shorter than the 12-octet header");
  CHECK(reason(QueryHeader().substr(0, 11)) == "message shorter than the 12-octet header");
  CHECK(reason(QueryHeader() + Label("a")) == "section counts larger than the message");
  CHECK(reason(QueryHeader() + Label("abc") + Bytes({0, 0})) == "question cut off");
  CHECK(reason(QueryHeader() + Bytes({10, 'a', 'b', 0, 0, 0})) ==
        "label runs past the end of the message");
  CHECK(reason(QueryHeader() + Bytes({5, 'a', 'b', 0, 0, 0})) ==
        "name runs past the end of the message");
  // A pointer to itself, forward, out of the message, into the header, and a loop.
  CHECK(reason(QueryHeader() + Bytes({0xC0, 12, 0, 1, 0, 1})) ==
        "compression pointer does not point backwards");
  CHECK(reason(QueryHeader() + Bytes({0xC0, 14, 0, 0, 1, 0, 1})) ==
        "compression pointer does not point backwards");
  CHECK(reason(QueryHeader() + Bytes({0xC0, 0xFF, 0, 1, 0, 1})) ==
        "compression pointer does not point backwards");
  CHECK(reason(QueryHeader() + Bytes({0xC0, 2, 0, 1, 0, 1})) ==
        "compression pointer into the header");
  CHECK(reason(QueryHeader() + Label("a") + Bytes({0xC0, 12, 0, 1, 0, 1})) ==
        "too many compression pointers");  // a.a.a.a...
  CHECK(reason(QueryHeader() + Label(std::string(60, 'a')) + Bytes({0xC0, 12, 0, 1, 0, 1})) ==
        "name longer than 255 octets");  // the same loop, stopped by the length this time
  CHECK(reason(QueryHeader() + Label("abcdef") + Bytes({0xC0})) == "compression pointer cut off");
  // Label types 01 and 10 (and so any length over 63).
  CHECK(reason(QueryHeader() + Bytes({0x40, 'a', 0, 0, 1, 0, 1})) == "unsupported label type");
  CHECK(reason(QueryHeader() + Bytes({0x80, 'a', 0, 0, 1, 0, 1})) == "unsupported label type");
  std::string big;
  for (int i = 0; i < 5; ++i) big += Label(std::string(63, 'x'));
  CHECK(reason(QueryHeader() + big + Bytes({0, 0, 1, 0, 1})) == "name longer than 255 octets");
  // Counts larger than the packet, and octets after the last record.
  CHECK(reason(QueryHeader(2) + q) == "section counts larger than the message");
  CHECK(reason(QueryHeader(1, 0, 0, 40) + q) == "section counts larger than the message");
  CHECK(reason(QueryHeader() + q + Bytes({0})) == "octets after the last record");
  // Records: RDATA past the end, wrong A length, OPT rules.
  const std::string rr_head = Bytes({0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 5});
  CHECK(reason(QueryHeader(1, 1) + q + rr_head + Bytes({0, 4, 1, 2})) ==
        "RDATA runs past the end of the message");
  CHECK(reason(QueryHeader(1, 1) + q + rr_head + Bytes({0, 3, 1, 2, 3})) ==
        "A record RDATA is not 4 octets");
  const std::string opt = Bytes({0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0});
  CHECK(ParseMessage(QueryHeader(1, 0, 0, 1) + q + opt).ok());
  CHECK(reason(QueryHeader(1, 0, 0, 2) + q + opt + opt) == "more than one OPT record");
  CHECK(reason(QueryHeader(1, 1, 0, 0) + q + opt) == "OPT record outside the additional section");
  CHECK(reason(QueryHeader(1, 0, 0, 1) + q + Bytes({1, 'x'}) + opt) ==
        "OPT record not owned by the root");
  CHECK(reason(QueryHeader(1, 0, 0, 1) + q + opt.substr(0, 9) + Bytes({0, 3, 0, 1, 0})) ==
        "EDNS option cut off");

  // Query rules on top.
  CHECK(ParseQuery(QueryHeader(0)).status().message() == "a query must have exactly one question");
  CHECK(ParseQuery(QueryHeader(2) + q + q).status().message() ==
        "a query must have exactly one question");
  std::string response = QueryHeader() + q;
  response[2] = static_cast<char>(0x81);
  CHECK(ParseQuery(response).status().message() == "a response, not a query");
  CHECK(
      ParseQuery(QueryHeader(1, 1) + q + rr_head + Bytes({0, 4, 1, 2, 3, 4})).status().message() ==
      "a query must not carry answer or authority records");
}

TEST_CASE("EDNS fields are read from the OPT record") {
  // Payload 4096, extended rcode 0, version 0, DO set, one cookie option of 8 octets.
  const std::string opt =
      Bytes({0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 12, 0, 10, 0, 8}) + std::string(8, 'c');
  auto m = ParseQuery(QueryHeader(1, 0, 0, 1) + Label("a") + Bytes({0, 0, 1, 0, 1}) + opt);
  REQUIRE(m.ok());
  REQUIRE(m->edns);
  CHECK(m->edns->udp_payload_size == 4096);
  CHECK(m->edns->dnssec_ok);
  CHECK(m->edns->version == 0);
  CHECK(m->edns->options.size() == 12);
  CHECK(m->additional.empty());
  m->SetFullRcode(rcode::kBadVers);
  CHECK(m->header.rcode == 0);
  CHECK(m->edns->extended_rcode == 1);
  CHECK(m->FullRcode() == rcode::kBadVers);
}

Message ManyAnswers(int count, bool edns) {
  Message m;
  m.header.qr = true;
  m.questions.push_back(Q("big.example", rrtype::kA));
  for (int i = 0; i < count; ++i) {
    m.answers.push_back(
        {N("big.example"), rrtype::kA, kClassIN, 5, AData{{10, 0, 0, static_cast<uint8_t>(i)}}});
  }
  if (edns) m.edns = Edns{1232};
  return m;
}

TEST_CASE("Answers over the size limit are cut at a whole record and TC is set") {
  // 12 header + 17 question; every A record with a compressed owner takes 16 octets.
  EncodeResult e = Encode(ManyAnswers(40, false), 512);
  CHECK(e.truncated);
  CHECK(e.wire.size() == 12 + 17 + 30 * 16);
  auto m = ParseMessage(e.wire);
  REQUIRE(m.ok());
  CHECK(m->header.tc);
  CHECK(m->answers.size() == 30);
  // With EDNS the OPT record (11 octets) is kept: one record fewer fits.
  e = Encode(ManyAnswers(40, true), 512);
  m = ParseMessage(e.wire);
  REQUIRE(m.ok());
  CHECK(m->header.tc);
  CHECK(m->answers.size() == 29);
  CHECK(m->edns);
  // Exactly at the limit is not truncated.
  e = Encode(ManyAnswers(30, false), 512);
  CHECK_FALSE(e.truncated);
  CHECK(e.wire.size() == 509);
  // Additional records that do not fit are dropped without TC.
  Message add = ManyAnswers(1, false);
  for (int i = 0; i < 40; ++i) add.additional.push_back(add.answers[0]);
  e = Encode(add, 512);
  m = ParseMessage(e.wire);
  REQUIRE(m.ok());
  CHECK_FALSE(m->header.tc);
  CHECK(m->answers.size() == 1);
  CHECK(m->additional.size() == 29);
}

}  // namespace
}  // namespace skiff::net::dns
