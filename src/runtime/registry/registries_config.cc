// registries.yaml (k3s format) parsing with errors that name the file, line and key.
#include <yaml-cpp/yaml.h>

#include <set>

#include "runtime/registry/auth_value.h"
#include "runtime/registry/endpoints.h"
#include "runtime/registry/rewrite.h"
#include "skiff/common/file_util.h"
#include "skiff/runtime/registry_config.h"

namespace skiff::runtime {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  Status Error(const YAML::Node& at, const std::string& path, const std::string& what) const {
    std::string where = std::string(source_);
    YAML::Mark mark = at.Mark();
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1);
    return InvalidArgumentError(where + ": " + path + ": " + what);
  }

  // A mapping (or null/absent, which counts as empty); refuses keys outside `allowed`.
  Status CheckMap(const YAML::Node& node, const std::string& path,
                  const std::set<std::string>& allowed) const {
    if (!node || node.IsNull()) return Status::Ok();
    if (!node.IsMap()) return Error(node, path, "expected a mapping");
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) return Error(kv.first, path, "keys must be strings");
      if (allowed.empty()) continue;
      const std::string key = kv.first.Scalar();
      if (!allowed.contains(key)) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return Error(kv.first, path, "unknown key \"" + key + "\" (expected one of: " + list + ")");
      }
    }
    return Status::Ok();
  }

  Status String(const YAML::Node& node, const std::string& path, std::string* out) const {
    if (!node || node.IsNull()) return Status::Ok();
    if (!node.IsScalar()) return Error(node, path, "expected a string");
    *out = node.Scalar();
    return Status::Ok();
  }

  Status Bool(const YAML::Node& node, const std::string& path, bool* out) const {
    if (!node || node.IsNull()) return Status::Ok();
    if (!node.IsScalar()) return Error(node, path, "expected true or false");
    try {
      *out = node.as<bool>();
    } catch (const YAML::Exception&) {
      return Error(node, path, "expected true or false, got \"" + node.Scalar() + "\"");
    }
    return Status::Ok();
  }

  Status Mirror(const YAML::Node& node, const std::string& path, RegistryMirror* out) const {
    if (Status s = CheckMap(node, path, {"endpoint", "rewrite"}); !s.ok()) return s;
    if (!node || node.IsNull()) return Status::Ok();  // no endpoints: the registry itself
    const YAML::Node endpoints = node["endpoint"];
    const std::string ep_path = path + ".endpoint";
    if (endpoints && !endpoints.IsNull()) {
      if (!endpoints.IsSequence()) return Error(endpoints, ep_path, "expected a list of URLs");
      int i = 0;
      for (const YAML::Node& e : endpoints) {
        const std::string item = ep_path + "[" + std::to_string(i++) + "]";
        if (!e.IsScalar()) return Error(e, item, "expected a URL string");
        Result<registry::EndpointUrl> url = registry::ParseEndpointUrl(e.Scalar());
        if (!url.ok()) return Error(e, item, url.status().message());
        out->endpoints.push_back(e.Scalar());
      }
    }
    const YAML::Node rewrite = node["rewrite"];
    const std::string rw_path = path + ".rewrite";
    if (Status s = CheckMap(rewrite, rw_path, {}); !s.ok()) return s;
    if (rewrite && rewrite.IsMap()) {
      for (const auto& kv : rewrite) {
        const std::string pattern = kv.first.Scalar();
        const std::string item = rw_path + "[\"" + pattern + "\"]";
        if (!kv.second.IsScalar()) return Error(kv.second, item, "expected a replacement string");
        if (Status s = registry::CheckRewritePattern(pattern); !s.ok()) {
          return Error(kv.first, item, s.message());
        }
        out->rewrites.push_back({pattern, kv.second.Scalar()});
      }
    }
    return Status::Ok();
  }

  Status HostConfig(const YAML::Node& node, const std::string& path,
                    RegistryHostConfig* out) const {
    if (Status s = CheckMap(node, path, {"auth", "tls"}); !s.ok()) return s;
    if (!node || node.IsNull()) return Status::Ok();

    const YAML::Node auth = node["auth"];
    const std::string a = path + ".auth";
    if (Status s = CheckMap(auth, a, {"username", "password", "auth", "identitytoken"}); !s.ok()) {
      return s;
    }
    if (auth && auth.IsMap()) {
      std::string encoded;
      if (Status s = String(auth["username"], a + ".username", &out->auth.username); !s.ok()) {
        return s;
      }
      if (Status s = String(auth["password"], a + ".password", &out->auth.password); !s.ok()) {
        return s;
      }
      if (Status s = String(auth["auth"], a + ".auth", &encoded); !s.ok()) return s;
      if (Status s = String(auth["identitytoken"], a + ".identitytoken", &out->auth.identity_token);
          !s.ok()) {
        return s;
      }
      if (!encoded.empty()) {
        Status s = registry::DecodeAuthValue(encoded, &out->auth.username, &out->auth.password);
        if (!s.ok()) return Error(auth["auth"], a + ".auth", s.message());
      }
    }

    const YAML::Node tls = node["tls"];
    const std::string t = path + ".tls";
    if (Status s = CheckMap(tls, t, {"ca_file", "cert_file", "key_file", "insecure_skip_verify"});
        !s.ok()) {
      return s;
    }
    if (tls && tls.IsMap()) {
      RegistryTls& o = out->tls;
      if (Status s = String(tls["ca_file"], t + ".ca_file", &o.ca_file); !s.ok()) return s;
      if (Status s = String(tls["cert_file"], t + ".cert_file", &o.cert_file); !s.ok()) return s;
      if (Status s = String(tls["key_file"], t + ".key_file", &o.key_file); !s.ok()) return s;
      if (Status s = Bool(tls["insecure_skip_verify"], t + ".insecure_skip_verify",
                          &o.insecure_skip_verify);
          !s.ok()) {
        return s;
      }
      if (o.cert_file.empty() != o.key_file.empty()) {
        return Error(tls, t, "cert_file and key_file must be given together");
      }
    }
    return Status::Ok();
  }

  Result<RegistriesConfig> Document(const YAML::Node& root) const {
    RegistriesConfig out;
    if (!root || root.IsNull()) return out;
    if (Status s = CheckMap(root, "(top level)", {"mirrors", "configs"}); !s.ok()) return s;
    const YAML::Node mirrors = root["mirrors"];
    if (Status s = CheckMap(mirrors, "mirrors", {}); !s.ok()) return s;
    if (mirrors && mirrors.IsMap()) {
      for (const auto& kv : mirrors) {
        const std::string name = kv.first.Scalar();
        if (name.empty()) return Error(kv.first, "mirrors", "empty registry name");
        RegistryMirror m;
        if (Status s = Mirror(kv.second, "mirrors." + name, &m); !s.ok()) return s;
        out.mirrors[name] = std::move(m);
      }
    }
    const YAML::Node configs = root["configs"];
    if (Status s = CheckMap(configs, "configs", {}); !s.ok()) return s;
    if (configs && configs.IsMap()) {
      for (const auto& kv : configs) {
        const std::string name = kv.first.Scalar();
        if (name.empty()) return Error(kv.first, "configs", "empty registry host");
        RegistryHostConfig c;
        if (Status s = HostConfig(kv.second, "configs." + name, &c); !s.ok()) return s;
        out.configs[name] = std::move(c);
      }
    }
    return out;
  }

 private:
  std::string_view source_;
};

}  // namespace

Result<RegistriesConfig> RegistriesConfig::Parse(std::string_view yaml, std::string_view source) {
  Parser parser(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    std::string where(source);
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1);
    return InvalidArgumentError(where + ": invalid YAML: " + e.msg);
  }
  try {
    return parser.Document(root);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string(source) + ": " + e.what());
  }
}

Result<RegistriesConfig> RegistriesConfig::Load(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return RegistriesConfig{};
    return text.status();
  }
  return Parse(*text, path);
}

}  // namespace skiff::runtime
