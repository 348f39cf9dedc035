// Pulls images over the OCI distribution API (libcurl) into the node's ImageStore.
//
// A pull resolves the reference on each endpoint in turn (registries.yaml mirrors first, then
// the registry itself; plain http on loopback registries when their TLS handshake fails),
// answering Bearer and Basic authentication challenges with the candidate credentials, picks
// the host platform's manifest of an index, verifies every manifest digest, stores the
// manifest(s) and config, downloads each layer the store lacks (resuming partial downloads,
// following redirects without leaking credentials to other hosts, waiting for a concurrent pull
// of the same blob instead of downloading it twice) and finally calls
// ImageStore::Register(ref, manifest digest, pinned=false).
//
// Thread-safety: Pull may run on many threads at once; the Puller shares only its token cache.
// Ownership: the ImageStore must outlive the Puller.
// Timeouts: connecting, each manifest/token request, and a low-speed limit on blob transfers
// (PullerOptions) bound every request; a pull never hangs on a silent peer. SIGPIPE is blocked on
// the pulling thread while a transfer runs.
//
// Errors (the Status messages are what Kubernetes shows for ErrImagePull):
//   kNotFound          the image does not exist: every endpoint answered 404
//                      (`failed to resolve reference "REF": REF: not found`), or a blob is gone
//   kUnavailable       transient: connection refused, DNS, timeouts, 5xx, token service down
//                      (`... Get "URL": dial tcp HOST:PORT: connect: connection refused`)
//   kInvalidArgument   unauthorized: credentials missing or refused (`pull access denied ...`,
//                      `failed to authorize: ...: 401 Unauthorized`), or an unusable image
//   kCorrupt           a manifest or blob digest mismatch (names both digests)
//   kUnimplemented     a document format skiff does not pull (Docker schema 1)
//   others             as ImageStore::Register returns them (disk full, ...)
// A failed pull keeps what it committed and its partial downloads: the next pull resumes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/image_ref.h"
#include "skiff/runtime/image_store.h"
#include "skiff/runtime/registry_config.h"

namespace skiff::runtime {

namespace registry {
class TokenCache;
}  // namespace registry

enum class PullPhase {
  kResolving,    // fetching manifests (and tokens)
  kDownloading,  // fetching the config and layers
  kUnpacking,    // ImageStore::Register: verifying and unpacking layers
  kDone,         // the image is registered
};

// "resolving", "downloading", "unpacking", "done".
const char* PullPhaseName(PullPhase phase);

struct PullProgress {
  std::string ref;  // the normalized reference being pulled
  PullPhase phase = PullPhase::kResolving;
  int64_t bytes_done = 0;   // layer bytes held (already present ones included)
  int64_t bytes_total = 0;  // sum of the layer sizes; 0 until the manifest is known
  int layers_done = 0;
  int layers_total = 0;
};

struct PullOptions {
  // Candidate credentials for the image's registry (see MatchCredentials), tried in order when
  // an endpoint asks for authentication, then that endpoint's registries.yaml auth; with none at
  // all the pull is anonymous. As with containerd, they are offered to the registry's mirrors
  // too. A token obtained with one credential is cached for that credential only.
  std::vector<RegistryAuth> credentials;
  // Called on the pulling thread at each phase change and, while downloading, at most once per
  // PullerOptions::progress_interval. Must not call back into the Puller.
  std::function<void(const PullProgress&)> progress;
};

struct PullerOptions {
  std::chrono::milliseconds connect_timeout{15000};
  // A transfer slower than low_speed_bytes per second for low_speed_time is aborted (and a
  // blob download resumed up to blob_attempts times).
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{30};
  // Bound on each manifest or token request.
  std::chrono::milliseconds request_timeout{60000};
  int blob_attempts = 3;
  std::chrono::milliseconds retry_delay{1000};
  // How long a pull waits for another pull that is downloading the same blob.
  std::chrono::milliseconds dedupe_wait{600000};
  std::chrono::milliseconds progress_interval{250};
};

class Puller {
 public:
  Puller(RegistriesConfig config, ImageStore& images, PullerOptions options = {});
  ~Puller();
  Puller(const Puller&) = delete;
  Puller& operator=(const Puller&) = delete;

  Result<Image> Pull(const ImageRef& ref, const PullOptions& options);

 private:
  RegistriesConfig config_;
  ImageStore& images_;
  PullerOptions options_;
  std::unique_ptr<registry::TokenCache> tokens_;
};

}  // namespace skiff::runtime
