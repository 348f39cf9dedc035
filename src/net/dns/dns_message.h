// The DNS message wire format: RFC 1035 (header, question, resource records, name
// compression), RFC 3596 (AAAA), RFC 2782 (SRV) and RFC 6891 (the EDNS0 OPT record).
//
// Parsing is strict and bounds-checked on every read; it never reads outside the input and
// never throws, whatever the bytes: compression pointers must point backwards (to an earlier
// offset, after the header) and are followed at most kMaxPointerHops times; labels are at most
// 63 octets and names at most 255; counts must be satisfied by the packet and nothing may
// follow the last record; at most one OPT record, owned by the root, in the additional section.
// The RDATA of the types below is decoded (names in it decompressed); other types keep their
// RDATA octets (RFC 3597 forbids compression in those).
//
// Encoding compresses names (owner names and the names in NS, CNAME, PTR, SOA and MX RDATA;
// not SRV targets, RFC 2782) onto earlier names with the same octets (so case survives), and
// truncates to a size limit: answer and authority records that
// do not fit are left out and TC is set; additional records that do not fit are left out
// without TC (RFC 2181 9); the OPT record is always kept.
//
// Plain values and free functions: thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/dns/dns_name.h"
#include "skiff/common/status.h"

namespace skiff::net::dns {

inline constexpr size_t kHeaderSize = 12;
inline constexpr int kMaxPointerHops = 64;
inline constexpr size_t kMaxUdpPayloadWithoutEdns = 512;

// Record types (RFC 1035 3.2.2, 3596, 2782, 6891).
namespace rrtype {
inline constexpr uint16_t kA = 1;
inline constexpr uint16_t kNS = 2;
inline constexpr uint16_t kCNAME = 5;
inline constexpr uint16_t kSOA = 6;
inline constexpr uint16_t kPTR = 12;
inline constexpr uint16_t kMX = 15;
inline constexpr uint16_t kTXT = 16;
inline constexpr uint16_t kAAAA = 28;
inline constexpr uint16_t kSRV = 33;
inline constexpr uint16_t kOPT = 41;
inline constexpr uint16_t kIXFR = 251;
inline constexpr uint16_t kAXFR = 252;
inline constexpr uint16_t kANY = 255;
}  // namespace rrtype

inline constexpr uint16_t kClassIN = 1;

// Response codes (RFC 1035 4.1.1; BADVERS from RFC 6891 needs the OPT record's upper bits).
namespace rcode {
inline constexpr uint16_t kNoError = 0;
inline constexpr uint16_t kFormErr = 1;
inline constexpr uint16_t kServFail = 2;
inline constexpr uint16_t kNxDomain = 3;
inline constexpr uint16_t kNotImp = 4;
inline constexpr uint16_t kRefused = 5;
inline constexpr uint16_t kBadVers = 16;
}  // namespace rcode

inline constexpr uint8_t kOpcodeQuery = 0;

struct Header {
  uint16_t id = 0;
  bool qr = false;  // a response
  uint8_t opcode = 0;
  bool aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  uint8_t rcode = 0;  // the header's 4 bits; see Message::FullRcode
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;  // as read (parse only)
};

struct Question {
  Name name;
  uint16_t type = rrtype::kA;
  uint16_t qclass = kClassIN;
};

struct AData {
  std::array<uint8_t, 4> address{};
};
struct AaaaData {
  std::array<uint8_t, 16> address{};
};
struct NameData {  // NS, CNAME, PTR
  Name target;
};
struct MxData {
  uint16_t preference = 0;
  Name exchange;
};
struct SoaData {
  Name mname, rname;
  uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
struct SrvData {
  uint16_t priority = 0, weight = 0, port = 0;
  Name target;
};
struct TxtData {
  std::vector<std::string> strings;  // each at most 255 octets
};
struct RawData {
  std::string bytes;
};
using Rdata = std::variant<RawData, AData, AaaaData, NameData, MxData, SoaData, SrvData, TxtData>;

struct ResourceRecord {
  Name name;
  uint16_t type = rrtype::kA;
  uint16_t rclass = kClassIN;
  uint32_t ttl = 0;
  Rdata data;
};

// The EDNS0 OPT pseudo-record (RFC 6891 6.1).
struct Edns {
  uint16_t udp_payload_size = 512;  // as sent (a receiver treats values under 512 as 512)
  uint8_t extended_rcode = 0;       // the upper 8 bits of the 12-bit rcode
  uint8_t version = 0;
  bool dnssec_ok = false;
  std::string options;  // the option TLVs, raw (checked to be well formed when parsed)
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;  // without the OPT record (see edns)
  std::optional<Edns> edns;

  // The 12-bit response code: the OPT record's extended bits and the header's 4.
  uint16_t FullRcode() const;
  // Sets header.rcode and, for codes over 15, edns->extended_rcode (edns must be present).
  void SetFullRcode(uint16_t code);
};

// The header alone (the first 12 octets); kInvalidArgument when shorter.
Result<Header> ParseHeader(std::string_view wire);
// Any message, strictly (see the top of this file). kInvalidArgument names what is wrong.
Result<Message> ParseMessage(std::string_view wire);
// A query as a server accepts one: ParseMessage plus QR clear, exactly one question and no
// answer or authority records.
Result<Message> ParseQuery(std::string_view wire);

struct EncodeResult {
  std::string wire;
  bool truncated = false;  // answer or authority records were left out (TC is set)
};
// Encodes `m` in at most `max_size` octets (at least the header, question and OPT record are
// always written, even past the limit). header.qdcount..arcount are ignored (computed).
EncodeResult Encode(const Message& m, size_t max_size = 65535);

// A fresh query for one question (RD set), e.g. to ask an upstream resolver.
Message MakeQuery(uint16_t id, const Question& q, std::optional<Edns> edns = std::nullopt);
// A response skeleton for `query`: same id, opcode, RD and CD, QR and RA set, the query's
// question and, when the query had one, an OPT record advertising `udp_payload_size`.
Message MakeResponse(const Message& query, uint16_t udp_payload_size);

// The readable form of a type ("A", "SRV", ... or "TYPE65").
std::string TypeName(uint16_t type);

}  // namespace skiff::net::dns
