// write(2) to a pipe or FIFO whose reader may be gone, without SIGPIPE killing the process.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace skiff {

// One write(2) of up to `size` bytes. SIGPIPE is blocked in the calling thread for the call
// and one it raised is consumed, so a closed reader gives -1 with errno EPIPE instead of
// killing the process. Thread-safe (it touches only the calling thread's signal mask).
ssize_t WriteNoSigpipe(int fd, const void* data, size_t size);

}  // namespace skiff
