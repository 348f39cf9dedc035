#include "names.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace skiff::auth::internal {

bool ParseIp(std::string_view text, std::string* raw) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  std::string s(text);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    raw->assign(reinterpret_cast<const char*>(buf), 4);
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    raw->assign(reinterpret_cast<const char*>(buf), 16);
    return true;
  }
  return false;
}

std::string IpToString(std::string_view raw) {
  char buf[INET6_ADDRSTRLEN];
  int family = raw.size() == 4 ? AF_INET : raw.size() == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, raw.data(), buf, sizeof buf) == nullptr) return "";
  return buf;
}

Result<std::string> FirstAddressOf(std::string_view cidr) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError("invalid service CIDR \"" + std::string(cidr) + "\": " + why);
  };
  size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return bad("expected ADDRESS/BITS");
  std::string raw;
  if (!ParseIp(cidr.substr(0, slash), &raw)) return bad("not an IPv4 or IPv6 address");
  std::string_view bits_text = cidr.substr(slash + 1);
  int bits = -1;
  auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  int max_bits = static_cast<int>(raw.size()) * 8;
  if (ec != std::errc() || end != bits_text.data() + bits_text.size() || bits < 0 ||
      bits > max_bits) {
    return bad("prefix length must be 0 to " + std::to_string(max_bits));
  }
  if (bits >= max_bits) return bad("the range has no room for a service address");
  // Clear the host bits, then add one.
  for (int i = bits; i < max_bits; ++i) {
    char& byte = raw[static_cast<size_t>(i / 8)];
    byte = static_cast<char>(static_cast<unsigned char>(byte) & ~(0x80u >> (i % 8)));
  }
  raw.back() = static_cast<char>(static_cast<unsigned char>(raw.back()) | 1);
  return raw;
}

bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  bool first = true;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (!(first && label == "*")) {
      if (label.front() == '-' || label.back() == '-') return false;
      for (char c : label) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
      }
    }
    first = false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace skiff::auth::internal
