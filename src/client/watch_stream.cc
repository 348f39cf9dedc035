#include "client/watch_stream.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "client/api_status.h"
#include "client/watch_decoder.h"
#include "skiff/common/log.h"

namespace skiff::client {
namespace {

using Clock = std::chrono::steady_clock;

// How much of a failed response's body is kept for its Status.
constexpr size_t kMaxErrorBody = 64 * 1024;
// The longest the thread sleeps with nothing to do (a wake-up ends it sooner).
constexpr int kIdlePollMs = 60 * 1000;

enum class Phase {
  kHeaders,    // waiting for the response headers
  kStreaming,  // 200: the body is the event stream
  kFailed,     // another status: the body is a Status, collected for the error
};

struct WatchState {
  ~WatchState() {
    if (multi) curl_multi_cleanup(multi);
  }

  std::shared_ptr<HttpsTransport> transport;
  std::unique_ptr<PreparedRequest> request;
  CURLM* multi = nullptr;  // lives as long as the state, so a late wake-up is harmless
  std::function<void(std::vector<WatchEvent>&)> events;
  std::function<void(Status)> closed;
  std::atomic<bool> stopping{false};

  // How the start went, for StartWatchStream (which waits for it).
  std::mutex mu;
  std::condition_variable cv;
  bool startup_done = false;  // guarded by mu
  Status startup;             // guarded by mu

  // The thread's own (and libcurl's callbacks', which run on it).
  Phase phase = Phase::kHeaders;
  long http_status = 0;
  std::string error_body;
  WatchDecoder decoder;
  std::vector<WatchEvent> batch;

  void ReportStartup(Status s) {
    {
      std::lock_guard lock(mu);
      if (startup_done) return;
      startup_done = true;
      startup = std::move(s);
    }
    cv.notify_all();
  }
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* st = static_cast<WatchState*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (st->phase == Phase::kHeaders && (line == "\r\n" || line == "\n")) {
    long code = 0;
    curl_easy_getinfo(st->request->curl.get(), CURLINFO_RESPONSE_CODE, &code);
    if (code >= 100 && code < 200) return n;  // an interim response; the real one follows
    st->http_status = code;
    if (code == 200) {
      st->phase = Phase::kStreaming;
      st->ReportStartup(Status::Ok());
    } else {
      st->phase = Phase::kFailed;
    }
  }
  return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* st = static_cast<WatchState*>(user);
  const size_t n = size * count;
  if (st->phase == Phase::kStreaming) {
    // After the stream's end (decoder) the rest is dropped: the loop stops after this read.
    st->decoder.Feed(std::string_view(data, n), &st->batch);
  } else if (st->error_body.size() < kMaxErrorBody) {
    st->error_body.append(data, std::min(n, kMaxErrorBody - st->error_body.size()));
  }
  return n;
}

// Runs a user callback, logging what it throws (a thread of ours must not die of it).
template <class F>
void Guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log::Error("remote-client", "watch callback threw", {{"callback", what}, {"error", e.what()}});
  } catch (...) {
    log::Error("remote-client", "watch callback threw", {{"callback", what}});
  }
}

// The end of a finished transfer.
Status TransferEnd(const WatchState& st, CURLcode result) {
  switch (st.phase) {
    case Phase::kStreaming:
      if (result == CURLE_OK) return UnavailableError("the server ended the watch");
      return UnavailableError("the watch stream broke: " +
                              HttpsTransport::TransferError(*st.request, result));
    case Phase::kFailed:
      return StatusFromHttpResponse(st.http_status, st.error_body);
    case Phase::kHeaders:
      break;
  }
  return UnavailableError(HttpsTransport::TransferError(*st.request, result));
}

void Run(const std::shared_ptr<WatchState>& st) {
  // SIGPIPE from a TLS write to a closed peer would kill the process: never on this thread.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

  const auto deadline = Clock::now() + st->transport->config().request_timeout;
  std::optional<Status> end;
  while (!st->stopping) {
    int running = 0;
    if (CURLMcode mc = curl_multi_perform(st->multi, &running); mc != CURLM_OK) {
      end = UnavailableError(std::string("watch transfer failed: ") + curl_multi_strerror(mc));
      break;
    }
    if (!st->batch.empty()) {
      if (st->stopping) break;
      Guarded("events", [&] { st->events(st->batch); });
      st->batch.clear();
    }
    if (st->decoder.end()) {
      end = *st->decoder.end();
      break;
    }
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(st->multi, &queued)) {
      if (m->msg == CURLMSG_DONE && !end) end = TransferEnd(*st, m->data.result);
    }
    if (end) break;
    int wait_ms = kIdlePollMs;
    if (st->phase != Phase::kStreaming) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        end = UnavailableError("GET " + st->request->url + ": no response within " +
                               std::to_string(st->transport->config().request_timeout.count()) +
                               " ms");
        break;
      }
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), kIdlePollMs));
    }
    curl_multi_poll(st->multi, nullptr, 0, wait_ms, nullptr);
  }
  // Closes the connection (a watch is never reused) before anyone is told.
  curl_multi_remove_handle(st->multi, st->request->curl.get());
  st->request->curl.reset();

  bool started;
  {
    std::lock_guard lock(st->mu);
    started = st->startup_done;
  }
  if (!started) {
    st->ReportStartup(end ? *end : UnavailableError("the watch was stopped"));
    return;
  }
  if (end && !st->stopping) Guarded("closed", [&] { st->closed(*end); });
}

class RemoteWatch : public Subscription {
 public:
  RemoteWatch(std::shared_ptr<WatchState> state, std::thread thread)
      : state_(std::move(state)), thread_(std::move(thread)) {}

  ~RemoteWatch() override {
    state_->stopping = true;
    if (std::this_thread::get_id() == thread_.get_id()) {
      // From inside a callback: the thread sees `stopping` when the callback returns.
      thread_.detach();
      return;
    }
    curl_multi_wakeup(state_->multi);
    thread_.join();
  }

 private:
  std::shared_ptr<WatchState> state_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<Subscription>> StartWatchStream(
    std::shared_ptr<HttpsTransport> transport, const HttpRequest& request,
    std::function<void(std::vector<WatchEvent>&)> events, std::function<void(Status)> closed) {
  auto st = std::make_shared<WatchState>();
  auto prepared = transport->PrepareStream(request);
  if (!prepared.ok()) return prepared.status();
  st->transport = std::move(transport);
  st->request = std::move(prepared).value();
  st->events = std::move(events);
  st->closed = std::move(closed);
  CURL* curl = st->request->curl.get();
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, st.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, st.get());
  st->multi = curl_multi_init();
  if (!st->multi) return InternalError("curl_multi_init failed");
  if (CURLMcode mc = curl_multi_add_handle(st->multi, curl); mc != CURLM_OK) {
    return InternalError(std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
  }

  std::thread thread;
  try {
    thread = std::thread([st] { Run(st); });
  } catch (const std::system_error& e) {
    curl_multi_remove_handle(st->multi, curl);
    return ResourceExhaustedError(std::string("cannot start a watch thread: ") + e.what());
  }
  Status startup;
  {
    std::unique_lock lock(st->mu);
    st->cv.wait(lock, [&] { return st->startup_done; });
    startup = st->startup;
  }
  if (!startup.ok()) {
    thread.join();  // it ends right after reporting a failed start
    return startup;
  }
  return std::unique_ptr<Subscription>(std::make_unique<RemoteWatch>(st, std::move(thread)));
}

}  // namespace skiff::client
