#include "environment.h"

#include <map>
#include <unordered_map>

#include "expansion.h"
#include "json_access.h"
#include "skiff/common/base64.h"
#include "skiff/runtime/downward_api.h"

namespace skiff::runtime::internal {
namespace {

using nlohmann::json;

constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Relaxed (Kubernetes 1.32) environment variable names: printable ASCII except '='.
bool IsEnvVarName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c < 0x20 || c > 0x7E || c == '=') return false;
  }
  return true;
}

// An ordered name -> value list where setting an existing name replaces it in place.
class OrderedEnv {
 public:
  void Set(const std::string& name, std::string value) {
    auto it = index_.find(name);
    if (it != index_.end()) {
      vars_[it->second].value = std::move(value);
      return;
    }
    index_.emplace(name, vars_.size());
    vars_.push_back({name, std::move(value)});
  }
  const std::string* Get(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &vars_[it->second].value;
  }
  std::vector<EnvVar> Take() { return std::move(vars_); }

 private:
  std::vector<EnvVar> vars_;
  std::unordered_map<std::string, size_t> index_;
};

bool Optional(const json& ref) { return BoolField(ref, "optional").value_or(false); }

// The string values of a ConfigMap's data or a Secret's (decoded) data.
Result<std::map<std::string, std::string>> DataOf(const std::string& kind, const json& obj,
                                                  const std::string& ns) {
  std::map<std::string, std::string> out;
  const json& data = Field(obj, "data");
  if (!data.is_object()) return out;
  for (auto it = data.begin(); it != data.end(); ++it) {
    if (!it->is_string()) continue;
    if (kind == "Secret") {
      auto decoded = Base64Decode(it->get<std::string>());
      if (!decoded) {
        return InvalidArgumentError("secret " + ns + "/" +
                                    StrField(Field(obj, "metadata"), "name") + " key " + it.key() +
                                    " is not valid base64");
      }
      out[it.key()] = std::move(*decoded);
    } else {
      out[it.key()] = it->get<std::string>();
    }
  }
  return out;
}

}  // namespace

Result<json> ObjectCache::Get(const std::string& kind, const std::string& name) {
  std::string key = kind + "/" + name;
  for (const auto& [k, obj] : seen_) {
    if (k == key) return obj;
  }
  std::string lower = kind == "Secret" ? "secret" : "configmap";
  if (!lookup_) return InternalError("no object lookup to read " + lower + " " + ns_ + "/" + name);
  auto obj = lookup_(kind, ns_, name);
  if (!obj.ok()) {
    if (obj.status().code() == Code::kNotFound) {
      return NotFoundError(lower + " \"" + name + "\" not found");
    }
    return obj.status();
  }
  seen_.emplace_back(key, *obj);
  return std::move(obj).value();
}

Result<std::vector<EnvVar>> MakeContainerEnv(const json& pod, const json& container,
                                             const node::ObjectLookup& lookup,
                                             const node::PodRuntimeInfo& info) {
  std::string ns = StrField(Field(pod, "metadata"), "namespace");
  ObjectCache objects(lookup, ns);
  OrderedEnv env;

  const json& env_from = Field(container, "envFrom");
  if (env_from.is_array()) {
    for (const auto& source : env_from) {
      std::string prefix = StrField(source, "prefix");
      const json* ref = nullptr;
      std::string kind;
      if (Field(source, "configMapRef").is_object()) {
        ref = &Field(source, "configMapRef");
        kind = "ConfigMap";
      } else if (Field(source, "secretRef").is_object()) {
        ref = &Field(source, "secretRef");
        kind = "Secret";
      } else {
        continue;
      }
      auto obj = objects.Get(kind, StrField(*ref, "name"));
      if (!obj.ok()) {
        if (obj.status().code() == Code::kNotFound && Optional(*ref)) continue;
        return obj.status();
      }
      auto data = DataOf(kind, *obj, ns);
      if (!data.ok()) return data.status();
      for (auto& [k, v] : *data) {
        std::string name = prefix + k;
        if (!IsEnvVarName(name)) continue;  // kubelet before 1.30 reported and skipped these
        env.Set(name, v);
      }
    }
  }

  const json& vars = Field(container, "env");
  if (vars.is_array()) {
    VarLookup mapping = [&env](const std::string& name) -> std::optional<std::string> {
      if (const std::string* v = env.Get(name)) return *v;
      return std::nullopt;
    };
    for (const auto& var : vars) {
      std::string name = StrField(var, "name");
      std::string value = StrField(var, "value");
      const json& from = Field(var, "valueFrom");
      if (!value.empty()) {
        value = Expand(value, mapping);
      } else if (from.is_object()) {
        if (Field(from, "fieldRef").is_object()) {
          auto v = PodFieldValue(pod, Field(from, "fieldRef"), info, FieldRefUse::kEnv);
          if (!v.ok()) return v.status();
          value = *v;
        } else if (Field(from, "resourceFieldRef").is_object()) {
          auto v = ContainerResourceValue(pod, &container, Field(from, "resourceFieldRef"), info);
          if (!v.ok()) return v.status();
          value = *v;
        } else if (Field(from, "configMapKeyRef").is_object() ||
                   Field(from, "secretKeyRef").is_object()) {
          bool is_cm = Field(from, "configMapKeyRef").is_object();
          const json& ref = Field(from, is_cm ? "configMapKeyRef" : "secretKeyRef");
          std::string kind = is_cm ? "ConfigMap" : "Secret";
          std::string obj_name = StrField(ref, "name");
          std::string key = StrField(ref, "key");
          auto obj = objects.Get(kind, obj_name);
          if (!obj.ok()) {
            if (obj.status().code() == Code::kNotFound && Optional(ref)) continue;
            return obj.status();
          }
          auto data = DataOf(kind, *obj, ns);
          if (!data.ok()) return data.status();
          auto it = data->find(key);
          if (it == data->end()) {
            if (Optional(ref)) continue;
            return InvalidArgumentError("couldn't find key " + key + " in " + kind + " " + ns +
                                        "/" + obj_name);
          }
          value = it->second;
        }
      }
      env.Set(name, std::move(value));
    }
  }
  return env.Take();
}

std::vector<std::string> MergeProcessEnv(const std::string& hostname,
                                         const std::vector<std::string>& image_env,
                                         const std::vector<EnvVar>& container_env) {
  std::vector<std::string> out;
  std::unordered_map<std::string, size_t> index;
  auto set = [&](const std::string& kv) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {  // "K" without "=": containerd unsets K
      auto it = index.find(kv);
      if (it != index.end()) out[it->second].clear();
      return;
    }
    std::string key = kv.substr(0, eq);
    auto it = index.find(key);
    if (it != index.end()) {
      out[it->second] = kv;
    } else {
      index.emplace(key, out.size());
      out.push_back(kv);
    }
  };
  set(kDefaultPath);
  set("HOSTNAME=" + hostname);
  for (const auto& kv : image_env) set(kv);
  for (const auto& var : container_env) set(var.name + "=" + var.value);
  std::vector<std::string> result;
  for (auto& kv : out) {
    if (!kv.empty()) result.push_back(std::move(kv));
  }
  return result;
}

}  // namespace skiff::runtime::internal
