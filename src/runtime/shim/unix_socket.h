// Unix stream sockets for ttrpc: connect, listen, and whole-buffer writes. Every descriptor is
// close-on-exec. Thread-safe free functions; errors name the socket path and the errno text.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "skiff/common/unique_fd.h"
#include "skiff/common/status.h"

namespace skiff::runtime::shim {

// Connects to the socket at `path`. kNotFound when nothing exists at the path, kUnavailable
// when nobody listens (ECONNREFUSED) or the connection does not complete within `timeout`,
// kInvalidArgument for a path too long for a socket address.
Result<UniqueFd> ConnectUnixSocket(const std::string& path, std::chrono::milliseconds timeout);

// Binds and listens at `path`. An existing socket file there is removed first; any other
// existing file is refused with kAlreadyExists. The socket is non-blocking.
Result<UniqueFd> ListenUnixSocket(const std::string& path);

// Writes all of `data` (retrying short writes and EINTR; never raises SIGPIPE). The descriptor
// must be blocking; SO_SNDTIMEO bounds each write. kUnavailable when the peer is gone or the
// write times out.
Status WriteAll(int fd, std::string_view data, std::string_view what);

// Sets SO_SNDTIMEO so a write to a peer that stopped reading fails instead of hanging.
void SetSendTimeout(int fd, std::chrono::milliseconds timeout);

}  // namespace skiff::runtime::shim
