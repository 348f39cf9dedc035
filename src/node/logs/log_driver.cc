// RunLogDriver: the process containerd-shim-runc-v2 starts for a binary:// stdout/stderr URI.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "attach_hub.h"
#include "driver_args.h"
#include "line_splitter.h"
#include "rotating_log_file.h"
#include "skiff/common/log.h"
#include "skiff/node/container_logs.h"

namespace skiff::node {
namespace {

using logs::LineSplitter;
using logs::LogStream;
using logs::RotatingLogFile;

constexpr int kStdoutFd = 3;
constexpr int kStderrFd = 4;
constexpr int kReadyFd = 5;
constexpr size_t kReadChunk = 32 * 1024;
// On SIGTERM, read at most this much more before exiting (a writer that keeps writing must not
// keep us alive).
constexpr size_t kTerminateDrainMax = 8 << 20;
// At the end, how long attach clients get to take the output still queued for them.
constexpr std::chrono::milliseconds kAttachFlush{2000};

bool FdOpen(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

struct Input {
  int fd;
  LogStream stream;
  bool open;
  LineSplitter splitter;
};

class Driver {
 public:
  Driver(RotatingLogFile file, std::unique_ptr<logs::AttachHub> hub)
      : file_(std::move(file)), hub_(std::move(hub)), buf_(new char[kReadChunk]) {}

  // Reads one chunk from `in`. Returns the bytes read; 0 at EOF (the input is closed), -1 when
  // nothing was available.
  ssize_t ReadOnce(Input& in) {
    ssize_t n = ::read(in.fd, buf_.get(), kReadChunk);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
    if (n > 0) {
      if (hub_) {
        hub_->Broadcast(
            in.stream == LogStream::kStderr ? logs::FrameKind::kStderr : logs::FrameKind::kStdout,
            std::string_view(buf_.get(), static_cast<size_t>(n)));
      }
      in.splitter.Feed(std::string_view(buf_.get(), static_cast<size_t>(n)), Emitter(in.stream));
      return n;
    }
    if (n < 0) {
      log::Warning(
          "log-driver", "read failed; treating it as the end of the stream",
          {{"stream", std::string(logs::StreamName(in.stream))}, {"error", std::strerror(errno)}});
    }
    Close(in);
    return 0;
  }

  void Close(Input& in) {
    in.splitter.Finish(Emitter(in.stream));
    ::close(in.fd);
    in.open = false;
  }

  // After SIGTERM: take what is already in the pipe, without waiting for more.
  void Drain(Input& in, size_t* budget) {
    while (in.open && *budget > 0) {
      ssize_t n = ReadOnce(in);
      if (n < 0) break;
      *budget -= std::min(*budget, static_cast<size_t>(n));
    }
  }

  RotatingLogFile& file() { return file_; }
  logs::AttachHub* hub() { return hub_.get(); }

 private:
  LineSplitter::PieceFn Emitter(LogStream stream) {
    return [this, stream](bool partial, std::string_view content) {
      file_.Append(std::chrono::system_clock::now(), stream, partial, content);
    };
  }

  RotatingLogFile file_;
  std::unique_ptr<logs::AttachHub> hub_;
  std::unique_ptr<char[]> buf_;
};

}  // namespace

int RunLogDriver(int argc, char** argv) {
  // Which of the shim's descriptors we were given, before anything we open can take the numbers.
  bool have_stdout = FdOpen(kStdoutFd);
  bool have_stderr = FdOpen(kStderrFd);
  struct stat ready_st {};
  bool have_ready = ::fstat(kReadyFd, &ready_st) == 0 && S_ISFIFO(ready_st.st_mode);

  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &term, nullptr);
  int sig_fd = ::signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sig_fd < 0) {
    // Without the signalfd a SIGTERM stays blocked: the driver then ends at EOF only (and the
    // shim's SIGKILL 12 s later ends it otherwise).
    log::Warning("log-driver", "signalfd failed; SIGTERM will wait for EOF",
                 {{"error", std::strerror(errno)}});
  }

  auto args = logs::ParseDriverArgs(argc, argv);
  if (!args.ok()) {
    log::Error("log-driver", args.status().message());
    return 1;
  }
  auto file = RotatingLogFile::Open({args->path, args->max_size, args->max_files});
  if (!file.ok()) {
    log::Error("log-driver", file.status().message(), {{"path", args->path}});
    return 1;
  }
  std::unique_ptr<logs::AttachHub> hub;
  if (!args->attach.empty()) {
    // As containerd's CRI: stdinOnce closes the container's stdin only without a terminal.
    auto opened =
        logs::AttachHub::Open({args->attach, args->stdin_path, args->stdin_once && !args->tty});
    if (!opened.ok()) {
      log::Error("log-driver", opened.status().message());
      return 1;
    }
    hub = std::move(*opened);
  }
  Driver driver(std::move(*file), std::move(hub));

  if (have_ready) {
    char one = 1;
    while (::write(kReadyFd, &one, 1) < 0 && errno == EINTR) {
    }
    ::close(kReadyFd);
  }

  Input inputs[2] = {{kStdoutFd, LogStream::kStdout, have_stdout, LineSplitter()},
                     {kStderrFd, LogStream::kStderr, have_stderr, LineSplitter()}};
  if (args->tty && inputs[1].open) {
    // With a terminal the shim copies the console to fd 3 only; fd 4's writer may never close.
    ::close(inputs[1].fd);
    inputs[1].open = false;
  }
  for (Input& in : inputs) {
    if (in.open) ::fcntl(in.fd, F_SETFL, ::fcntl(in.fd, F_GETFL) | O_NONBLOCK);
  }

  bool terminate = false;
  while (!terminate && (inputs[0].open || inputs[1].open)) {
    std::vector<pollfd> pfds;
    Input* owner[2] = {nullptr, nullptr};
    for (Input& in : inputs) {
      if (!in.open) continue;
      owner[pfds.size()] = &in;
      pfds.push_back({in.fd, POLLIN, 0});
    }
    const size_t n_inputs = pfds.size();
    if (sig_fd >= 0) pfds.push_back({sig_fd, POLLIN, 0});
    const bool have_sig = sig_fd >= 0;
    if (driver.hub()) driver.hub()->AddPollFds(&pfds);
    if (::poll(pfds.data(), pfds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      log::Error("log-driver", "poll failed", {{"error", std::strerror(errno)}});
      break;
    }
    for (size_t i = 0; i < n_inputs; ++i) {
      if ((pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) driver.ReadOnce(*owner[i]);
    }
    if (have_sig && (pfds[n_inputs].revents & POLLIN) != 0) terminate = true;
    if (driver.hub()) driver.hub()->HandlePoll(pfds);
    driver.file().Flush();
  }

  size_t budget = kTerminateDrainMax;
  for (Input& in : inputs) {
    if (!in.open) continue;
    driver.Drain(in, &budget);
    if (in.open) driver.Close(in);
  }
  driver.file().Flush();
  if (driver.hub()) driver.hub()->Finish(kAttachFlush);
  if (sig_fd >= 0) ::close(sig_fd);
  return 0;
}

}  // namespace skiff::node
