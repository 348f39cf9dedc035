// One remote watch: a streaming GET (…?watch=true…) run on a thread of its own with a curl
// multi handle, decoded by WatchDecoder and delivered as Client::Watch promises. Internal to
// skiff_remote_client.
//
// StartWatchStream returns once the response headers are in: a 200 gives the Subscription
// (events may already be flowing), anything else the response's Status mapped as
// api_status.h says, a transport failure (or no headers within the request timeout)
// kUnavailable. After that, everything read from the socket in one go is one batch; the
// stream ends with `closed` exactly once (kGone for an ERROR event with code 410,
// kUnavailable for any other end: the server closed the stream or timed it out, another ERROR
// event, the connection broke), never after the Subscription is destroyed.
//
// Destroying the Subscription wakes the thread at once (curl_multi_wakeup), waits for a
// running callback and for the thread to end, unless it is destroyed from inside a callback:
// then the thread ends by itself right after that callback returns.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "client/https_transport.h"
#include "skiff/client/client.h"

namespace skiff::client {

// `transport` is kept alive by the stream; `request` is a GET of a watch.
Result<std::unique_ptr<Subscription>> StartWatchStream(
    std::shared_ptr<HttpsTransport> transport, const HttpRequest& request,
    std::function<void(std::vector<WatchEvent>&)> events, std::function<void(Status)> closed);

}  // namespace skiff::client
