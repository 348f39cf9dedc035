// Kubeconfig files for kubectl and the official clients.
//
// The file has one cluster, one user and one context, all named `name` ("default", like k3s),
// and current-context set to it:
//   apiVersion: v1
//   kind: Config
//   clusters: [{name, cluster: {server, certificate-authority-data}}]
//   users:    [{name, user: {client-certificate-data, client-key-data} and/or {token}}]
//   contexts: [{name, context: {cluster, user}}]
//   current-context: default
//   preferences: {}
// The *-data fields are the PEM texts in standard base64.
#pragma once

#include <sys/types.h>

#include <string>

#include "skiff/common/status.h"

namespace skiff::auth {

struct KubeconfigOptions {
  std::string server = "https://127.0.0.1:6443";  // must be an https:// URL
  std::string ca_pem;                             // required
  // Client certificate credentials: both or neither.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Bearer token credentials (may be combined with a certificate).
  std::string token;
  std::string name = "default";  // cluster, user and context name
};

// The YAML text. kInvalidArgument names the bad field: a non-https server, no CA, only half of
// a certificate pair, no credentials at all, an empty name.
Result<std::string> RenderKubeconfig(const KubeconfigOptions& options);

// Renders and writes `path` atomically with exactly `mode` (e.g. --write-kubeconfig-mode; the
// umask does not narrow it), creating missing parent directories with mode 0755 less the umask,
// like `mkdir -p`, so a 0644 kubeconfig is readable by others as the flag intends. Errors as
// RenderKubeconfig, or file-system errors naming the path.
Status WriteKubeconfig(const std::string& path, mode_t mode, const KubeconfigOptions& options);

}  // namespace skiff::auth
