#include "certificate_rotator.h"

#include <sys/stat.h>

#include <algorithm>

#include "api/object_util.h"
#include "skiff/common/log.h"

namespace skiff::server {

CertificateRotator::CertificateRotator(auth::PkiOptions pki, auth::ServingMaterial current,
                                       OnChange on_change, std::chrono::milliseconds poll)
    : pki_(std::move(pki)),
      on_change_(std::move(on_change)),
      poll_(poll),
      current_(std::move(current)) {
  fingerprint_ = Fingerprint();
}

CertificateRotator::~CertificateRotator() { Stop(); }

void CertificateRotator::Start() { thread_ = std::thread([this] { Loop(); }); }

void CertificateRotator::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string CertificateRotator::Fingerprint() const {
  std::vector<std::string> paths = {current_.ca_cert_path, current_.serving.cert_path,
                                    current_.serving.key_path};
  for (const auto& [name, pair] : current_.clients) {
    paths.push_back(pair.cert_path);
    paths.push_back(pair.key_path);
  }
  std::string out;
  for (const std::string& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      out += "-;";
      continue;
    }
    out += std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec) + ";";
  }
  return out;
}

bool CertificateRotator::CheckNow() {
  std::lock_guard lock(check_mu_);
  const bool due = std::chrono::system_clock::now() >= current_.renew_at;
  if (!due && Fingerprint() == fingerprint_) return false;
  Result<auth::ServingMaterial> material = auth::EnsurePki(pki_);
  if (!material.ok()) {
    log::Error("pki", "cannot renew the certificates; retrying",
               {{"dir", pki_.tls_dir}, {"error", material.status().message()}});
    retry_at_ = std::chrono::system_clock::now() + poll_;
    return false;
  }
  fingerprint_ = Fingerprint();
  bool changed = material->serving.cert_pem != current_.serving.cert_pem ||
                 material->serving.key_pem != current_.serving.key_pem ||
                 material->ca_cert_pem != current_.ca_cert_pem;
  for (const auto& [name, pair] : material->clients) {
    auto it = current_.clients.find(name);
    changed = changed || it == current_.clients.end() || it->second.cert_pem != pair.cert_pem;
  }
  current_ = std::move(*material);
  if (!changed) return false;
  log::Info("pki", "certificates renewed; new connections use them",
            {{"serving-expires", api::Rfc3339(current_.serving.not_after)}});
  on_change_(current_);
  return true;
}

void CertificateRotator::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::chrono::system_clock::time_point next;
    {
      std::lock_guard check(check_mu_);
      next = std::max(current_.renew_at, retry_at_);  // a failed renewal waits a poll
    }
    const auto until_due = next - std::chrono::system_clock::now();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<std::chrono::system_clock::duration>(poll_, until_due));
    if (wait < std::chrono::milliseconds(0)) wait = std::chrono::milliseconds(0);
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) break;
    lock.unlock();
    CheckNow();
    lock.lock();
  }
}

}  // namespace skiff::server
