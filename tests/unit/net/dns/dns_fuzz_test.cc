// Random and mutated packets against the parser (built with AddressSanitizer and UBSan, see
// CMakeLists.txt): nothing may crash or read out of bounds, and whatever parses must encode
// and parse again to the same message.
#include <catch2/catch.hpp>
#include <random>

#include "dns_test_util.h"
#include "net/dns/dns_message.h"

namespace skiff::net::dns {
namespace {

using namespace testing;

// Parses `wire`; when it parses, the encoding parses again with the same records.
void Check(const std::string& wire, int* parsed) {
  auto m = ParseMessage(wire);
  (void)ParseQuery(wire);
  (void)ParseHeader(wire);
  if (!m.ok()) return;
  ++*parsed;
  std::string again = Encode(*m).wire;
  auto back = ParseMessage(again);
  INFO("re-encoded message does not parse: " << back.status().ToString());
  REQUIRE(back.ok());
  REQUIRE(ShowAll(back->answers) == ShowAll(m->answers));
  REQUIRE(ShowAll(back->authority) == ShowAll(m->authority));
  REQUIRE(ShowAll(back->additional) == ShowAll(m->additional));
  REQUIRE(back->questions.size() == m->questions.size());
  // Truncating to any size never produces something unparseable.
  for (size_t limit : {size_t{12}, size_t{64}, size_t{512}}) {
    REQUIRE(ParseMessage(Encode(*m, limit).wire).ok());
  }
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  Message r;
  r.header.qr = r.header.aa = true;
  r.questions.push_back(Q("_http._tcp.web.default.svc.cluster.local", rrtype::kSRV));
  const Name owner = N("_http._tcp.web.default.svc.cluster.local");
  r.answers.push_back({owner, rrtype::kSRV, kClassIN, 5,
                       SrvData{0, 50, 80, N("web-0.web.default.svc.cluster.local")}});
  r.answers.push_back({N("web.default.svc.cluster.local"), rrtype::kCNAME, kClassIN, 5,
                       NameData{N("www.example.com")}});
  r.authority.push_back(
      {N("cluster.local"), rrtype::kSOA, kClassIN, 5,
       SoaData{N("ns.dns.cluster.local"), N("hostmaster.cluster.local"), 1, 2, 3, 4, 5}});
  r.additional.push_back(
      {N("web-0.web.default.svc.cluster.local"), rrtype::kA, kClassIN, 5, AData{{10, 42, 0, 7}}});
  r.additional.push_back(
      {N("web-0.web.default.svc.cluster.local"), rrtype::kTXT, kClassIN, 5, TxtData{{"x", "yz"}}});
  r.edns = Edns{1232};
  seeds.push_back(Encode(r).wire);
  seeds.push_back(
      Encode(MakeQuery(9, Q("kubernetes.default.svc.cluster.local", rrtype::kA), Edns{4096})).wire);
  seeds.push_back(QueryHeader() + Label("a") + Bytes({0xC0, 12, 0, 1, 0, 1}));
  return seeds;
}

TEST_CASE("Thousands of random and mutated packets never crash the parser") {
  std::mt19937 rng(20240611);
  int parsed = 0;
  // Pure noise of every length up to 600 octets.
  for (int i = 0; i < 2000; ++i) {
    std::string wire(rng() % 600, '\0');
    for (char& c : wire) c = static_cast<char>(rng());
    if (wire.size() >= 12 && i % 2 == 0) {
      // Plausible counts make the parser go further than the header.
      wire[4] = 0, wire[5] = static_cast<char>(rng() % 3);
      wire[6] = 0, wire[7] = static_cast<char>(rng() % 4);
      wire[8] = 0, wire[9] = static_cast<char>(rng() % 3);
      wire[10] = 0, wire[11] = static_cast<char>(rng() % 3);
    }
    Check(wire, &parsed);
  }
  // Valid messages with bytes flipped, inserted, removed and cut off.
  const std::vector<std::string> seeds = Seeds();
  for (int i = 0; i < 6000; ++i) {
    std::string wire = seeds[static_cast<size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !wire.empty(); ++e) {
      const size_t at = rng() % wire.size();
      switch (rng() % 5) {
        case 0:
          wire[at] = static_cast<char>(rng());
          break;
        case 1:
          wire[at] = static_cast<char>(wire[at] ^ (1 << (rng() % 8)));
          break;
        case 2:
          wire.insert(at, 1, static_cast<char>(rng()));
          break;
        case 3:
          wire.erase(at, 1);
          break;
        case 4:
          wire.resize(at);
          break;
      }
    }
    Check(wire, &parsed);
  }
  // The seeds themselves parse, and some mutants still do: the round trip was exercised.
  for (const std::string& s : seeds) CHECK(ParseMessage(s).ok() == (s != seeds.back()));
  CHECK(parsed > 100);
}

}  // namespace
}  // namespace skiff::net::dns
