// Helpers shared by the DNS tests: building names, questions and raw packets, and reading
// answers back in a compact text form ("kubernetes.default.svc.cluster.local. 5 A 10.43.0.1").
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "net/dns/dns_message.h"
#include "skiff/cli/ip.h"

namespace skiff::net::dns::testing {

inline Name N(const std::string& text) {
  auto n = Name::FromText(text);
  INFO(text);
  REQUIRE(n.ok());
  return std::move(n).value();
}

inline Question Q(const std::string& name, uint16_t type) { return Question{N(name), type}; }

inline std::string Ip(const uint8_t* b, size_t n) {
  cli::IpAddress ip;
  ip.family = n == 4 ? cli::IpFamily::kV4 : cli::IpFamily::kV6;
  std::copy_n(b, n, ip.bytes.begin());
  return ip.ToString();
}

// "owner ttl TYPE data" with the data as dig prints it.
inline std::string Show(const ResourceRecord& rr) {
  std::string data = std::visit(
      [](const auto& d) -> std::string {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, AData> || std::is_same_v<T, AaaaData>) {
          return Ip(d.address.data(), d.address.size());
        } else if constexpr (std::is_same_v<T, NameData>) {
          return d.target.ToText();
        } else if constexpr (std::is_same_v<T, MxData>) {
          return std::to_string(d.preference) + " " + d.exchange.ToText();
        } else if constexpr (std::is_same_v<T, SoaData>) {
          return d.mname.ToText() + " " + d.rname.ToText() + " " + std::to_string(d.refresh) + " " +
                 std::to_string(d.retry) + " " + std::to_string(d.expire) + " " +
                 std::to_string(d.minimum);
        } else if constexpr (std::is_same_v<T, SrvData>) {
          return std::to_string(d.priority) + " " + std::to_string(d.weight) + " " +
                 std::to_string(d.port) + " " + d.target.ToText();
        } else if constexpr (std::is_same_v<T, TxtData>) {
          std::string out;
          for (const auto& s : d.strings) out += (out.empty() ? "\"" : " \"") + s + "\"";
          return out;
        } else {
          return "raw:" + std::to_string(d.bytes.size());
        }
      },
      rr.data);
  return rr.name.ToText() + " " + std::to_string(rr.ttl) + " " + TypeName(rr.type) + " " + data;
}

inline std::vector<std::string> ShowAll(const std::vector<ResourceRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& rr : rrs) out.push_back(Show(rr));
  return out;
}

// Octets from a list of numbers and strings, e.g. Bytes({0x12, 0x34}) + Label("www").
inline std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

inline std::string Label(const std::string& l) {
  return std::string(1, static_cast<char>(l.size())) + l;
}

// A query header: id 0x1234, RD, the given counts.
inline std::string QueryHeader(int qd = 1, int an = 0, int ns = 0, int ar = 0) {
  return Bytes({0x12, 0x34, 0x01, 0x00, qd >> 8, qd & 0xFF, an >> 8, an & 0xFF, ns >> 8, ns & 0xFF,
                ar >> 8, ar & 0xFF});
}

}  // namespace skiff::net::dns::testing
