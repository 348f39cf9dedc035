// Real registries for pull tests: Debian's docker-registry on a free loopback port with storage in
// a temporary directory, images built from busybox-static with umoci and pushed with skopeo, and
// the python front (registry_front.py) that adds token/basic auth, redirects and faults. Every
// process is killed and every directory removed when its object dies, also when a test fails.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace skiff::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

// A CA, a server certificate for 127.0.0.1 and a client certificate signed by it, and an
// unrelated CA; PEM files made with openssl in `dir`.
struct TestPki {
  std::string ca;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string other_ca;
  std::string skopeo_cert_dir;  // ca.crt, client.cert, client.key for skopeo --dest-cert-dir
};
TestPki MakeTestPki(const std::string& dir);

struct RegistryTlsFiles {
  std::string cert;
  std::string key;
  std::string client_ca;  // when set, clients must present a certificate it signed
};

class LocalRegistry {
 public:
  // Plain http, or https with `tls`. Fails the test (REQUIRE) when the registry does not start.
  explicit LocalRegistry(const RegistryTlsFiles* tls = nullptr);
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

struct FrontOptions {
  std::string auth = "bearer";  // none, bearer, basic
  std::string user;
  std::string password;
  std::string identity_token;
  bool redirect_blobs = false;
  bool ignore_range = false;
  std::string corrupt;  // "", "manifest", "blob"
  bool stall_blobs = false;
  int stall_seconds = 60;
  int token_uses = 0;  // > 0: each token authorizes that many requests, then gets 401
};

class RegistryFront {
 public:
  RegistryFront(const LocalRegistry& upstream, const FrontOptions& options);
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  // One line per request: "<front|redirect> METHOD PATH range=R auth=A status=S".
  std::vector<std::string> Log() const;
  // Lines containing every one of `parts`.
  int Count(const std::vector<std::string>& parts) const;

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

struct BuiltImage {
  std::string manifest_digest;
  std::string config_digest;
  std::vector<std::string> layers;  // bottom first: busybox, then /hello
  std::vector<int64_t> layer_sizes;
};

// Adds tag `tag` to the OCI layout `layout` (created when missing): /bin/busybox in one layer,
// /hello holding `hello` in a second, cmd busybox, the given architecture.
BuiltImage BuildImage(const std::string& layout, const std::string& tag, const std::string& hello,
                      const std::string& architecture);
// Adds an OCI index tagged `tag` whose entries are the given (tag, architecture) manifests of
// the layout; returns the index digest.
std::string AddIndex(const std::string& layout, const std::string& tag,
                     const std::vector<std::pair<std::string, std::string>>& entries);
// skopeo copy oci:LAYOUT:TAG docker://DEST (TLS not verified); `extra` flags such as "--all",
// "--format", "v2s2" or "--dest-cert-dir", DIR. Returns the digest of the manifest as pushed.
std::string Push(const std::string& layout, const std::string& tag, const std::string& dest,
                 const std::vector<std::string>& extra = {});

}  // namespace skiff::testing
