#include "runtime/image/image_config.h"

#include "skiff/runtime/content_store.h"

namespace skiff::runtime::image_detail {
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string String(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

std::map<std::string, std::string> StringMap(const json& obj, const char* key) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

std::vector<std::string> Keys(const json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) out.push_back(k);
  return out;
}

}  // namespace

Result<ParsedConfig> ParseImageConfig(const std::string& bytes) {
  json doc = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError("image config is not a JSON object");
  }
  ParsedConfig out;
  out.config.os = String(doc, "os");
  out.config.architecture = String(doc, "architecture");
  auto cfg = doc.find("config");
  if (cfg != doc.end() && cfg->is_object()) {
    const json& c = *cfg;
    out.config.entrypoint = Strings(c, "Entrypoint");
    out.config.cmd = Strings(c, "Cmd");
    out.config.env = Strings(c, "Env");
    out.config.working_dir = String(c, "WorkingDir");
    out.config.user = String(c, "User");
    out.config.labels = StringMap(c, "Labels");
    out.config.stop_signal = String(c, "StopSignal");
    out.config.exposed_ports = Keys(c, "ExposedPorts");
  }
  auto rootfs = doc.find("rootfs");
  if (rootfs == doc.end() || !rootfs->is_object()) {
    return InvalidArgumentError("image config has no rootfs");
  }
  if (String(*rootfs, "type") != "layers") {
    return InvalidArgumentError("image config rootfs.type is \"" + String(*rootfs, "type") +
                                "\", not \"layers\"");
  }
  auto ids = rootfs->find("diff_ids");
  if (ids == rootfs->end() || !ids->is_array()) {
    return InvalidArgumentError("image config has no rootfs.diff_ids");
  }
  for (const auto& id : *ids) {
    std::string s = id.is_string() ? id.get<std::string>() : id.dump();
    Status st = CheckDigest(s);
    if (!st.ok()) return InvalidArgumentError("image config rootfs.diff_ids: " + st.message());
    out.diff_ids.push_back(s);
  }
  return out;
}

nlohmann::json ConfigToJson(const ImageConfig& c) {
  return json{{"entrypoint", c.entrypoint},
              {"cmd", c.cmd},
              {"env", c.env},
              {"working_dir", c.working_dir},
              {"user", c.user},
              {"labels", c.labels},
              {"stop_signal", c.stop_signal},
              {"exposed_ports", c.exposed_ports},
              {"os", c.os},
              {"architecture", c.architecture}};
}

ImageConfig ConfigFromJson(const nlohmann::json& j) {
  ImageConfig c;
  if (!j.is_object()) return c;
  c.entrypoint = Strings(j, "entrypoint");
  c.cmd = Strings(j, "cmd");
  c.env = Strings(j, "env");
  c.working_dir = String(j, "working_dir");
  c.user = String(j, "user");
  c.labels = StringMap(j, "labels");
  c.stop_signal = String(j, "stop_signal");
  c.exposed_ports = Strings(j, "exposed_ports");
  c.os = String(j, "os");
  c.architecture = String(j, "architecture");
  return c;
}

}  // namespace skiff::runtime::image_detail
