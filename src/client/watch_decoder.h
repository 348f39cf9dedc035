// Decodes a Kubernetes watch stream (newline-delimited {"type","object"} JSON) as it arrives,
// in whatever pieces the socket hands over: a line split across reads waits for its end, one
// read may hold many lines. Pure; not thread-safe (one stream, one reader).
//
//   ADDED / MODIFIED / DELETED  -> WatchEvents (the object as sent)
//   BOOKMARK                    -> only resource_version() advances
//   ERROR with code 410         -> the stream ends with kGone (the Status' message)
//   any other ERROR             -> the stream ends with kUnavailable (the Status' message)
//   a malformed or oversized line, an unknown type -> the stream ends with kUnavailable
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/client/client.h"
#include "skiff/common/status.h"

namespace skiff::client {

class WatchDecoder {
 public:
  // A line (one event) longer than this ends the stream (objects are at most 1.5 MiB).
  static constexpr size_t kDefaultMaxLineBytes = 16u << 20;

  explicit WatchDecoder(size_t max_line_bytes = kDefaultMaxLineBytes)
      : max_line_bytes_(max_line_bytes) {}

  // Consumes `bytes`, appending the events of every line it completes to *events in order.
  // Returns false once the stream has ended (end() says why); lines after the end, and bytes
  // fed afterwards, are ignored.
  bool Feed(std::string_view bytes, std::vector<WatchEvent>* events);

  // Why the stream ended, once it has.
  const std::optional<Status>& end() const { return end_; }
  // The resourceVersion of the last event or bookmark ("" before the first).
  const std::string& resource_version() const { return resource_version_; }
  // Bytes of an incomplete line held back.
  size_t buffered() const { return partial_.size(); }

 private:
  // Decodes one complete line (without its '\n').
  void Line(std::string_view line, std::vector<WatchEvent>* events);

  const size_t max_line_bytes_;
  std::string partial_;
  std::string resource_version_;
  std::optional<Status> end_;
};

}  // namespace skiff::client
