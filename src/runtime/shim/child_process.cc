#include "runtime/shim/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "skiff/common/unique_fd.h"

extern char** environ;

namespace skiff::runtime::shim {

namespace {

std::string Errno(int err) { return std::string(strerror(err)); }

std::string Command(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

// Owns posix_spawn's attribute objects.
struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
};

struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;
};

// Reads what is available now; returns false at EOF or on a hard error.
bool ReadAvailable(int fd, std::string* out) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
}

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void FillExit(int wstatus, ChildResult* result) {
  if (WIFEXITED(wstatus)) {
    result->exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result->signal = WTERMSIG(wstatus);
  }
}

int WaitBlocking(pid_t pid) {
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  return wstatus;
}

}  // namespace

std::vector<std::string> ChildEnvironment(const std::vector<std::string>& unset,
                                          const std::vector<std::string>& set) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const bool drop = std::any_of(unset.begin(), unset.end(), [&](const std::string& key) {
      return entry.compare(0, key.size() + 1, key + "=") == 0;
    });
    if (!drop) env.push_back(entry);
  }
  env.insert(env.end(), set.begin(), set.end());
  return env;
}

Result<ChildResult> RunChild(const ChildSpec& spec) {
  if (spec.argv.empty()) return InvalidArgumentError("no program to run");
  const std::string command = Command(spec.argv);
  if (!spec.cwd.empty()) {
    struct stat st;
    if (::stat(spec.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return NotFoundError("running " + command + ": working directory " + spec.cwd +
                           " does not exist");
    }
  }

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return InternalError("pipe2: " + Errno(errno));
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return InternalError("pipe2: " + Errno(errno));
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  // stdin is a socket so that writing to a child that exited early fails with EPIPE instead
  // of raising SIGPIPE (send's MSG_NOSIGNAL).
  UniqueFd in_parent, in_child;
  if (spec.stdin_data) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      return InternalError("socketpair: " + Errno(errno));
    }
    in_parent.reset(pair[0]);
    in_child.reset(pair[1]);
  }

  SpawnActions fa;
  if (spec.stdin_data) {
    posix_spawn_file_actions_adddup2(&fa.actions, in_child.get(), 0);
  } else {
    posix_spawn_file_actions_addopen(&fa.actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&fa.actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa.actions, err_w.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&fa.actions, 3);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa.actions, spec.cwd.c_str());

  // The child starts with default signal dispositions and an empty mask.
  SpawnAttr sa;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&sa.attr, &none);
  posix_spawnattr_setsigdefault(&sa.attr, &all);
  posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, argv[0], &fa.actions, &sa.attr, argv.data(), envp.data());
  if (rc != 0) {
    if (rc == ENOENT) return NotFoundError("running " + command + ": " + Errno(rc));
    return InternalError("running " + command + ": " + Errno(rc));
  }
  out_w.reset();
  err_w.reset();
  in_child.reset();

  if (spec.stdin_data) {
    std::string_view data = *spec.stdin_data;
    while (!data.empty()) {
      const ssize_t n = ::send(in_parent.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the child stopped reading; its exit status tells the rest
      data.remove_prefix(static_cast<size_t>(n));
    }
    in_parent.reset();
  }

  SetNonBlocking(out_r.get());
  SetNonBlocking(err_r.get());
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  ChildResult result;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  bool out_open = true;
  bool err_open = true;
  for (;;) {
    int wstatus = 0;
    const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) {
      FillExit(wstatus, &result);
      if (out_open) ReadAvailable(out_r.get(), &result.out);
      if (err_open) ReadAvailable(err_r.get(), &result.err);
      return result;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      WaitBlocking(pid);
      return UnavailableError("running " + command + ": no exit within " +
                              std::to_string(spec.timeout.count()) +
                              " ms (killed); stderr: " + result.err);
    }
    pollfd fds[3];
    nfds_t n = 0;
    if (out_open) fds[n++] = {out_r.get(), POLLIN, 0};
    if (err_open) fds[n++] = {err_r.get(), POLLIN, 0};
    // Without a pidfd, poll in short steps to notice the exit.
    int wait_ms = static_cast<int>(std::min<int64_t>(left.count(), 5));
    if (pidfd.valid()) {
      fds[n++] = {pidfd.get(), POLLIN, 0};
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), 1000));
    }
    ::poll(fds, n, wait_ms);
    if (out_open) out_open = ReadAvailable(out_r.get(), &result.out);
    if (err_open) err_open = ReadAvailable(err_r.get(), &result.err);
  }
}

}  // namespace skiff::runtime::shim
