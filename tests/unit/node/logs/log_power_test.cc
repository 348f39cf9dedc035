// A container log whose last line a power cut (or a killed driver) left cut short: the writer
// appending after a restart starts a new line, and plain reads, --tail and -f show the lines
// around the cut one.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <thread>

#include "log_test_util.h"
#include "node/logs/cri_format.h"
#include "node/logs/rotating_log_file.h"
#include "skiff/node/container_logs.h"

using namespace skiff::node::testing;
using skiff::node::LogOptions;
using skiff::node::ReadContainerLog;
using skiff::node::logs::LogStream;
using skiff::node::logs::ParseTimestamp;
using skiff::node::logs::RotatingLogFile;

namespace {

const std::string kT1 = "2024-01-02T03:04:01.000000001Z";
const std::string kT2 = "2024-01-02T03:04:02.000000002Z";
const std::string kT3 = "2024-01-02T03:04:03.000000003Z";

// Reopens the file as the log driver does after a restart and appends one line.
void AppendAfterRestart(const std::string& path, const std::string& line) {
  auto file = RotatingLogFile::Open({path, 10 << 20, 5});
  REQUIRE(file.ok());
  file->Append(*ParseTimestamp(kT3), LogStream::kStdout, false, line);
  REQUIRE(file->Flush());
}

}  // namespace

TEST_CASE("log writer reopening a file cut mid-entry starts a new line") {
  TempDir dir;
  const std::string path = dir.path() + "/0.log";
  const std::string head = Cri(kT1, "stdout", "F", "one");
  SECTION("cut in the content") {
    WriteAll(path, head + kT2 + " stdout F cut sho");
    AppendAfterRestart(path, "next");
    auto entries = ParseFile(ReadAll(path));
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].content == "cut sho");
    CHECK(entries[2].content == "next");
    CHECK(ReadLog(path) == "one\ncut sho\nnext\n");
  }
  SECTION("cut in the timestamp") {
    WriteAll(path, head + "2024-01-02T03:0");
    AppendAfterRestart(path, "next");
    CHECK(ReadLog(path) == "one\nnext\n");
  }
  SECTION("zeros where the unwritten tail was") {
    WriteAll(path, head + std::string(300, '\0'));
    AppendAfterRestart(path, "next");
    CHECK(ReadLog(path) == "one\nnext\n");
  }
  SECTION("whole file: nothing added") {
    WriteAll(path, head);
    AppendAfterRestart(path, "next");
    CHECK(ReadAll(path) == head + kT3 + " stdout F next\n");
  }
  LogOptions tail;
  tail.tail_lines = 1;
  CHECK(ReadLog(path, tail) == "next\n");
}

TEST_CASE("log follow of a file cut mid-entry shows the lines written after a restart") {
  TempDir dir;
  const std::string path = dir.path() + "/0.log";
  WriteAll(path, Cri(kT1, "stdout", "F", "one") + "2024-01-02T03:0");
  std::string out;
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    LogOptions opts;
    opts.follow = true;
    (void)ReadContainerLog(
        path, opts,
        [&](std::string_view s) {
          std::lock_guard<std::mutex> lock(mu);
          out.append(s);
          return true;
        },
        [] { return true; }, [&] { return stop.load(); });
  });
  auto seen = [&](const std::string& s) {
    return WaitFor([&] {
      std::lock_guard<std::mutex> lock(mu);
      return out == s;
    });
  };
  CHECK(seen("one\n"));
  AppendAfterRestart(path, "next");
  CHECK(seen("one\nnext\n"));
  stop = true;
  reader.join();
}
