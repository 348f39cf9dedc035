#include "payloads.h"

#include "json_fields.h"
#include "skiff/common/base64.h"
#include "skiff/common/string_util.h"
#include "skiff/runtime/downward_api.h"

namespace skiff::node::internal {
namespace {

using nlohmann::json;

// path.Clean of a relative path.
std::string CleanRelative(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else {
        parts.push_back(part);
      }
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

mode_t ItemMode(const json& item, mode_t default_mode) {
  auto m = IntField(item, "mode");
  return m ? static_cast<mode_t>(*m) : default_mode;
}

// key -> bytes of a ConfigMap (data, then binaryData) or a Secret (data, base64).
Result<std::map<std::string, std::string>> Contents(const json& object, bool secret) {
  std::map<std::string, std::string> out;
  if (object.is_null()) return out;
  const std::string name = StrField(Field(object, "metadata"), "name");
  auto add = [&](const json& map, bool base64) -> Status {
    if (!map.is_object()) return Status::Ok();
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->is_string()) continue;
      if (!base64) {
        out[it.key()] = it->get<std::string>();
        continue;
      }
      auto decoded = Base64Decode(it->get<std::string>());
      if (!decoded) {
        return InvalidArgumentError(std::string(secret ? "secret" : "configmap") + " \"" + name +
                                    "\" key " + it.key() + " is not valid base64");
      }
      out[it.key()] = std::move(*decoded);
    }
    return Status::Ok();
  };
  if (secret) {
    if (Status s = add(Field(object, "data"), true); !s.ok()) return s;
  } else {
    if (Status s = add(Field(object, "data"), false); !s.ok()) return s;
    if (Status s = add(Field(object, "binaryData"), true); !s.ok()) return s;
  }
  return out;
}

Result<Payload> KeyPayload(const json& items, const json& object, mode_t default_mode,
                           bool optional, bool secret) {
  auto contents = Contents(object, secret);
  if (!contents.ok()) return contents.status();
  Payload payload;
  if (!items.is_array() || items.empty()) {
    for (auto& [key, data] : *contents) payload[key] = {data, default_mode};
    return payload;
  }
  for (const auto& item : items) {
    std::string key = StrField(item, "key");
    auto it = contents->find(key);
    if (it == contents->end()) {
      if (optional) continue;
      return InvalidArgumentError(secret ? "references non-existent secret key: " + key
                                         : "configmap references non-existent config key: " + key);
    }
    payload[CleanRelative(StrField(item, "path"))] = {it->second, ItemMode(item, default_mode)};
  }
  return payload;
}

}  // namespace

Result<Payload> ConfigMapPayload(const json& items, const json& object, mode_t default_mode,
                                 bool optional) {
  return KeyPayload(items, object, default_mode, optional, false);
}

Result<Payload> SecretPayload(const json& items, const json& object, mode_t default_mode,
                              bool optional) {
  return KeyPayload(items, object, default_mode, optional, true);
}

Result<Payload> DownwardApiPayload(const json& items, const json& pod, const PodRuntimeInfo& info,
                                   mode_t default_mode) {
  Payload payload;
  std::vector<std::string> errors;
  if (!items.is_array()) return payload;
  for (const auto& item : items) {
    FileProjection file{"", ItemMode(item, default_mode)};
    if (Field(item, "fieldRef").is_object()) {
      auto v =
          runtime::PodFieldValue(pod, Field(item, "fieldRef"), info, runtime::FieldRefUse::kVolume);
      if (v.ok()) {
        file.data = *v;
      } else {
        errors.push_back(v.status().message());
      }
    } else if (Field(item, "resourceFieldRef").is_object()) {
      auto v = runtime::ContainerResourceValue(pod, nullptr, Field(item, "resourceFieldRef"), info);
      if (v.ok()) {
        file.data = *v;
      } else {
        errors.push_back(v.status().message());
      }
    }
    payload[CleanRelative(StrField(item, "path"))] = std::move(file);
  }
  if (!errors.empty()) return InvalidArgumentError(AggregateMessages(errors));
  return payload;
}

Result<json> GetObject(const ObjectLookup& lookup, const std::string& kind, const std::string& ns,
                       const std::string& name, bool optional) {
  std::string lower = kind == "Secret" ? "secret" : "configmap";
  if (!lookup) return InternalError("no object lookup to read " + lower + " " + ns + "/" + name);
  auto obj = lookup(kind, ns, name);
  if (obj.ok()) return obj;
  if (obj.status().code() != Code::kNotFound) return obj.status();
  if (optional) return json();
  return NotFoundError(lower + " \"" + name + "\" not found");
}

}  // namespace skiff::node::internal
