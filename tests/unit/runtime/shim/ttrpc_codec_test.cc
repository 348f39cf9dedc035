// ttrpc framing and messages (runtime/shim/ttrpc_codec.h).
#include "runtime/shim/ttrpc_codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "skiff/common/proto_wire.h"
#include "support/bytes.h"

using skiff::Code;
using skiff::testing::Bytes;
using namespace skiff::runtime::shim;

TEST_CASE("ttrpc frame header is 10 big-endian bytes") {
  const std::string h = EncodeFrameHeader({0x01020304, 7, 2, 0});
  CHECK(h == Bytes({0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x07, 0x02, 0x00}));
  const FrameHeader back = DecodeFrameHeader(h);
  CHECK(back.length == 0x01020304);
  CHECK(back.stream_id == 7);
  CHECK(back.type == 2);
  CHECK(back.flags == 0);

  const std::string frame = EncodeFrame(0xfffffffd, FrameType::kRequest, "abc");
  CHECK(frame == Bytes({0, 0, 0, 3, 0xff, 0xff, 0xff, 0xfd, 1, 0, 'a', 'b', 'c'}));
}

TEST_CASE("ttrpc request encodes service, method, payload, timeout and metadata") {
  RpcRequest request;
  request.service = "svc";
  request.method = "M";
  request.payload = Bytes({0x0a, 0x01, 'x'});
  request.timeout_nano = 1000;
  request.metadata = {{"k", "v"}};
  const std::string encoded = EncodeRequest(request);
  CHECK(encoded == Bytes({0x0a, 3,    's',  'v',  'c',  0x12, 1,    'M', 0x1a, 3,    0x0a, 0x01,
                          'x',  0x20, 0xe8, 0x07, 0x2a, 6,    0x0a, 1,   'k',  0x12, 1,    'v'}));
  auto decoded = DecodeRequest(encoded);
  REQUIRE(decoded.ok());
  CHECK(decoded->service == "svc");
  CHECK(decoded->method == "M");
  CHECK(decoded->payload == request.payload);
  CHECK(decoded->timeout_nano == 1000);
  REQUIRE(decoded->metadata.size() == 1);
  CHECK(decoded->metadata[0].first == "k");
  CHECK(decoded->metadata[0].second == "v");
}

TEST_CASE("ttrpc response with a google.rpc.Status error decodes and maps to skiff codes") {
  // What the shim sends for Kill of an exited process: status {code 5, message ...}, no payload.
  skiff::protowire::Writer status;
  status.Int32(1, 5);
  status.String(2, "process already finished: not found");
  skiff::protowire::Writer response;
  response.Message(1, status);
  auto decoded = DecodeResponse(response.bytes());
  REQUIRE(decoded.ok());
  CHECK(decoded->status.code == 5);
  CHECK(decoded->status.message == "process already finished: not found");
  CHECK(decoded->payload.empty());

  const skiff::Status mapped = StatusFromRpc(decoded->status, "shim unix:///x: Kill c1");
  CHECK(mapped.code() == Code::kNotFound);
  CHECK(mapped.message() ==
        "shim unix:///x: Kill c1: process already finished: not found (rpc NotFound)");

  CHECK(StatusFromRpc({3, "bad"}, "c").code() == Code::kInvalidArgument);
  CHECK(StatusFromRpc({12, "no"}, "c").code() == Code::kUnimplemented);
  CHECK(StatusFromRpc({6, "dup"}, "c").code() == Code::kAlreadyExists);
  CHECK(StatusFromRpc({14, "x"}, "c").code() == Code::kUnavailable);
  const skiff::Status unknown = StatusFromRpc({2, "runc did not terminate successfully"}, "c");
  CHECK(unknown.code() == Code::kInternal);
  CHECK(unknown.message() == "c: runc did not terminate successfully (rpc Unknown)");
  CHECK(StatusFromRpc({13, ""}, "c").message() == "c: (no message) (rpc Internal)");
  CHECK(StatusFromRpc({99, "odd"}, "c").message() == "c: odd (rpc code 99)");
  CHECK(StatusFromRpc({0, ""}, "c").ok());
}

TEST_CASE("ttrpc response round trip: success has no status field") {
  RpcResponse ok;
  ok.payload = Bytes({0x08, 0x2a});
  const std::string encoded = EncodeResponse(ok);
  CHECK(encoded == Bytes({0x12, 2, 0x08, 0x2a}));
  auto back = DecodeResponse(encoded);
  REQUIRE(back.ok());
  CHECK(back->status.code == 0);
  CHECK(back->payload == ok.payload);

  CHECK(EncodeResponse(RpcResponse{}).empty());  // Empty reply: zero bytes
  RpcResponse err;
  err.status = {12, "nope"};
  auto err_back = DecodeResponse(EncodeResponse(err));
  REQUIRE(err_back.ok());
  CHECK(err_back->status.code == 12);
  CHECK(err_back->status.message == "nope");
}

TEST_CASE("ttrpc malformed response is refused naming the message") {
  auto bad = DecodeResponse(Bytes({0x12, 5, 'a'}));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message() ==
        "malformed ttrpc response (field at byte 0): length 5 runs past the end (1 bytes left)");
}

TEST_CASE("ttrpc FrameParser waits for whole frames across arbitrary splits") {
  const std::string stream = EncodeFrame(1, FrameType::kResponse, "hello") +
                             EncodeFrame(3, FrameType::kResponse, "") +
                             EncodeFrame(5, FrameType::kRequest, std::string(1000, 'q'));
  for (size_t step : {1u, 3u, 10u, 11u, 999u}) {
    FrameParser parser;
    std::vector<FrameParser::Frame> frames;
    for (size_t at = 0; at < stream.size(); at += step) {
      parser.Append(std::string_view(stream).substr(at, step));
      FrameParser::Frame f;
      while (parser.Next(&f)) frames.push_back(f);
    }
    INFO("step " << step);
    REQUIRE(frames.size() == 3);
    CHECK(frames[0].header.stream_id == 1);
    CHECK(frames[0].payload == "hello");
    CHECK(frames[1].header.stream_id == 3);
    CHECK(frames[1].payload.empty());
    CHECK(frames[2].header.type == 1);
    CHECK(frames[2].payload == std::string(1000, 'q'));
    CHECK(parser.buffered() == 0);
  }
}

TEST_CASE("ttrpc FrameParser holds a truncated frame back") {
  const std::string frame = EncodeFrame(9, FrameType::kResponse, "abcdef");
  FrameParser parser;
  parser.Append(std::string_view(frame).substr(0, 9));  // part of the header
  FrameParser::Frame f;
  CHECK_FALSE(parser.Next(&f));
  parser.Append(std::string_view(frame).substr(9, 4));  // header plus 3 of 6 payload bytes
  CHECK_FALSE(parser.Next(&f));
  CHECK(parser.buffered() == 13);
  parser.Append(std::string_view(frame).substr(13));
  REQUIRE(parser.Next(&f));
  CHECK(f.payload == "abcdef");
  CHECK_FALSE(f.oversize);
}

TEST_CASE("ttrpc FrameParser skips an oversize frame and carries on") {
  const uint32_t big = kMaxFramePayload + 1;
  FrameParser parser;
  parser.Append(EncodeFrameHeader({big, 11, 2, 0}));
  FrameParser::Frame f;
  REQUIRE(parser.Next(&f));
  CHECK(f.oversize);
  CHECK(f.header.stream_id == 11);
  CHECK(f.payload.empty());
  // The oversize payload arrives in pieces, the next frame right behind it.
  const std::string chunk(1 << 20, 'x');
  for (int i = 0; i < 4; ++i) {
    parser.Append(chunk);
    CHECK_FALSE(parser.Next(&f));
  }
  parser.Append("x" + EncodeFrame(13, FrameType::kResponse, "ok"));
  REQUIRE(parser.Next(&f));
  CHECK_FALSE(f.oversize);
  CHECK(f.header.stream_id == 13);
  CHECK(f.payload == "ok");
}
