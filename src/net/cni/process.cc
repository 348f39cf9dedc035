#include "net/cni/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "skiff/common/fd_write.h"
#include "skiff/common/unique_fd.h"

namespace skiff::net {
namespace {

// Owns posix_spawn's attribute and file-action objects.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

using Clock = std::chrono::steady_clock;

void ReadSome(int fd, std::string* into, size_t cap, bool* open) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t room = into->size() < cap ? cap - into->size() : 0;
      into->append(buf, std::min(room, static_cast<size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    *open = false;  // EOF or a read error: nothing more will come
    return;
  }
}

}  // namespace

Result<ProcessOutput> RunProcess(const ProcessSpec& spec) {
  const bool search = spec.path.find('/') == std::string::npos;
  if (!search && ::access(spec.path.c_str(), X_OK) != 0) {
    int e = errno;
    std::string msg = "cannot execute " + spec.path + ": " + std::strerror(e);
    return e == ENOENT ? NotFoundError(msg) : UnavailableError(msg);
  }

  // stdin is a pipe, not a socket: a child splicing from a socket into its stdout pipe
  // holds that pipe's lock while it waits for input, and our read of stdout would then
  // block until we write more input: a deadlock (busybox cat does this).
  int in_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    return UnavailableError("pipe for " + spec.path + ": " + std::strerror(errno));
  }
  UniqueFd in_child(in_pipe[0]), in_parent(in_pipe[1]);
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return UnavailableError("pipe for " + spec.path + ": " + std::strerror(errno));
  }
  UniqueFd out_parent(out_pipe[0]), out_child(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return UnavailableError("pipe for " + spec.path + ": " + std::strerror(errno));
  }
  UniqueFd err_parent(err_pipe[0]), err_child(err_pipe[1]);

  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, in_child.get(), 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out_child.get(), 1);
  posix_spawn_file_actions_adddup2(&setup.actions, err_child.get(), 2);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> args =
      spec.argv.empty() ? std::vector<std::string>{spec.path} : spec.argv;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = spec.env;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = search ? ::posix_spawnp(&pid, spec.path.c_str(), &setup.actions, &setup.attr,
                                   argv.data(), envp.data())
                  : ::posix_spawn(&pid, spec.path.c_str(), &setup.actions, &setup.attr, argv.data(),
                                  envp.data());
  if (rc != 0) {
    std::string msg = "cannot start " + spec.path + ": " + std::strerror(rc);
    return rc == ENOENT ? NotFoundError(msg) : UnavailableError(msg);
  }
  in_child.reset();
  out_child.reset();
  err_child.reset();
  for (int fd : {in_parent.get(), out_parent.get(), err_parent.get()}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  ProcessOutput result;
  size_t written = 0;
  bool in_open = true, out_open = true, err_open = true, exited = false;
  int wstatus = 0;
  if (spec.input.empty()) {
    in_parent.reset();
    in_open = false;
  }
  auto deadline = Clock::now() + spec.timeout;
  while (out_open || err_open || !exited) {
    if (!exited) {
      pid_t w = ::waitpid(pid, &wstatus, WNOHANG);
      if (w == pid) {
        exited = true;
        // Output still open after the exit belongs to a grandchild: give it a moment only.
        deadline = std::min(deadline, Clock::now() + std::chrono::seconds(1));
      }
    }
    if (exited && !out_open && !err_open) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      // A child that exited but left its output open (a daemonised grandchild) is not a
      // timeout: its result is what it wrote so far.
      if (!exited) result.timed_out = true;
      break;
    }
    pollfd fds[4];
    int n = 0;
    int in_idx = -1, out_idx = -1, err_idx = -1;
    if (in_open) fds[in_idx = n++] = {in_parent.get(), POLLOUT, 0};
    if (out_open) fds[out_idx = n++] = {out_parent.get(), POLLIN, 0};
    if (err_open) fds[err_idx = n++] = {err_parent.get(), POLLIN, 0};
    // The pidfd's readiness is picked up by waitpid at the loop's top.
    if (!exited && pidfd.get() >= 0) fds[n++] = {pidfd.get(), POLLIN, 0};
    // Without a pidfd, exit is noticed by polling waitpid every 10 ms.
    int wait_ms = static_cast<int>(left.count());
    if (!exited && pidfd.get() < 0) wait_ms = std::min(wait_ms, 10);
    int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      if (fds[in_idx].revents & (POLLERR | POLLHUP)) {
        in_parent.reset();  // the child closed its stdin: stop feeding it
        in_open = false;
      } else {
        ssize_t w = WriteNoSigpipe(in_parent.get(), spec.input.data() + written,
                                   spec.input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == spec.input.size()) {
          in_parent.reset();  // EOF for the child
          in_open = false;
        }
      }
    }
    if (out_idx >= 0 && fds[out_idx].revents != 0) {
      ReadSome(out_parent.get(), &result.out, spec.max_output, &out_open);
    }
    if (err_idx >= 0 && fds[err_idx].revents != 0) {
      ReadSome(err_parent.get(), &result.err, spec.max_output, &err_open);
    }
  }
  if (!exited) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.term_signal = WTERMSIG(wstatus);
  return result;
}

Result<std::string> FindExecutable(const std::string& name, const std::string& search_path) {
  if (name.find('/') != std::string::npos) return name;
  size_t start = 0;
  while (start <= search_path.size()) {
    size_t end = search_path.find(':', start);
    if (end == std::string::npos) end = search_path.size();
    std::string dir = search_path.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return NotFoundError(name + " not found in PATH " + search_path);
}

std::string DescribeExit(const ProcessOutput& out, const ProcessSpec& spec) {
  if (out.timed_out) return "timed out after " + std::to_string(spec.timeout.count()) + " ms";
  if (out.term_signal != 0) return "killed by signal " + std::to_string(out.term_signal);
  return "exit status " + std::to_string(out.exit_code);
}

Status RunChecked(const std::string& search_path, std::vector<std::string> argv,
                  const std::string& input, std::chrono::milliseconds timeout,
                  const std::vector<int>& ok_exit_codes) {
  Result<std::string> path = FindExecutable(argv.at(0), search_path);
  if (!path.ok()) return path.status();
  ProcessSpec spec;
  spec.path = *path;
  spec.argv = std::move(argv);
  spec.env = {"PATH=" + search_path};
  spec.input = input;
  spec.timeout = timeout;
  Result<ProcessOutput> out = RunProcess(spec);
  if (!out.ok()) return out.status();
  const bool accepted = !out->timed_out && out->term_signal == 0 &&
                        std::find(ok_exit_codes.begin(), ok_exit_codes.end(),
                                  out->exit_code) != ok_exit_codes.end();
  if (out->ok() || accepted) return Status::Ok();
  std::string err = out->err.empty() ? out->out : out->err;
  while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
  return UnavailableError(spec.argv[0] + " " + DescribeExit(*out, spec) +
                          (err.empty() ? "" : ": " + err));
}

}  // namespace skiff::net
