// The watch stream decoder: lines split across reads, many lines in one read, bookmarks,
// ERROR events, malformed and oversized lines.
#include "client/watch_decoder.h"

#include <catch2/catch.hpp>

using namespace skiff;
using namespace skiff::client;

namespace {

std::string Line(const std::string& type, const std::string& name, const std::string& rv) {
  return R"j({"type":")j" + type + R"j(","object":{"kind":"ConfigMap","metadata":{"name":")j" +
         name + R"j(","resourceVersion":")j" + rv + R"j("}}})j" + "\n";
}

std::string NameOf(const WatchEvent& e) { return e.object["metadata"]["name"]; }

}  // namespace

TEST_CASE("several events in one read come out in order", "[remote]") {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  REQUIRE(d.Feed(Line("ADDED", "a", "5") + Line("MODIFIED", "a", "6") + Line("DELETED", "a", "7"),
                 &events));
  REQUIRE(events.size() == 3);
  CHECK(events[0].type == WatchEvent::Type::kAdded);
  CHECK(events[1].type == WatchEvent::Type::kModified);
  CHECK(events[2].type == WatchEvent::Type::kDeleted);
  CHECK(events[2].object["metadata"]["resourceVersion"] == "7");
  CHECK(NameOf(events[0]) == "a");
  CHECK(d.resource_version() == "7");
  CHECK(d.buffered() == 0);
  CHECK_FALSE(d.end().has_value());
}

TEST_CASE("an event split across reads waits for its end", "[remote]") {
  const std::string text = Line("ADDED", "split", "10") + Line("MODIFIED", "split", "11");
  // Every split point, including inside the newline pair of two events.
  for (size_t cut = 1; cut < text.size(); ++cut) {
    WatchDecoder d;
    std::vector<WatchEvent> events;
    REQUIRE(d.Feed(text.substr(0, cut), &events));
    const size_t first_len = Line("ADDED", "split", "10").size();
    CHECK(events.size() == (cut >= first_len ? 1u : 0u));
    REQUIRE(d.Feed(text.substr(cut), &events));
    REQUIRE(events.size() == 2);
    CHECK(events[0].object["metadata"]["resourceVersion"] == "10");
    CHECK(events[1].object["metadata"]["resourceVersion"] == "11");
    CHECK(d.buffered() == 0);
  }
  // Byte by byte.
  WatchDecoder d;
  std::vector<WatchEvent> events;
  for (char c : text) REQUIRE(d.Feed(std::string_view(&c, 1), &events));
  CHECK(events.size() == 2);
}

TEST_CASE("bookmarks advance the resourceVersion without an event", "[remote]") {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  REQUIRE(d.Feed(Line("ADDED", "a", "3"), &events));
  REQUIRE(d.Feed(R"j({"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1",)j"
                 R"j("metadata":{"resourceVersion":"99"}}})j"
                 "\n",
                 &events));
  CHECK(events.size() == 1);
  CHECK(d.resource_version() == "99");
}

TEST_CASE("blank lines and CRLF endings are accepted", "[remote]") {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  std::string crlf = Line("ADDED", "a", "1");
  crlf.insert(crlf.size() - 1, "\r");
  REQUIRE(d.Feed("\n\r\n" + crlf + "\n", &events));
  REQUIRE(events.size() == 1);
  CHECK(NameOf(events[0]) == "a");
}

TEST_CASE("an ERROR event with 410 ends the stream with kGone after the events before it",
          "[remote]") {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  const std::string error =
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure",)j"
      R"j("message":"too old resource version: 5 (9)","reason":"Expired","code":410}})j"
      "\n";
  CHECK_FALSE(d.Feed(Line("ADDED", "a", "6") + error + Line("ADDED", "b", "7"), &events));
  REQUIRE(events.size() == 1);
  CHECK(NameOf(events[0]) == "a");
  REQUIRE(d.end().has_value());
  CHECK(d.end()->code() == Code::kGone);
  CHECK(d.end()->message() == "too old resource version: 5 (9)");
  // Nothing after the end.
  CHECK_FALSE(d.Feed(Line("ADDED", "c", "8"), &events));
  CHECK(events.size() == 1);
}

TEST_CASE("other ERROR events end the stream with kUnavailable", "[remote]") {
  WatchDecoder d;
  std::vector<WatchEvent> events;
  CHECK_FALSE(d.Feed(R"j({"type":"ERROR","object":{"kind":"Status","code":500,)j"
                     R"j("reason":"InternalError","message":"store closed"}})j"
                     "\n",
                     &events));
  REQUIRE(d.end().has_value());
  CHECK(d.end()->code() == Code::kUnavailable);
  CHECK(d.end()->message() == "store closed");
  CHECK(events.empty());
}

TEST_CASE("malformed lines and unknown types end the stream", "[remote]") {
  {
    WatchDecoder d;
    std::vector<WatchEvent> events;
    CHECK_FALSE(d.Feed("{not json\n", &events));
    CHECK(d.end()->code() == Code::kUnavailable);
    CHECK(d.end()->message() == "malformed watch event: {not json");
  }
  {
    WatchDecoder d;
    std::vector<WatchEvent> events;
    CHECK_FALSE(d.Feed(R"j({"type":"ADDED","object":"x"})j"
                       "\n",
                       &events));
    CHECK(d.end()->code() == Code::kUnavailable);
  }
  {
    WatchDecoder d;
    std::vector<WatchEvent> events;
    CHECK_FALSE(d.Feed(R"j({"type":"RENAMED","object":{}})j"
                       "\n",
                       &events));
    CHECK(d.end()->message() == "unknown watch event type \"RENAMED\"");
  }
}

TEST_CASE("a line over the limit ends the stream without buffering it all", "[remote]") {
  WatchDecoder d(64);
  std::vector<WatchEvent> events;
  REQUIRE(d.Feed(std::string(40, 'x'), &events));
  CHECK(d.buffered() == 40);
  CHECK_FALSE(d.Feed(std::string(40, 'x'), &events));
  CHECK(d.end()->code() == Code::kUnavailable);
  CHECK(d.end()->message() == "a watch event is larger than 64 bytes");
  CHECK(d.buffered() == 0);
  // A complete line over the limit in one read, too.
  WatchDecoder d2(16);
  CHECK_FALSE(d2.Feed(Line("ADDED", "long-name", "1"), &events));
  CHECK(d2.end()->code() == Code::kUnavailable);
}
