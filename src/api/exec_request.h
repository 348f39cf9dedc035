// Reading and checking a pods/exec or pods/attach request the way kube-apiserver
// (streamLocation), kubelet (remotecommand options) and kubectl's own pre-checks do, so the
// client gets the error Kubernetes gives -- as a plain HTTP Status answer, before any upgrade.
#pragma once

#include <string>

#include "http_types.h"
#include "pod_io.h"
#include "resources.h"

namespace skiff::api {

// Reads GET/POST .../pods/NAME/exec (attach=false) or .../attach (attach=true). Query:
// command (repeated; exec only), container, stdin, stdout, stderr, tty (booleans as Go's
// ParseBool reads them). Checks, in order: the pod exists (404); the container is named or
// the pod has exactly one, and is one of its containers, init containers or ephemeral
// containers; the pod is on a node; the pod has not completed (Succeeded/Failed); the
// container is running; at least one of stdin/stdout/stderr (stderr is dropped with tty);
// exec names a command. Errors are 400s with Kubernetes' wording. Thread-safe as Resources is.
ApiResult<PodExecRequest> ParsePodExecRequest(Resources& resources, const std::string& ns,
                                              const std::string& name, const HttpRequest& request,
                                              bool attach);

}  // namespace skiff::api
