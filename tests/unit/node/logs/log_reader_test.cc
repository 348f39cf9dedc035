// ReadContainerLog over hand-made CRI files (exact timestamps) and, for follow, over files the
// real driver writes and rotates while the reader follows.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log_test_util.h"
#include "node/logs/cri_format.h"
#include "skiff/node/container_logs.h"

using namespace skiff::node::testing;
using skiff::Code;
using skiff::node::LogOptions;
using skiff::node::ReadContainerLog;

namespace {

const std::string kT1 = "2024-01-02T03:04:01.000000001Z";
const std::string kT2 = "2024-01-02T03:04:02.000000002Z";
const std::string kT3 = "2024-01-02T03:04:03.000000003Z";
const std::string kT4 = "2024-01-02T03:04:04.000000004Z";
const std::string kT5 = "2024-01-02T03:04:05.000000005Z";

std::chrono::system_clock::time_point Time(const std::string& text) {
  return *skiff::node::logs::ParseTimestamp(text);
}

// Reads without follow; fails the test on a non-OK status.
std::string Read(const std::string& path, const LogOptions& opts) { return ReadLog(path, opts); }

// Output collected from another thread.
class Collector {
 public:
  bool Add(std::string_view s) {
    std::lock_guard<std::mutex> lock(mu_);
    out_.append(s);
    ++chunks_;
    return true;
  }
  std::string text() const {
    std::lock_guard<std::mutex> lock(mu_);
    return out_;
  }
  bool Has(const std::string& s) const { return text().find(s) != std::string::npos; }

 private:
  mutable std::mutex mu_;  // guards out_, chunks_
  std::string out_;
  int chunks_ = 0;
};

// A follow read on its own thread; Join() returns its status.
class Follower {
 public:
  Follower(const std::string& path, LogOptions opts) {
    opts.follow = true;
    thread_ = std::thread([this, path, opts] {
      status_ = ReadContainerLog(
          path, opts, [this](std::string_view s) { return out.Add(s); },
          [this] { return running.load(); }, [this] { return stop.load(); });
      finished = true;
    });
  }
  ~Follower() {
    stop = true;
    if (thread_.joinable()) thread_.join();
  }
  skiff::Status Join() {
    thread_.join();
    return status_;
  }

  Collector out;
  std::atomic<bool> running{true};
  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};

 private:
  std::thread thread_;
  skiff::Status status_;
};

// Three files: two rotated (oldest first by stamp, then sequence) and the live one.
struct RotatedSet {
  TempDir dir;
  std::string live = dir.path() + "/0.log";
  RotatedSet() {
    WriteAll(live + ".20240102-030400",
             Cri(kT1, "stdout", "F", "one") + Cri(kT1, "stderr", "F", "two"));
    WriteAll(live + ".20240102-030400.1", Cri(kT2, "stdout", "P", "thr") +
                                              Cri(kT2, "stdout", "F", "ee") +
                                              Cri(kT3, "stderr", "F", "four"));
    WriteAll(live, Cri(kT4, "stdout", "F", "five") + Cri(kT5, "stderr", "F", "six"));
    // Not ours: ignored.
    WriteAll(live + ".20240102-030359.gz", Cri(kT1, "stdout", "F", "compressed"));
  }
};

}  // namespace

TEST_CASE("reader writes content lines, joins P pieces, reads rotated files oldest first") {
  RotatedSet set;
  CHECK(Read(set.live, {}) == "one\ntwo\nthree\nfour\nfive\nsix\n");
}

TEST_CASE("reader prefixes one RFC3339 UTC timestamp per line when asked") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  WriteAll(path, Cri(kT1, "stdout", "F", "a") + Cri(kT2, "stdout", "P", "long ") +
                     Cri(kT3, "stdout", "F", "line") +
                     Cri("2024-01-02T04:04:04.5+01:00", "stderr", "F", "offset"));
  LogOptions opts;
  opts.timestamps = true;
  CHECK(Read(path, opts) ==
        kT1 + " a\n" + kT2 + " long line\n" + "2024-01-02T03:04:04.500000000Z offset\n");
  opts.timestamps = false;
  CHECK(Read(path, opts) == "a\nlong line\noffset\n");
}

TEST_CASE("reader tail counts whole lines from the end across rotated files") {
  RotatedSet set;
  auto tail = [&](int64_t n, const std::string& stream = "") {
    LogOptions opts;
    opts.tail_lines = n;
    opts.stream = stream;
    return Read(set.live, opts);
  };
  CHECK(tail(0) == "");
  CHECK(tail(1) == "six\n");
  CHECK(tail(2) == "five\nsix\n");
  CHECK(tail(3) == "four\nfive\nsix\n");
  // "three" is two entries (P + F) but one line.
  CHECK(tail(4) == "three\nfour\nfive\nsix\n");
  CHECK(tail(5) == "two\nthree\nfour\nfive\nsix\n");
  CHECK(tail(6) == "one\ntwo\nthree\nfour\nfive\nsix\n");
  CHECK(tail(100) == "one\ntwo\nthree\nfour\nfive\nsix\n");
  // With a stream filter only that stream's lines count.
  CHECK(tail(2, "stdout") == "three\nfive\n");
  CHECK(tail(2, "stderr") == "four\nsix\n");
  CHECK(tail(3, "STDERR") == "two\nfour\nsix\n");
}

TEST_CASE("reader tail works on files larger than its 64 KiB scan blocks") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  std::string data;
  std::string filler(100, 'f');
  for (int i = 0; i < 5000; ++i) {
    data += Cri(kT1, i % 2 ? "stderr" : "stdout", "F", std::to_string(i) + filler);
  }
  WriteAll(path, data);
  LogOptions opts;
  opts.tail_lines = 3;
  CHECK(Read(path, opts) == "4997" + filler + "\n4998" + filler + "\n4999" + filler + "\n");
  opts.tail_lines = 2000;
  std::string out = Read(path, opts);
  CHECK(out.substr(0, 4 + filler.size() + 1) == "3000" + filler + "\n");
  CHECK(std::count(out.begin(), out.end(), '\n') == 2000);
}

TEST_CASE("reader since_time skips lines older than it, judging a line by its first piece") {
  RotatedSet set;
  LogOptions opts;
  opts.since_time = Time(kT2);
  CHECK(Read(set.live, opts) == "three\nfour\nfive\nsix\n");
  opts.since_time = Time(kT2) + std::chrono::nanoseconds(1);
  CHECK(Read(set.live, opts) == "four\nfive\nsix\n");
  opts.since_time = Time(kT5) + std::chrono::seconds(1);
  CHECK(Read(set.live, opts) == "");
  // tail first, then since (as kubelet).
  opts.since_time = Time(kT4);
  opts.tail_lines = 3;
  CHECK(Read(set.live, opts) == "five\nsix\n");
}

TEST_CASE("reader limit_bytes cuts the output, mid-line if need be") {
  RotatedSet set;
  LogOptions opts;
  opts.limit_bytes = 9;
  CHECK(Read(set.live, opts) == "one\ntwo\nt");
  opts.limit_bytes = 8;
  CHECK(Read(set.live, opts) == "one\ntwo\n");
  opts.limit_bytes = 1000;
  CHECK(Read(set.live, opts) == "one\ntwo\nthree\nfour\nfive\nsix\n");
  opts.limit_bytes = 34;  // 30 timestamp bytes + " one"
  opts.timestamps = true;
  CHECK(Read(set.live, opts) == kT1 + " one");
  opts.limit_bytes = 10;  // even the timestamp prefix is cut
  CHECK(Read(set.live, opts) == "2024-01-02");
}

TEST_CASE("reader stream filter selects stdout or stderr") {
  RotatedSet set;
  LogOptions opts;
  opts.stream = "stdout";
  CHECK(Read(set.live, opts) == "one\nthree\nfive\n");
  opts.stream = "Stderr";
  CHECK(Read(set.live, opts) == "two\nfour\nsix\n");
  opts.stream = "All";
  CHECK(Read(set.live, opts) == "one\ntwo\nthree\nfour\nfive\nsix\n");
}

TEST_CASE("reader keeps interleaved partial lines of the two streams apart") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  WriteAll(path, Cri(kT1, "stdout", "P", "ab") + Cri(kT2, "stderr", "P", "x") +
                     Cri(kT2, "stderr", "F", "y") + Cri(kT3, "stdout", "P", "cd") +
                     Cri(kT4, "stdout", "F", "ef") + Cri(kT5, "stderr", "P", "never ended"));
  LogOptions opts;
  opts.timestamps = true;
  CHECK(Read(path, opts) == kT2 + " xy\n" + kT1 + " abcdef\n" + kT5 + " never ended");
}

TEST_CASE("reader skips malformed lines and survives damaged files") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  std::string huge(300 * 1024, 'h');  // no writer of ours makes such a record
  WriteAll(path + ".20240102-030400",
           Cri(kT1, "stdout", "F", "good-1") + "garbage without structure\n\n" +
               "2024-13-45T99:99:99Z stdout F bad time\n" + Cri(kT1, "stdin", "F", "bad stream") +
               huge + "\n" + Cri(kT1, "stdout", "F", "good-2") +
               // A crash cut the last entry short: it has no newline but parses.
               kT2 + " stdout F cut sho");
  WriteAll(path,
           std::string("\x00\x01\x02\xff\n", 5) + Cri(kT3, "stderr", "F", "good-3") + kT3 + " std");
  CHECK(Read(path, {}) == "good-1\ngood-2\ncut sho\ngood-3\n");
  LogOptions opts;
  opts.tail_lines = 2;
  CHECK(Read(path, opts) == "cut sho\ngood-3\n");
}

TEST_CASE("reader reports missing files and bad options") {
  TempDir dir;
  auto sink = [](std::string_view) { return true; };
  auto no = [] { return false; };
  auto s = ReadContainerLog(dir.path() + "/app/0.log", {}, sink, no, no);
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.message() == "container log file " + dir.path() + "/app/0.log does not exist");

  WriteAll(dir.path() + "/0.log", Cri(kT1, "stdout", "F", "x"));
  LogOptions opts;
  opts.stream = "stdin";
  s = ReadContainerLog(dir.path() + "/0.log", opts, sink, no, no);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message() == "log stream \"stdin\" is not one of stdout, stderr, all");
  opts = {};
  opts.tail_lines = -1;
  CHECK(ReadContainerLog(dir.path() + "/0.log", opts, sink, no, no).code() ==
        Code::kInvalidArgument);
  opts = {};
  opts.limit_bytes = 0;
  CHECK(ReadContainerLog(dir.path() + "/0.log", opts, sink, no, no).code() ==
        Code::kInvalidArgument);

  // Only rotated files left (the live one not created yet): they are read.
  std::string only = dir.path() + "/1.log";
  WriteAll(only + ".20240102-030400", Cri(kT1, "stdout", "F", "rotated only"));
  CHECK(Read(only, {}) == "rotated only\n");
}

TEST_CASE("reader stops when the sink refuses more") {
  RotatedSet set;
  int calls = 0;
  auto s = ReadContainerLog(
      set.live, {},
      [&](std::string_view) {
        ++calls;
        return false;
      },
      [] { return true; }, [] { return false; });
  CHECK(s.ok());
  CHECK(calls == 1);

  // Following too: the first refused chunk ends the read although the container runs on.
  calls = 0;
  LogOptions opts;
  opts.follow = true;
  auto start = std::chrono::steady_clock::now();
  s = ReadContainerLog(
      set.live, opts,
      [&](std::string_view) {
        ++calls;
        return false;
      },
      [] { return true; }, [] { return false; });
  CHECK(s.ok());
  CHECK(calls == 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("follow sees lines appended later and returns when stop() turns true") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  WriteAll(path, Cri(kT1, "stdout", "F", "old"));
  LogOptions opts;
  opts.tail_lines = 1;
  Follower f(path, opts);
  REQUIRE(WaitFor([&] { return f.out.text() == "old\n"; }));
  WriteAll(path, Cri(kT2, "stdout", "F", "new"), true);
  REQUIRE(WaitFor([&] { return f.out.text() == "old\nnew\n"; }, std::chrono::seconds(2)));
  // A half-written entry is not shown until its newline arrives.
  WriteAll(path, kT3 + " stderr F pend", true);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(f.out.text() == "old\nnew\n");
  WriteAll(path, "ing\n", true);
  REQUIRE(WaitFor([&] { return f.out.text() == "old\nnew\npending\n"; }, std::chrono::seconds(2)));
  CHECK_FALSE(f.finished);
  auto stop_at = std::chrono::steady_clock::now();
  f.stop = true;
  CHECK(f.Join().ok());
  CHECK(std::chrono::steady_clock::now() - stop_at < std::chrono::seconds(1));
}

TEST_CASE("follow returns once the container stopped and its file is drained") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  WriteAll(path, Cri(kT1, "stdout", "F", "a"));
  Follower f(path, {});
  REQUIRE(WaitFor([&] { return f.out.text() == "a\n"; }));
  // Written just before the container is seen as stopped: still delivered.
  WriteAll(path, Cri(kT2, "stdout", "F", "last words") + Cri(kT3, "stderr", "P", "unterminated"),
           true);
  f.running = false;
  auto since = std::chrono::steady_clock::now();
  REQUIRE(WaitFor([&] { return f.finished.load(); }, std::chrono::seconds(3)));
  CHECK(std::chrono::steady_clock::now() - since < std::chrono::seconds(2));
  CHECK(f.Join().ok());
  CHECK(f.out.text() == "a\nlast words\nunterminated");
}

TEST_CASE("follow continues across a rotation done while it waits") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  WriteAll(path, Cri(kT1, "stdout", "F", "A"));
  Follower f(path, {});
  REQUIRE(WaitFor([&] { return f.out.text() == "A\n"; }));
  // Exactly what the driver does: finish the old file, rename it, create a new live file.
  WriteAll(path, Cri(kT2, "stdout", "F", "B"), true);
  REQUIRE(std::rename(path.c_str(), (path + ".20240102-030402").c_str()) == 0);
  // A second rotation before the follower looks again must not be skipped either.
  WriteAll(path, Cri(kT3, "stdout", "F", "C"));
  REQUIRE(std::rename(path.c_str(), (path + ".20240102-030403").c_str()) == 0);
  WriteAll(path, Cri(kT4, "stdout", "F", "D"));
  REQUIRE(WaitFor([&] { return f.out.text() == "A\nB\nC\nD\n"; }, std::chrono::seconds(3)));
  WriteAll(path, Cri(kT5, "stdout", "F", "E"), true);
  REQUIRE(WaitFor([&] { return f.out.text() == "A\nB\nC\nD\nE\n"; }, std::chrono::seconds(3)));
  f.running = false;
  CHECK(f.Join().ok());
  CHECK(f.out.text() == "A\nB\nC\nD\nE\n");
}

TEST_CASE("follow waits for a live file that does not exist yet") {
  TempDir dir;
  std::string path = dir.path() + "/0.log";
  WriteAll(path + ".20240102-030400", Cri(kT1, "stdout", "F", "rotated"));
  Follower f(path, {});
  REQUIRE(WaitFor([&] { return f.out.text() == "rotated\n"; }));
  WriteAll(path, Cri(kT2, "stdout", "F", "live"));
  REQUIRE(WaitFor([&] { return f.out.text() == "rotated\nlive\n"; }, std::chrono::seconds(3)));
  f.running = false;
  CHECK(f.Join().ok());
}

TEST_CASE("follow of the real driver loses and repeats nothing through many rotations") {
  TempDir dir;
  std::string path = dir.path() + "/pod/app/0.log";
  // Small files, so rotation happens every few lines while the reader follows.
  DriverProcess d({"max-files", "1000", "path", path, "skiff-log-driver", "", "max-size", "1Ki"});
  REQUIRE(d.WaitReady());
  LogOptions opts;
  opts.timestamps = false;
  Follower f(path, opts);
  std::string expect;
  for (int i = 0; i < 400; ++i) {
    std::string line = "line " + std::to_string(i) + (i % 7 == 0 ? std::string(300, '.') : "");
    if (i % 3 == 0) {
      d.WriteStderr(line + "\n");
    } else {
      d.WriteStdout(line + "\n");
    }
    expect += line + "\n";
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  f.running = false;
  CHECK(f.Join().ok());
  CHECK(ListDir(dir.path() + "/pod/app").size() > 20);  // it did rotate, many times
  // Streams are separate pipes, so only each stream's own order is guaranteed.
  auto lines_of = [](const std::string& text, bool stderr_lines) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      int n = std::stoi(line.substr(5));
      if ((n % 3 == 0) == stderr_lines) out.push_back(line);
    }
    return out;
  };
  std::string got = f.out.text();
  CHECK(got.size() == expect.size());
  CHECK(lines_of(got, false) == lines_of(expect, false));
  CHECK(lines_of(got, true) == lines_of(expect, true));
  // And a plain read afterwards sees the same.
  std::string again = Read(path, {});
  CHECK(lines_of(again, false) == lines_of(expect, false));
  CHECK(lines_of(again, true) == lines_of(expect, true));
}
