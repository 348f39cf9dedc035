// RuntimeImpl: processes in running containers (exec probes, hooks, pods/exec).
#include "attach_session.h"
#include "runtime_impl.h"
#include "skiff/common/string_util.h"

namespace skiff::node {

Result<ExecTarget> RuntimeImpl::ExecTargetFor(const PodRecord& record, const ContainerRecord& c) {
  const std::string what = "container " + c.name + " of pod " + record.ns + "/" + record.name;
  if (c.id.empty() || c.state != ContainerRecord::State::kRunning) {
    return NotFoundError(what + " is not running");
  }
  auto shim = Shim(record, false);
  if (!shim.ok()) return NotFoundError(what + " is not running: " + shim.status().message());
  ExecTarget target;
  target.shim = *shim;
  target.container_id = c.id;
  target.container_name = c.name;
  target.bundle = BundleDir(c.id);
  target.fifo_parent = ExecFifoDir(record.sandbox_id);
  target.attach_socket = AttachSocketPath(kAttachDir, c.id);
  if (Status s = CheckRunning(target); !s.ok()) {
    return Status(s.code(), what + ": " + s.message());
  }
  return target;
}

Result<ExecTarget> RuntimeImpl::ExecTargetFor(const nlohmann::json& pod,
                                              const std::string& container) {
  std::string uid;
  if (pod.contains("metadata") && pod["metadata"].is_object()) {
    uid = pod["metadata"].value("uid", "");
  }
  if (uid.empty()) return NotFoundError("the pod has no uid");
  auto record = LoadRecord(PodDir(uid));
  if (!record.ok()) {
    return NotFoundError("pod " + uid + " is not on this node: " + record.status().message());
  }
  // An init container and an app container may share a name only across the two lists;
  // take the running one.
  const ContainerRecord* found = nullptr;
  for (const ContainerRecord& c : record->containers) {
    if (c.name != container) continue;
    if (!found || c.state == ContainerRecord::State::kRunning) found = &c;
  }
  if (!found)
    return NotFoundError("pod " + record->ns + "/" + record->name + " has no container " +
                         container);
  return ExecTargetFor(*record, *found);
}

Result<ExecResult> RuntimeImpl::RunInContainer(const PodRecord& record, const ContainerRecord& c,
                                               const std::vector<std::string>& command,
                                               std::chrono::milliseconds timeout) {
  auto target = ExecTargetFor(record, c);
  if (!target.ok()) return target.status();
  return RunInTarget(*target, command, timeout);
}

ProbeOutcome RuntimeImpl::RunCommand(const PodRecord& record, const ContainerRecord& c,
                                     const std::vector<std::string>& command,
                                     std::chrono::milliseconds timeout) {
  auto ran = RunInContainer(record, c, command, timeout);
  if (!ran.ok()) return {false, ran.status().message()};
  if (ran->timed_out) return {false, "command \"" + Join(command, " ") + "\" timed out"};
  return {ran->exit_code == 0, ran->output};
}

}  // namespace skiff::node
