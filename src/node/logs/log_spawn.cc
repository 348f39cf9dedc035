// SpawnLogDriver: the log driver as a daemon behind FIFOs (containers with stdin, no tty).
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "skiff/common/unique_fd.h"
#include "skiff/node/container_logs.h"

extern char** environ;

namespace skiff::node {

Status SpawnLogDriver(const std::string& skiff_binary, const std::vector<std::string>& args,
                      const std::string& container_id, const std::string& stdout_fifo,
                      const std::string& stderr_fifo,
                      const std::vector<std::string>& cgroup_procs) {
  auto fail = [&](const std::string& what) {
    return InternalError("log driver " + skiff_binary + " for container " + container_id + ": " +
                         what);
  };
  // Read-only and non-blocking: the open does not wait for a writer, and the driver's poll
  // sees no hangup until a writer came and went.
  UniqueFd out(::open(stdout_fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!out.valid()) return fail("cannot open " + stdout_fifo + ": " + std::strerror(errno));
  UniqueFd err(::open(stderr_fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!err.valid()) return fail("cannot open " + stderr_fifo + ": " + std::strerror(errno));
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return fail(std::string("pipe2: ") + std::strerror(errno));
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);

  // Everything the child needs, built before fork.
  std::vector<std::string> argv_s;
  argv_s.push_back(skiff_binary);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "CONTAINER_ID=", 13) != 0) env_s.emplace_back(*e);
  }
  env_s.push_back("CONTAINER_ID=" + container_id);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int fds[3] = {out.get(), err.get(), ready_w.get()};

  const pid_t child = ::fork();
  if (child < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    // "0" moves the writer itself.
    for (const std::string& procs : cgroup_procs) {
      int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd >= 0) {
        (void)!::write(fd, "0", 1);
        ::close(fd);
      }
    }
    // The grandchild: move the three descriptors to 3, 4, 5 (through high numbers first, so
    // none is overwritten), stdin/stdout to /dev/null, keep stderr for the driver's own log.
    int high[3];
    for (int i = 0; i < 3; ++i) {
      high[i] = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
      if (high[i] < 0) ::_exit(127);
    }
    for (int i = 0; i < 3; ++i) {
      if (::dup2(high[i], 3 + i) < 0) ::_exit(127);
    }
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      if (null > 5) ::close(null);
    }
    (void)!::chdir("/");
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  ready_w.reset();
  out.reset();
  err.reset();
  pollfd p{ready_r.get(), POLLIN, 0};
  int polled = 0;
  do {
    polled = ::poll(&p, 1, 10000);
  } while (polled < 0 && errno == EINTR);
  if (polled <= 0) return fail("not ready after 10 s");
  char byte = 0;
  if (::read(ready_r.get(), &byte, 1) != 1) return fail("exited before it was ready");
  return Status::Ok();
}

}  // namespace skiff::node
