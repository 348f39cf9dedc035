#include "net/cni/plugin_exec.h"

#include "net/cni/process.h"

namespace skiff::net {
namespace {

using nlohmann::json;

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string Describe(const PluginCall& call) {
  return "CNI plugin " + call.type + " " + call.command + " for sandbox " + call.container_id;
}

}  // namespace

Result<json> ExecPlugin(const PluginCall& call, const json& stdin_conf) {
  ProcessSpec spec;
  spec.path = call.plugin_dir + "/" + call.type;
  spec.env = {"CNI_COMMAND=" + call.command, "CNI_CONTAINERID=" + call.container_id,
              "CNI_NETNS=" + call.netns,     "CNI_IFNAME=" + call.ifname,
              "CNI_ARGS=" + call.cni_args,   "CNI_PATH=" + call.plugin_dir,
              "PATH=" + call.search_path};
  spec.input = stdin_conf.dump(-1, ' ', false, json::error_handler_t::replace);
  spec.timeout = call.timeout;

  Result<ProcessOutput> run = RunProcess(spec);
  if (!run.ok()) {
    if (run.status().code() == Code::kNotFound) {
      return NotFoundError("CNI plugin " + call.type + " not found in " + call.plugin_dir + ": " +
                           run.status().message());
    }
    return Status(run.status().code(), Describe(call) + ": " + run.status().message());
  }
  const ProcessOutput& out = *run;
  if (out.timed_out) {
    return UnavailableError(Describe(call) + " " + DescribeExit(out, spec));
  }
  json parsed = json::parse(out.out, nullptr, /*allow_exceptions=*/false);
  if (!out.ok()) {
    // A CNI error is {"code": N, "msg": "...", "details": "..."} on stdout.
    if (parsed.is_object() && parsed.contains("code") && parsed["code"].is_number_integer()) {
      int code = parsed["code"].get<int>();
      std::string msg = parsed.contains("msg") && parsed["msg"].is_string()
                            ? parsed["msg"].get<std::string>()
                            : std::string();
      std::string details = parsed.contains("details") && parsed["details"].is_string()
                                ? parsed["details"].get<std::string>()
                                : std::string();
      std::string text = Describe(call) + " failed: CNI error " + std::to_string(code) + ": " +
                         msg + (details.empty() ? "" : " (" + details + ")");
      return Status(code == 11 ? Code::kUnavailable : Code::kInternal, text);
    }
    std::string err = Trim(out.err.empty() ? out.out : out.err);
    return InternalError(Describe(call) + " failed: " + DescribeExit(out, spec) +
                         (err.empty() ? "" : ": " + err));
  }
  if (call.command != "ADD" && call.command != "VERSION") return json();
  if (!parsed.is_object()) {
    return InternalError(Describe(call) + " printed no JSON result: " + Trim(out.out));
  }
  return parsed;
}

}  // namespace skiff::net
