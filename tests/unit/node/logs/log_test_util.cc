#include "log_test_util.h"

#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace skiff::node::testing {
namespace {

void WriteFd(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("write to driver failed: ") + strerror(errno));
    off += static_cast<size_t>(n);
  }
}

// A pipe whose ends are both above the fds 3-5 the child needs, close-on-exec.
void HighPipe(int* r, int* w) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  *r = ::fcntl(p[0], F_DUPFD_CLOEXEC, 100);
  *w = ::fcntl(p[1], F_DUPFD_CLOEXEC, 100);
  ::close(p[0]);
  ::close(p[1]);
}

}  // namespace

TempDir::TempDir() {
  char tmpl[] = "/tmp/skiff-logs-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, const std::string& data, bool append) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << data;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<FileEntry> ParseFile(const std::string& data) {
  std::vector<FileEntry> out;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) throw std::runtime_error("unterminated line in log file");
    std::string line = data.substr(pos, nl - pos);
    pos = nl + 1;
    FileEntry e;
    size_t a = line.find(' ');
    size_t b = line.find(' ', a + 1);
    size_t c = line.find(' ', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) {
      throw std::runtime_error("malformed log line: " + line.substr(0, 80));
    }
    e.time = line.substr(0, a);
    e.stream = line.substr(a + 1, b - a - 1);
    e.tag = line.substr(b + 1, c - b - 1);
    e.content = line.substr(c + 1);
    out.push_back(std::move(e));
  }
  return out;
}

std::string Cri(const std::string& time, const std::string& stream, const std::string& tag,
                const std::string& content) {
  return time + " " + stream + " " + tag + " " + content + "\n";
}

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

DriverProcess::DriverProcess(const std::vector<std::string>& args) {
  // A driver that died must fail the test with a message, not kill it with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  int out_r, err_r, ready_w;
  HighPipe(&out_r, &out_w_);
  HighPipe(&err_r, &err_w_);
  HighPipe(&ready_r_, &ready_w);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // dup2 onto 3/4/5 clears close-on-exec there; every other fd of ours stays close-on-exec.
  posix_spawn_file_actions_adddup2(&fa, out_r, 3);
  posix_spawn_file_actions_adddup2(&fa, err_r, 4);
  posix_spawn_file_actions_adddup2(&fa, ready_w, 5);
  std::vector<std::string> argv_s = {SKIFF_LOG_DRIVER_HELPER};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The shim's environment: only CONTAINER_ID and CONTAINER_NAMESPACE.
  std::string id = "CONTAINER_ID=test-container", ns = "CONTAINER_NAMESPACE=skiff-test";
  char* envp[] = {id.data(), ns.data(), nullptr};
  int rc = ::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out_r);
  ::close(err_r);
  ::close(ready_w);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn failed: ") + strerror(rc));
}

DriverProcess::~DriverProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (int fd : {out_w_, err_w_, ready_r_}) {
    if (fd >= 0) ::close(fd);
  }
}

bool DriverProcess::WaitReady(std::chrono::milliseconds timeout) {
  pollfd p{ready_r_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char c;
  return ::read(ready_r_, &c, 1) == 1;
}

void DriverProcess::WriteStdout(const std::string& data) { WriteFd(out_w_, data); }
void DriverProcess::WriteStderr(const std::string& data) { WriteFd(err_w_, data); }

void DriverProcess::CloseStdout() {
  if (out_w_ >= 0) ::close(out_w_);
  out_w_ = -1;
}

void DriverProcess::CloseStderr() {
  if (err_w_ >= 0) ::close(err_w_);
  err_w_ = -1;
}

int DriverProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    struct rusage usage {};
    pid_t r = ::wait4(pid_, &status, WNOHANG, &usage);
    if (r == pid_) {
      reaped_ = true;
      max_rss_kb_ = usage.ru_maxrss;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void DriverProcess::Signal(int sig) { ::kill(pid_, sig); }

std::string ReadLog(const std::string& path, const LogOptions& opts) {
  std::string out;
  auto status = ReadContainerLog(
      path, opts,
      [&](std::string_view s) {
        out.append(s);
        return true;
      },
      [] { return false; }, [] { return false; });
  INFO(status.ToString());
  REQUIRE(status.ok());
  return out;
}

}  // namespace skiff::node::testing
