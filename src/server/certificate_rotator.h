// Keeps the API server's certificates current while skiff runs, so no restart and no client
// notices a renewal (k3s renews only at start).
//
// A thread wakes when the earliest leaf enters its renewal window (ServingMaterial::renew_at)
// and every `poll` in between, to notice files another process rotated (`skiff certificate
// rotate` writes them under the PKI's lock). It then calls EnsurePki and hands material that
// differs from the current one to `on_change` (the server reloads its TLS context, so new
// connections get the new serving certificate while open ones carry on, and rewrites the
// kubeconfig with the new admin certificate). A failure is logged and retried after `poll`.
// Thread-safe; Stop joins and is idempotent (the destructor calls it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "skiff/auth/pki.h"

namespace skiff::server {

class CertificateRotator {
 public:
  using OnChange = std::function<void(const auth::ServingMaterial&)>;
  CertificateRotator(auth::PkiOptions pki, auth::ServingMaterial current, OnChange on_change,
                     std::chrono::milliseconds poll = std::chrono::seconds(10));
  ~CertificateRotator();
  CertificateRotator(const CertificateRotator&) = delete;
  CertificateRotator& operator=(const CertificateRotator&) = delete;

  void Start();
  void Stop();
  // One look now (the loop's body): true when the material changed and on_change ran.
  bool CheckNow();

 private:
  // The certificate and key files' identities (inode, size, change time), to tell a rotation
  // by another process without reading them.
  std::string Fingerprint() const;
  void Loop();

  const auth::PkiOptions pki_;
  const OnChange on_change_;
  const std::chrono::milliseconds poll_;
  std::mutex check_mu_;  // one check at a time; guards current_ and fingerprint_
  auth::ServingMaterial current_;
  std::string fingerprint_;
  std::chrono::system_clock::time_point retry_at_{};  // after a failed EnsurePki
  std::mutex mu_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff::server
