// Loop devices for local-path images: attaching an image file to a free /dev/loopN, growing a
// device after its file grew, and finding which device is mounted where. Internal to
// skiff_volumes.
//
// Attach asks /dev/loop-control for a free device (LOOP_CTL_GET_FREE) and configures it in
// one call (LOOP_CONFIGURE; LOOP_SET_FD + LOOP_SET_STATUS64 on kernels before 5.8) with
// LO_FLAGS_AUTOCLEAR, so the device detaches itself when its last user goes: after the
// filesystem on it is unmounted, or when the returned descriptor is closed without a mount.
// It also asks for direct I/O (the image's pages are then cached once, by the filesystem on
// the device, not a second time as the backing file's), which the kernel quietly drops where
// the backing filesystem cannot do it. A device another process takes between the two calls
// is skipped. Thread-safe.
#pragma once

#include <string>

#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"

namespace skiff::node::internal {

struct LoopDevice {
  std::string path;  // "/dev/loop7"
  UniqueFd fd;       // open on the device: keep it until the mount holds the device
};

// Attaches `image` (read-write) to a free loop device. kInternal naming the image and the cause.
Result<LoopDevice> AttachLoopDevice(const std::string& image);

// Makes `device` (e.g. "/dev/loop7") take its backing file's new size (LOOP_SET_CAPACITY).
Status RefreshLoopCapacity(const std::string& device);

// The file backing loop device `device` ("" when it has none), from sysfs.
std::string LoopBackingFile(const std::string& device);

// The loop device ("/dev/loopN") that serves `image` now, "" when none does. A filesystem
// whose image has a device is alive (mounted somewhere, e.g. in a container's mount namespace
// after the host's mount went): it must be mounted through that device again, never through
// a second one (two devices are two filesystems on one image).
std::string FindLoopDevice(const std::string& image);

}  // namespace skiff::node::internal
