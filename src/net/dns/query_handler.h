// What the DNS server does with one received message, without any I/O: answer it from the
// cluster zone, reject it, or hand it to the forwarder.
//
//   fewer than 12 octets, or the QR bit set   dropped (never answer a response: loops)
//   opcode other than QUERY                   NOTIMP (RFC 1035 4.1.1)
//   anything malformed past the header        FORMERR (header only)
//   EDNS version above 0                      BADVERS (RFC 6891 6.1.3)
//   class other than IN; AXFR/IXFR            REFUSED
//   a name in the cluster zone (or ours in    the zone's answer, AA set; an ExternalName to an
//   a reverse zone)                           outside name is completed with the upstream's
//                                             answer for the target (kChase)
//   anything else                             forwarded as received (kForward)
//
// UDP answers fit 512 octets, or the client's EDNS payload size capped at
// max_udp_payload; larger ones are truncated with TC set, so the client retries over TCP.
//
// Thread-safety: Handle and the Finish functions are const and may run on many threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/dns/cluster_records.h"
#include "net/dns/dns_message.h"

namespace skiff::net::dns {

struct QueryHandlerOptions {
  uint16_t max_udp_payload = 1232;  // what we advertise and the most a UDP answer takes
};

struct Decision {
  enum class Action { kDrop, kReply, kForward, kChase };
  Action action = Action::kDrop;
  std::string reply;     // kReply: the response
  std::string upstream;  // kForward: the client's query as received; kChase: a query for chase
  Message query;         // kForward, kChase: the parsed query
  ZoneAnswer partial;    // kChase: the zone's part of the answer (ending in the CNAME)
  size_t reply_limit = kMaxUdpPayloadWithoutEdns;  // the most the client's transport takes
  bool zone = false;                               // the cluster zone answered (kReply, kChase)
};

class QueryHandler {
 public:
  // `records` must outlive the handler.
  explicit QueryHandler(const ClusterRecords& records, QueryHandlerOptions options = {});

  Decision Handle(std::string_view packet, bool tcp) const;
  // The response for a kForward decision, from the forwarder's reply (nullopt: SERVFAIL).
  std::string FinishForward(const Decision& d, const std::optional<std::string>& reply) const;
  // The response for a kChase decision: the zone's records, then the upstream's answer for
  // the CNAME target with its rcode (nullopt or a malformed reply: SERVFAIL).
  std::string FinishChase(const Decision& d, const std::optional<std::string>& reply) const;

 private:
  std::string Respond(const Message& query, ZoneAnswer answer, size_t limit) const;
  std::string Error(const Message& query, uint16_t code, size_t limit) const;

  const ClusterRecords& records_;
  const QueryHandlerOptions options_;
};

}  // namespace skiff::net::dns
