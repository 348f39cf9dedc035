// Watch streams: `?watch=true` on a collection. Sends the state first when the request has
// no resourceVersion (or "0"), then every change in order as {"type","object"} lines; bookmarks
// when asked; 410 Gone as an ERROR event for a compacted start; ends at timeoutSeconds.
//
// One thread (owned here) runs every watch's timers and turns store events into lines; the
// store pushes, nothing polls. A client that stops reading is cut off before its backlog grows
// without bound.
#pragma once

#include <memory>

#include "http_types.h"
#include "resources.h"

namespace skiff::api {

class WatchService {
 public:
  explicit WatchService(Resources& resources);
  ~WatchService();
  WatchService(const WatchService&) = delete;
  WatchService& operator=(const WatchService&) = delete;

  void Serve(const apis::ResourceType& rt, const std::string& ns, const HttpRequest& request,
             std::shared_ptr<Responder> responder);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::api
