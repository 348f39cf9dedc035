// ComputeServingNames and the SAN parsing helpers.
#include <catch2/catch.hpp>

#include "auth/names.h"
#include "skiff/auth/pki.h"

namespace skiff::testing {
namespace {

using auth::ComputeServingNames;
using auth::PkiOptions;
using auth::ServingNames;

using Strings = std::vector<std::string>;

TEST_CASE("the default serving names are Kubernetes' and the first service address") {
  PkiOptions o;
  o.tls_dir = "/unused";
  auto names = ComputeServingNames(o);
  REQUIRE(names.ok());
  CHECK(names->dns == Strings{"localhost", "kubernetes", "kubernetes.default",
                              "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"});
  CHECK(names->ips == Strings{"127.0.0.1", "::1", "10.43.0.1"});
}

TEST_CASE("serving names add the hostname, dual-stack services, node IPs and extra SANs") {
  PkiOptions o;
  o.hostname = "Edge-1";
  o.cluster_domain = "edge.local";
  o.service_cidrs = {"10.96.0.0/12, fd00:43::/112"};
  o.node_ips = {"192.168.1.5", "FD00:0:0::5", "127.0.0.1"};
  o.extra_sans = {"Skiff.Example.com", "10.0.0.1", "*.edge.example", "localhost", "::ffff:1.2.3.4"};
  auto names = ComputeServingNames(o);
  INFO(names.status().ToString());
  REQUIRE(names.ok());
  CHECK(names->dns == Strings{"localhost", "kubernetes", "kubernetes.default",
                              "kubernetes.default.svc", "kubernetes.default.svc.edge.local",
                              "edge-1", "skiff.example.com", "*.edge.example"});
  CHECK(names->ips == Strings{"127.0.0.1", "::1", "10.96.0.1", "fd00:43::1", "192.168.1.5",
                              "fd00::5", "10.0.0.1", "::ffff:1.2.3.4"});
}

TEST_CASE("malformed serving names are rejected, naming the value") {
  PkiOptions o;
  std::string expect;
  SECTION("service CIDR without length") {
    o.service_cidrs = {"10.43.0.0"};
    expect = "invalid service CIDR \"10.43.0.0\": expected ADDRESS/BITS";
  }
  SECTION("service CIDR too long") {
    o.service_cidrs = {"10.43.0.0/33"};
    expect = "invalid service CIDR \"10.43.0.0/33\": prefix length must be 0 to 32";
  }
  SECTION("service CIDR of one address") {
    o.service_cidrs = {"10.43.0.7/32"};
    expect = "invalid service CIDR \"10.43.0.7/32\": the range has no room for a service address";
  }
  SECTION("extra SAN with a space") {
    o.extra_sans = {"my host"};
    expect = "invalid extra SAN \"my host\": not an IP address or a DNS name";
  }
  SECTION("hostname with an underscore") {
    o.hostname = "edge_1";
    expect = "invalid hostname \"edge_1\": not a DNS name";
  }
  SECTION("cluster domain") {
    o.cluster_domain = "-bad.local";
    expect = "invalid cluster domain \"-bad.local\": not a DNS domain";
  }
  auto names = ComputeServingNames(o);
  REQUIRE_FALSE(names.ok());
  CHECK(names.status().code() == Code::kInvalidArgument);
  CHECK(names.status().message() == expect);
}

TEST_CASE("the first address of a range ignores host bits") {
  auto first = auth::internal::FirstAddressOf("10.43.9.9/16");
  REQUIRE(first.ok());
  CHECK(auth::internal::IpToString(*first) == "10.43.0.1");
  auto v6 = auth::internal::FirstAddressOf("fd00:1:2:3::ff/64");
  REQUIRE(v6.ok());
  CHECK(auth::internal::IpToString(*v6) == "fd00:1:2:3::1");
}

TEST_CASE("DNS name rules for SANs") {
  using auth::internal::IsDnsName;
  CHECK(IsDnsName("a"));
  CHECK(IsDnsName("kubernetes.default.svc.cluster.local"));
  CHECK(IsDnsName("*.example.com"));
  CHECK(IsDnsName(std::string(63, 'a') + ".com"));
  CHECK_FALSE(IsDnsName(std::string(64, 'a') + ".com"));
  CHECK_FALSE(IsDnsName(""));
  CHECK_FALSE(IsDnsName("a..b"));
  CHECK_FALSE(IsDnsName("a."));
  CHECK_FALSE(IsDnsName("a.*.b"));
  CHECK_FALSE(IsDnsName("-a.b"));
  CHECK_FALSE(IsDnsName("a-.b"));
  CHECK_FALSE(IsDnsName("a_b"));
}

}  // namespace
}  // namespace skiff::testing
