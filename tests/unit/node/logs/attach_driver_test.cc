// The log driver's attach side, run as its own process like the shim runs it: the frame codec,
// output fan-out to clients of its socket (and still the file), stdin frames into the FIFO,
// stdinOnce, and a client that never reads.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "log_test_util.h"
#include "node/logs/attach_frames.h"
#include "skiff/node/container_logs.h"

using namespace skiff::node::testing;
using skiff::node::logs::EncodeFrame;
using skiff::node::logs::FrameDecoder;
using skiff::node::logs::FrameKind;
using namespace std::chrono_literals;

namespace {

// One attach client of a driver's socket.
class Client {
 public:
  explicit Client(const std::string& path, bool uses_stdin = false, bool hello = true) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (connected_ && hello) Send(EncodeFrame(FrameKind::kHello, uses_stdin ? "\x01" : "\x00"));
  }
  ~Client() { Close(); }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    (void)!::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Reads frames until `text` is in the stream of `kind`, EOF, or the timeout.
  bool WaitFor(FrameKind kind, const std::string& text, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Text(kind).find(text) == std::string::npos) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }
  // Reads until EOF; true when it came before the timeout.
  bool WaitEof(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
      if (!ReadSome(deadline)) return eof_;
    }
    return true;
  }
  std::string Text(FrameKind kind) const { return kind == FrameKind::kStdout ? out_ : err_; }

 private:
  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    decoder_.Feed(std::string_view(buf, static_cast<size_t>(n)),
                  [this](FrameKind k, std::string_view payload) {
                    (k == FrameKind::kStdout ? out_ : err_).append(payload);
                  });
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  FrameDecoder decoder_;
  std::string out_, err_;
};

std::vector<std::string> AttachArgs(const std::string& dir, const std::string& stdin_fifo = "",
                                    bool stdin_once = false) {
  skiff::node::LogDriverAttach attach;
  attach.socket = dir + "/attach/c.sock";
  attach.stdin_fifo = stdin_fifo;
  attach.stdin_once = stdin_once;
  auto args = skiff::node::LogDriverArgs(dir + "/0.log", 10 << 20, 5, attach);
  return args;
}

std::string MakeFifo(const std::string& dir) {
  const std::string path = dir + "/c.stdin";
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  return path;
}

// Reads what the FIFO holds now (non-blocking), waiting up to 5 s for `want` bytes.
std::string ReadFifo(int fd, size_t want) {
  std::string got;
  WaitFor(
      [&] {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
        return got.size() >= want;
      },
      5s);
  return got;
}

}  // namespace

TEST_CASE("attach frames round-trip when cut at every byte, and bad frames are rejected") {
  std::string stream = EncodeFrame(FrameKind::kHello, std::string("\x01", 1)) +
                       EncodeFrame(FrameKind::kStdin, "echo hi\n") +
                       EncodeFrame(FrameKind::kStdinClosed, "");
  CHECK(stream.substr(0, 6) == std::string("\x10\x00\x00\x00\x01\x01", 6));
  std::vector<std::pair<int, std::string>> got;
  FrameDecoder d;
  for (char c : stream) {
    REQUIRE(d.Feed(std::string_view(&c, 1), [&](FrameKind k, std::string_view p) {
      got.emplace_back(static_cast<int>(k), std::string(p));
    }));
  }
  REQUIRE(got.size() == 3);
  CHECK(got[0] == std::make_pair(16, std::string("\x01", 1)));
  CHECK(got[1] == std::make_pair(17, std::string("echo hi\n")));
  CHECK(got[2] == std::make_pair(18, std::string()));
  CHECK(d.buffered() == 0);

  // A long payload becomes several frames of at most 64 KiB.
  std::string big(150 * 1024, 'x');
  std::string encoded = EncodeFrame(FrameKind::kStdout, big);
  CHECK(encoded.size() == big.size() + 3 * skiff::node::logs::kFrameHeaderSize);

  FrameDecoder bad_kind;
  CHECK_FALSE(bad_kind.Feed(std::string("\x07\x00\x00\x00\x00", 5), [](auto, auto) {}));
  CHECK(bad_kind.error() == "attach protocol: unknown frame kind 7");
  FrameDecoder too_long;
  CHECK_FALSE(too_long.Feed(std::string("\x01\x00\x01\x00\x01", 5), [](auto, auto) {}));
  CHECK(too_long.error() == "attach protocol: frame of 65537 bytes exceeds the limit of 65536");
  CHECK_FALSE(too_long.Feed(EncodeFrame(FrameKind::kStdout, "x"), [](auto, auto) {}));
}

TEST_CASE("driver args name attach, stdin, stdin-once and tty, percent-encoded in the URI") {
  skiff::node::LogDriverAttach attach{"/run/skiff/attach/abc.sock", "/run/skiff/attach/abc.stdin",
                                      true, false};
  CHECK(skiff::node::LogDriverUri("/usr/bin/skiff", "/var/log/pods/a b/0.log", 100, 2, attach) ==
        "binary:///usr/bin/skiff?skiff-log-driver=&path=/var/log/pods/a%20b/0.log&max-size=100"
        "&max-files=2&attach=/run/skiff/attach/abc.sock&stdin=/run/skiff/attach/abc.stdin"
        "&stdin-once=true&tty=false");
  TempDir dir;
  // A bad boolean is refused before readiness.
  auto args = AttachArgs(dir.path());
  args.insert(args.end(), {"stdin-once", "yes"});
  DriverProcess d(args);
  CHECK_FALSE(d.WaitReady());
  CHECK(d.Wait() == 1);
  // An attach path over the sun_path limit too.
  auto long_args = AttachArgs(dir.path());
  long_args.insert(long_args.end(), {"attach", "/" + std::string(120, 'a')});
  DriverProcess d2(long_args);
  CHECK_FALSE(d2.WaitReady());
  CHECK(d2.Wait() == 1);
}

TEST_CASE("driver sends output as read to every attach client, and to the file") {
  TempDir dir;
  DriverProcess d(AttachArgs(dir.path()));
  REQUIRE(d.WaitReady());
  const std::string sock = dir.path() + "/attach/c.sock";
  struct stat st {};
  REQUIRE(::stat(sock.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);

  Client a(sock), b(sock);
  REQUIRE(a.connected());
  REQUIRE(b.connected());
  std::this_thread::sleep_for(100ms);  // let the driver accept both
  // A prompt without a newline reaches the clients at once (no line buffering).
  d.WriteStdout("/ # ");
  CHECK(a.WaitFor(FrameKind::kStdout, "/ # ", 2s));
  CHECK(b.WaitFor(FrameKind::kStdout, "/ # ", 2s));
  d.WriteStdout("line one\n");
  d.WriteStderr("oops\n");
  CHECK(a.WaitFor(FrameKind::kStdout, "/ # line one\n"));
  CHECK(a.WaitFor(FrameKind::kStderr, "oops\n"));
  CHECK(b.WaitFor(FrameKind::kStderr, "oops\n"));
  CHECK(b.Text(FrameKind::kStdout) == "/ # line one\n");
  d.CloseStdout();
  d.CloseStderr();
  // The container ended: clients see EOF, the socket goes away, the file is as before.
  CHECK(a.WaitEof());
  CHECK(b.WaitEof());
  REQUIRE(d.Wait() == 0);
  CHECK_FALSE(Exists(sock));
  auto entries = ParseFile(ReadAll(dir.path() + "/0.log"));
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].stream == "stdout");
  CHECK(entries[0].content == "/ # line one");
  CHECK(entries[1].stream == "stderr");
  CHECK(entries[1].content == "oops");
}

TEST_CASE("driver forwards stdin frames into the FIFO and keeps it open across sessions") {
  TempDir dir;
  const std::string fifo = MakeFifo(dir.path());
  DriverProcess d(AttachArgs(dir.path(), fifo, false));
  REQUIRE(d.WaitReady());
  // The container's end (as the shim opens it).
  int in = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(in >= 0);
  const std::string sock = dir.path() + "/attach/c.sock";
  {
    Client a(sock, true);
    a.Send(EncodeFrame(FrameKind::kStdin, "echo hi\n"));
    CHECK(ReadFifo(in, 8) == "echo hi\n");
    a.Send(EncodeFrame(FrameKind::kStdinClosed, ""));
  }
  // A session without stdin cannot write; the next stdin session can, and there was no EOF.
  Client quiet(sock, false);
  quiet.Send(EncodeFrame(FrameKind::kStdin, "dropped\n"));
  Client b(sock, true);
  b.Send(EncodeFrame(FrameKind::kStdin, "second\n"));
  CHECK(ReadFifo(in, 7) == "second\n");
  char c;
  CHECK(::read(in, &c, 1) == -1);  // still a writer (the driver): EAGAIN, not EOF
  CHECK(errno == EAGAIN);
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  CHECK(::read(in, &c, 1) == 0);  // the driver exited: EOF
  ::close(in);
}

TEST_CASE("driver with stdin-once closes the FIFO when the first stdin session ends") {
  TempDir dir;
  const std::string fifo = MakeFifo(dir.path());
  DriverProcess d(AttachArgs(dir.path(), fifo, true));
  REQUIRE(d.WaitReady());
  int in = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(in >= 0);
  const std::string sock = dir.path() + "/attach/c.sock";
  {
    // A session without stdin ending does not close it.
    Client watcher(sock, false);
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(100ms);
  char c;
  CHECK(::read(in, &c, 1) == -1);
  {
    Client a(sock, true);
    a.Send(EncodeFrame(FrameKind::kStdin, "only once\n"));
    CHECK(ReadFifo(in, 10) == "only once\n");
  }                                                            // disconnects
  CHECK(WaitFor([&] { return ::read(in, &c, 1) == 0; }, 5s));  // EOF for the container
  // The driver keeps running (the container's output continues).
  d.WriteStdout("after\n");
  Client b(sock, true);
  CHECK(b.WaitFor(FrameKind::kStdout, "after\n", 300ms) == false);  // written before b connected
  d.WriteStdout("later\n");
  CHECK(b.WaitFor(FrameKind::kStdout, "later\n"));
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  ::close(in);
}

TEST_CASE("driver disconnects a client that never reads, without stalling the log") {
  TempDir dir;
  DriverProcess d(AttachArgs(dir.path()));
  REQUIRE(d.WaitReady());
  const std::string sock = dir.path() + "/attach/c.sock";
  Client stuck(sock), reader(sock);
  std::this_thread::sleep_for(100ms);
  // 4 MiB of output: far more than the stuck client's socket buffer plus its 1 MiB queue.
  const std::string line(1023, 'y');
  std::thread writer([&] {
    for (int i = 0; i < 4096; ++i) {
      d.WriteStdout(line + "\n");
      // Paced so that a client that does read keeps up.
      if (i % 128 == 127) std::this_thread::sleep_for(10ms);
    }
    d.WriteStdout("end\n");
  });
  // The reader keeps up; "end" shows every byte went through.
  const bool done = reader.WaitFor(FrameKind::kStdout, "end\n", 30s);
  writer.join();
  CHECK(done);
  CHECK(reader.Text(FrameKind::kStdout).size() == 4096 * 1024 + 4);
  // The stuck client was dropped: after what its buffers held it sees EOF.
  CHECK(stuck.WaitEof(20s));
  d.CloseStdout();
  d.CloseStderr();
  REQUIRE(d.Wait() == 0);
  CHECK(ParseFile(ReadAll(dir.path() + "/0.log")).size() == 4097);
}
