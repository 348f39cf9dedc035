// QueryHandler: what each kind of message gets, before any socket is involved.
#include "net/dns/query_handler.h"

#include <catch2/catch.hpp>

#include "cluster_objects.h"
#include "dns_test_util.h"

namespace skiff::net::dns {
namespace {

using namespace testing;
using Action = Decision::Action;

struct Handler {
  std::unique_ptr<ClusterRecords> records = ClusterRecords::Create({}).value();
  QueryHandler handler{*records};

  Handler() {
    std::vector<EndpointSpec> eps;
    for (int i = 0; i < 60; ++i) eps.push_back({{"10.42.1." + std::to_string(i + 1)}, "", true});
    json slice = SliceJson("default", "big", "big-1", "IPv4", eps, {});
    json svc = ServiceJson("default", "big", {"None"}, {});
    records->UpsertService(svc, {&slice});
    records->UpsertService(ServiceJson("default", "kubernetes", {"10.43.0.1"}, {}), {});
    records->UpsertService(ExternalNameJson("default", "ext", "www.example.test"), {});
  }

  Message Reply(const Decision& d) {
    REQUIRE(d.action == Action::kReply);
    auto m = ParseMessage(d.reply);
    REQUIRE(m.ok());
    return std::move(m).value();
  }
};

std::string Query(const std::string& name, uint16_t type, std::optional<Edns> edns = {}) {
  return Encode(MakeQuery(0x4242, Q(name, type), edns)).wire;
}

TEST_CASE("Cluster names are answered authoritatively with the query's id and question") {
  Handler h;
  Decision d = h.handler.Handle(Query("Kubernetes.default.svc.cluster.local", rrtype::kA), false);
  CHECK(d.zone);
  Message m = h.Reply(d);
  CHECK(m.header.id == 0x4242);
  CHECK(m.header.qr);
  CHECK(m.header.aa);
  CHECK(m.header.rd);
  CHECK(m.header.ra);
  CHECK(m.FullRcode() == rcode::kNoError);
  REQUIRE(m.questions.size() == 1);
  CHECK(m.questions[0].name.ToText() == "Kubernetes.default.svc.cluster.local.");
  CHECK(ShowAll(m.answers) ==
        std::vector<std::string>{"Kubernetes.default.svc.cluster.local. 5 A 10.43.0.1"});
  CHECK_FALSE(m.edns);  // none asked, none given
  // With EDNS the answer advertises our payload size.
  m = h.Reply(h.handler.Handle(
      Query("kubernetes.default.svc.cluster.local", rrtype::kA, Edns{4096}), false));
  REQUIRE(m.edns);
  CHECK(m.edns->udp_payload_size == 1232);
  // NXDOMAIN carries the SOA.
  m = h.Reply(h.handler.Handle(Query("nope.default.svc.cluster.local", rrtype::kA), false));
  CHECK(m.FullRcode() == rcode::kNxDomain);
  CHECK(m.authority.size() == 1);
  CHECK(m.authority[0].type == rrtype::kSOA);
}

TEST_CASE("Bad messages are dropped or answered FORMERR, NOTIMP, REFUSED or BADVERS") {
  Handler h;
  CHECK(h.handler.Handle("short", false).action == Action::kDrop);
  std::string response = Query("a.example", rrtype::kA);
  response[2] = static_cast<char>(response[2] | 0x80);  // QR: never answer a response
  CHECK(h.handler.Handle(response, false).action == Action::kDrop);

  // A header with garbage behind it: FORMERR, header only, same id.
  Message m = h.Reply(h.handler.Handle(QueryHeader() + Bytes({0xC0, 12, 0, 1, 0, 1}), false));
  CHECK(m.header.id == 0x1234);
  CHECK(m.FullRcode() == rcode::kFormErr);
  CHECK(m.questions.empty());
  m = h.Reply(h.handler.Handle(QueryHeader(0), false));
  CHECK(m.FullRcode() == rcode::kFormErr);

  // Opcodes other than QUERY (STATUS 2, NOTIFY 4, UPDATE 5): NOTIMP, opcode echoed.
  for (int opcode : {1, 2, 4, 5}) {
    std::string q = Query("a.example", rrtype::kA);
    q[2] = static_cast<char>((q[2] & 0x87) | (opcode << 3));
    m = h.Reply(h.handler.Handle(q, false));
    CHECK(m.FullRcode() == rcode::kNotImp);
    CHECK(m.header.opcode == opcode);
  }

  // Class CHAOS, zone transfers: REFUSED.
  Message chaos = MakeQuery(1, Q("version.bind", rrtype::kTXT));
  chaos.questions[0].qclass = 3;
  m = h.Reply(h.handler.Handle(Encode(chaos).wire, false));
  CHECK(m.FullRcode() == rcode::kRefused);
  m = h.Reply(h.handler.Handle(Query("cluster.local", rrtype::kAXFR), true));
  CHECK(m.FullRcode() == rcode::kRefused);

  // EDNS version 1: BADVERS (16) through the OPT record's extended rcode.
  Edns v1;
  v1.version = 1;
  m = h.Reply(
      h.handler.Handle(Query("kubernetes.default.svc.cluster.local", rrtype::kA, v1), false));
  REQUIRE(m.edns);
  CHECK(m.FullRcode() == rcode::kBadVers);
  CHECK(m.edns->version == 0);
  CHECK(m.answers.empty());
}

TEST_CASE("UDP answers are truncated to 512 octets or the EDNS size, TCP ones are whole") {
  Handler h;
  const std::string big = "big.default.svc.cluster.local";
  // 60 A records of 16 octets do not fit 512.
  Message m = h.Reply(h.handler.Handle(Query(big, rrtype::kA), false));
  CHECK(m.header.tc);
  CHECK(m.answers.size() == (512 - 12 - 35) / 16);
  // EDNS 4096 is capped at our 1232: all 60 (12 + 35 + 960 + 11 octets) fit.
  m = h.Reply(h.handler.Handle(Query(big, rrtype::kA, Edns{4096}), false));
  CHECK_FALSE(m.header.tc);
  CHECK(m.answers.size() == 60);
  // An EDNS size under 512 counts as 512.
  m = h.Reply(h.handler.Handle(Query(big, rrtype::kA, Edns{100}), false));
  CHECK(m.header.tc);
  CHECK(m.answers.size() == (512 - 12 - 35 - 11) / 16);
  m = h.Reply(h.handler.Handle(Query(big, rrtype::kA), true));
  CHECK_FALSE(m.header.tc);
  CHECK(m.answers.size() == 60);
}

TEST_CASE("Other names are forwarded as received and the reply fitted to the client") {
  Handler h;
  const std::string q = Query("www.example.test", rrtype::kA);
  Decision d = h.handler.Handle(q, false);
  REQUIRE(d.action == Action::kForward);
  CHECK(d.upstream == q);
  CHECK_FALSE(d.zone);
  // No upstream answered: SERVFAIL.
  auto m = ParseMessage(h.handler.FinishForward(d, std::nullopt));
  REQUIRE(m.ok());
  CHECK(m->FullRcode() == rcode::kServFail);
  CHECK(m->header.id == 0x4242);
  // A reply that fits is relayed as it is.
  Message reply = MakeResponse(*ParseQuery(q), 1232);
  reply.answers.push_back(
      {N("www.example.test"), rrtype::kA, kClassIN, 300, AData{{192, 0, 2, 1}}});
  const std::string wire = Encode(reply).wire;
  CHECK(h.handler.FinishForward(d, wire) == wire);
  // One too big for UDP becomes a truncated, empty answer.
  for (int i = 0; i < 40; ++i) reply.answers.push_back(reply.answers[0]);
  m = ParseMessage(h.handler.FinishForward(d, Encode(reply).wire));
  REQUIRE(m.ok());
  CHECK(m->header.tc);
  CHECK(m->answers.empty());
  CHECK(m->questions[0].name.ToText() == "www.example.test.");
}

TEST_CASE("An ExternalName outside the zone is completed with the upstream's answer") {
  Handler h;
  Decision d = h.handler.Handle(Query("ext.default.svc.cluster.local", rrtype::kA), false);
  REQUIRE(d.action == Action::kChase);
  auto upstream_q = ParseQuery(d.upstream);
  REQUIRE(upstream_q.ok());
  CHECK(upstream_q->questions[0].name.ToText() == "www.example.test.");
  CHECK(upstream_q->questions[0].type == rrtype::kA);
  CHECK(upstream_q->header.rd);

  Message up = MakeResponse(*upstream_q, 1232);
  up.answers.push_back({N("www.example.test"), rrtype::kA, kClassIN, 60, AData{{192, 0, 2, 7}}});
  auto m = ParseMessage(h.handler.FinishChase(d, Encode(up).wire));
  REQUIRE(m.ok());
  CHECK(m->header.id == 0x4242);
  CHECK(m->FullRcode() == rcode::kNoError);
  CHECK(ShowAll(m->answers) ==
        std::vector<std::string>{"ext.default.svc.cluster.local. 5 CNAME www.example.test.",
                                 "www.example.test. 60 A 192.0.2.7"});
  // The target does not exist upstream: NXDOMAIN with the CNAME.
  up.answers.clear();
  up.header.rcode = rcode::kNxDomain;
  m = ParseMessage(h.handler.FinishChase(d, Encode(up).wire));
  CHECK(m->FullRcode() == rcode::kNxDomain);
  CHECK(m->answers.size() == 1);
  // Nobody answered: SERVFAIL with the CNAME.
  m = ParseMessage(h.handler.FinishChase(d, std::nullopt));
  CHECK(m->FullRcode() == rcode::kServFail);
  CHECK(m->answers.size() == 1);
}

}  // namespace
}  // namespace skiff::net::dns
