#include "net/dns/reverse_name.h"

#include <string>
#include <vector>

namespace skiff::net::dns {
namespace {

const char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decimal octet label: 1-3 digits, no leading zero (except "0"), at most 255.
int OctetValue(std::string_view l) {
  if (l.empty() || l.size() > 3) return -1;
  if (l.size() > 1 && l[0] == '0') return -1;
  int v = 0;
  for (char c : l) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v > 255 ? -1 : v;
}

Name Suffixed(const std::vector<std::string>& labels, const Name& zone) {
  std::vector<std::string_view> views(labels.begin(), labels.end());
  auto n = Name::FromLabels(views, zone);
  return n.ok() ? std::move(n).value() : zone;  // cannot fail: at most 32 one-octet labels
}

}  // namespace

const Name& InAddrArpa() {
  static const Name kName = Name::FromText("in-addr.arpa.").value();
  return kName;
}

const Name& Ip6Arpa() {
  static const Name kName = Name::FromText("ip6.arpa.").value();
  return kName;
}

bool IsReverseName(const Name& name) {
  return name.IsSubdomainOf(InAddrArpa()) || name.IsSubdomainOf(Ip6Arpa());
}

Name ReverseName(const cli::IpAddress& ip) {
  std::vector<std::string> labels;
  if (ip.family == cli::IpFamily::kV4) {
    for (int i = 3; i >= 0; --i) labels.push_back(std::to_string(ip.bytes[static_cast<size_t>(i)]));
    return Suffixed(labels, InAddrArpa());
  }
  for (int i = 15; i >= 0; --i) {
    const uint8_t b = ip.bytes[static_cast<size_t>(i)];
    labels.emplace_back(1, kHex[b & 0xf]);
    labels.emplace_back(1, kHex[b >> 4]);
  }
  return Suffixed(labels, Ip6Arpa());
}

std::optional<cli::IpAddress> AddressFromReverse(const Name& name) {
  cli::IpAddress ip;
  if (name.IsSubdomainOf(InAddrArpa())) {
    auto labels = name.LabelsBefore(InAddrArpa());
    if (labels.size() != 4) return std::nullopt;
    ip.family = cli::IpFamily::kV4;
    for (size_t i = 0; i < 4; ++i) {
      const int v = OctetValue(labels[i]);
      if (v < 0) return std::nullopt;
      ip.bytes[3 - i] = static_cast<uint8_t>(v);
    }
    return ip;
  }
  if (name.IsSubdomainOf(Ip6Arpa())) {
    auto labels = name.LabelsBefore(Ip6Arpa());
    if (labels.size() != 32) return std::nullopt;
    ip.family = cli::IpFamily::kV6;
    for (size_t i = 0; i < 32; ++i) {
      if (labels[i].size() != 1) return std::nullopt;
      const int v = HexValue(labels[i][0]);
      if (v < 0) return std::nullopt;
      // Label i is nibble 31 - i counting from the address's first (high) nibble.
      const size_t nibble = 31 - i;
      const size_t byte = nibble / 2;
      if (nibble % 2 == 0) {
        ip.bytes[byte] = static_cast<uint8_t>(ip.bytes[byte] | (v << 4));
      } else {
        ip.bytes[byte] = static_cast<uint8_t>(ip.bytes[byte] | v);
      }
    }
    return ip;
  }
  return std::nullopt;
}

Name ReverseZone(const cli::IpPrefix& prefix) {
  std::vector<std::string> labels;
  if (prefix.address.family == cli::IpFamily::kV4) {
    const int octets = prefix.bits / 8;
    for (int i = octets - 1; i >= 0; --i) {
      labels.push_back(std::to_string(prefix.address.bytes[static_cast<size_t>(i)]));
    }
    return Suffixed(labels, InAddrArpa());
  }
  const int nibbles = prefix.bits / 4;
  for (int n = nibbles - 1; n >= 0; --n) {
    const uint8_t b = prefix.address.bytes[static_cast<size_t>(n / 2)];
    labels.emplace_back(1, kHex[n % 2 == 0 ? (b >> 4) : (b & 0xf)]);
  }
  return Suffixed(labels, Ip6Arpa());
}

}  // namespace skiff::net::dns
