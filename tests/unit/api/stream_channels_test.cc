// The WebSocket channel protocols of pods/exec and attach: negotiation, framing, exit Status.
#include "api/stream_channels.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace skiff::api;

TEST_CASE("negotiation takes the client's first supported offer", "[exec][channels]") {
  auto p = NegotiateChannelProtocol(
      "v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io");
  REQUIRE(p);
  CHECK(p->protocol == ChannelProtocol::kV5);
  CHECK(p->name == "v5.channel.k8s.io");

  p = NegotiateChannelProtocol("v4.channel.k8s.io");  // the Python client
  REQUIRE(p);
  CHECK(p->protocol == ChannelProtocol::kV4);

  // v2/v3 exist only over SPDY: skipped for the next offer.
  p = NegotiateChannelProtocol("v3.channel.k8s.io,base64.channel.k8s.io");
  REQUIRE(p);
  CHECK(p->protocol == ChannelProtocol::kV1Base64);
  CHECK(p->name == "base64.channel.k8s.io");

  p = NegotiateChannelProtocol("v4.base64.channel.k8s.io");
  REQUIRE(p);
  CHECK(p->protocol == ChannelProtocol::kV4Base64);

  p = NegotiateChannelProtocol("");
  REQUIRE(p);
  CHECK(p->protocol == ChannelProtocol::kV1);
  CHECK(p->name.empty());

  CHECK_FALSE(NegotiateChannelProtocol("v3.channel.k8s.io, SPDY/3.1+portforward.k8s.io"));
  CHECK(SupportedChannelProtocols().front() == "v5.channel.k8s.io");
}

TEST_CASE("binary frames carry the channel in their first byte", "[exec][channels]") {
  WebSocketMessage m = EncodeChannelMessage(ChannelProtocol::kV5, StreamChannel::kStderr, "oops");
  CHECK(m.binary);
  CHECK(m.data == std::string("\x02oops", 5));

  auto d = DecodeChannelMessage(ChannelProtocol::kV4, {std::string("\x00hi\n", 4), true});
  REQUIRE(d);
  CHECK(d->channel == 0);
  CHECK(d->data == "hi\n");

  d = DecodeChannelMessage(ChannelProtocol::kV5, {std::string("\xff\x00", 2), true});
  REQUIRE(d);
  CHECK(d->channel == 255);
  CHECK(d->data == std::string("\0", 1));

  m = EncodeChannelMessage(ChannelProtocol::kV4, StreamChannel::kStdout, "");
  CHECK(m.data == std::string("\x01", 1));
  CHECK_FALSE(DecodeChannelMessage(ChannelProtocol::kV4, {"", true}));
}

TEST_CASE("base64 frames are text: a digit then base64", "[exec][channels]") {
  WebSocketMessage m =
      EncodeChannelMessage(ChannelProtocol::kV4Base64, StreamChannel::kStdout, "hello");
  CHECK_FALSE(m.binary);
  CHECK(m.data == "1aGVsbG8=");
  auto d = DecodeChannelMessage(ChannelProtocol::kV1Base64, {"0aGk=", false});
  REQUIRE(d);
  CHECK(d->channel == 0);
  CHECK(d->data == "hi");
  CHECK_FALSE(DecodeChannelMessage(ChannelProtocol::kV1Base64, {"0a*k=", false}));
  CHECK_FALSE(DecodeChannelMessage(ChannelProtocol::kV1Base64, {"x", false}));
}

TEST_CASE("the error channel carries kubelet's Status at the end", "[exec][channels]") {
  const std::vector<std::string> cmd = {"sh", "-c", "exit 3"};
  CHECK(ExitStatusPayload(ChannelProtocol::kV5, 0, "", cmd) ==
        R"({"metadata":{},"status":"Success"})");
  CHECK(
      ExitStatusPayload(ChannelProtocol::kV4, 3, "", cmd) ==
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: )"
      R"(error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode",)"
      R"("details":{"causes":[{"reason":"ExitCode","message":"3"}]}})");
  auto failed = nlohmann::json::parse(
      ExitStatusPayload(ChannelProtocol::kV4Base64, 0, "executable file not found", cmd));
  CHECK(failed["status"] == "Failure");
  CHECK(failed["reason"] == "InternalError");
  CHECK(failed["code"] == 500);
  CHECK(failed["message"] == "Internal error occurred: executable file not found");
  // Before v4: nothing on success, the message on failure.
  CHECK(ExitStatusPayload(ChannelProtocol::kV1, 0, "", cmd).empty());
  CHECK(ExitStatusPayload(ChannelProtocol::kV1Base64, 2, "", {}) ==
        "command terminated with non-zero exit code: exit code 2");
}

TEST_CASE("resize messages are read as kubelet reads them", "[exec][channels]") {
  auto s = ParseTerminalSize(R"({"Width":120,"Height":40})"
                             "\n");
  REQUIRE(s);
  CHECK(s->width == 120);
  CHECK(s->height == 40);
  CHECK_FALSE(ParseTerminalSize(R"({"Width":-1,"Height":40})"));
  CHECK_FALSE(ParseTerminalSize(R"({"Width":80})"));
  CHECK_FALSE(ParseTerminalSize("not json"));
}
