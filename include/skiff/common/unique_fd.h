// An owned file descriptor, closed (close(2)) when the owner goes away or is reset.
// Move-only; one UniqueFd must not be used from two threads at once without outside locking.
// A negative value means "no descriptor"; the default-constructed UniqueFd holds none.
#pragma once

#include <unistd.h>

#include <utility>

namespace skiff {

class UniqueFd {
 public:
  UniqueFd() = default;
  // Takes ownership of fd (which may be negative, e.g. a failed open(2)'s result).
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing; the caller now owns the returned descriptor.
  int release() { return std::exchange(fd_, -1); }
  // Closes the held descriptor (if any) and takes ownership of fd.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace skiff
