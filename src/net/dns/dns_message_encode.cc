// Encoding of DNS messages with name compression and truncation (see dns_message.h).
#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "net/dns/dns_message.h"

namespace skiff::net::dns {
namespace {

constexpr size_t kMaxPointerOffset = 0x3FFF;
constexpr size_t kOptSize = 11;  // root name, type, class, ttl, rdlength (options extra)

class Writer {
 public:
  explicit Writer(size_t reserve) { out_.reserve(reserve); }

  std::string& out() { return out_; }
  size_t size() const { return out_.size(); }

  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) {
    out_.push_back(static_cast<char>(v >> 8));
    out_.push_back(static_cast<char>(v & 0xFF));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v >> 16));
    U16(static_cast<uint16_t>(v & 0xFFFF));
  }
  void PutU16(size_t at, uint16_t v) {
    out_[at] = static_cast<char>(v >> 8);
    out_[at + 1] = static_cast<char>(v & 0xFF);
  }
  void Bytes(std::string_view b) { out_.append(b); }

  // Writes `name`, pointing at an earlier copy of its longest known suffix when there is one.
  // Suffixes written here become pointer targets, also when `compress` is false. The name
  // must outlive the writer (suffixes are kept as views).
  void WriteName(const Name& name, bool compress) {
    const std::string& w = name.wire();
    size_t pos = 0;
    while (w[pos] != 0) {
      std::string_view suffix = std::string_view(w).substr(pos);
      if (compress) {
        for (const auto& [offset, known] : known_) {
          // Exact octets: a pointer must not change the spelling (RFC 4343 keeps case).
          if (known == suffix) {
            U16(static_cast<uint16_t>(0xC000 | offset));
            return;
          }
        }
      }
      if (out_.size() <= kMaxPointerOffset) known_.emplace_back(out_.size(), suffix);
      const size_t len = static_cast<uint8_t>(w[pos]);
      out_.append(w, pos, len + 1);
      pos += len + 1;
    }
    U8(0);
  }

  // Drops everything from `size` on (and the compression targets in it).
  void Truncate(size_t size) {
    out_.resize(size);
    std::erase_if(known_, [&](const auto& k) { return k.first >= size; });
  }

 private:
  std::string out_;
  // Where each name suffix written so far starts, with its uncompressed form.
  std::vector<std::pair<size_t, std::string_view>> known_;
};

void WriteRdata(Writer& w, const Rdata& data) {
  std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, AData> || std::is_same_v<T, AaaaData>) {
          w.Bytes(
              std::string_view(reinterpret_cast<const char*>(d.address.data()), d.address.size()));
        } else if constexpr (std::is_same_v<T, NameData>) {
          w.WriteName(d.target, true);
        } else if constexpr (std::is_same_v<T, MxData>) {
          w.U16(d.preference);
          w.WriteName(d.exchange, true);
        } else if constexpr (std::is_same_v<T, SoaData>) {
          w.WriteName(d.mname, true);
          w.WriteName(d.rname, true);
          w.U32(d.serial), w.U32(d.refresh), w.U32(d.retry), w.U32(d.expire), w.U32(d.minimum);
        } else if constexpr (std::is_same_v<T, SrvData>) {
          w.U16(d.priority), w.U16(d.weight), w.U16(d.port);
          w.WriteName(d.target, false);  // RFC 2782: no compression of the target
        } else if constexpr (std::is_same_v<T, TxtData>) {
          for (const std::string& s : d.strings) {
            const size_t n = std::min<size_t>(s.size(), 255);
            w.U8(static_cast<uint8_t>(n));
            w.Bytes(std::string_view(s).substr(0, n));
          }
        } else {
          w.Bytes(d.bytes);
        }
      },
      data);
}

void WriteRecord(Writer& w, const ResourceRecord& rr) {
  w.WriteName(rr.name, true);
  w.U16(rr.type);
  w.U16(rr.rclass);
  w.U32(rr.ttl);
  const size_t len_at = w.size();
  w.U16(0);
  WriteRdata(w, rr.data);
  w.PutU16(len_at, static_cast<uint16_t>(w.size() - len_at - 2));
}

uint16_t Flags(const Header& h) {
  uint16_t f = 0;
  if (h.qr) f |= 0x8000;
  f |= static_cast<uint16_t>((h.opcode & 0xF) << 11);
  if (h.aa) f |= 0x0400;
  if (h.tc) f |= 0x0200;
  if (h.rd) f |= 0x0100;
  if (h.ra) f |= 0x0080;
  if (h.ad) f |= 0x0020;
  if (h.cd) f |= 0x0010;
  f |= h.rcode & 0xF;
  return f;
}

}  // namespace

EncodeResult Encode(const Message& m, size_t max_size) {
  Writer w(512);
  w.U16(m.header.id);
  w.U16(0);  // flags, once TC is known
  w.U16(static_cast<uint16_t>(m.questions.size()));
  w.U16(0), w.U16(0), w.U16(0);
  for (const Question& q : m.questions) {
    w.WriteName(q.name, true);
    w.U16(q.type);
    w.U16(q.qclass);
  }
  const size_t opt_size = m.edns ? kOptSize + m.edns->options.size() : 0;
  const size_t limit = max_size > opt_size ? max_size - opt_size : 0;

  bool truncated = false;
  uint16_t counts[3] = {0, 0, 0};
  const std::vector<ResourceRecord>* sections[3] = {&m.answers, &m.authority, &m.additional};
  for (int s = 0; s < 3 && !truncated; ++s) {
    for (const ResourceRecord& rr : *sections[s]) {
      const size_t before = w.size();
      WriteRecord(w, rr);
      if (w.size() > limit) {
        w.Truncate(before);
        // Missing additional records do not make the answer incomplete (RFC 2181 9).
        if (s < 2) truncated = true;
        break;
      }
      ++counts[s];
    }
  }
  uint16_t arcount = counts[2];
  if (m.edns) {
    w.U8(0);  // root
    w.U16(rrtype::kOPT);
    w.U16(m.edns->udp_payload_size);
    w.U32((static_cast<uint32_t>(m.edns->extended_rcode) << 24) |
          (static_cast<uint32_t>(m.edns->version) << 16) | (m.edns->dnssec_ok ? 0x8000u : 0u));
    w.U16(static_cast<uint16_t>(m.edns->options.size()));
    w.Bytes(m.edns->options);
    ++arcount;
  }
  Header h = m.header;
  h.tc = h.tc || truncated;
  w.PutU16(2, Flags(h));
  w.PutU16(6, counts[0]);
  w.PutU16(8, counts[1]);
  w.PutU16(10, arcount);
  return {std::move(w.out()), truncated};
}

Message MakeQuery(uint16_t id, const Question& q, std::optional<Edns> edns) {
  Message m;
  m.header.id = id;
  m.header.rd = true;
  m.questions.push_back(q);
  m.edns = std::move(edns);
  return m;
}

Message MakeResponse(const Message& query, uint16_t udp_payload_size) {
  Message m;
  m.header.id = query.header.id;
  m.header.qr = true;
  m.header.opcode = query.header.opcode;
  m.header.rd = query.header.rd;
  m.header.cd = query.header.cd;
  m.header.ra = true;
  m.questions = query.questions;
  if (query.edns) {
    Edns e;
    e.udp_payload_size = udp_payload_size;
    e.dnssec_ok = query.edns->dnssec_ok;
    m.edns = e;
  }
  return m;
}

}  // namespace skiff::net::dns
