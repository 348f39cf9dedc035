// Internal to skiff_auth: IP address and DNS name handling for certificate SANs.
#pragma once

#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::auth::internal {

// Parses an IPv4 or IPv6 address into raw network-order bytes (4 or 16). False if malformed.
bool ParseIp(std::string_view text, std::string* raw);

// The canonical text of raw address bytes ("10.43.0.1", "fd00::1"); "" for a bad length.
std::string IpToString(std::string_view raw);

// The first address after the network address of "ADDRESS/BITS" (10.43.0.0/16 -> 10.43.0.1),
// as raw bytes. kInvalidArgument names a malformed prefix or one with no room for it.
Result<std::string> FirstAddressOf(std::string_view cidr);

// A DNS name as a SAN may carry: labels of letters, digits, '-' (not at a label's ends), at most
// 63 characters each and 253 in all; the first label may be "*". Case-insensitive.
bool IsDnsName(std::string_view name);

}  // namespace skiff::auth::internal
