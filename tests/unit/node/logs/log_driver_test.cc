// The log driver run as its own process, wired like containerd-shim-runc-v2 wires a binary://
// logger: fd 3 stdout, fd 4 stderr, fd 5 readiness, key/value argv in any order.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "log_test_util.h"
#include "node/logs/cri_format.h"

using namespace skiff::node::testing;
using skiff::node::logs::ParseTimestamp;

namespace {

std::vector<std::string> Args(const std::string& path, const std::string& max_size = "",
                              const std::string& max_files = "") {
  std::vector<std::string> a = {"skiff-log-driver", "", "path", path};
  if (!max_size.empty()) a.insert(a.begin(), {"max-size", max_size});
  if (!max_files.empty()) a.insert(a.end(), {"max-files", max_files});
  return a;
}

// True when `text` has the shape of `pattern`, in which '9' stands for any digit.
bool Shaped(const std::string& text, const std::string& pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (pattern[i] == '9' ? !std::isdigit(static_cast<unsigned char>(text[i]))
                          : text[i] != pattern[i]) {
      return false;
    }
  }
  return true;
}

std::string Contents(const std::vector<FileEntry>& entries, const std::string& stream) {
  std::string out;
  for (const auto& e : entries) {
    if (e.stream == stream) out += e.tag + ":" + e.content + "|";
  }
  return out;
}

}  // namespace

TEST_CASE("driver signals readiness only once the log file exists, creating its directory") {
  TempDir dir;
  std::string path = dir.path() + "/default_web_uid-1/app/0.log";
  DriverProcess d(Args(path));
  REQUIRE(d.WaitReady());
  // The byte arrived, so the file (and the missing parent directories) must exist already.
  REQUIRE(Exists(path));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(st.st_size == 0);
  d.CloseStdout();
  d.CloseStderr();
  CHECK(d.Wait() == 0);
}

TEST_CASE("driver that cannot create its file exits 1 without signalling readiness") {
  TempDir dir;
  WriteAll(dir.path() + "/not-a-dir", "x");
  DriverProcess d(Args(dir.path() + "/not-a-dir/app/0.log"));
  CHECK_FALSE(d.WaitReady());  // EOF on the readiness pipe, no byte
  CHECK(d.Wait() == 1);
}

TEST_CASE("driver rejects a missing or relative path and bad sizes") {
  TempDir dir;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"skiff-log-driver", ""},
                                             {"skiff-log-driver", "", "path", "relative/0.log"},
                                             {"path", dir.path() + "/0.log", "max-size", "ten"},
                                             {"path", dir.path() + "/0.log", "max-files", "0"}}) {
    DriverProcess d(args);
    CHECK_FALSE(d.WaitReady());
    CHECK(d.Wait() == 1);
  }
  CHECK_FALSE(Exists(dir.path() + "/0.log"));
}

TEST_CASE("driver takes its key/value arguments in any order and ignores unknown keys") {
  TempDir dir;
  std::string path = dir.path() + "/c/0.log";
  std::vector<std::vector<std::string>> orders = {
      {"max-files", "3", "path", path, "skiff-log-driver", "", "max-size", "1Mi"},
      {"skiff-log-driver", "", "max-size", "1048576", "future-key", "x", "max-files", "3", "path",
       path},
      {"path", path, "max-files", "3", "skiff-log-driver", "", "max-size", "1Mi"},
  };
  int n = 0;
  for (const auto& args : orders) {
    DriverProcess d(args);
    REQUIRE(d.WaitReady());
    d.WriteStdout("order-" + std::to_string(n++) + "\n");
    d.CloseStdout();
    d.CloseStderr();
    REQUIRE(d.Wait() == 0);
  }
  auto entries = ParseFile(ReadAll(path));
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].content == "order-0");
  CHECK(entries[1].content == "order-1");
  CHECK(entries[2].content == "order-2");
}

TEST_CASE("driver writes exact CRI entries with RFC 3339 UTC nanosecond timestamps") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  auto before = std::chrono::system_clock::now();
  DriverProcess d(Args(path));
  REQUIRE(d.WaitReady());
  d.WriteStdout("first line\nsecond line\n\n");
  d.WriteStderr("an error\n");
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  auto after = std::chrono::system_clock::now();

  std::string data = ReadAll(path);
  auto entries = ParseFile(data);
  REQUIRE(entries.size() == 4);
  for (const auto& e : entries) {
    CHECK(Shaped(e.time, "9999-99-99T99:99:99.999999999Z"));
    CHECK((e.stream == "stdout" || e.stream == "stderr"));
    CHECK(e.tag == "F");
    auto t = ParseTimestamp(e.time);
    REQUIRE(t.has_value());
    CHECK(*t >= std::chrono::time_point_cast<std::chrono::system_clock::duration>(before));
    CHECK(*t <= after);
  }
  CHECK(Contents(entries, "stdout") == "F:first line|F:second line|F:|");
  CHECK(Contents(entries, "stderr") == "F:an error|");
  // Within one stream, time never goes backwards.
  std::vector<std::string> out_times;
  for (const auto& e : entries) {
    if (e.stream == "stdout") out_times.push_back(e.time);
  }
  CHECK(std::is_sorted(out_times.begin(), out_times.end()));
}

TEST_CASE("driver keeps one line buffer per stream: interleaving never splits a line") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  DriverProcess d(Args(path));
  REQUIRE(d.WaitReady());
  d.WriteStdout("hel");
  d.WriteStderr("oops\n");
  // Only once stderr's line is in the file does stdout finish its line.
  REQUIRE(WaitFor([&] { return ReadAll(path).find("oops") != std::string::npos; }));
  d.WriteStdout("lo world\n");
  d.WriteStderr("err-");
  d.WriteStdout("out-2\n");
  REQUIRE(WaitFor([&] { return ReadAll(path).find("out-2") != std::string::npos; }));
  d.WriteStderr("2\n");
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  auto entries = ParseFile(ReadAll(path));
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].stream == "stderr");
  CHECK(entries[0].content == "oops");
  CHECK(entries[1].stream == "stdout");
  CHECK(entries[1].content == "hello world");
  CHECK(entries[2].stream == "stdout");
  CHECK(entries[2].content == "out-2");
  CHECK(entries[3].stream == "stderr");
  CHECK(entries[3].content == "err-2");
}

TEST_CASE("driver splits lines over 16 KiB into P pieces, as containerd does") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  DriverProcess d(Args(path));
  REQUIRE(d.WaitReady());
  std::string big;
  for (int i = 0; i < 40 * 1024; ++i) big += static_cast<char>('a' + i % 26);
  std::string exact(16384, 'x');
  std::string over(16385, 'y');
  // Written in odd-sized chunks so piece boundaries never line up with writes.
  std::string all = big + "\n" + exact + "\n" + over + "\nshort\n";
  for (size_t off = 0; off < all.size(); off += 5000) d.WriteStdout(all.substr(off, 5000));
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  auto e = ParseFile(ReadAll(path));
  REQUIRE(e.size() == 7);
  CHECK(e[0].tag == "P");
  CHECK(e[0].content == big.substr(0, 16384));
  CHECK(e[1].tag == "P");
  CHECK(e[1].content == big.substr(16384, 16384));
  CHECK(e[2].tag == "F");
  CHECK(e[2].content == big.substr(32768));
  CHECK(e[2].content.size() == 8192);
  // Exactly 16 KiB is still one full line; one byte more makes a P piece and a 1-byte F.
  CHECK(e[3].tag == "F");
  CHECK(e[3].content == exact);
  CHECK(e[4].tag == "P");
  CHECK(e[4].content == std::string(16384, 'y'));
  CHECK(e[5].tag == "F");
  CHECK(e[5].content == "y");
  CHECK(e[6].tag == "F");
  CHECK(e[6].content == "short");
}

TEST_CASE("driver writes a final unterminated piece as F and keeps bytes verbatim") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  DriverProcess d(Args(path));
  REQUIRE(d.WaitReady());
  std::string binary("bin\x00\x01\x7f\xff\xfe end", 13);
  std::string utf8 = "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x9a\x80 crlf\r";
  d.WriteStdout(binary + "\n" + utf8 + "\nno newline at the end");
  d.WriteStderr("stderr tail");
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  auto e = ParseFile(ReadAll(path));
  REQUIRE(e.size() == 4);
  CHECK(Contents(e, "stdout") == "F:" + binary + "|F:" + utf8 + "|F:no newline at the end|");
  CHECK(Contents(e, "stderr") == "F:stderr tail|");
}

TEST_CASE("driver rotates at max-size and keeps max-files files, deleting the oldest") {
  TempDir dir;
  std::string path = dir.path() + "/app/0.log";
  // Each entry is 30 + " stdout F " + "line-NN" + "\n" = 48 bytes: 4 entries fit 200 bytes.
  DriverProcess d(Args(path, "200", "3"));
  REQUIRE(d.WaitReady());
  for (int i = 1; i <= 20; ++i) {
    char line[16];
    std::snprintf(line, sizeof line, "line-%02d\n", i);
    d.WriteStdout(line);
  }
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);

  auto names = ListDir(dir.path() + "/app");
  REQUIRE(names.size() == 3);  // the live file and max-files - 1 rotated ones
  std::vector<std::string> rotated;
  for (const auto& n : names) {
    if (n == "0.log") continue;
    // "0.log.YYYYMMDD-hhmmss", or with ".<n>" for a second rotation within the same second.
    bool plain = Shaped(n, "0.log.99999999-999999");
    bool numbered = n.size() > 22 && Shaped(n.substr(0, 22), "0.log.99999999-999999.") &&
                    n.find_first_not_of("0123456789", 22) == std::string::npos;
    CHECK((plain || numbered));
    rotated.push_back(n);
  }
  REQUIRE(rotated.size() == 2);
  // Oldest first by (stamp, sequence); a same-second rotation gets ".1", ".2" ...
  auto key = [](const std::string& n) {
    std::string stamp = n.substr(6, 15);
    long seq = n.size() > 21 ? std::stol(n.substr(22)) : 0;
    return std::make_pair(stamp, seq);
  };
  std::sort(rotated.begin(), rotated.end(),
            [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
  std::vector<std::string> order = {rotated[0], rotated[1], "0.log"};
  std::string all;
  for (const auto& n : order) {
    std::string data = ReadAll(dir.path() + "/app/" + n);
    CHECK(data.size() <= 200);
    for (const auto& e : ParseFile(data)) all += e.content + ",";
  }
  CHECK(all ==
        "line-09,line-10,line-11,line-12,line-13,line-14,line-15,line-16,"
        "line-17,line-18,line-19,line-20,");
}

TEST_CASE("driver on SIGTERM writes what is already in the pipes and exits 0") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  DriverProcess d(Args(path));
  REQUIRE(d.WaitReady());
  d.WriteStdout("before term\nhalf a line");
  d.WriteStderr("err before term\n");
  REQUIRE(WaitFor([&] { return ReadAll(path).find("err before term") != std::string::npos; }));
  // The write ends stay open (as when a container's child still holds them): only the signal
  // ends the driver.
  d.Signal(SIGTERM);
  REQUIRE(d.Wait(std::chrono::seconds(5)) == 0);
  auto e = ParseFile(ReadAll(path));
  CHECK(Contents(e, "stdout") == "F:before term|F:half a line|");
  CHECK(Contents(e, "stderr") == "F:err before term|");
}

TEST_CASE("driver ignores SIGHUP, SIGINT and SIGPIPE") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  DriverProcess d(Args(path));
  REQUIRE(d.WaitReady());
  d.Signal(SIGHUP);
  d.Signal(SIGINT);
  d.Signal(SIGPIPE);
  d.WriteStdout("still here\n");
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  CHECK(Contents(ParseFile(ReadAll(path)), "stdout") == "F:still here|");
}

TEST_CASE("driver that cannot write keeps draining so the container never blocks") {
  // /dev/full accepts open(2) and fails every write with ENOSPC.
  DriverProcess d(Args("/dev/full"));
  REQUIRE(d.WaitReady());
  std::string chunk(64 * 1024, 'z');
  chunk.back() = '\n';
  // 4 MiB is far more than a pipe holds: this only finishes if the driver keeps reading.
  std::thread writer([&] {
    for (int i = 0; i < 64; ++i) d.WriteStdout(chunk);
    d.CloseStdout();
  });
  writer.join();
  d.CloseStderr();
  CHECK(d.Wait() == 0);
}

TEST_CASE("driver memory stays small however much and however long the output is") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  DriverProcess d(Args(path, "1Mi", "2"));
  REQUIRE(d.WaitReady());
  // 8 MiB without a single newline on stdout, many short lines on stderr.
  std::string chunk(256 * 1024, 'q');
  std::string lines;
  for (int i = 0; i < 20000; ++i) lines += "line " + std::to_string(i) + "\n";
  std::thread err_writer([&] { d.WriteStderr(lines); });
  for (int i = 0; i < 32; ++i) d.WriteStdout(chunk);
  err_writer.join();
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  INFO("driver peak RSS " << d.max_rss_kb() << " KiB");
  CHECK(d.max_rss_kb() > 0);
#ifndef __SANITIZE_ADDRESS__  // ASan's shadow memory makes every process large
  CHECK(d.max_rss_kb() < 8 * 1024);
#endif
  // And the file limits held: one rotated file and the live one, each at most 1 MiB.
  auto names = ListDir(dir.path());
  REQUIRE(names.size() == 2);
  for (const auto& n : names) {
    struct stat st {};
    REQUIRE(::stat((dir.path() + "/" + n).c_str(), &st) == 0);
    CHECK(st.st_size <= 1024 * 1024);
  }
}
