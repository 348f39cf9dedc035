#include "pod_io.h"

#include <charconv>

namespace skiff::api {
namespace {

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::string Names(const json& containers) {
  std::string s;
  for (const json& c : containers) s += (s.empty() ? "" : " ") + c.value("name", "");
  return "[" + s + "]";
}

const json* StatusOf(const json& pod, const std::string& container, bool init) {
  const char* field = init ? "initContainerStatuses" : "containerStatuses";
  const json* list = Find(pod, {"status", field});
  if (!list || !list->is_array()) return nullptr;
  for (const json& s : *list) {
    if (s.value("name", "") == container) return &s;
  }
  return nullptr;
}

}  // namespace

ApiResult<PodLogRequest> ParsePodLogRequest(Resources& resources, const std::string& ns,
                                            const std::string& name, const HttpRequest& request) {
  const apis::ResourceType& pods = *resources.registry().Find("", "v1", "pods");
  auto pod = resources.Get(pods, ns, name);
  if (!pod.ok()) return pod.error();
  PodLogRequest r;
  r.pod = std::move(*pod);
  const json& spec = r.pod["spec"];
  const json containers = spec.value("containers", json::array());
  const json inits = spec.value("initContainers", json::array());
  r.container = request.Query("container");
  if (r.container.empty()) {
    if (containers.size() != 1) {
      std::string msg = "a container name must be specified for pod " + name +
                        ", choose one of: " + Names(containers);
      if (!inits.empty()) msg += " or one of the init containers: " + Names(inits);
      return BadRequest(msg);
    }
    r.container = containers[0].value("name", "");
  }
  bool found = false;
  for (const json& c : containers) found = found || c.value("name", "") == r.container;
  if (!found) {
    for (const json& c : inits) {
      if (c.value("name", "") == r.container) found = r.init_container = true;
    }
  }
  if (!found) return BadRequest("container " + r.container + " is not valid for pod " + name);

  auto flag = [&](const char* key) {
    const std::string v = request.Query(key);
    return v == "true" || v == "1" || v == "True";
  };
  r.previous = flag("previous");
  r.follow = flag("follow");
  r.timestamps = flag("timestamps");
  auto number = [&](const char* key, std::optional<int64_t>* out, int64_t min) -> std::optional<ApiError> {
    if (!request.HasQuery(key)) return std::nullopt;
    auto v = ParseInt(request.Query(key));
    if (!v) return BadRequest(std::string("invalid ") + key + " \"" + request.Query(key) + "\"");
    if (*v < min) {
      return BadRequest(std::string(key) + " must be " + (min == 0 ? "greater than or equal to 0" : "greater than 0"));
    }
    *out = *v;
    return std::nullopt;
  };
  if (auto e = number("tailLines", &r.tail_lines, 0)) return *e;
  if (auto e = number("limitBytes", &r.limit_bytes, 1)) return *e;
  std::optional<int64_t> since_seconds;
  if (auto e = number("sinceSeconds", &since_seconds, 1)) return *e;
  if (request.HasQuery("sinceTime")) {
    if (since_seconds) return BadRequest("at most one of `sinceTime` or `sinceSeconds` may be specified");
    std::chrono::system_clock::time_point t;
    if (!ParseRfc3339(request.Query("sinceTime"), &t)) {
      return BadRequest("invalid sinceTime \"" + request.Query("sinceTime") + "\"");
    }
    r.since_time = t;
  } else if (since_seconds) {
    r.since_time = std::chrono::system_clock::now() - std::chrono::seconds(*since_seconds);
  }

  // kubelet's checks of the container's state.
  const json* status = StatusOf(r.pod, r.container, r.init_container);
  const std::string quoted = "\"" + r.container + "\"";
  if (!status) {
    return BadRequest("container " + quoted + " in pod \"" + name + "\" is waiting to start: ContainerCreating");
  }
  r.restart_count = status->value("restartCount", 0);
  const json* last = Find(*status, {"lastState", "terminated"});
  if (r.previous) {
    if (!last || r.restart_count == 0) {
      return BadRequest("previous terminated container " + quoted + " in pod \"" + name + "\" not found");
    }
    r.restart_count -= 1;
    return r;
  }
  const json* waiting = Find(*status, {"state", "waiting"});
  if (waiting && !last) {
    return BadRequest("container " + quoted + " in pod \"" + name + "\" is waiting to start: " +
                      waiting->value("reason", "ContainerCreating"));
  }
  return r;
}

}  // namespace skiff::api
