#include "run_tool.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "skiff/common/unique_fd.h"

extern char** environ;

namespace skiff::node::internal {
namespace {

constexpr size_t kMaxOutput = 4096;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t start = s.find_first_not_of(" \n\r");
  return start == std::string::npos ? std::string() : s.substr(start);
}

}  // namespace

Result<ToolResult> RunTool(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgumentError("no tool to run");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return InternalError("cannot run " + argv[0] + ": pipe: " + std::strerror(errno));
  }
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::string msg = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return rc == ENOENT ? NotFoundError(msg) : InternalError(msg);
  }
  write_end.reset();
  ToolResult result;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n > 0) {
      if (result.output.size() < kMaxOutput) result.output.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (result.output.size() > kMaxOutput) result.output.resize(kMaxOutput);
  result.output = Trim(std::move(result.output));
  return result;
}

Status RunToolChecked(const std::vector<std::string>& argv) {
  auto r = RunTool(argv);
  if (!r.ok()) return r.status();
  if (r->exit_code == 0) return Status::Ok();
  std::string how = r->exit_code < 0 ? "was killed by a signal"
                                     : "exited with status " + std::to_string(r->exit_code);
  return InternalError(argv[0] + " " + how + (r->output.empty() ? "" : ": " + r->output));
}

}  // namespace skiff::node::internal
