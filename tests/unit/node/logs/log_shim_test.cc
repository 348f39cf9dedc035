// The log driver behind the real containerd-shim-runc-v2 and runc: a busybox container's
// stdout/stderr go to `binary://<driver>?skiff-log-driver=&path=...` exactly as the node agent
// will configure it. A minimal ttrpc client lives here (test-only) so this test does not depend
// on the runtime library. Needs root, runc, containerd-shim-runc-v2 and /bin/busybox.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_test_util.h"
#include "skiff/node/container_logs.h"

using namespace skiff::node::testing;

namespace {

constexpr const char* kNamespace = "skiff-logs-test";
constexpr const char* kShim = "/usr/bin/containerd-shim-runc-v2";

// ---- protobuf, just enough for the Task service ----
void Varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void Bytes(std::string* out, int field, std::string_view b) {
  Varint(out, static_cast<uint64_t>(field) << 3 | 2);
  Varint(out, b.size());
  out->append(b);
}
void Uint(std::string* out, int field, uint64_t v) {
  Varint(out, static_cast<uint64_t>(field) << 3);
  Varint(out, v);
}
// Top-level fields of a message: varints and length-delimited values by field number.
struct Fields {
  std::map<int, uint64_t> ints;
  std::map<int, std::string> bytes;
};
Fields Parse(std::string_view m) {
  Fields f;
  size_t i = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0; i < m.size(); shift += 7) {
      uint8_t b = static_cast<uint8_t>(m[i++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return v;
  };
  while (i < m.size()) {
    uint64_t key = varint();
    int field = static_cast<int>(key >> 3);
    switch (key & 7) {
      case 0:
        f.ints[field] = varint();
        break;
      case 2: {
        uint64_t n = varint();
        f.bytes[field] = std::string(m.substr(i, n));
        i += n;
        break;
      }
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      default:
        throw std::runtime_error("bad protobuf wire type");
    }
  }
  return f;
}

// ---- ttrpc over the shim's unix socket ----
class Ttrpc {
 public:
  explicit Ttrpc(const std::string& socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect to shim at " + socket_path);
    }
  }
  ~Ttrpc() { ::close(fd_); }

  // Calls containerd.task.v2.Task/<method>. Returns the reply payload; throws on an error status
  // or when no reply comes within 20 s. `eof_ok`: a closed connection counts as success.
  std::string Call(const std::string& method, const std::string& payload, bool eof_ok = false) {
    std::string req;
    Bytes(&req, 1, "containerd.task.v2.Task");
    Bytes(&req, 2, method);
    Bytes(&req, 3, payload);
    uint32_t stream = next_stream_;
    next_stream_ += 2;
    std::string frame(10, '\0');
    for (int i = 0; i < 4; ++i) {
      frame[i] = static_cast<char>(req.size() >> (24 - 8 * i));
      frame[4 + i] = static_cast<char>(stream >> (24 - 8 * i));
    }
    frame[8] = 1;  // request
    frame += req;
    if (::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(frame.size())) {
      if (eof_ok) return "";
      throw std::runtime_error(method + ": send failed");
    }
    std::string header = ReadN(10, eof_ok);
    if (header.empty()) return "";
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len = len << 8 | static_cast<uint8_t>(header[i]);
    Fields resp = Parse(ReadN(len, false));
    if (resp.bytes.count(1)) {
      Fields status = Parse(resp.bytes[1]);
      throw std::runtime_error(method + " failed: code " + std::to_string(status.ints[1]) + ": " +
                               status.bytes[2]);
    }
    return resp.bytes[2];
  }

 private:
  std::string ReadN(size_t n, bool eof_ok) {
    std::string out;
    while (out.size() < n) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20000) <= 0) throw std::runtime_error("shim reply timed out");
      char buf[4096];
      ssize_t r = ::read(fd_, buf, std::min(sizeof buf, n - out.size()));
      if (r <= 0) {
        if (eof_ok && out.empty()) return "";
        throw std::runtime_error("shim closed the connection");
      }
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }

  int fd_ = -1;
  uint32_t next_stream_ = 1;
};

// Runs a program to completion; returns its stdout. `dir`: working directory.
std::string Run(const std::vector<std::string>& args, const std::string& dir,
                const std::vector<std::string>& env = {}) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  std::vector<std::string> a = args, e = env;
  std::vector<char*> argv, envp;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : e) envp.push_back(s.data());
  envp.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(p[1]);
  std::string out;
  if (rc == 0) {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::waitpid(pid, nullptr, 0);
  }
  ::close(p[0]);
  return out;
}

// Processes whose command line (NUL-separated) contains `needle`.
std::vector<pid_t> Pids(const std::string& needle) {
  std::vector<pid_t> pids;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadAll(e.path().string() + "/cmdline");
    if (cmdline.find(needle) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

// A container bundle under a TempDir, and everything needed to tear the shim down whatever
// happened (the test may fail half-way).
class ShimContainer {
 public:
  ShimContainer(const std::string& root, const std::string& id, const std::string& script)
      : id_(id), bundle_(root + "/" + id), address_(root + "/containerd.sock") {
    std::filesystem::create_directories(bundle_ + "/rootfs/bin");
    std::filesystem::copy_file("/bin/busybox", bundle_ + "/rootfs/bin/busybox");
    Run({"/usr/sbin/runc", "spec", "--bundle", bundle_}, "");
    auto spec = nlohmann::json::parse(ReadAll(bundle_ + "/config.json"));
    spec["process"]["terminal"] = false;
    spec["process"]["args"] = {"/bin/busybox", "sh", "-c", script};
    spec["hostname"] = "logs-test";
    WriteAll(bundle_ + "/config.json", spec.dump());
    WriteAll(bundle_ + "/log", "");  // the shim's own stderr; must be a regular file
    std::string out =
        Run({kShim, "-namespace", kNamespace, "-id", id_, "-address", address_, "start"}, bundle_,
            {"TTRPC_ADDRESS=" + root + "/events.sock",
             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"});
    if (out.rfind("unix://", 0) != 0) throw std::runtime_error("shim start printed: " + out);
    started_ = true;
    conn_ = std::make_unique<Ttrpc>(out.substr(7));
  }

  ~ShimContainer() {
    if (conn_) {
      for (const auto& [method, payload] : std::vector<std::pair<std::string, std::string>>{
               {"Kill", IdWith(3, 9)}, {"Delete", Id()}, {"Shutdown", Id()}}) {
        try {
          conn_->Call(method, payload, true);
        } catch (const std::exception&) {
        }
      }
      conn_.reset();
    }
    if (!started_) return;
    Run({kShim, "-namespace", kNamespace, "-id", id_, "-address", address_, "delete"}, bundle_);
    Run({"/usr/sbin/runc", "--root", std::string("/run/containerd/runc/") + kNamespace, "delete",
         "--force", id_},
        "");
    // With no event listener at TTRPC_ADDRESS the shim lingers ~20 s retrying its events after
    // Shutdown. Its task is deleted by now: end this test's shim (found by its unique id).
    std::string mine = std::string(kShim) + '\0' + "-namespace" + '\0' + kNamespace + '\0' + "-id" +
                       '\0' + id_ + '\0';
    for (pid_t pid : Pids(mine)) ::kill(pid, SIGKILL);
    WaitFor([&] { return Pids(mine).empty(); }, std::chrono::seconds(5));
    std::error_code ec;
    std::filesystem::remove(std::string("/run/containerd/runc/") + kNamespace, ec);  // if empty
  }

  std::string Id() const {
    std::string m;
    Bytes(&m, 1, id_);
    return m;
  }
  std::string IdWith(int field, uint64_t v) const {
    std::string m = Id();
    Uint(&m, field, v);
    return m;
  }
  void Create(const std::string& stdout_uri, const std::string& stderr_uri) {
    std::string m = Id();
    Bytes(&m, 2, bundle_);
    Bytes(&m, 6, stdout_uri);
    Bytes(&m, 7, stderr_uri);
    conn_->Call("Create", m);
  }
  Ttrpc& conn() { return *conn_; }
  void Done() { conn_.reset(); }

 private:
  std::string id_, bundle_, address_;
  bool started_ = false;
  std::unique_ptr<Ttrpc> conn_;
};

}  // namespace

TEST_CASE("driver behind containerd-shim-runc-v2 logs a real container in CRI format") {
  if (::geteuid() != 0) {
    WARN("needs root to run containers; skipped");
    return;
  }
  TempDir dir;
  // Characters Go's URL parsing would change if they were not escaped.
  std::string log_path = dir.path() + "/pods a+b;c%d/default_web_uid-1/app/0.log";
  std::string id = "logs-" + std::to_string(::getpid());
  // 20000 bytes on one line (a P piece and an F piece), lines on both streams, no final newline.
  std::string script =
      "echo out-1; echo err-1 >&2; head -c 20000 /dev/zero | tr '\\0' x; echo; "
      "echo err-2 >&2; printf 'no newline'; exit 3";
  std::string uri = skiff::node::LogDriverUri(SKIFF_LOG_DRIVER_HELPER, log_path, 1 << 20, 3);
  {
    ShimContainer c(dir.path(), id, script);
    c.Create(uri, uri);
    // Create returns only after the driver signalled readiness, which it does once the file
    // exists.
    CHECK(Exists(log_path));
    c.conn().Call("Start", c.Id());
    Fields wait = Parse(c.conn().Call("Wait", c.Id()));
    CHECK(wait.ints[1] == 3);  // exit_status
    c.conn().Call("Delete", c.Id());
    c.conn().Call("Shutdown", c.Id(), true);
    c.Done();
  }
  // The driver exited once the container's streams closed: nothing of it is left running.
  CHECK(WaitFor([&] { return Pids(log_path).empty(); }, std::chrono::seconds(15)));

  auto entries = ParseFile(ReadAll(log_path));
  std::string out, err;
  for (const auto& e : entries) {
    (e.stream == "stdout" ? out : err) += e.tag + ":" + e.content + "|";
  }
  CHECK(out == "F:out-1|P:" + std::string(16384, 'x') + "|F:" + std::string(20000 - 16384, 'x') +
                   "|F:no newline|");
  CHECK(err == "F:err-1|F:err-2|");

  // And the reader serves it the way kubectl logs shows it.
  std::string shown;
  auto status = skiff::node::ReadContainerLog(
      log_path, {},
      [&](std::string_view s) {
        shown.append(s);
        return true;
      },
      [] { return false; }, [] { return false; });
  REQUIRE(status.ok());
  CHECK(shown.size() == 6 + 6 + 20001 + 6 + 10 + 1);
  CHECK(shown.substr(0, 6) == "out-1\n");
}
