// The pure pieces: CRI timestamps and entries, line splitting, driver arguments, rotated names,
// and the path helpers of the public header.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "log_test_util.h"
#include "node/logs/cri_format.h"
#include "node/logs/driver_args.h"
#include "node/logs/line_splitter.h"
#include "node/logs/rotated_files.h"
#include "skiff/common/file_util.h"
#include "skiff/node/container_logs.h"

using namespace skiff::node::logs;
using skiff::BaseName;
using skiff::node::ContainerLogPath;
using skiff::node::LogDriverUri;
using skiff::node::PodLogsDir;
using std::chrono::nanoseconds;
using std::chrono::seconds;

namespace {
TimePoint At(long long secs, long long ns = 0) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(seconds(secs) + nanoseconds(ns)));
}
}  // namespace

TEST_CASE("timestamps format as fixed 9-digit UTC and parse leniently like kubelet") {
  CHECK(FormatTimestamp(At(0)) == "1970-01-01T00:00:00.000000000Z");
  CHECK(FormatTimestamp(At(1704164645, 7)) == "2024-01-02T03:04:05.000000007Z");
  CHECK(FormatTimestamp(At(1709164800 - 1, 999999999)) == "2024-02-28T23:59:59.999999999Z");

  CHECK(ParseTimestamp("2024-01-02T03:04:05.000000007Z") == At(1704164645, 7));
  CHECK(ParseTimestamp("2024-01-02T03:04:05Z") == At(1704164645));
  CHECK(ParseTimestamp("2024-01-02T03:04:05.5Z") == At(1704164645, 500000000));
  CHECK(ParseTimestamp("2024-01-02T04:04:05.1+01:00") == At(1704164645, 100000000));
  CHECK(ParseTimestamp("2024-01-01T21:34:05-05:30") == At(1704164645));
  CHECK(ParseTimestamp("2024-02-29T00:00:00Z").has_value());  // leap year

  for (const char* bad :
       {"", "2024-01-02", "2024-01-02T03:04:05", "2024-01-02 03:04:05Z", "2024-13-02T03:04:05Z",
        "2023-02-29T00:00:00Z", "2024-01-02T24:00:00Z", "2024-01-02T03:04:60Z",
        "2024-01-02T03:04:05.Z", "2024-01-02T03:04:05.1234567890Z", "2024-01-02T03:04:05+0100",
        "2024-01-02T03:04:05ZZ", "1600-01-01T00:00:00Z", "x024-01-02T03:04:05Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseTimestamp(bad).has_value());
  }
}

TEST_CASE("CRI entries parse stream, tag and content and reject anything else") {
  auto e = ParseCriEntry("2024-01-02T03:04:05.000000007Z stdout F hello  world ");
  REQUIRE(e.has_value());
  CHECK(e->time == At(1704164645, 7));
  CHECK(e->stream == LogStream::kStdout);
  CHECK_FALSE(e->partial);
  CHECK(e->content == "hello  world ");

  e = ParseCriEntry("2024-01-02T03:04:05Z stderr P part");
  REQUIRE(e.has_value());
  CHECK(e->stream == LogStream::kStderr);
  CHECK(e->partial);
  CHECK(e->content == "part");

  e = ParseCriEntry("2024-01-02T03:04:05Z stdout P:extra x");  // forward-compatible tags
  REQUIRE(e.has_value());
  CHECK(e->partial);
  e = ParseCriEntry("2024-01-02T03:04:05Z stdout F ");
  REQUIRE(e.has_value());
  CHECK(e->content.empty());
  e = ParseCriEntry("2024-01-02T03:04:05Z stdout F");  // cut right after the tag
  REQUIRE(e.has_value());
  CHECK(e->content.empty());

  for (const char* bad : {"", "garbage", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z stdout",
                          "2024-01-02T03:04:05Z stdin F x", "2024-01-02T03:04:05Z stdout  x",
                          "not-a-time stdout F x", "{\"log\":\"x\",\"stream\":\"stdout\"}"}) {
    INFO(bad);
    CHECK_FALSE(ParseCriEntry(bad).has_value());
  }
}

TEST_CASE("line splitter cuts at 16 KiB exactly as containerd, whatever the chunking") {
  std::string input = std::string(5, 'a') + "\n" + std::string(10, 'b') + "\n" +
                      std::string(11, 'c') + "\n" + std::string(25, 'd') + "\n\nrest";
  std::vector<std::string> expect = {"F:aaaaa", "F:bbbbbbbbbb", "P:cccccccccc",
                                     "F:c",     "P:dddddddddd", "P:dddddddddd",
                                     "F:ddddd", "F:",           "F:rest"};
  for (size_t chunk : {1u, 2u, 3u, 7u, 10u, 11u, 64u}) {
    LineSplitter s(10);
    std::vector<std::string> got;
    auto emit = [&](bool partial, std::string_view c) {
      got.push_back((partial ? "P:" : "F:") + std::string(c));
    };
    for (size_t off = 0; off < input.size(); off += chunk) {
      s.Feed(std::string_view(input).substr(off, chunk), emit);
      CHECK(s.buffered() <= 10);
    }
    s.Finish(emit);
    INFO("chunk " << chunk);
    CHECK(got == expect);
  }
  LineSplitter empty;
  int calls = 0;
  empty.Finish([&](bool, std::string_view) { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("driver arguments and byte sizes") {
  const char* argv1[] = {
      "/usr/bin/skiff",   "max-size", "2Mi",       "path", "/var/log/pods/x/0.log",
      "skiff-log-driver", "",         "max-files", "7"};
  auto a = ParseDriverArgs(9, argv1);
  REQUIRE(a.ok());
  CHECK(a->path == "/var/log/pods/x/0.log");
  CHECK(a->max_size == 2 * 1024 * 1024);
  CHECK(a->max_files == 7);

  const char* argv2[] = {"/usr/bin/skiff", "path", "/l/0.log", "skiff-log-driver", ""};
  a = ParseDriverArgs(5, argv2);
  REQUIRE(a.ok());
  CHECK(a->max_size == 10 * 1024 * 1024);
  CHECK(a->max_files == 5);

  const char* argv3[] = {"/usr/bin/skiff", "skiff-log-driver", "", "max-files", "5"};
  a = ParseDriverArgs(5, argv3);
  REQUIRE_FALSE(a.ok());
  CHECK(a.status().message() == "log driver: no path argument");

  const char* argv4[] = {"/usr/bin/skiff", "path", "/l/0.log", "max-size", "-1"};
  a = ParseDriverArgs(5, argv4);
  REQUIRE_FALSE(a.ok());
  CHECK(a.status().message() ==
        "log driver: max-size: size \"-1\" is not a positive byte count (e.g. 10485760 or 10Mi)");

  CHECK(*ParseByteSize("1") == 1);
  CHECK(*ParseByteSize("10Ki") == 10240);
  CHECK(*ParseByteSize("3Gi") == 3LL << 30);
  CHECK(*ParseByteSize("5k") == 5000);
  CHECK(*ParseByteSize("5M") == 5000000);
  for (const char* bad :
       {"", "0", "Mi", "1.5Mi", "10MB", "99999999999999999999", "9223372036854775807Gi"}) {
    INFO(bad);
    CHECK_FALSE(ParseByteSize(bad).ok());
  }
}

TEST_CASE("rotated names sort by stamp then sequence and always after existing ones") {
  skiff::node::testing::TempDir dir;
  std::string live = dir.path() + "/0.log";
  using skiff::node::testing::WriteAll;
  for (const char* n :
       {"0.log", "0.log.20240101-000001", "0.log.20240101-000000.10", "0.log.20240101-000000.2",
        "0.log.20240101-000000", "0.log.20240101-000002.gz", "0.log.2024010-000000",
        "0.log.20240101-000000.0", "1.log.20240101-000000", "0.log.20240101-000000.x"}) {
    WriteAll(dir.path() + "/" + n, "");
  }
  auto list = ListRotatedFiles(live);
  REQUIRE(list.ok());
  std::vector<std::string> names;
  for (const auto& f : *list) names.push_back(BaseName(f.path));
  CHECK(names == std::vector<std::string>{"0.log.20240101-000000", "0.log.20240101-000000.2",
                                          "0.log.20240101-000000.10", "0.log.20240101-000001"});

  // 2024-01-01T00:00:05Z: a later second gets a plain stamp.
  CHECK(BaseName(NextRotatedName(live, At(1704067205), *list).path) == "0.log.20240101-000005");
  // The same second as the newest, or a clock that went back, continues its sequence.
  CHECK(BaseName(NextRotatedName(live, At(1704067201), *list).path) == "0.log.20240101-000001.1");
  CHECK(BaseName(NextRotatedName(live, At(1704067100), *list).path) == "0.log.20240101-000001.1");
  CHECK(BaseName(NextRotatedName(live, At(1704067100), {}).path) == "0.log.20231231-235820");

  auto missing = ListRotatedFiles(dir.path() + "/nope/0.log");
  REQUIRE(missing.ok());
  CHECK(missing->empty());
}

TEST_CASE("pod and container log paths follow kubelet's layout") {
  CHECK(PodLogsDir("/var/log/pods", "default", "web-0", "5d1c-77") ==
        "/var/log/pods/default_web-0_5d1c-77");
  CHECK(PodLogsDir("/var/log/pods/", "kube-system", "dns", "u") ==
        "/var/log/pods/kube-system_dns_u");
  CHECK(ContainerLogPath("/var/log/pods/default_web-0_5d1c-77", "nginx", 0) ==
        "/var/log/pods/default_web-0_5d1c-77/nginx/0.log");
  CHECK(ContainerLogPath("/p", "app", 12) == "/p/app/12.log");
}

TEST_CASE("log driver URI escapes what Go's url.Parse would change") {
  CHECK(LogDriverUri("/usr/bin/skiff", "/var/log/pods/default_web-0_5d1c/app/0.log", 10485760, 5) ==
        "binary:///usr/bin/skiff?skiff-log-driver=&path=/var/log/pods/default_web-0_5d1c/app/"
        "0.log&max-size=10485760&max-files=5");
  CHECK(LogDriverUri("/opt/my skiff/skiff", "/l/a+b;c&d=e%f?g#h/0.log", 1024, 2) ==
        "binary:///opt/my%20skiff/skiff?skiff-log-driver=&path=/l/"
        "a%2Bb%3Bc%26d%3De%25f%3Fg%23h/0.log&max-size=1024&max-files=2");
}
