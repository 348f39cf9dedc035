// CertificateRotator: renews on schedule and picks up files another process rotated, handing
// the new material over once per change.
#include "server/certificate_rotator.h"

#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "skiff/auth/pki.h"
#include "support/temp_dir.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;

auth::PkiOptions Options(const TempDir& dir) {
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  o.hostname = "edge-1";
  o.node_ips = {"192.168.7.20"};
  return o;
}

// CPU time used by this process, all threads.
double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Records what the rotator hands over.
struct Changes {
  std::mutex mu;
  std::vector<auth::ServingMaterial> seen;
  void Add(const auth::ServingMaterial& m) {
    std::lock_guard lock(mu);
    seen.push_back(m);
  }
  size_t Count() {
    std::lock_guard lock(mu);
    return seen.size();
  }
  bool WaitFor(size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Count() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }
};

TEST_CASE("Nothing changes while the certificates are good and untouched") {
  TempDir dir;
  auth::PkiOptions o = Options(dir);
  auto first = auth::EnsurePki(o);
  REQUIRE(first.ok());
  Changes changes;
  server::CertificateRotator rotator(o, *first, [&](const auth::ServingMaterial& m) {
    changes.Add(m);
  });
  CHECK_FALSE(rotator.CheckNow());
  CHECK_FALSE(rotator.CheckNow());
  CHECK(changes.Count() == 0);
}

TEST_CASE("Leaves are renewed when they enter their renewal window") {
  TempDir dir;
  auth::PkiOptions o = Options(dir);
  o.leaf_lifetime = 4s;
  o.renew_before = 2s;
  auto first = auth::EnsurePki(o);
  REQUIRE(first.ok());
  Changes changes;
  server::CertificateRotator rotator(
      o, *first, [&](const auth::ServingMaterial& m) { changes.Add(m); }, 10s);
  rotator.Start();  // the poll is long: only renew_at can wake it in time
  REQUIRE(changes.WaitFor(2, 10s));
  rotator.Stop();
  std::lock_guard lock(changes.mu);
  const auth::ServingMaterial& renewed = changes.seen[0];
  CHECK(renewed.serving.cert_pem != first->serving.cert_pem);
  CHECK(renewed.clients.at("client-admin").cert_pem !=
        first->clients.at("client-admin").cert_pem);
  CHECK(renewed.ca_cert_pem == first->ca_cert_pem);
  CHECK(renewed.serving.not_after > first->serving.not_after);
  CHECK(changes.seen[1].serving.cert_pem != renewed.serving.cert_pem);
}

TEST_CASE("Files rotated by another process are picked up within a poll") {
  TempDir dir;
  auth::PkiOptions o = Options(dir);
  auto first = auth::EnsurePki(o);
  REQUIRE(first.ok());
  Changes changes;
  server::CertificateRotator rotator(
      o, *first, [&](const auth::ServingMaterial& m) { changes.Add(m); }, 50ms);
  rotator.Start();
  auth::PkiOptions rotate = o;
  rotate.renew_all = true;
  auto rotated = auth::EnsurePki(rotate);
  REQUIRE(rotated.ok());
  REQUIRE(changes.WaitFor(1, 5s));
  std::this_thread::sleep_for(200ms);  // several more polls: the change is handed over once
  rotator.Stop();
  std::lock_guard lock(changes.mu);
  CHECK(changes.seen.size() == 1);
  CHECK(changes.seen[0].serving.cert_pem == rotated->serving.cert_pem);
  CHECK(changes.seen[0].serving.key_pem == rotated->serving.key_pem);
}

TEST_CASE("A renewal that fails is retried a poll later, not in a busy loop") {
  TempDir dir;
  auth::PkiOptions o = Options(dir);
  o.leaf_lifetime = 3s;
  o.renew_before = 2s;
  auto first = auth::EnsurePki(o);
  REQUIRE(first.ok());
  // A damaged CA: EnsurePki refuses to touch anything.
  REQUIRE(std::system(("echo broken > " + o.tls_dir + "/ca.crt").c_str()) == 0);
  Changes changes;
  server::CertificateRotator rotator(
      o, *first, [&](const auth::ServingMaterial& m) { changes.Add(m); }, 300ms);
  const double cpu_before = CpuSeconds();
  rotator.Start();
  std::this_thread::sleep_for(2500ms);  // renew_at has passed for about 1.5s
  rotator.Stop();
  CHECK(changes.Count() == 0);
  // A few failed attempts cost milliseconds; retrying without pause would burn ~1.5s.
  CHECK(CpuSeconds() - cpu_before < 0.3);
  CHECK(auth::EnsurePki(o).status().code() == Code::kCorrupt);
}

}  // namespace
}  // namespace skiff::testing
