#include "rotating_log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rotated_files.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::node::logs {
namespace {

constexpr auto kRetryPause = std::chrono::seconds(10);
constexpr size_t kFlushAt = 64 * 1024;

}  // namespace

Result<RotatingLogFile> RotatingLogFile::Open(Options options) {
  if (options.path.empty() || options.path[0] != '/') {
    return InvalidArgumentError("log path \"" + options.path + "\" is not absolute");
  }
  if (options.max_size <= 0) {
    return InvalidArgumentError("log max-size " + std::to_string(options.max_size) +
                                " must be positive");
  }
  if (options.max_files < 1) {
    return InvalidArgumentError("log max-files " + std::to_string(options.max_files) +
                                " must be at least 1");
  }
  RotatingLogFile file(std::move(options));
  if (Status s = MakeDirs(DirName(file.options_.path), 0755); !s.ok()) return s;
  if (Status s = file.OpenLive(); !s.ok()) return s;
  return file;
}

Status RotatingLogFile::OpenLive() {
  int fd = ::open(options_.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return UnavailableError("cannot open log file " + options_.path + ": " + std::strerror(errno));
  }
  fd_.reset(fd);
  struct stat st {};
  size_ = ::fstat(fd, &st) == 0 ? st.st_size : 0;
  EndTornLine();
  return Status::Ok();
}

void RotatingLogFile::EndTornLine() {
  char last = '\n';
  if (size_ == 0 || ::pread(fd_.get(), &last, 1, size_ - 1) != 1 || last == '\n') return;
  // A power cut (or a killed writer) cut the last entry short: end it, so that it stays one
  // damaged line of its own instead of swallowing the first entry written now.
  if (::write(fd_.get(), "\n", 1) == 1) {
    ++size_;
  } else {
    Complain("cannot end the cut last line of " + options_.path + ": " + std::strerror(errno));
  }
}

void RotatingLogFile::Append(TimePoint now, LogStream stream, bool partial,
                             std::string_view content) {
  // "2006-01-02T15:04:05.000000000Z" + ' ' + stream + ' ' + tag + ' ' + content + '\n'
  size_t entry_size = 30 + 1 + 6 + 3 + content.size() + 1;
  int64_t pending = size_ + static_cast<int64_t>(batch_.size());
  if (pending > 0 && pending + static_cast<int64_t>(entry_size) > options_.max_size &&
      std::chrono::steady_clock::now() >= next_rotate_try_) {
    Flush();
    Rotate(now);
  }
  AppendTimestamp(now, &batch_);
  batch_ += ' ';
  batch_ += StreamName(stream);
  batch_ += partial ? " P " : " F ";
  batch_ += content;
  batch_ += '\n';
  if (batch_.size() >= kFlushAt) Flush();
}

bool RotatingLogFile::Flush() {
  if (batch_.empty()) return true;
  const char* p = batch_.data();
  size_t left = batch_.size();
  bool ok = true;
  while (left > 0) {
    ssize_t n = fd_.valid() ? ::write(fd_.get(), p, left) : -1;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Complain("cannot write log file " + options_.path + ": " +
               (fd_.valid() ? std::strerror(errno) : "not open") + "; output dropped");
      ok = false;
      break;
    }
    size_ += n;
    p += n;
    left -= static_cast<size_t>(n);
  }
  batch_.clear();
  if (batch_.capacity() > 4 * kFlushAt) batch_.shrink_to_fit();
  return ok;
}

void RotatingLogFile::Rotate(TimePoint now) {
  auto existing = ListRotatedFiles(options_.path);
  if (!existing.ok()) {
    Complain(existing.status().message());
    next_rotate_try_ = std::chrono::steady_clock::now() + kRetryPause;
    return;
  }
  // After a rename whose reopen failed, the live name is free and our fd points elsewhere:
  // only the reopen is left to do.
  struct stat ours {
  }, named{};
  bool live_is_ours = fd_.valid() && ::fstat(fd_.get(), &ours) == 0 &&
                      ::stat(options_.path.c_str(), &named) == 0 && ours.st_ino == named.st_ino &&
                      ours.st_dev == named.st_dev;
  if (!live_is_ours && fd_.valid() && ours.st_nlink == 0) {
    // Someone deleted the file (or its directory): nobody can read what we write, so do not let
    // it grow without bound while we try to reopen the name.
    if (::ftruncate(fd_.get(), 0) == 0) size_ = 0;
  }
  RotatedFile target = NextRotatedName(options_.path, now, *existing);
  if (live_is_ours && ::rename(options_.path.c_str(), target.path.c_str()) != 0) {
    Complain("cannot rotate log file " + options_.path + " to " + target.path + ": " +
             std::strerror(errno));
    next_rotate_try_ = std::chrono::steady_clock::now() + kRetryPause;
    return;
  }
  if (Status s = OpenLive(); !s.ok()) {
    // Keep writing into the renamed file rather than losing output; reopen later.
    Complain(s.message());
    next_rotate_try_ = std::chrono::steady_clock::now() + kRetryPause;
    return;
  }
  if (!live_is_ours) return;
  existing->push_back(std::move(target));
  size_t keep = static_cast<size_t>(options_.max_files - 1);
  for (size_t i = 0; i + keep < existing->size(); ++i) {
    const std::string& old = (*existing)[i].path;
    if (::unlink(old.c_str()) != 0 && errno != ENOENT) {
      Complain("cannot delete rotated log file " + old + ": " + std::strerror(errno));
    }
  }
}

void RotatingLogFile::Complain(const std::string& message) {
  auto now = std::chrono::steady_clock::now();
  if (now < next_complaint_) return;
  next_complaint_ = now + kRetryPause;
  log::Warning("log-driver", message);
}

}  // namespace skiff::node::logs
