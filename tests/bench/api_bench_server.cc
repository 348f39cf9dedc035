#include "api_bench_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace skiff::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool DecodeBase64(const std::string& in, std::string* out) {
  if (in.empty() || in.size() % 4 != 0) return false;
  std::string buf(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return false;
  size_t pad = in.ends_with("==") ? 2 : in.ends_with("=") ? 1 : 0;
  buf.resize(static_cast<size_t>(n) - pad);
  *out = std::move(buf);
  return true;
}

// The value of the first "<key>: <value>" line of a YAML document, trimmed and unquoted.
bool YamlValue(const std::string& text, const std::string& key, std::string* value) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t k = line.find_first_not_of(" \t-");
    if (k == std::string::npos || line.compare(k, key.size(), key) != 0) continue;
    size_t colon = k + key.size();
    if (colon >= line.size() || line[colon] != ':') continue;
    size_t b = line.find_first_not_of(" \t", colon + 1);
    size_t e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) return false;
    std::string v = line.substr(b, e - b + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    *value = v;
    return true;
  }
  return false;
}

}  // namespace

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

SkiffServer::SkiffServer(std::string skiff, std::string parent_dir)
    : skiff_(std::move(skiff)), parent_dir_(std::move(parent_dir)) {}

SkiffServer::~SkiffServer() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool SkiffServer::Exited() {
  if (pid_ <= 0) return true;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return true;
  }
  return false;
}

bool SkiffServer::Stop() {
  if (pid_ <= 0) return true;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    if (Exited()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return false;
}

std::string SkiffServer::LogTail(int lines) const {
  std::string log = ReadFile(dir_ + "/server.log");
  size_t pos = log.size();
  if (pos > 0 && log[pos - 1] == '\n') --pos;
  size_t start = 0;
  for (int found = 0; pos > 0;) {
    size_t nl = log.rfind('\n', pos - 1);
    if (nl == std::string::npos) break;
    if (++found == lines) {
      start = nl + 1;
      break;
    }
    pos = nl;
  }
  return log.substr(start);
}

double SkiffServer::RssMiB() const {
  if (pid_ <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  }
  return -1;
}

double SkiffServer::CpuSeconds() const {
  if (pid_ <= 0) return -1;
  std::string stat = ReadFile("/proc/" + std::to_string(pid_) + "/stat");
  size_t paren = stat.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return -1;
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields after the name start at 3 (state); utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

bool SkiffServer::ReadKubeconfig(std::string* error) {
  std::string text = ReadFile(dir_ + "/kubeconfig");
  const char* keys[] = {"certificate-authority-data", "client-certificate-data", "client-key-data"};
  std::string pem[3];
  for (int i = 0; i < 3; ++i) {
    std::string b64;
    if (!YamlValue(text, keys[i], &b64)) {
      *error = std::string("kubeconfig has no ") + keys[i];
      return false;
    }
    if (!DecodeBase64(b64, &pem[i])) {
      *error = std::string("kubeconfig ") + keys[i] + " is not base64";
      return false;
    }
  }
  tls_ = TlsConfig::FromPem(pem[0], pem[1], pem[2], error);
  return tls_ != nullptr;
}

bool SkiffServer::Start(std::chrono::seconds timeout, std::string* error) {
  std::string tmpl = parent_dir_ + "/skiff-api-bench-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    *error = "mkdtemp " + tmpl + ": " + std::strerror(errno);
    return false;
  }
  dir_ = tmpl;
  port_ = FreeLoopbackPort();
  if (port_ == 0) {
    *error = "no free loopback port";
    return false;
  }
  std::string kubeconfig = dir_ + "/kubeconfig";
  std::string log = dir_ + "/server.log";
  std::vector<std::string> args = {skiff_,
                                   "server",
                                   "--disable-agent", "--disable-scheduler",
                                   "--data-dir",
                                   dir_,
                                   "--write-kubeconfig",
                                   kubeconfig,
                                   "--manifests-dir",
                                   dir_ + "/manifests",
                                   "--https-listen-port",
                                   std::to_string(port_),
                                   "--bind-address",
                                   host_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the benchmark
    // The benchmark ignores SIGPIPE and blocks the stop signals; exec would keep both.
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
    int null = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null >= 0) ::dup2(null, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "exec %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  pid_ = pid;

  auto deadline = Clock::now() + timeout;
  std::string last = "the kubeconfig was not written";
  bool have_tls = false;
  while (Clock::now() < deadline) {
    if (Exited()) {
      *error = "skiff server exited during start-up; its log ends:\n" + LogTail(15);
      return false;
    }
    if (!have_tls) {
      have_tls = std::filesystem::exists(kubeconfig) && ReadKubeconfig(&last);
    }
    if (have_tls) {
      HttpsConnection c(tls_, host_, port_);
      auto r = c.Request("GET", "/readyz", "", "text/plain");
      if (r && r->status == 200 && r->body == "ok") return true;
      last = r ? "/readyz answered " + std::to_string(r->status) + ": " + r->body : c.error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "skiff server not ready after " + std::to_string(timeout.count()) + " s (" + last +
           "); its log ends:\n" + LogTail(15);
  return false;
}

}  // namespace skiff::bench
