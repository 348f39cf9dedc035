#include "exec_process.h"

#include <random>

namespace skiff::node {

using nlohmann::json;

Result<json> ExecProcessSpec(const json& container_config, const std::vector<std::string>& command,
                             bool tty) {
  if (command.empty()) return InvalidArgumentError("an exec needs a command");
  if (!container_config.is_object() || !container_config.contains("process") ||
      !container_config["process"].is_object()) {
    return InvalidArgumentError("the container's config.json has no \"process\" object");
  }
  json process = container_config["process"];
  process["args"] = command;
  process["terminal"] = tty;
  process.erase("consoleSize");
  // An exec never carries the container's own command line (Windows only) or a stale one.
  process.erase("commandLine");
  if (tty) {
    json env = json::array();
    if (process.contains("env") && process["env"].is_array()) {
      for (const json& e : process["env"]) {
        if (e.is_string() && e.get<std::string>().rfind("TERM=", 0) == 0) continue;
        env.push_back(e);
      }
    }
    env.push_back("TERM=xterm");
    process["env"] = std::move(env);
  }
  return process;
}

std::string NewExecId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id;
  id.reserve(64);
  for (int i = 0; i < 4; ++i) {
    uint64_t v = rng();
    for (int j = 0; j < 16; ++j, v >>= 4) id += kDigits[v & 0xf];
  }
  return id;
}

std::string ExecStartFailure(const std::string& exec_id, const std::string& shim_error) {
  std::string message = shim_error;
  // "shim ADDR: Start C exec E: MSG (rpc CODE)": keep MSG.
  const std::string marker = "exec " + exec_id + ": ";
  if (size_t at = message.find(marker); at != std::string::npos) {
    message = message.substr(at + marker.size());
  }
  std::string code;
  if (message.size() > 1 && message.back() == ')') {
    if (size_t open = message.rfind(" (rpc "); open != std::string::npos) {
      code = message.substr(open + 6, message.size() - open - 7);
      message.resize(open);
    }
  }
  if (code == "Unknown") message += ": unknown";
  return "failed to exec in container: failed to start exec \"" + exec_id + "\": " + message;
}

bool AppendCapped(std::string* out, std::string_view data, size_t limit) {
  const size_t room = out->size() < limit ? limit - out->size() : 0;
  out->append(data.substr(0, room));
  return data.size() > room;
}

}  // namespace skiff::node
