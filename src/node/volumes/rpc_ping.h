// An ONC RPC NULL call (RFC 5531: procedure 0, AUTH_NONE) over TCP with record marking: the
// cheapest question "is an RPC server for this program and version there?", as rpcinfo -t
// and the NFS client's own probes ask it. No rpcbind: the caller names the port. Internal to
// skiff_volumes.
//
// The whole call (name lookup aside, connect, send, the reply) is bounded by `timeout`; it
// never blocks longer. Thread-safe: each call uses its own socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "skiff/common/status.h"

namespace skiff::node::internal {

inline constexpr uint32_t kNfsProgram = 100003;

// What the server said to the call.
struct RpcReply {
  enum class Kind {
    kAccepted,          // SUCCESS: the program and version are served
    kProgramMismatch,   // PROG_MISMATCH: the program is served, in versions low..high only
    kProgramUnavailable,  // PROG_UNAVAIL: something speaks RPC here, but not this program
    kOtherAccepted,     // PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR: answered, oddly
    kDenied,            // MSG_DENIED (RPC version mismatch, auth error)
  };
  Kind kind = Kind::kAccepted;
  uint32_t low = 0, high = 0;  // kProgramMismatch: the versions served
  uint32_t stat = 0;           // accept_stat or reject_stat as sent
};

// Calls NULL of `program`/`version` at host:port (host: an IPv4 or IPv6 address, brackets
// allowed, or a name). Errors, kUnavailable, say why no reply came, in words that follow
// "is not answering: ": "connection refused", "no reply within 3 s", "connection closed
// before a reply", "cannot resolve nas.local: ...", "a malformed reply (...)".
Result<RpcReply> RpcNullCall(const std::string& host, int port, uint32_t program, uint32_t version,
                             std::chrono::milliseconds timeout);

// Encodes the call message with its record mark (one last fragment): 44 bytes.
std::string EncodeNullCall(uint32_t xid, uint32_t program, uint32_t version);

// Decodes one reply record's body (record marks removed) for the call `xid`; kUnavailable
// "a malformed reply (...)" when it is not one.
Result<RpcReply> DecodeReply(const std::string& body, uint32_t xid);

}  // namespace skiff::node::internal
