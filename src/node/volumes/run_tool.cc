#include "run_tool.h"

#include <unistd.h>

#include "net/cni/process.h"

extern char** environ;

namespace skiff::node::internal {
namespace {

constexpr size_t kMaxOutput = 4096;
// Long enough for e2fsck or resize2fs on a large image; a tool that takes longer is stuck.
constexpr std::chrono::minutes kToolTimeout{10};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t start = s.find_first_not_of(" \n\r");
  return start == std::string::npos ? std::string() : s.substr(start);
}

}  // namespace

Result<ToolResult> RunTool(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgumentError("no tool to run");
  net::ProcessSpec spec;
  spec.path = argv[0];
  spec.argv = argv;
  for (char** e = environ; e && *e; ++e) spec.env.emplace_back(*e);
  spec.timeout = kToolTimeout;
  spec.max_output = kMaxOutput;
  auto out = net::RunProcess(spec);
  if (!out.ok()) {
    if (out.status().code() == Code::kNotFound) return out.status();
    return InternalError(out.status().message());
  }
  ToolResult result;
  result.exit_code = out->term_signal == 0 && !out->timed_out ? out->exit_code : -1;
  result.output = out->out + out->err;
  if (out->timed_out) result.output += "\n(killed after " + std::to_string(kToolTimeout.count()) + " minutes)";
  if (result.output.size() > kMaxOutput) result.output.resize(kMaxOutput);
  result.output = Trim(std::move(result.output));
  return result;
}

Status RunToolChecked(const std::vector<std::string>& argv) {
  auto r = RunTool(argv);
  if (!r.ok()) return r.status();
  if (r->exit_code == 0) return Status::Ok();
  std::string how = r->exit_code < 0 ? "was killed by a signal"
                                     : "exited with status " + std::to_string(r->exit_code);
  return InternalError(argv[0] + " " + how + (r->output.empty() ? "" : ": " + r->output));
}

}  // namespace skiff::node::internal
