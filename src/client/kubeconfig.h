// Reads the connection settings of a kubeconfig file (the one `skiff server --write-kubeconfig`
// writes, or kubectl's) into a RemoteClientConfig, as kubectl resolves them:
//   the context named by current-context (or `context` when given) ->
//   its cluster:  server, certificate-authority-data | certificate-authority (a file)
//   its user:     client-certificate-data | client-certificate (a file),
//                 client-key-data | client-key (a file), token | tokenFile (a file)
// *-data fields are base64 of the PEM; relative file paths are relative to the kubeconfig's
// directory. Fields this client does not use (exec plugins, auth-provider, proxy-url,
// insecure-skip-tls-verify, ...) are ignored; the result must still pass
// ValidateRemoteClientConfig, so a cluster without a CA is refused. Errors are
// kInvalidArgument naming the file and the field, or the file system's (kNotFound for a
// missing file). The other RemoteClientConfig fields keep their defaults.
#pragma once

#include <string>

#include "client/remote_client_config.h"
#include "skiff/common/status.h"

namespace skiff::client {

Result<RemoteClientConfig> LoadKubeconfig(const std::string& path, const std::string& context = "");

// The same from the file's text; `base_dir` resolves relative file paths, `source` names the
// file in messages.
Result<RemoteClientConfig> ParseKubeconfig(const std::string& text, const std::string& base_dir,
                                           const std::string& source,
                                           const std::string& context = "");

}  // namespace skiff::client
