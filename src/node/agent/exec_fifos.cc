#include "exec_fifos.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "skiff/common/file_util.h"

namespace skiff::node {

namespace {

Status MakeFifo(const std::string& path, int flags, UniqueFd* fd) {
  if (::mkfifo(path.c_str(), 0600) != 0) {
    return InternalError("cannot make the FIFO " + path + ": " + std::strerror(errno));
  }
  fd->reset(::open(path.c_str(), flags | O_NONBLOCK | O_CLOEXEC));
  if (!fd->valid())
    return InternalError("cannot open the FIFO " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

// Whether /proc/<pid>/fdinfo/<fd> says the descriptor is open read-only (not O_PATH).
bool OpenForReading(const std::string& fdinfo) {
  Result<std::string> text = ReadFile(fdinfo);
  if (!text.ok()) return false;
  const size_t at = text->find("flags:");
  if (at == std::string::npos) return false;
  const long flags = std::strtol(text->c_str() + at + 6, nullptr, 8);
  return (flags & O_PATH) == 0 && (flags & O_ACCMODE) == O_RDONLY;
}

// Whether `pid` has the file (dev, ino) open for reading now.
bool HoldsForReading(pid_t pid, dev_t dev, ino_t ino) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir((proc + "/fd").c_str()), ::closedir);
  if (!dir) return false;
  while (dirent* ent = ::readdir(dir.get())) {
    if (ent->d_name[0] == '.') continue;
    struct stat st {};
    if (::stat((proc + "/fd/" + ent->d_name).c_str(), &st) != 0) continue;
    if (st.st_dev != dev || st.st_ino != ino) continue;
    if (OpenForReading(proc + "/fdinfo/" + ent->d_name)) return true;
  }
  return false;
}

}  // namespace

bool WaitForFifoReader(pid_t pid, int fd, std::chrono::milliseconds timeout) {
  struct stat fifo {};
  if (pid <= 0 || ::fstat(fd, &fifo) != 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(100);
  for (;;) {
    if (HoldsForReading(pid, fifo.st_dev, fifo.st_ino)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
}

Result<std::unique_ptr<ExecFifos>> ExecFifos::Make(const std::string& parent,
                                                   const std::string& exec_id, bool with_stdin,
                                                   bool with_stderr) {
  if (Status s = MakeDirs(parent, 0700); !s.ok()) return s;
  const std::string dir = parent + "/" + exec_id;
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return InternalError("cannot make the exec FIFO directory " + dir + ": " +
                         std::strerror(errno));
  }
  std::unique_ptr<ExecFifos> fifos(new ExecFifos(dir));
  fifos->stdout_path = dir + "/stdout";
  if (Status s = MakeFifo(fifos->stdout_path, O_RDONLY, &fifos->stdout_fd); !s.ok()) return s;
  if (with_stderr) {
    fifos->stderr_path = dir + "/stderr";
    if (Status s = MakeFifo(fifos->stderr_path, O_RDONLY, &fifos->stderr_fd); !s.ok()) return s;
  }
  if (with_stdin) {
    fifos->stdin_path = dir + "/stdin";
    if (Status s = MakeFifo(fifos->stdin_path, O_RDWR, &fifos->stdin_fd); !s.ok()) return s;
  }
  return fifos;
}

ExecFifos::~ExecFifos() {
  stdin_fd.reset();
  stdout_fd.reset();
  stderr_fd.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace skiff::node
