#include "cli/values.h"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using skiff::Status;
using skiff::cli::ParseBool;
using skiff::cli::ParseDuration;

TEST_CASE("ParseBool accepts exactly Go's ParseBool spellings", "[cli]") {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    INFO(t);
    auto b = ParseBool(t);
    REQUIRE(b.ok());
    CHECK(*b);
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    INFO(f);
    auto b = ParseBool(f);
    REQUIRE(b.ok());
    CHECK_FALSE(*b);
  }
  for (const char* bad : {"yes", "no", "tRuE", "", "2", "on"}) {
    INFO(bad);
    auto b = ParseBool(bad);
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().message() == "must be a boolean (true or false)");
  }
}

TEST_CASE("ParseDuration reads Go-style durations", "[cli]") {
  CHECK(*ParseDuration("5m") == 5min);
  CHECK(*ParseDuration("30s") == 30s);
  CHECK(*ParseDuration("1h") == 1h);
  CHECK(*ParseDuration("1h30m") == 90min);
  CHECK(*ParseDuration("1.5s") == 1500ms);
  CHECK(*ParseDuration("500ms") == 500ms);
  CHECK(*ParseDuration("10us") == 10us);
  CHECK(*ParseDuration("10\xC2\xB5s") == 10us);
  CHECK(*ParseDuration("7ns") == 7ns);
  CHECK(*ParseDuration("+2m") == 2min);
  CHECK(*ParseDuration("0") == 0ns);
}

TEST_CASE("ParseDuration explains what is wrong", "[cli]") {
  auto reason = [](const char* text) { return ParseDuration(text).status().message(); };
  CHECK(reason("300") == "missing unit in duration (use e.g. 30s, 5m or 1h)");
  CHECK(reason("5m3") == "missing unit in duration (use e.g. 30s, 5m or 1h)");
  CHECK(reason("5x") == "unknown unit \"x\" in duration (use ns, us, ms, s, m or h)");
  CHECK(reason("5 m") == "unknown unit \" m\" in duration (use ns, us, ms, s, m or h)");
  CHECK(reason("-5m") == "must not be negative");
  CHECK(reason("") == "must be a duration such as 30s, 5m or 1h");
  CHECK(reason("m") == "must be a duration such as 30s, 5m or 1h");
  CHECK(reason("3000000h") == "duration is too long");
}

TEST_CASE("FormatDuration writes durations ParseDuration reads back", "[cli]") {
  using skiff::cli::FormatDuration;
  CHECK(FormatDuration(5min) == "5m");
  CHECK(FormatDuration(90min) == "1h30m");
  CHECK(FormatDuration(1500ms) == "1s500ms");
  CHECK(FormatDuration(0s) == "0s");
  for (std::chrono::nanoseconds d :
       {std::chrono::nanoseconds(5min), std::chrono::nanoseconds(3723s),
        std::chrono::nanoseconds(1500ms)}) {
    CHECK(*ParseDuration(FormatDuration(d)) == d);
  }
}

TEST_CASE("ParsePort accepts 1 to 65535 only", "[cli]") {
  using skiff::cli::ParsePort;
  CHECK(*ParsePort("1") == 1);
  CHECK(*ParsePort("6443") == 6443);
  CHECK(*ParsePort("65535") == 65535);
  for (const char* bad : {"0", "65536", "70000", "", "80a", "-1", "123456", " 80"}) {
    INFO(bad);
    auto p = ParsePort(bad);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message() == "must be a port number from 1 to 65535");
  }
}

TEST_CASE("ParseFileMode reads octal permission bits", "[cli]") {
  using skiff::cli::ParseFileMode;
  CHECK(*ParseFileMode("0600") == 0600u);
  CHECK(*ParseFileMode("644") == 0644u);
  CHECK(*ParseFileMode("0777") == 0777u);
  CHECK(ParseFileMode("0800").status().message() == "must be an octal file mode such as 0600");
  CHECK(ParseFileMode("rw").status().message() == "must be an octal file mode such as 0600");
  CHECK(ParseFileMode("").status().message() == "must be an octal file mode such as 0600");
  CHECK(ParseFileMode("1000").status().message() ==
        "must be an octal file mode such as 0600 (at most 0777)");
  CHECK(skiff::cli::FormatFileMode(0644) == "0644");
  CHECK(skiff::cli::FormatFileMode(0600) == "0600");
}

TEST_CASE("ParseLogLevel knows the four levels", "[cli]") {
  using skiff::log::Level;
  CHECK(*skiff::cli::ParseLogLevel("debug") == Level::kDebug);
  CHECK(*skiff::cli::ParseLogLevel("info") == Level::kInfo);
  CHECK(*skiff::cli::ParseLogLevel("warning") == Level::kWarning);
  CHECK(*skiff::cli::ParseLogLevel("error") == Level::kError);
  CHECK(skiff::cli::ParseLogLevel("loud").status().message() ==
        "must be one of debug, info, warning, error");
  CHECK(skiff::cli::LogLevelName(Level::kWarning) == "warning");
}

TEST_CASE("CheckDns1123Subdomain follows Kubernetes' node name rules", "[cli]") {
  using skiff::cli::CheckDns1123Subdomain;
  for (const char* good : {"a", "edge-1", "node.example.com", "0abc", "x1.y2"}) {
    INFO(good);
    CHECK(CheckDns1123Subdomain(good).ok());
  }
  for (const char* bad : {"My_Node", "Edge", "-a", "a-", "a..b", ".a", "a.", "a b"}) {
    INFO(bad);
    Status s = CheckDns1123Subdomain(bad);
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(s.message(), Catch::StartsWith("a lowercase RFC 1123 subdomain must consist of"));
  }
  CHECK(CheckDns1123Subdomain("").message() == "must not be empty");
  CHECK(CheckDns1123Subdomain(std::string(254, 'a')).message() ==
        "must be no more than 253 characters");
  CHECK(CheckDns1123Subdomain(std::string(253, 'a')).ok());
}

TEST_CASE("CheckDnsDomain also limits labels to 63 characters", "[cli]") {
  using skiff::cli::CheckDnsDomain;
  CHECK(CheckDnsDomain("cluster.local").ok());
  CHECK(CheckDnsDomain(std::string(63, 'a') + ".local").ok());
  CHECK(CheckDnsDomain(std::string(64, 'a') + ".local").message() ==
        "each label must be no more than 63 characters");
  CHECK_FALSE(CheckDnsDomain("Cluster.Local").ok());
}

TEST_CASE("ParseHttpUrl splits http and https URLs", "[cli]") {
  using skiff::cli::ParseHttpUrl;
  auto u = ParseHttpUrl("https://10.0.0.1:6443");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "10.0.0.1");
  CHECK(u->port == 6443);
  CHECK(u->path.empty());

  u = ParseHttpUrl("http://etcd-1.lan:2379/prefix");
  REQUIRE(u.ok());
  CHECK(u->host == "etcd-1.lan");
  CHECK(u->port == 2379);
  CHECK(u->path == "/prefix");

  u = ParseHttpUrl("https://[fd00::1]:6443");
  REQUIRE(u.ok());
  CHECK(u->host == "fd00::1");
  CHECK(u->port == 6443);

  u = ParseHttpUrl("HTTPS://server");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->port == 0);
}

TEST_CASE("ParseHttpUrl rejects what is not an http(s) URL", "[cli]") {
  auto reason = [](const char* text) { return skiff::cli::ParseHttpUrl(text).status().message(); };
  CHECK(reason("server:6443") == "must start with http:// or https://");
  CHECK(reason("ftp://x") == "must start with http:// or https://");
  CHECK(reason("https://") == "has no host");
  CHECK(reason("https://:6443") == "has no host");
  CHECK(reason("https://u:p@h") == "must not contain user info (user:password@)");
  CHECK(reason("https://h:0") ==
        "has an invalid port \"0\": must be a port number from 1 to 65535");
  CHECK(reason("https://h:") == "has an invalid port \"\": must be a port number from 1 to 65535");
  CHECK(reason("https://fd00::1:6443") ==
        "an IPv6 host must be in brackets, e.g. https://[fd00::1]:6443");
  CHECK(reason("https://[fd00::1") == "has an unterminated [IPv6] host");
  CHECK(reason("https://[zz::1]:1") == "host [zz::1] is not an IPv6 address");
  CHECK(reason("https://h^x") == "has an invalid host \"h^x\"");
}
