#include "exec_session.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exec_process.h"
#include "skiff/common/fd_write.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::node {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A Wait call's length: long enough to cost nothing, short enough that a timed-out call is
// told apart from a lost connection by how long it took.
constexpr std::chrono::milliseconds kWaitChunk = 60s;
// How long output may keep coming after the exit (a child left holding stdout) before the
// session drains what is there and ends.
constexpr std::chrono::milliseconds kDrainGrace = 5s;
constexpr size_t kReadChunk = 32 * 1024;
// How long closing stdin waits for the shim to open its end of the FIFO (microseconds, usually).
constexpr std::chrono::milliseconds kShimReaderWait = 2s;

}  // namespace

Status CheckRunning(const ExecTarget& target) {
  auto state = target.shim->State({target.container_id, ""});
  if (!state.ok()) {
    if (state.status().code() == Code::kNotFound) {
      return NotFoundError("container " + target.container_name + " does not exist");
    }
    return state.status();
  }
  if (state->status != runtime::TaskStatus::kRunning) {
    return NotFoundError("container " + target.container_name + " is " +
                         std::string(runtime::TaskStatusName(state->status)));
  }
  return Status::Ok();
}

Result<std::shared_ptr<ExecSession>> ExecSession::Start(const ExecTarget& target,
                                                        ExecOptions options,
                                                        std::shared_ptr<api::ExecOutput> output,
                                                        std::function<void()> on_end) {
  const std::string config_path = target.bundle + "/config.json";
  Result<std::string> text = ReadFile(config_path);
  if (!text.ok()) {
    return Status(text.status().code() == Code::kNotFound ? Code::kNotFound : Code::kInternal,
                  "container " + target.container_name + ": " + text.status().message());
  }
  json config = json::parse(*text, nullptr, false);
  if (config.is_discarded()) {
    return InternalError("container " + target.container_name + ": " + config_path +
                         " is not valid JSON");
  }
  Result<json> process = ExecProcessSpec(config, options.command, options.tty);
  if (!process.ok()) {
    return Status(process.status().code(),
                  "container " + target.container_name + ": " + process.status().message());
  }
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return InternalError(std::string("eventfd: ") + std::strerror(errno));

  const std::string exec_id = NewExecId();
  auto fifos = ExecFifos::Make(target.fifo_parent, exec_id, options.stdin, !options.tty);
  if (!fifos.ok()) return fifos.status();
  runtime::ExecProcessRequest request;
  request.id = target.container_id;
  request.exec_id = exec_id;
  request.terminal = options.tty;
  request.stdin_path = (*fifos)->stdin_path;
  request.stdout_path = (*fifos)->stdout_path;
  // With a terminal the shim copies the console to stdout only; it wants stderr set anyway.
  request.stderr_path = options.tty ? (*fifos)->stdout_path : (*fifos)->stderr_path;
  request.process = std::move(*process);
  if (Status s = target.shim->Exec(request); !s.ok()) return s;
  if (auto started = target.shim->Start({target.container_id, exec_id}); !started.ok()) {
    // A failed start leaves the exec created in the shim.
    (void)target.shim->Delete({target.container_id, exec_id});
    return InvalidArgumentError(ExecStartFailure(exec_id, started.status().message()));
  }
  std::shared_ptr<ExecSession> session(
      new ExecSession(target, std::move(options), std::move(output), std::move(on_end), exec_id,
                      std::move(*fifos), std::move(wake)));
  std::thread([session] { session->Run(); }).detach();
  return session;
}

ExecSession::ExecSession(ExecTarget target, ExecOptions options,
                         std::shared_ptr<api::ExecOutput> output, std::function<void()> on_end,
                         std::string exec_id, std::unique_ptr<ExecFifos> fifos, UniqueFd wake)
    : target_(std::move(target)),
      options_(std::move(options)),
      output_(std::move(output)),
      on_end_(std::move(on_end)),
      exec_id_(std::move(exec_id)),
      wake_(std::move(wake)),
      fifos_(std::move(fifos)) {}

ExecSession::~ExecSession() = default;

void ExecSession::Wake() {
  const uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

void ExecSession::Run() {
  std::thread pump([this] { Pump(); });
  const runtime::TaskRef ref{target_.container_id, exec_id_};
  int exit_code = 0;
  std::string error;
  for (;;) {
    const auto began = std::chrono::steady_clock::now();
    auto waited = target_.shim->Wait(ref, kWaitChunk);
    if (waited.ok()) {
      exit_code = static_cast<int>(waited->exit_status);
      break;
    }
    if (waited.status().code() == Code::kUnavailable &&
        std::chrono::steady_clock::now() - began >= kWaitChunk - 1s) {
      continue;  // still running
    }
    exit_code = 1;
    error = "error executing command in container: lost track of the process: " +
            waited.status().message();
    break;
  }
  {
    std::unique_lock lock(pump_mu_);
    if (!pump_cv_.wait_for(lock, kDrainGrace, [this] { return pump_done_; })) {
      log::Warning("exec", "output still open after the process exited; dropping the rest",
                   {{"container", target_.container_name}, {"exec", exec_id_}});
    }
  }
  ended_ = true;
  Wake();  // ends a blocked Stdin, and makes the pump drain what is there and stop
  pump.join();
  if (auto deleted = target_.shim->Delete(ref); !deleted.ok()) {
    log::Warning("exec", "cannot delete an exec'd process from the shim",
                 {{"container", target_.container_name},
                  {"exec", exec_id_},
                  {"error", deleted.status().message()}});
  }
  {
    std::lock_guard lock(stdin_mu_);
    fifos_.reset();  // closes our ends, removes the FIFOs
  }
  output_->Finish(exit_code, error);
  if (on_end_) on_end_();
}

void ExecSession::Pump() {
  struct Stream {
    int fd;
    bool wanted;
    bool is_stderr;
    bool open = true;
  };
  std::vector<Stream> streams;
  streams.push_back({fifos_->stdout_fd.get(), options_.stdout || options_.tty, false});
  if (fifos_->stderr_fd.valid())
    streams.push_back({fifos_->stderr_fd.get(), options_.stderr, true});
  bool client_gone = false;
  std::string buf(kReadChunk, '\0');
  auto forward = [&](const Stream& s, std::string_view data) {
    if (!s.wanted || client_gone) return;
    const bool ok = s.is_stderr ? output_->Stderr(data) : output_->Stdout(data);
    if (!ok) {
      client_gone = true;
      Cancel();
    }
  };
  // Reads what `s` has now; false at its end.
  auto read_some = [&](Stream& s) {
    for (;;) {
      const ssize_t n = ::read(s.fd, buf.data(), buf.size());
      if (n > 0) {
        forward(s, std::string_view(buf.data(), static_cast<size_t>(n)));
        if (static_cast<size_t>(n) < buf.size()) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      s.open = false;  // EOF (the shim closed its end) or a read error
      return;
    }
  };
  for (;;) {
    std::vector<pollfd> fds;
    for (const Stream& s : streams) {
      if (s.open) fds.push_back({s.fd, POLLIN, 0});
    }
    if (fds.empty()) break;
    const size_t n_streams = fds.size();
    fds.push_back({wake_.get(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds.back().revents & POLLIN) {
      // The session is ending: take what is buffered, then stop.
      for (Stream& s : streams) {
        if (s.open) read_some(s);
      }
      break;
    }
    for (size_t i = 0; i < n_streams; ++i) {
      if (fds[i].revents == 0) continue;
      for (Stream& s : streams) {
        if (s.fd == fds[i].fd) read_some(s);
      }
    }
  }
  std::lock_guard lock(pump_mu_);
  pump_done_ = true;
  pump_cv_.notify_all();
}

void ExecSession::Stdin(std::string_view data) {
  std::lock_guard lock(stdin_mu_);
  if (stdin_closed_ || !fifos_ || !fifos_->stdin_fd.valid()) return;
  const int fd = fifos_->stdin_fd.get();
  while (!data.empty() && !ended_) {
    const ssize_t n = WriteNoSigpipe(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd fds[2] = {{fd, POLLOUT, 0}, {wake_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[1].revents & POLLIN) return;
      continue;
    }
    return;  // the process's stdin is gone
  }
}

void ExecSession::StdinClosed() {
  std::lock_guard lock(stdin_mu_);
  if (stdin_closed_ || !fifos_ || !fifos_->stdin_fd.valid()) return;
  stdin_closed_ = true;
  // The shim opens its reading end of the FIFO after Start returned, with an open that only
  // completes while a writer exists: ours must outlive that open, or the process's stdin never
  // ends (seen under load, `cat` waiting forever).
  if (!ended_) {
    auto shim = target_.shim->ConnectTask(target_.container_id);
    if (!shim.ok() ||
        !WaitForFifoReader(static_cast<pid_t>(shim->shim_pid), fifos_->stdin_fd.get(),
                           kShimReaderWait)) {
      log::Warning("exec", "the shim did not open the stdin FIFO in time; closing it anyway",
                   {{"container", target_.container_name}, {"exec", exec_id_}});
    }
  }
  fifos_->stdin_fd.reset();
  if (ended_) return;
  if (Status s = target_.shim->CloseIO({target_.container_id, exec_id_}); !s.ok()) {
    log::Debug("exec", "cannot close an exec's stdin",
               {{"container", target_.container_name}, {"error", s.message()}});
  }
}

void ExecSession::Resize(int width, int height) {
  if (!options_.tty || ended_ || width <= 0 || height <= 0) return;
  if (Status s =
          target_.shim->ResizePty({target_.container_id, exec_id_}, static_cast<uint32_t>(width),
                                  static_cast<uint32_t>(height));
      !s.ok()) {
    log::Debug("exec", "cannot resize an exec's terminal",
               {{"container", target_.container_name}, {"error", s.message()}});
  }
}

void ExecSession::Cancel() {
  if (ended_ || killed_.exchange(true)) return;
  Status s = target_.shim->Kill({target_.container_id, exec_id_, SIGKILL, false});
  if (!s.ok() && s.code() != Code::kNotFound) {
    killed_ = false;
    log::Warning("exec", "cannot kill an exec'd process",
                 {{"container", target_.container_name}, {"error", s.message()}});
  }
}

namespace {

// Collects a one-shot run's output and end.
class Capture : public api::ExecOutput {
 public:
  explicit Capture(size_t limit) : limit_(limit) {}
  bool Stdout(std::string_view data) override { return Append(data); }
  bool Stderr(std::string_view data) override { return Append(data); }
  void Finish(int exit_code, const std::string& error) override {
    std::lock_guard lock(mu_);
    exit_code_ = exit_code;
    error_ = error;
  }
  void End() {
    std::lock_guard lock(mu_);
    ended_ = true;
    cv_.notify_all();
  }
  bool WaitEnd(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return ended_; });
  }

  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::string output_;
  bool truncated_ = false;
  int exit_code_ = 0;
  std::string error_;
  bool ended_ = false;

 private:
  bool Append(std::string_view data) {
    std::lock_guard lock(mu_);
    if (AppendCapped(&output_, data, limit_)) truncated_ = true;
    return true;  // keep reading so the process never blocks on a full pipe
  }
  const size_t limit_;
};

}  // namespace

Result<ExecResult> RunInTarget(const ExecTarget& target, const std::vector<std::string>& command,
                               std::chrono::milliseconds timeout, size_t output_limit) {
  auto capture = std::make_shared<Capture>(output_limit);
  ExecOptions options;
  options.command = command;
  auto session = ExecSession::Start(target, options, capture, [capture] { capture->End(); });
  if (!session.ok()) return session.status();
  ExecResult result;
  if (!capture->WaitEnd(timeout)) {
    result.timed_out = true;
    (*session)->Cancel();
    if (!capture->WaitEnd(30s)) {
      return UnavailableError("container " + target.container_name + ": exec " +
                              (*session)->exec_id() + " did not end after SIGKILL");
    }
  }
  std::lock_guard lock(capture->mu_);
  if (!capture->error_.empty()) return UnavailableError(capture->error_);
  result.exit_code = capture->exit_code_;
  result.output = std::move(capture->output_);
  result.truncated = capture->truncated_;
  return result;
}

}  // namespace skiff::node
