#include "skiff/cli/ip.h"

#include <catch2/catch.hpp>

using skiff::cli::IpFamily;
using skiff::cli::IpPrefix;
using skiff::cli::ParseCidr;
using skiff::cli::ParseIpAddress;

namespace {

IpPrefix Cidr(const char* text) {
  auto p = ParseCidr(text);
  INFO(text << ": " << p.status().message());
  REQUIRE(p.ok());
  return *p;
}

skiff::cli::IpAddress Ip(const char* text) {
  auto ip = ParseIpAddress(text);
  INFO(text << ": " << ip.status().message());
  REQUIRE(ip.ok());
  return *ip;
}

}  // namespace

TEST_CASE("ParseIpAddress reads IPv4 and IPv6 and prints them canonically", "[cli]") {
  CHECK(Ip("10.43.0.10").family == IpFamily::kV4);
  CHECK(Ip("10.43.0.10").ToString() == "10.43.0.10");
  CHECK(Ip("0.0.0.0").ToString() == "0.0.0.0");
  CHECK(Ip("fd00:0:0::1").family == IpFamily::kV6);
  CHECK(Ip("fd00:0:0::1").ToString() == "fd00::1");
  CHECK(Ip("::").ToString() == "::");
  CHECK(Ip("::ffff:10.0.0.1").family == IpFamily::kV6);
}

TEST_CASE("ParseIpAddress rejects malformed addresses", "[cli]") {
  for (const char* bad : {"300.1.1.1", "1.2.3", "1.2.3.4/24", "01.2.3.4", "", "localhost",
                          "fe80::1%eth0", "fd00:::1", "1.2.3.4 "}) {
    INFO(bad);
    auto ip = ParseIpAddress(bad);
    REQUIRE_FALSE(ip.ok());
    CHECK(ip.status().message() == "\"" + std::string(bad) + "\" is not an IPv4 or IPv6 address");
  }
}

TEST_CASE("ParseCidr reads IPv4 and IPv6 prefixes", "[cli]") {
  IpPrefix p = Cidr("10.42.0.0/16");
  CHECK(p.bits == 16);
  CHECK(p.host_bits() == 16);
  CHECK(p.ToString() == "10.42.0.0/16");
  IpPrefix v6 = Cidr("fd00:42::/56");
  CHECK(v6.address.family == IpFamily::kV6);
  CHECK(v6.host_bits() == 72);
  CHECK(v6.ToString() == "fd00:42::/56");
  CHECK(Cidr("0.0.0.0/0").bits == 0);
  CHECK(Cidr("10.0.0.1/32").bits == 32);
  CHECK(Cidr("::/0").bits == 0);
  CHECK(Cidr("fd00::1/128").bits == 128);
}

TEST_CASE("ParseCidr names the part that is wrong", "[cli]") {
  auto reason = [](const char* text) { return ParseCidr(text).status().message(); };
  CHECK(reason("10.42.0.0/33") == "prefix length 33 is out of range for IPv4 (0-32)");
  CHECK(reason("fd00::/129") == "prefix length 129 is out of range for IPv6 (0-128)");
  CHECK(reason("300.1.1.1/16") == "\"300.1.1.1\" is not an IPv4 or IPv6 address");
  CHECK(reason("10.42.0.0") == "must be a CIDR such as 10.42.0.0/16 (missing /prefix-length)");
  CHECK(reason("10.42.0.0/") == "prefix length \"\" is not a number");
  CHECK(reason("10.42.0.0/x") == "prefix length \"x\" is not a number");
  CHECK(reason("10.42.0.0/016") == "prefix length \"016\" is not a number");
  CHECK(reason("10.42.0.0/-1") == "prefix length \"-1\" is not a number");
  CHECK(reason("10.42.1.0/16") == "has bits set after the /16 prefix (did you mean 10.42.0.0/16?)");
  CHECK(reason("fd00::1/64") == "has bits set after the /64 prefix (did you mean fd00::/64?)");
  CHECK(reason("10.42.0.1/31") == "has bits set after the /31 prefix (did you mean 10.42.0.0/31?)");
}

TEST_CASE("IpPrefix::Contains compares the prefix bits and the family", "[cli]") {
  IpPrefix svc = Cidr("10.43.0.0/16");
  CHECK(svc.Contains(Ip("10.43.0.10")));
  CHECK(svc.Contains(Ip("10.43.255.255")));
  CHECK_FALSE(svc.Contains(Ip("10.44.0.10")));
  CHECK_FALSE(svc.Contains(Ip("::ffff:10.43.0.10")));
  IpPrefix odd = Cidr("10.43.0.0/20");  // a prefix that ends inside a byte
  CHECK(odd.Contains(Ip("10.43.15.1")));
  CHECK_FALSE(odd.Contains(Ip("10.43.16.1")));
  IpPrefix v6 = Cidr("fd00:42::/56");
  CHECK(v6.Contains(Ip("fd00:42:0:ff::1")));
  CHECK_FALSE(v6.Contains(Ip("fd00:42:0:100::1")));
  CHECK_FALSE(v6.Contains(Ip("10.43.0.10")));
  CHECK(Cidr("0.0.0.0/0").Contains(Ip("192.168.1.1")));
  CHECK(Cidr("10.0.0.1/32").Contains(Ip("10.0.0.1")));
  CHECK_FALSE(Cidr("10.0.0.1/32").Contains(Ip("10.0.0.2")));
}

TEST_CASE("IpPrefix::Overlaps finds shared addresses", "[cli]") {
  CHECK(Cidr("10.42.0.0/16").Overlaps(Cidr("10.42.128.0/17")));
  CHECK(Cidr("10.42.128.0/17").Overlaps(Cidr("10.42.0.0/16")));
  CHECK(Cidr("10.0.0.0/8").Overlaps(Cidr("10.43.0.0/16")));
  CHECK_FALSE(Cidr("10.42.0.0/16").Overlaps(Cidr("10.43.0.0/16")));
  CHECK_FALSE(Cidr("10.42.0.0/16").Overlaps(Cidr("fd00::/8")));
  CHECK(Cidr("fd00:42::/56").Overlaps(Cidr("fd00::/8")));
}

TEST_CASE("IpPrefix::AddressAt counts from the network address with carries", "[cli]") {
  CHECK(Cidr("10.43.0.0/16").AddressAt(10)->ToString() == "10.43.0.10");
  CHECK(Cidr("10.43.0.0/16").AddressAt(256)->ToString() == "10.43.1.0");
  CHECK(Cidr("10.96.0.0/12").AddressAt(1)->ToString() == "10.96.0.1");
  CHECK(Cidr("fd00:43::/108").AddressAt(10)->ToString() == "fd00:43::a");
  CHECK(Cidr("fd00:43::/108").AddressAt(65536)->ToString() == "fd00:43::1:0");
  CHECK(Cidr("10.0.0.0/30").AddressAt(3)->ToString() == "10.0.0.3");
  auto outside = Cidr("10.0.0.0/30").AddressAt(4);
  REQUIRE_FALSE(outside.ok());
  CHECK(outside.status().message() == "address number 4 is outside 10.0.0.0/30");
}
