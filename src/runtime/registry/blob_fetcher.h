// Downloads one blob into the content store: resumes a partial ingest with a Range request,
// starts over when the server ignores the range, retries transient failures (resuming), waits
// while another pull holds the same blob's ingest, and lets ContentStore::Commit verify the
// digest. Internal to skiff_registry.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "runtime/registry/endpoint_client.h"
#include "skiff/runtime/content_store.h"
#include "skiff/runtime/manifest.h"

namespace skiff::runtime::registry {

struct BlobFetchOptions {
  int attempts = 3;                               // per blob, for transient failures
  std::chrono::milliseconds retry_delay{1000};    // doubled after each failed attempt
  std::chrono::milliseconds dedupe_wait{600000};  // how long to wait for another puller
  std::chrono::milliseconds dedupe_poll{100};
};

// Called with the number of bytes newly held for this blob (negative when a partial download is
// discarded): the bytes already in a resumed ingest, then each piece as it arrives.
using BytesCallback = std::function<void(int64_t)>;

// OK once `blob` is committed in `store` (by this call or by a concurrent one). Errors:
// kNotFound when the registry does not have it, kCorrupt for a digest or size mismatch,
// kUnavailable for transport failures and for waiting too long on another puller, or the
// client's authentication error. Messages name the blob digest and URL.
Status FetchBlob(EndpointClient& client, ContentStore& store, const Descriptor& blob,
                 const BlobFetchOptions& options, const BytesCallback& on_bytes);

}  // namespace skiff::runtime::registry
