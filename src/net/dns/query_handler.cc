#include "net/dns/query_handler.h"

#include <algorithm>

namespace skiff::net::dns {
namespace {

// A header-only response (FORMERR, NOTIMP): the question may not even be readable.
std::string HeaderOnly(const Header& q, uint16_t code) {
  Message m;
  m.header.id = q.id;
  m.header.qr = true;
  m.header.opcode = q.opcode;
  m.header.rd = q.rd;
  m.header.rcode = static_cast<uint8_t>(code);
  return Encode(m).wire;
}

}  // namespace

QueryHandler::QueryHandler(const ClusterRecords& records, QueryHandlerOptions options)
    : records_(records), options_(options) {}

std::string QueryHandler::Error(const Message& query, uint16_t code, size_t limit) const {
  Message m = MakeResponse(query, options_.max_udp_payload);
  if (code > 15 && !m.edns) m.edns = Edns{options_.max_udp_payload};
  m.SetFullRcode(code);
  return Encode(m, limit).wire;
}

std::string QueryHandler::Respond(const Message& query, ZoneAnswer answer, size_t limit) const {
  Message m = MakeResponse(query, options_.max_udp_payload);
  m.header.aa = true;
  m.SetFullRcode(answer.rcode);
  m.answers = std::move(answer.answers);
  m.authority = std::move(answer.authority);
  m.additional = std::move(answer.additional);
  return Encode(m, limit).wire;
}

Decision QueryHandler::Handle(std::string_view packet, bool tcp) const {
  Decision d;
  auto header = ParseHeader(packet);
  if (!header.ok() || header->qr) return d;  // kDrop
  d.action = Decision::Action::kReply;
  if (header->opcode != kOpcodeQuery) {
    d.reply = HeaderOnly(*header, rcode::kNotImp);
    return d;
  }
  auto parsed = ParseQuery(packet);
  if (!parsed.ok()) {
    d.reply = HeaderOnly(*header, rcode::kFormErr);
    return d;
  }
  Message& query = *parsed;
  if (tcp) {
    d.reply_limit = 65535;
  } else if (query.edns) {
    d.reply_limit = std::clamp<size_t>(query.edns->udp_payload_size, kMaxUdpPayloadWithoutEdns,
                                       std::max<size_t>(options_.max_udp_payload, 512));
  }
  if (query.edns && query.edns->version != 0) {
    d.reply = Error(query, rcode::kBadVers, d.reply_limit);
    return d;
  }
  const Question& q = query.questions[0];
  if (q.type == rrtype::kOPT) {
    d.reply = Error(query, rcode::kFormErr, d.reply_limit);
    return d;
  }
  if (q.qclass != kClassIN || q.type == rrtype::kAXFR || q.type == rrtype::kIXFR) {
    d.reply = Error(query, rcode::kRefused, d.reply_limit);
    return d;
  }
  ZoneAnswer answer = records_.Lookup(q);
  if (!answer.authoritative) {
    d.action = Decision::Action::kForward;
    d.upstream = std::string(packet);
    d.query = std::move(query);
    return d;
  }
  d.zone = true;
  if (answer.chase) {
    d.action = Decision::Action::kChase;
    Edns e;
    e.udp_payload_size = options_.max_udp_payload;
    d.upstream = Encode(MakeQuery(0, *answer.chase, e)).wire;
    d.query = std::move(query);
    d.partial = std::move(answer);
    return d;
  }
  d.reply = Respond(query, std::move(answer), d.reply_limit);
  return d;
}

std::string QueryHandler::FinishForward(const Decision& d,
                                        const std::optional<std::string>& reply) const {
  if (!reply) return Error(d.query, rcode::kServFail, d.reply_limit);
  if (reply->size() <= d.reply_limit) return *reply;
  // Too large for the client's transport: tell it to come back over TCP.
  Message m = MakeResponse(d.query, options_.max_udp_payload);
  auto h = ParseHeader(*reply);
  if (h.ok()) {
    m.header.aa = h->aa;
    m.header.ra = h->ra;
    m.header.ad = h->ad;
    m.header.rcode = h->rcode;
  }
  m.header.tc = true;
  return Encode(m, d.reply_limit).wire;
}

std::string QueryHandler::FinishChase(const Decision& d,
                                      const std::optional<std::string>& reply) const {
  ZoneAnswer answer = d.partial;
  answer.chase.reset();
  Result<Message> upstream =
      reply ? ParseMessage(*reply) : Result<Message>(UnavailableError("no upstream answered"));
  if (!upstream.ok() || !upstream->header.qr) {
    answer.rcode = rcode::kServFail;
    return Respond(d.query, std::move(answer), d.reply_limit);
  }
  answer.rcode = upstream->FullRcode();
  for (auto& rr : upstream->answers) answer.answers.push_back(std::move(rr));
  if (upstream->answers.empty()) answer.authority = std::move(upstream->authority);
  return Respond(d.query, std::move(answer), d.reply_limit);
}

}  // namespace skiff::net::dns
