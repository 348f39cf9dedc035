#include "runtime/registry/blob_fetcher.h"

#include <thread>

#include "skiff/common/log.h"

namespace skiff::runtime::registry {
namespace {

bool Retryable(long status) { return status == 408 || status == 429 || status >= 500; }

enum class Outcome { kDone, kRetry, kRestart, kFail };

struct Attempt {
  Outcome outcome = Outcome::kFail;
  Status status;
};

// One download into an open ingest, from its current offset.
Attempt DownloadInto(EndpointClient& client, ContentStore::Ingest& ingest, const Descriptor& blob,
                     const BytesCallback& on_bytes) {
  const int64_t offset = ingest.offset();
  int64_t held = offset;  // bytes of this blob now in the ingest
  on_bytes(offset);
  std::vector<std::string> headers;
  if (offset > 0) headers.push_back("Range: bytes=" + std::to_string(offset) + "-");
  bool first = true;
  auto sink = [&](long status, std::string_view data) -> Status {
    if (first) {
      first = false;
      if (status != 206 && held > 0) {
        // The server sent the whole blob: what we had is replaced.
        if (Status s = ingest.Truncate(); !s.ok()) return s;
        on_bytes(-held);
        held = 0;
      }
    }
    if (blob.size >= 0 && held + static_cast<int64_t>(data.size()) > blob.size) {
      return CorruptError("blob " + blob.digest + " from " + client.Url("blobs/" + blob.digest) +
                          " is larger than the " + std::to_string(blob.size) +
                          " bytes its descriptor says");
    }
    if (Status s = ingest.Write(data.data(), data.size()); !s.ok()) return s;
    held += static_cast<int64_t>(data.size());
    on_bytes(static_cast<int64_t>(data.size()));
    return Status::Ok();
  };

  const std::string url = client.Url("blobs/" + blob.digest);
  HttpResult r = client.Get("blobs/" + blob.digest, headers, sink);
  auto release = [&] {
    on_bytes(-held);  // the caller re-counts from the ingest offset on the next attempt
  };
  if (!r.status.ok()) {
    release();
    if (r.status.code() == Code::kUnavailable) return {Outcome::kRetry, r.status};
    return {Outcome::kFail, r.status};
  }
  const long code = r.response.status;
  if (code == 416 && offset > 0) {
    release();
    (void)ingest.Truncate();
    return {Outcome::kRestart, UnavailableError("range not satisfiable at " + url)};
  }
  if (code < 200 || code >= 300) {
    release();
    std::string message = "failed to fetch blob " + blob.digest +
                          ": unexpected status from GET "
                          "request to " +
                          url + ": " + ServerMessage(r.response);
    if (code == 404) return {Outcome::kFail, NotFoundError(message)};
    if (code == 401 || code == 403) return {Outcome::kFail, InvalidArgumentError(message)};
    return {Retryable(code) ? Outcome::kRetry : Outcome::kFail, UnavailableError(message)};
  }
  if (blob.size >= 0 && held != blob.size) {
    release();
    return {Outcome::kRetry,
            UnavailableError("blob " + blob.digest + " from " + url + " ended at " +
                             std::to_string(held) + " of " + std::to_string(blob.size) + " bytes")};
  }
  Status commit = ingest.Commit();
  if (!commit.ok()) {
    release();
    // A resumed download may have been spliced from a changed partial file: one clean retry.
    if (commit.code() == Code::kCorrupt && offset > 0) return {Outcome::kRestart, commit};
    return {Outcome::kFail, commit};
  }
  return {Outcome::kDone, Status::Ok()};
}

}  // namespace

Status FetchBlob(EndpointClient& client, ContentStore& store, const Descriptor& blob,
                 const BlobFetchOptions& options, const BytesCallback& on_bytes) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point wait_until = Clock::now() + options.dedupe_wait;
  std::chrono::milliseconds delay = options.retry_delay;
  int failures = 0;
  bool restarted = false;
  Status last;
  while (true) {
    if (store.Has(blob.digest)) return Status::Ok();
    Result<std::unique_ptr<ContentStore::Ingest>> ingest =
        store.BeginIngest(blob.digest, blob.size);
    if (!ingest.ok()) {
      if (ingest.status().code() != Code::kUnavailable) return ingest.status();
      // Another pull is writing this blob: wait for it to land (or to give up).
      if (Clock::now() >= wait_until) {
        return UnavailableError("blob " + blob.digest +
                                " is being downloaded by another pull; "
                                "gave up waiting after " +
                                std::to_string(options.dedupe_wait.count() / 1000) + "s");
      }
      std::this_thread::sleep_for(options.dedupe_poll);
      continue;
    }
    Attempt attempt = DownloadInto(client, **ingest, blob, on_bytes);
    switch (attempt.outcome) {
      case Outcome::kDone:
        return Status::Ok();
      case Outcome::kFail:
        return attempt.status;
      case Outcome::kRestart:
        (*ingest)->Abort();
        if (restarted) return attempt.status;
        restarted = true;
        continue;
      case Outcome::kRetry:
        last = attempt.status;
        if (++failures >= options.attempts) return last;
        log::Warning("registry", "blob download failed, resuming",
                     {{"digest", blob.digest}, {"error", last.message()}});
        ingest->reset();  // the partial file stays for the resume
        std::this_thread::sleep_for(delay);
        delay *= 2;
        continue;
    }
  }
}

}  // namespace skiff::runtime::registry
