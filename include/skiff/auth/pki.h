// The cluster's PKI: one self-signed cluster CA and the leaf certificates it issues (the API
// server's serving certificate and client certificates such as the admin's), kept as PEM files
// in one TLS directory and re-issued when they near expiry or no longer fit.
//
// Files under PkiOptions::tls_dir (keys are PKCS#8 PEM, mode 0600; certificates PEM, 0644; every
// write is atomic via WriteFileAtomic; the directory is created 0700):
//   ca.crt / ca.key                  the cluster CA (ECDSA P-256, CA:TRUE)
//   serving.crt / serving.key        the API server's certificate (serverAuth)
//   <client>.crt / <client>.key      one pair per ClientCertSpec, e.g. client-admin.*
//
// EnsurePki is idempotent and meant to be called at every start and again whenever a leaf
// reaches its renewal time (ServingMaterial::renew_at):
//   - A missing CA is created, but only when no leaf file exists yet (a first start). An
//     existing CA is never replaced: clients trust it. A CA that is missing while leaves exist,
//     or is unreadable, not a CA, expired, or whose key does not match, is a kCorrupt error
//     naming the file, and no file is touched.
//   - A leaf is reused unless it is missing or unreadable, its key does not match it, it was not
//     issued by the CA, it is not yet valid, it expires within renew_before (and a new one would
//     last longer: a leaf never outlives the CA), its SANs do not cover every requested name
//     (serving) or its subject differs from the spec (clients). Then a new key and certificate
//     are issued from the same CA; the key file is written before the certificate file.
//
// Rotation: with renew_all every leaf is re-issued now (`skiff certificate rotate`); the CA is
// kept. A running server calls EnsurePki again when renew_at comes or the files change (see
// src/server/certificate_rotator.h), so files rotated by another process are picked up too.
//
// Concurrency: calls for the same tls_dir, from any thread or process, are serialized by an
// exclusive flock on <tls_dir>/.lock held for the whole call. EnsurePki holds no state between
// calls. It clears OpenSSL's error queue of the calling thread before returning.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::auth {

inline constexpr std::chrono::seconds kOneDay{24 * 60 * 60};

// A client certificate the PKI keeps issued.
struct ClientCertSpec {
  // The file stem under tls_dir ("<name>.crt", "<name>.key") and the key in
  // ServingMaterial::clients: lower-case letters, digits and '-', not "ca" or "serving".
  std::string name;
  std::string common_name;                 // the user name Kubernetes derives (CN)
  std::vector<std::string> organizations;  // its groups (O), in order
};

// "client-admin": CN=system:admin, O=system:masters.
ClientCertSpec AdminClientCert();

struct PkiOptions {
  // The directory holding the files (created 0700 with missing parents). Required.
  std::string tls_dir;
  // The node's hostname: a DNS SAN of the serving certificate when non-empty.
  std::string hostname;
  // Gives the SAN kubernetes.default.svc.<cluster_domain>.
  std::string cluster_domain = "cluster.local";
  // Service ranges ("10.43.0.0/16"; an element may list several, comma-separated, for dual
  // stack): the first address of each (the kubernetes Service, 10.43.0.1) is an IP SAN.
  std::vector<std::string> service_cidrs = {"10.43.0.0/16"};
  // The node's addresses: IP SANs.
  std::vector<std::string> node_ips;
  // More SANs (like k3s's --tls-san): each an IPv4/IPv6 address or a DNS name ("*.x.y" allowed).
  std::vector<std::string> extra_sans;

  // Validity periods. Leaves are clamped to the CA's notAfter. Requires
  // 0 <= renew_before < leaf_lifetime and positive lifetimes.
  std::chrono::seconds ca_lifetime = 3650 * kOneDay;
  std::chrono::seconds leaf_lifetime = 365 * kOneDay;
  // A leaf expiring within this window of `now` is re-issued.
  std::chrono::seconds renew_before = 90 * kOneDay;

  // Re-issue every leaf (serving and clients) even when it is still good.
  bool renew_all = false;

  // The client certificates to keep (names unique). Default: the admin's.
  std::vector<ClientCertSpec> clients = {AdminClientCert()};

  // The current time; the default (the epoch) means the system clock. Tests set it to simulate
  // the passing of time. New certificates are valid from one hour before `now` (clock skew).
  std::chrono::system_clock::time_point now{};
};

// A certificate and its key, as files and as the PEM text in them.
struct CertKeyPair {
  std::string cert_path;
  std::string key_path;
  std::string cert_pem;
  std::string key_pem;
  std::chrono::system_clock::time_point not_after;
};

// What a TLS server (and a kubeconfig writer) needs. To serve: the serving pair as certificate
// and private key, and ca_cert_pem as the trust anchor for verifying client certificates
// (optionally also announced as the acceptable client CA); kubectl then presents its client
// certificate, and UserFromCertificate (authenticator.h) names the user.
struct ServingMaterial {
  std::string ca_cert_path;
  std::string ca_cert_pem;
  std::chrono::system_clock::time_point ca_not_after;
  CertKeyPair serving;
  std::map<std::string, CertKeyPair> clients;  // by ClientCertSpec::name
  // The certificate files (re)written by this call, CA first; empty when everything was
  // reused. Non-empty means a running server should reload its TLS context and kubeconfigs
  // embedding a client certificate should be rewritten.
  std::vector<std::string> issued;
  // When to call EnsurePki again: the earliest time a leaf enters its renewal window (or, for
  // leaves already clamped to the CA's lifetime, the CA's expiry).
  std::chrono::system_clock::time_point renew_at;
};

// Creates, checks and renews the files as described above. Errors: kInvalidArgument for bad
// options (the message names the field and value), kCorrupt for an unusable CA (names the file
// and says how to recover), file-system errors from WriteFileAtomic/ReadFile/MakeDirs (name the
// path), kInternal for OpenSSL failures.
Result<ServingMaterial> EnsurePki(const PkiOptions& options);

// The SANs the serving certificate must carry for `options`, deduplicated, in this order:
// DNS localhost, kubernetes, kubernetes.default, kubernetes.default.svc,
// kubernetes.default.svc.<cluster_domain>, hostname, DNS extra_sans; IP 127.0.0.1, ::1, the
// first address of each service CIDR, node_ips, IP extra_sans. IPs in canonical text form, DNS
// names lower-cased. kInvalidArgument names a malformed value.
struct ServingNames {
  std::vector<std::string> dns;
  std::vector<std::string> ips;
};
Result<ServingNames> ComputeServingNames(const PkiOptions& options);

}  // namespace skiff::auth
