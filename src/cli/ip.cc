#include "skiff/cli/ip.h"

#include <arpa/inet.h>
#include <sys/socket.h>

namespace skiff::cli {
namespace {

// True when the first `bits` bits of a and b agree.
bool SamePrefix(const IpAddress& a, const IpAddress& b, int bits) {
  int full = bits / 8;
  for (int i = 0; i < full; ++i) {
    if (a.bytes[i] != b.bytes[i]) return false;
  }
  int rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a.bytes[full] & mask) == (b.bytes[full] & mask);
}

IpAddress Masked(IpAddress ip, int bits) {
  for (int i = 0; i < ip.size(); ++i) {
    int keep = bits - i * 8;
    if (keep >= 8) continue;
    ip.bytes[i] &= keep <= 0 ? 0 : static_cast<std::uint8_t>(0xFF << (8 - keep));
  }
  return ip;
}

}  // namespace

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == IpFamily::kV4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

Result<IpAddress> ParseIpAddress(std::string_view text) {
  IpAddress ip;
  std::string copy(text);
  ip.family = copy.find(':') != std::string::npos ? IpFamily::kV6 : IpFamily::kV4;
  int af = ip.family == IpFamily::kV4 ? AF_INET : AF_INET6;
  if (copy.empty() || inet_pton(af, copy.c_str(), ip.bytes.data()) != 1) {
    return InvalidArgumentError("\"" + copy + "\" is not an IPv4 or IPv6 address");
  }
  return ip;
}

bool IpPrefix::Contains(const IpAddress& ip) const {
  return ip.family == address.family && SamePrefix(address, ip, bits);
}

bool IpPrefix::Overlaps(const IpPrefix& other) const {
  if (other.address.family != address.family) return false;
  return SamePrefix(address, other.address, bits < other.bits ? bits : other.bits);
}

Result<IpAddress> IpPrefix::AddressAt(std::uint64_t index) const {
  if (host_bits() < 64 && index >= (std::uint64_t{1} << host_bits())) {
    return InvalidArgumentError("address number " + std::to_string(index) + " is outside " +
                                ToString());
  }
  IpAddress ip = address;
  unsigned carry = 0;
  for (int i = ip.size() - 1; i >= 0; --i) {
    unsigned sum = ip.bytes[i] + static_cast<unsigned>(index & 0xFF) + carry;
    ip.bytes[i] = static_cast<std::uint8_t>(sum & 0xFF);
    carry = sum >> 8;
    index >>= 8;
  }
  return ip;
}

std::string IpPrefix::ToString() const { return address.ToString() + "/" + std::to_string(bits); }

Result<IpPrefix> ParseCidr(std::string_view text) {
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return InvalidArgumentError("must be a CIDR such as 10.42.0.0/16 (missing /prefix-length)");
  }
  Result<IpAddress> ip = ParseIpAddress(text.substr(0, slash));
  if (!ip.ok()) return ip.status();
  std::string_view len = text.substr(slash + 1);
  bool digits = !len.empty() && len.size() <= 3 && !(len.size() > 1 && len.front() == '0');
  int bits = 0;
  for (char c : len) {
    if (c < '0' || c > '9') digits = false;
    bits = bits * 10 + (c - '0');
  }
  if (!digits) {
    return InvalidArgumentError("prefix length \"" + std::string(len) + "\" is not a number");
  }
  if (bits > ip->bit_length()) {
    return InvalidArgumentError("prefix length " + std::to_string(bits) + " is out of range for " +
                                (ip->family == IpFamily::kV4 ? "IPv4 (0-32)" : "IPv6 (0-128)"));
  }
  IpPrefix prefix{Masked(*ip, bits), bits};
  if (prefix.address != *ip) {
    return InvalidArgumentError("has bits set after the /" + std::to_string(bits) +
                                " prefix (did you mean " + prefix.ToString() + "?)");
  }
  return prefix;
}

}  // namespace skiff::cli
