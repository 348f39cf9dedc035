// Parsing of DNS messages (see dns_message.h for the rules); encoding is dns_message_encode.cc.
#include "net/dns/dns_message.h"

#include <string>

namespace skiff::net::dns {
namespace {

Status Malformed(std::string what) { return InvalidArgumentError(std::move(what)); }

// A bounds-checked cursor over the message. Every read checks the remaining length first.
class Reader {
 public:
  explicit Reader(std::string_view wire) : w_(wire) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return w_.size() - pos_; }

  bool U8(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = static_cast<uint8_t>(w_[pos_]);
    pos_ += 1;
    return true;
  }
  bool U16(uint16_t* v) {
    if (remaining() < 2) return false;
    *v = static_cast<uint16_t>((static_cast<uint8_t>(w_[pos_]) << 8) |
                               static_cast<uint8_t>(w_[pos_ + 1]));
    pos_ += 2;
    return true;
  }
  bool U32(uint32_t* v) {
    uint16_t hi = 0, lo = 0;
    if (remaining() < 4 || !U16(&hi) || !U16(&lo)) return false;
    *v = (static_cast<uint32_t>(hi) << 16) | lo;
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = w_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  // A possibly compressed name starting at the cursor. The cursor moves past the name's
  // in-place octets (up to and including the first pointer).
  Status ReadName(Name* out) {
    std::string wire;
    size_t p = pos_;
    size_t resume = 0;  // where the cursor continues after the first pointer (0 = none yet)
    int hops = 0;
    while (true) {
      if (p >= w_.size()) return Malformed("name runs past the end of the message");
      const auto len = static_cast<uint8_t>(w_[p]);
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= w_.size()) return Malformed("compression pointer cut off");
        const size_t target =
            (static_cast<size_t>(len & 0x3F) << 8) | static_cast<uint8_t>(w_[p + 1]);
        if (target < kHeaderSize) return Malformed("compression pointer into the header");
        if (target >= p) return Malformed("compression pointer does not point backwards");
        if (++hops > kMaxPointerHops) return Malformed("too many compression pointers");
        if (resume == 0) resume = p + 2;
        p = target;
        continue;
      }
      if ((len & 0xC0) != 0) return Malformed("unsupported label type");
      if (len == 0) {
        wire.push_back('\0');
        if (wire.size() > kMaxNameLength) return Malformed("name longer than 255 octets");
        pos_ = resume != 0 ? resume : p + 1;
        *out = Name::FromValidWire(std::move(wire));
        return Status::Ok();
      }
      if (p + 1 + len > w_.size()) return Malformed("label runs past the end of the message");
      if (wire.size() + 1 + len + 1 > kMaxNameLength) {
        return Malformed("name longer than 255 octets");
      }
      wire.append(w_.data() + p, len + 1);
      p += len + 1;
    }
  }

 private:
  std::string_view w_;
  size_t pos_ = 0;
};

Status ReadQuestion(Reader& r, Question* q) {
  if (Status s = r.ReadName(&q->name); !s.ok()) return s;
  if (!r.U16(&q->type) || !r.U16(&q->qclass)) return Malformed("question cut off");
  return Status::Ok();
}

// Decodes RDATA of `type` spanning exactly rdlength octets at the cursor.
Status ReadRdata(Reader& r, uint16_t type, uint16_t rdlength, Rdata* out) {
  const size_t start = r.pos();
  if (r.remaining() < rdlength) return Malformed("RDATA runs past the end of the message");
  const size_t end = start + rdlength;
  auto exact = [&]() -> Status {
    return r.pos() == end ? Status::Ok() : Malformed("RDATA length does not match its content");
  };
  auto read_name = [&](Name* n) -> Status {
    if (Status s = r.ReadName(n); !s.ok()) return s;
    return r.pos() <= end ? Status::Ok() : Malformed("name runs past its RDATA");
  };
  switch (type) {
    case rrtype::kA: {
      if (rdlength != 4) return Malformed("A record RDATA is not 4 octets");
      AData a;
      std::string_view b;
      r.Bytes(4, &b);
      for (size_t i = 0; i < 4; ++i) a.address[i] = static_cast<uint8_t>(b[i]);
      *out = a;
      return Status::Ok();
    }
    case rrtype::kAAAA: {
      if (rdlength != 16) return Malformed("AAAA record RDATA is not 16 octets");
      AaaaData a;
      std::string_view b;
      r.Bytes(16, &b);
      for (size_t i = 0; i < 16; ++i) a.address[i] = static_cast<uint8_t>(b[i]);
      *out = a;
      return Status::Ok();
    }
    case rrtype::kNS:
    case rrtype::kCNAME:
    case rrtype::kPTR: {
      NameData d;
      if (Status s = read_name(&d.target); !s.ok()) return s;
      *out = std::move(d);
      return exact();
    }
    case rrtype::kMX: {
      MxData d;
      if (rdlength < 3 || !r.U16(&d.preference)) return Malformed("MX RDATA cut off");
      if (Status s = read_name(&d.exchange); !s.ok()) return s;
      *out = std::move(d);
      return exact();
    }
    case rrtype::kSOA: {
      SoaData d;
      if (Status s = read_name(&d.mname); !s.ok()) return s;
      if (Status s = read_name(&d.rname); !s.ok()) return s;
      if (end - r.pos() != 20) return Malformed("SOA RDATA length does not match its content");
      r.U32(&d.serial), r.U32(&d.refresh), r.U32(&d.retry), r.U32(&d.expire), r.U32(&d.minimum);
      *out = std::move(d);
      return Status::Ok();
    }
    case rrtype::kSRV: {
      SrvData d;
      if (rdlength < 7) return Malformed("SRV RDATA cut off");
      r.U16(&d.priority), r.U16(&d.weight), r.U16(&d.port);
      if (Status s = read_name(&d.target); !s.ok()) return s;
      *out = std::move(d);
      return exact();
    }
    case rrtype::kTXT: {
      TxtData d;
      while (r.pos() < end) {
        uint8_t len = 0;
        std::string_view s;
        r.U8(&len);
        if (r.pos() + len > end || !r.Bytes(len, &s)) return Malformed("TXT string cut off");
        d.strings.emplace_back(s);
      }
      if (d.strings.empty()) return Malformed("TXT record without a string");
      *out = std::move(d);
      return Status::Ok();
    }
    default: {
      std::string_view b;
      r.Bytes(rdlength, &b);
      *out = RawData{std::string(b)};
      return Status::Ok();
    }
  }
}

Status ReadOpt(const ResourceRecord& rr, Edns* e) {
  if (!rr.name.IsRoot()) return Malformed("OPT record not owned by the root");
  e->udp_payload_size = rr.rclass;
  e->extended_rcode = static_cast<uint8_t>(rr.ttl >> 24);
  e->version = static_cast<uint8_t>(rr.ttl >> 16);
  e->dnssec_ok = (rr.ttl & 0x8000) != 0;
  e->options = std::get<RawData>(rr.data).bytes;
  // The options must be well-formed {code, length, data} triples.
  Reader r(e->options);
  while (r.remaining() > 0) {
    uint16_t code = 0, len = 0;
    std::string_view data;
    if (!r.U16(&code) || !r.U16(&len) || !r.Bytes(len, &data)) {
      return Malformed("EDNS option cut off");
    }
  }
  return Status::Ok();
}

Status ReadRecord(Reader& r, ResourceRecord* rr) {
  if (Status s = r.ReadName(&rr->name); !s.ok()) return s;
  uint16_t rdlength = 0;
  if (!r.U16(&rr->type) || !r.U16(&rr->rclass) || !r.U32(&rr->ttl) || !r.U16(&rdlength)) {
    return Malformed("resource record header cut off");
  }
  // OPT RDATA stays raw (its options are checked in ReadOpt).
  return ReadRdata(r, rr->type == rrtype::kOPT ? uint16_t{0xFFFF} : rr->type, rdlength, &rr->data);
}

}  // namespace

uint16_t Message::FullRcode() const {
  return static_cast<uint16_t>((edns ? edns->extended_rcode << 4 : 0) | (header.rcode & 0xF));
}

void Message::SetFullRcode(uint16_t code) {
  header.rcode = static_cast<uint8_t>(code & 0xF);
  if (edns) edns->extended_rcode = static_cast<uint8_t>(code >> 4);
}

Result<Header> ParseHeader(std::string_view wire) {
  if (wire.size() < kHeaderSize) return Malformed("message shorter than the 12-octet header");
  Reader r(wire);
  Header h;
  uint16_t flags = 0;
  r.U16(&h.id), r.U16(&flags), r.U16(&h.qdcount), r.U16(&h.ancount), r.U16(&h.nscount),
      r.U16(&h.arcount);
  h.qr = (flags & 0x8000) != 0;
  h.opcode = static_cast<uint8_t>((flags >> 11) & 0xF);
  h.aa = (flags & 0x0400) != 0;
  h.tc = (flags & 0x0200) != 0;
  h.rd = (flags & 0x0100) != 0;
  h.ra = (flags & 0x0080) != 0;
  h.ad = (flags & 0x0020) != 0;
  h.cd = (flags & 0x0010) != 0;
  h.rcode = static_cast<uint8_t>(flags & 0xF);
  return h;
}

Result<Message> ParseMessage(std::string_view wire) {
  auto header = ParseHeader(wire);
  if (!header.ok()) return header.status();
  Message m;
  m.header = *header;
  Reader r(wire);
  std::string_view skip;
  r.Bytes(kHeaderSize, &skip);
  // Each question takes at least 5 octets and each record 11: refuse impossible counts before
  // reserving anything.
  const size_t min_needed = size_t{m.header.qdcount} * 5 +
                            (size_t{m.header.ancount} + m.header.nscount + m.header.arcount) * 11;
  if (min_needed > r.remaining()) return Malformed("section counts larger than the message");
  m.questions.resize(m.header.qdcount);
  for (Question& q : m.questions) {
    if (Status s = ReadQuestion(r, &q); !s.ok()) return s;
  }
  auto read_section = [&](uint16_t count, std::vector<ResourceRecord>* out,
                          bool additional) -> Status {
    out->reserve(count);
    for (uint16_t i = 0; i < count; ++i) {
      ResourceRecord rr;
      if (Status s = ReadRecord(r, &rr); !s.ok()) return s;
      if (rr.type == rrtype::kOPT) {
        if (!additional) return Malformed("OPT record outside the additional section");
        if (m.edns) return Malformed("more than one OPT record");
        Edns e;
        if (Status s = ReadOpt(rr, &e); !s.ok()) return s;
        m.edns = std::move(e);
        continue;
      }
      out->push_back(std::move(rr));
    }
    return Status::Ok();
  };
  if (Status s = read_section(m.header.ancount, &m.answers, false); !s.ok()) return s;
  if (Status s = read_section(m.header.nscount, &m.authority, false); !s.ok()) return s;
  if (Status s = read_section(m.header.arcount, &m.additional, true); !s.ok()) return s;
  if (r.remaining() != 0) return Malformed("octets after the last record");
  return m;
}

Result<Message> ParseQuery(std::string_view wire) {
  auto m = ParseMessage(wire);
  if (!m.ok()) return m;
  if (m->header.qr) return Malformed("a response, not a query");
  if (m->questions.size() != 1) return Malformed("a query must have exactly one question");
  if (!m->answers.empty() || !m->authority.empty()) {
    return Malformed("a query must not carry answer or authority records");
  }
  return m;
}

std::string TypeName(uint16_t type) {
  switch (type) {
    case rrtype::kA:
      return "A";
    case rrtype::kNS:
      return "NS";
    case rrtype::kCNAME:
      return "CNAME";
    case rrtype::kSOA:
      return "SOA";
    case rrtype::kPTR:
      return "PTR";
    case rrtype::kMX:
      return "MX";
    case rrtype::kTXT:
      return "TXT";
    case rrtype::kAAAA:
      return "AAAA";
    case rrtype::kSRV:
      return "SRV";
    case rrtype::kOPT:
      return "OPT";
    case rrtype::kIXFR:
      return "IXFR";
    case rrtype::kAXFR:
      return "AXFR";
    case rrtype::kANY:
      return "ANY";
    default:
      return "TYPE" + std::to_string(type);
  }
}

}  // namespace skiff::net::dns
