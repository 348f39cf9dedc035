#include "rpc_ping.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <random>

#include "skiff/common/unique_fd.h"

namespace skiff::node::internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t kLastFragment = 0x80000000u;
constexpr size_t kMaxReply = 64 * 1024;

void PutU32(std::string* out, uint32_t v) {
  const uint32_t be = htonl(v);
  out->append(reinterpret_cast<const char*>(&be), 4);
}

uint32_t GetU32(const std::string& s, size_t at) {
  uint32_t be;
  std::memcpy(&be, s.data() + at, 4);
  return ntohl(be);
}

std::string Duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// strerror, lower-cased to follow "is not answering: ".
std::string ErrnoText(int err) {
  std::string msg = std::strerror(err);
  if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  return msg;
}

Status Malformed(const std::string& why) { return UnavailableError("a malformed reply (" + why + ")"); }

// Connects within the deadline; the socket is left non-blocking.
Result<UniqueFd> Connect(const addrinfo& ai, Clock::time_point deadline,
                         std::chrono::milliseconds timeout) {
  UniqueFd fd(::socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return UnavailableError(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return UnavailableError(ErrnoText(errno));
    pollfd p{fd.get(), POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, MsLeft(deadline));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return UnavailableError("no connection within " + Duration(timeout));
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return UnavailableError(ErrnoText(err));
  }
  return fd;
}

Status SendAll(int fd, const std::string& data, Clock::time_point deadline,
               std::chrono::milliseconds timeout) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return UnavailableError(std::string("send: ") + std::strerror(errno));
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, MsLeft(deadline)) == 0) {
      return UnavailableError("no reply within " + Duration(timeout));
    }
  }
  return Status::Ok();
}

// Reads exactly `n` bytes.
Status ReadExactly(int fd, size_t n, std::string* out, Clock::time_point deadline,
                   std::chrono::milliseconds timeout) {
  size_t got = 0;
  const size_t base = out->size();
  out->resize(base + n);
  while (got < n) {
    ssize_t r = ::recv(fd, out->data() + base + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r == 0) return UnavailableError("connection closed before a reply");
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return UnavailableError(std::string("recv: ") + std::strerror(errno));
    pollfd p{fd, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, MsLeft(deadline));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return UnavailableError("no reply within " + Duration(timeout));
  }
  return Status::Ok();
}

// One whole record (its fragments joined).
Result<std::string> ReadRecord(int fd, Clock::time_point deadline, std::chrono::milliseconds timeout) {
  std::string body;
  for (;;) {
    std::string mark;
    if (Status s = ReadExactly(fd, 4, &mark, deadline, timeout); !s.ok()) return s;
    const uint32_t header = GetU32(mark, 0);
    const size_t len = header & ~kLastFragment;
    if (body.size() + len > kMaxReply) return Malformed("a record over 64 KiB");
    if (Status s = ReadExactly(fd, len, &body, deadline, timeout); !s.ok()) return s;
    if (header & kLastFragment) return body;
  }
}

}  // namespace

std::string EncodeNullCall(uint32_t xid, uint32_t program, uint32_t version) {
  std::string msg;
  PutU32(&msg, xid);
  PutU32(&msg, 0);  // CALL
  PutU32(&msg, 2);  // RPC version 2
  PutU32(&msg, program);
  PutU32(&msg, version);
  PutU32(&msg, 0);  // procedure 0: NULL
  PutU32(&msg, 0);  // credential AUTH_NONE, empty
  PutU32(&msg, 0);
  PutU32(&msg, 0);  // verifier AUTH_NONE, empty
  PutU32(&msg, 0);
  std::string out;
  PutU32(&out, kLastFragment | static_cast<uint32_t>(msg.size()));
  return out + msg;
}

Result<RpcReply> DecodeReply(const std::string& body, uint32_t xid) {
  if (body.size() < 12) return Malformed(std::to_string(body.size()) + " bytes");
  if (GetU32(body, 0) != xid) return Malformed("for another call");
  if (GetU32(body, 4) != 1) return Malformed("not a REPLY");
  RpcReply reply;
  const uint32_t reply_stat = GetU32(body, 8);
  if (reply_stat == 1) {  // MSG_DENIED
    reply.kind = RpcReply::Kind::kDenied;
    if (body.size() >= 16) reply.stat = GetU32(body, 12);
    return reply;
  }
  if (reply_stat != 0) return Malformed("reply_stat " + std::to_string(reply_stat));
  // MSG_ACCEPTED: verifier (flavor, length, opaque padded to 4), then accept_stat.
  if (body.size() < 20) return Malformed("a short accepted reply");
  const uint32_t verf_len = GetU32(body, 16);
  if (verf_len > 400) return Malformed("a verifier of " + std::to_string(verf_len) + " bytes");
  const size_t at = 20 + ((verf_len + 3) & ~3u);
  if (body.size() < at + 4) return Malformed("no accept_stat");
  reply.stat = GetU32(body, at);
  switch (reply.stat) {
    case 0:
      reply.kind = RpcReply::Kind::kAccepted;
      break;
    case 1:
      reply.kind = RpcReply::Kind::kProgramUnavailable;
      break;
    case 2:
      reply.kind = RpcReply::Kind::kProgramMismatch;
      if (body.size() < at + 12) return Malformed("PROG_MISMATCH without versions");
      reply.low = GetU32(body, at + 4);
      reply.high = GetU32(body, at + 8);
      break;
    default:
      reply.kind = RpcReply::Kind::kOtherAccepted;
  }
  return reply;
}

Result<RpcReply> RpcNullCall(const std::string& host_in, int port, uint32_t program, uint32_t version,
                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string host = host_in;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return UnavailableError("cannot resolve " + host + ": " + gai_strerror(rc));
  }
  Status last = UnavailableError("no address for " + host);
  Result<UniqueFd> fd = last;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd = Connect(*ai, deadline, timeout);
    if (fd.ok() || MsLeft(deadline) == 0) break;
  }
  ::freeaddrinfo(found);
  if (!fd.ok()) return fd.status();

  static thread_local std::mt19937 rng{std::random_device{}()};
  const uint32_t xid = static_cast<uint32_t>(rng());
  if (Status s = SendAll(fd->get(), EncodeNullCall(xid, program, version), deadline, timeout);
      !s.ok()) {
    return s;
  }
  auto body = ReadRecord(fd->get(), deadline, timeout);
  if (!body.ok()) return body.status();
  return DecodeReply(*body, xid);
}

}  // namespace skiff::node::internal
