// pods/log (and, later, exec and attach): the API side checks the request the way
// kube-apiserver and kubelet do -- the pod exists, the container is named (or the pod has
// only one), it has started, the parameters are valid -- and hands a checked request to the
// node that runs the pod (PodIo), which streams the answer.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http_types.h"
#include "resources.h"

namespace skiff::api {

struct PodLogRequest {
  json pod;
  std::string container;
  bool init_container = false;
  // The attempt whose log is wanted (the newest, or with `previous` the one before it).
  int restart_count = 0;
  bool previous = false;
  bool follow = false;
  bool timestamps = false;
  std::optional<int64_t> tail_lines;
  std::optional<int64_t> limit_bytes;
  std::optional<std::chrono::system_clock::time_point> since_time;
};

// Implemented by the node agent. Answers through the responder, from any thread.
class PodIo {
 public:
  virtual ~PodIo() = default;
  virtual void StreamLog(const PodLogRequest& request, std::shared_ptr<Responder> responder) = 0;
};

// Reads and checks a GET .../pods/NAME/log request (query: container, previous, follow,
// timestamps, tailLines, limitBytes, sinceSeconds, sinceTime). Errors are kube-apiserver's
// 400s and 404s.
ApiResult<PodLogRequest> ParsePodLogRequest(Resources& resources, const std::string& ns,
                                            const std::string& name, const HttpRequest& request);

}  // namespace skiff::api
