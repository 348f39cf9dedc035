#include "exec_request.h"

namespace skiff::api {
namespace {

// Go's strconv.ParseBool, which the API's query decoding uses; anything else is false here
// (kube-apiserver would answer 400 for garbage; kubectl never sends it).
bool QueryFlag(const HttpRequest& request, const char* key) {
  const std::string v = request.Query(key);
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

std::string Names(const json& containers) {
  std::string s;
  for (const json& c : containers) s += (s.empty() ? "" : " ") + c.value("name", "");
  return s;
}

bool HasContainer(const json& list, const std::string& name) {
  if (!list.is_array()) return false;
  for (const json& c : list) {
    if (c.is_object() && c.value("name", "") == name) return true;
  }
  return false;
}

// The container's status entry, looked up in the three status lists.
const json* ContainerStatus(const json& pod, const std::string& name) {
  for (const char* field :
       {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"}) {
    const json* list = Find(pod, {"status", field});
    if (!list || !list->is_array()) continue;
    for (const json& s : *list) {
      if (s.is_object() && s.value("name", "") == name) return &s;
    }
  }
  return nullptr;
}

}  // namespace

ApiResult<PodExecRequest> ParsePodExecRequest(Resources& resources, const std::string& ns,
                                              const std::string& name, const HttpRequest& request,
                                              bool attach) {
  const apis::ResourceType& pods = *resources.registry().Find("", "v1", "pods");
  auto pod = resources.Get(pods, ns, name);
  if (!pod.ok()) return pod.error();
  PodExecRequest r;
  r.pod = std::move(*pod);
  r.attach = attach;
  const json empty = json::array();
  const json* containers = Find(r.pod, {"spec", "containers"});
  const json* inits = Find(r.pod, {"spec", "initContainers"});
  const json* ephemerals = Find(r.pod, {"spec", "ephemeralContainers"});
  if (!containers || !containers->is_array()) containers = &empty;
  if (!inits || !inits->is_array()) inits = &empty;
  if (!ephemerals || !ephemerals->is_array()) ephemerals = &empty;

  // kube-apiserver's streamLocation.
  r.container = request.Query("container");
  if (r.container.empty()) {
    if (containers->size() == 1) {
      r.container = (*containers)[0].value("name", "");
    } else if (containers->empty()) {
      return BadRequest("a container name must be specified for pod " + name);
    } else {
      std::string msg = "a container name must be specified for pod " + name +
                        ", choose one of: [" + Names(*containers) + "]";
      if (!inits->empty()) msg += " or one of the init containers: [" + Names(*inits) + "]";
      return BadRequest(msg);
    }
  } else if (!HasContainer(*containers, r.container) && !HasContainer(*inits, r.container) &&
             !HasContainer(*ephemerals, r.container)) {
    return BadRequest("container " + r.container + " is not valid for pod " + name);
  }
  if (GetString(r.pod, {"spec", "nodeName"}).empty()) {
    return BadRequest("pod " + name + " does not have a host assigned");
  }

  // kubectl's pre-check (a completed pod has no process to join), then kubelet's: the
  // container must be running.
  const std::string phase = GetString(r.pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") {
    return BadRequest(
        std::string(attach ? "cannot attach a container" : "cannot exec into a container") +
        " in a completed pod; current phase is " + phase);
  }
  const json* status = ContainerStatus(r.pod, r.container);
  if (!status || !Find(*status, {"state", "running"})) {
    return BadRequest("container not found (\"" + r.container + "\")");
  }

  // kubelet's remotecommand options.
  r.tty = QueryFlag(request, "tty");
  r.stdin = QueryFlag(request, "stdin");
  r.stdout = QueryFlag(request, "stdout");
  r.stderr = QueryFlag(request, "stderr") && !r.tty;
  if (!r.stdin && !r.stdout && !r.stderr) {
    return BadRequest("you must specify at least 1 of stdin, stdout, stderr");
  }
  if (!attach) {
    auto [begin, end] = request.query.equal_range("command");
    for (auto it = begin; it != end; ++it) r.command.push_back(it->second);
    if (r.command.empty()) {
      return BadRequest("you must specify at least one command for the container");
    }
  }
  return r;
}

}  // namespace skiff::api
