#include "process_args.h"

#include <unordered_map>

#include "expansion.h"
#include "json_access.h"

namespace skiff::runtime::internal {

Result<std::vector<std::string>> ProcessArgs(const nlohmann::json& container,
                                             const ImageDefaults& image,
                                             const std::vector<EnvVar>& env) {
  std::unordered_map<std::string, std::string> vars;
  for (const auto& e : env) vars[e.name] = e.value;
  VarLookup lookup = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  std::vector<std::string> command, args;
  for (const auto& c : StringList(Field(container, "command"))) {
    command.push_back(Expand(c, lookup));
  }
  for (const auto& a : StringList(Field(container, "args"))) args.push_back(Expand(a, lookup));

  if (command.empty()) {
    if (args.empty()) args = image.cmd;
    if (!(image.entrypoint.size() == 1 && image.entrypoint[0].empty())) command = image.entrypoint;
  }
  if (command.empty() && args.empty()) return InvalidArgumentError("no command specified");
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

}  // namespace skiff::runtime::internal
