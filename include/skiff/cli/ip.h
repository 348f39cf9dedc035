// IP addresses and CIDR prefixes, IPv4 and IPv6, as the command line validates them and the
// network code later allocates from them. Plain values: copyable, no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::cli {

enum class IpFamily { kV4, kV6 };

struct IpAddress {
  IpFamily family = IpFamily::kV4;
  // Network byte order; an IPv4 address uses the first 4 bytes and leaves the rest zero.
  std::array<std::uint8_t, 16> bytes{};

  int size() const { return family == IpFamily::kV4 ? 4 : 16; }
  int bit_length() const { return size() * 8; }
  // The canonical text form (inet_ntop), e.g. "10.43.0.10" or "fd00::a".
  std::string ToString() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Parses a dotted-quad IPv4 or an RFC 4291 IPv6 address (inet_pton; no zones, no prefix).
// The error message is the reason only, e.g. "\"300.1.1.1\" is not an IPv4 or IPv6 address".
Result<IpAddress> ParseIpAddress(std::string_view text);

struct IpPrefix {
  IpAddress address;  // the network address: every bit after `bits` is zero
  int bits = 0;       // prefix length, 0..32 or 0..128

  // True when `ip` has the same family and the same first `bits` bits.
  bool Contains(const IpAddress& ip) const;
  // True when the two prefixes share at least one address.
  bool Overlaps(const IpPrefix& other) const;
  // Number of host bits (32 or 128 minus bits).
  int host_bits() const { return address.bit_length() - bits; }
  // The address `index` places after the network address, e.g. index 10 of 10.43.0.0/16 is
  // 10.43.0.10. An index outside the prefix is an InvalidArgument error.
  Result<IpAddress> AddressAt(std::uint64_t index) const;
  // "10.42.0.0/16".
  std::string ToString() const;
};

// Parses "ADDRESS/LENGTH". Rejects a missing or out-of-range length and an address with bits set
// after the prefix (10.42.1.0/16), naming the network that was probably meant.
Result<IpPrefix> ParseCidr(std::string_view text);

}  // namespace skiff::cli
