#include "loop_device.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <climits>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace skiff::node::internal {
namespace {

constexpr int kAttempts = 16;

// Configures `dev` on `file`: LOOP_CONFIGURE, or the two older calls where it is unknown.
int Configure(int dev, int file, const std::string& image, bool direct_io) {
  loop_config config{};
  config.fd = static_cast<uint32_t>(file);
  config.info.lo_flags = LO_FLAGS_AUTOCLEAR | (direct_io ? LO_FLAGS_DIRECT_IO : 0);
  std::strncpy(reinterpret_cast<char*>(config.info.lo_file_name), image.c_str(),
               LO_NAME_SIZE - 1);
#ifdef LOOP_CONFIGURE
  if (::ioctl(dev, LOOP_CONFIGURE, &config) == 0) return 0;
  if (errno != ENOTTY && errno != EINVAL) return -1;
  if (errno == EINVAL && direct_io) return Configure(dev, file, image, false);
#endif
  if (::ioctl(dev, LOOP_SET_FD, file) != 0) return -1;
  if (::ioctl(dev, LOOP_SET_STATUS64, &config.info) != 0) {
    int e = errno;
    ::ioctl(dev, LOOP_CLR_FD, 0);
    errno = e;
    return -1;
  }
  return 0;
}

}  // namespace

Result<LoopDevice> AttachLoopDevice(const std::string& image) {
  UniqueFd file(::open(image.c_str(), O_RDWR | O_CLOEXEC));
  if (!file.valid()) {
    return InternalError("cannot open the image " + image + ": " + std::strerror(errno));
  }
  UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!control.valid()) {
    return InternalError("cannot attach " + image + " to a loop device: /dev/loop-control: " +
                         std::strerror(errno));
  }
  int last_errno = 0;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    int n = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (n < 0) {
      return InternalError("cannot attach " + image + " to a loop device: no free device: " +
                           std::strerror(errno));
    }
    LoopDevice loop;
    loop.path = "/dev/loop" + std::to_string(n);
    loop.fd.reset(::open(loop.path.c_str(), O_RDWR | O_CLOEXEC));
    if (!loop.fd.valid()) {
      last_errno = errno;
      if (errno == ENOENT) continue;  // the node is not there yet
      break;
    }
    if (Configure(loop.fd.get(), file.get(), image, /*direct_io=*/true) == 0) return loop;
    last_errno = errno;
    if (errno != EBUSY) break;  // EBUSY: another process took this device first
  }
  return InternalError("cannot attach " + image + " to a loop device: " +
                       std::strerror(last_errno));
}

Status RefreshLoopCapacity(const std::string& device) {
  UniqueFd fd(::open(device.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid() || ::ioctl(fd.get(), LOOP_SET_CAPACITY, 0) != 0) {
    return InternalError("cannot resize the loop device " + device + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string FindLoopDevice(const std::string& image) {
  char real[PATH_MAX];
  if (::realpath(image.c_str(), real) == nullptr) return "";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/block", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("loop", 0) != 0) continue;
    if (LoopBackingFile("/dev/" + name) == real) return "/dev/" + name;
  }
  return "";
}

std::string LoopBackingFile(const std::string& device) {
  const std::string name = device.substr(device.rfind('/') + 1);
  std::ifstream in("/sys/block/" + name + "/loop/backing_file");
  std::string file;
  std::getline(in, file);
  return file;
}

}  // namespace skiff::node::internal
