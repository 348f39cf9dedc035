#include "exec_fifos.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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

}  // namespace

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
