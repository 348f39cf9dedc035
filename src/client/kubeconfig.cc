#include "client/kubeconfig.h"

#include <nlohmann/json.hpp>

#include "api/codec.h"
#include "skiff/common/base64.h"
#include "skiff/common/file_util.h"
#include "skiff/common/string_util.h"

namespace skiff::client {
namespace {

using nlohmann::json;

// What ParseKubeconfig reads from, with the file named in every message.
class Reader {
 public:
  Reader(const json& doc, std::string base_dir, std::string source)
      : doc_(doc), base_dir_(std::move(base_dir)), source_(std::move(source)) {}

  Status Error(const std::string& what) const {
    return InvalidArgumentError(source_ + ": " + what);
  }

  // A scalar field as text ("" when absent or null). YAML reads an unquoted 12345 as a number
  // and yes/true as a boolean; a kubeconfig means the text.
  static Result<std::string> Text(const json& obj, const char* key, const std::string& where,
                                  const Reader& r) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::string();
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer() || it->is_boolean()) return it->dump();
    return r.Error(where + "." + key + " is not a string");
  }

  // The `field` object of the entry named `name` in the list `list` (clusters, users,
  // contexts).
  Result<const json*> Named(const char* list, const char* field, const std::string& name) const {
    auto it = doc_.find(list);
    if (it != doc_.end() && it->is_array()) {
      for (const json& entry : *it) {
        if (!entry.is_object() || entry.value("name", json()) != name) continue;
        auto f = entry.find(field);
        if (f == entry.end() || !f->is_object()) {
          return Error(std::string(list) + " entry \"" + name + "\" has no " + field);
        }
        return &*f;
      }
    }
    return Error(std::string("no ") + field + " named \"" + name + "\" in " + list);
  }

  // The PEM of `data_key` (base64) or of the file `file_key` names ("" when neither is set).
  Result<std::string> Pem(const json& obj, const char* data_key, const char* file_key,
                          const std::string& where) const {
    auto data = Text(obj, data_key, where, *this);
    if (!data.ok()) return data.status();
    if (!data->empty()) {
      std::string compact;
      for (char c : *data) {
        if (c != '\n' && c != '\r' && c != ' ' && c != '\t') compact.push_back(c);
      }
      auto pem = Base64Decode(compact);
      if (!pem) return Error(where + "." + data_key + " is not valid base64");
      return std::move(*pem);
    }
    return File(obj, file_key, where);
  }

  // The contents of the file `key` names ("" when not set).
  Result<std::string> File(const json& obj, const char* key, const std::string& where) const {
    auto path = Text(obj, key, where, *this);
    if (!path.ok()) return path.status();
    if (path->empty()) return std::string();
    const std::string full = path->front() == '/' ? *path : base_dir_ + "/" + *path;
    auto contents = ReadFile(full);
    if (!contents.ok()) {
      return Status(contents.status().code(),
                    source_ + ": " + where + "." + key + ": " + contents.status().message());
    }
    return std::move(contents).value();
  }

 private:
  const json& doc_;
  const std::string base_dir_;
  const std::string source_;
};

}  // namespace

Result<RemoteClientConfig> ParseKubeconfig(const std::string& text, const std::string& base_dir,
                                           const std::string& source, const std::string& context) {
  auto parsed = api::YamlToJson(text);
  if (!parsed.ok()) return InvalidArgumentError(source + ": " + parsed.error().message);
  const json& doc = *parsed;
  if (!doc.is_object()) return InvalidArgumentError(source + ": not a kubeconfig (no mapping)");
  Reader r(doc, base_dir, source);

  std::string name = context;
  if (name.empty()) {
    auto current = Reader::Text(doc, "current-context", "", r);
    if (!current.ok()) return current.status();
    name = *current;
  }
  if (name.empty()) return r.Error("current-context is not set");
  auto ctx = r.Named("contexts", "context", name);
  if (!ctx.ok()) return ctx.status();
  const std::string where_ctx = "contexts[" + name + "].context";
  auto cluster_name = Reader::Text(**ctx, "cluster", where_ctx, r);
  if (!cluster_name.ok()) return cluster_name.status();
  auto user_name = Reader::Text(**ctx, "user", where_ctx, r);
  if (!user_name.ok()) return user_name.status();
  if (cluster_name->empty()) return r.Error(where_ctx + ".cluster is not set");

  RemoteClientConfig config;
  auto cluster = r.Named("clusters", "cluster", *cluster_name);
  if (!cluster.ok()) return cluster.status();
  const std::string where_cluster = "clusters[" + *cluster_name + "].cluster";
  auto server = Reader::Text(**cluster, "server", where_cluster, r);
  if (!server.ok()) return server.status();
  config.server = *server;
  auto ca = r.Pem(**cluster, "certificate-authority-data", "certificate-authority", where_cluster);
  if (!ca.ok()) return ca.status();
  config.ca_pem = std::move(*ca);

  if (!user_name->empty()) {
    auto user = r.Named("users", "user", *user_name);
    if (!user.ok()) return user.status();
    const std::string where_user = "users[" + *user_name + "].user";
    auto cert = r.Pem(**user, "client-certificate-data", "client-certificate", where_user);
    if (!cert.ok()) return cert.status();
    auto key = r.Pem(**user, "client-key-data", "client-key", where_user);
    if (!key.ok()) return key.status();
    config.client_cert_pem = std::move(*cert);
    config.client_key_pem = std::move(*key);
    auto token = Reader::Text(**user, "token", where_user, r);
    if (!token.ok()) return token.status();
    if (token->empty()) {
      token = r.File(**user, "tokenFile", where_user);
      if (!token.ok()) return token.status();
    }
    config.token = std::string(TrimAsciiSpace(*token));
  }

  if (Status s = ValidateRemoteClientConfig(config); !s.ok()) {
    return InvalidArgumentError(source + ": " + s.message());
  }
  return config;
}

Result<RemoteClientConfig> LoadKubeconfig(const std::string& path, const std::string& context) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseKubeconfig(*text, DirName(path), path, context);
}

}  // namespace skiff::client
