// Reverse-lookup names (RFC 1035 3.5 in-addr.arpa, RFC 3596 2.5 ip6.arpa) for PTR records.
// Pure functions over plain values; thread-safe.
#pragma once

#include <optional>

#include "net/dns/dns_name.h"
#include "skiff/cli/ip.h"

namespace skiff::net::dns {

// "in-addr.arpa." and "ip6.arpa.".
const Name& InAddrArpa();
const Name& Ip6Arpa();

// True for names at or below in-addr.arpa. or ip6.arpa.
bool IsReverseName(const Name& name);

// 10.43.0.10 -> "10.0.43.10.in-addr.arpa."; IPv6 as 32 nibbles under ip6.arpa.
Name ReverseName(const cli::IpAddress& ip);

// The address a complete reverse name stands for (4 decimal octets without leading zeros, or
// 32 hex nibbles, any case); nullopt for anything else (partial, malformed, other zones).
std::optional<cli::IpAddress> AddressFromReverse(const Name& name);

// The reverse zone that holds every address of `prefix`: the prefix rounded down to whole
// octets (IPv4) or nibbles (IPv6). 10.43.0.0/16 -> "43.10.in-addr.arpa.";
// 10.43.0.0/12 -> "10.in-addr.arpa.".
Name ReverseZone(const cli::IpPrefix& prefix);

}  // namespace skiff::net::dns
