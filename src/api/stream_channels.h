// The channel protocols kubelet speaks over WebSocket for pods/exec and pods/attach
// (k8s.io/apimachinery/pkg/util/remotecommand; kubelet's cri/streaming/remotecommand):
// negotiation from Sec-WebSocket-Protocol, the framing of one stream's data in one message,
// and what the error channel carries when the process ends.
//
// Pure functions, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_types.h"

namespace skiff::api {

// The stream a message belongs to: its first byte (binary protocols) or first digit (base64).
enum class StreamChannel : uint8_t {
  kStdin = 0,
  kStdout = 1,
  kStderr = 2,
  kError = 3,    // the exit Status, written once at the end
  kResize = 4,   // terminal size changes: {"Width":80,"Height":24}
  kClose = 255,  // v5 only: the client closes one of its streams ([255, channel])
};

enum class ChannelProtocol {
  kV1,        // "channel.k8s.io" (and no protocol offered): binary; errors as plain text
  kV1Base64,  // "base64.channel.k8s.io": text frames, '0'+channel then base64
  kV4,        // "v4.channel.k8s.io": binary; the error channel carries a metav1.Status
  kV4Base64,  // "v4.base64.channel.k8s.io"
  kV5,        // "v5.channel.k8s.io": v4 plus the close signal on channel 255
};

// The protocol's Sec-WebSocket-Protocol name.
std::string ChannelProtocolName(ChannelProtocol protocol);

// The names the server accepts, best first (for error messages).
std::vector<std::string> SupportedChannelProtocols();

// Picks the protocol from the Sec-WebSocket-Protocol header (a comma-separated list; several
// headers arrive joined with commas). Like kubelet, the first offer the server supports wins
// (clients list their preference first). An empty header means "channel.k8s.io" (answered
// without a protocol name). nullopt when nothing offered is supported.
struct NegotiatedProtocol {
  ChannelProtocol protocol;
  std::string name;  // what to answer in Sec-WebSocket-Protocol ("" when none was offered)
};
std::optional<NegotiatedProtocol> NegotiateChannelProtocol(const std::string& offered);

// One stream's data as one WebSocket message in `protocol`.
WebSocketMessage EncodeChannelMessage(ChannelProtocol protocol, StreamChannel channel,
                                      std::string_view data);

// A client's message: its channel byte and payload. nullopt for a malformed message (empty,
// or bad base64).
struct ChannelMessage {
  uint8_t channel = 0;
  std::string data;
};
std::optional<ChannelMessage> DecodeChannelMessage(ChannelProtocol protocol,
                                                   const WebSocketMessage& message);

// What the error channel carries when a session ends, or "" when nothing is sent (the
// pre-v4 protocols send only failures, as text). exit_code 0 with an empty error is Success;
// a non-zero code is Failure/NonZeroExitCode with an ExitCode cause; a non-empty error (the
// process could not run) is an InternalError Failure. `command` goes into the message as
// kubelet's runtime words it (empty for attach).
std::string ExitStatusPayload(ChannelProtocol protocol, int exit_code, const std::string& error,
                              const std::vector<std::string>& command);

// Parses a resize message ({"Width":W,"Height":H}); nullopt when malformed.
struct TerminalSize {
  int width = 0;
  int height = 0;
};
std::optional<TerminalSize> ParseTerminalSize(std::string_view data);

}  // namespace skiff::api
