#include "skiff/auth/kubeconfig.h"

#include "skiff/common/base64.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "openssl_util.h"
#include "skiff/common/file_util.h"

namespace skiff::auth {
namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status Check(const KubeconfigOptions& o) {
  if (o.server.rfind("https://", 0) != 0 || o.server.size() == 8) {
    return InvalidArgumentError("kubeconfig: server \"" + o.server + "\" is not an https:// URL");
  }
  if (o.ca_pem.empty()) return InvalidArgumentError("kubeconfig: the CA certificate is empty");
  if (o.client_cert_pem.empty() != o.client_key_pem.empty()) {
    return InvalidArgumentError(
        "kubeconfig: a client certificate needs both the certificate and the key");
  }
  if (o.client_cert_pem.empty() && o.token.empty()) {
    return InvalidArgumentError("kubeconfig: no credentials (client certificate or token)");
  }
  if (o.name.empty()) return InvalidArgumentError("kubeconfig: the name is empty");
  return Status::Ok();
}

// The YAML text; throws only what yaml-cpp or the allocator may throw.
std::string Render(const KubeconfigOptions& o) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Config";

  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << o.name;
  out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << o.server;
  out << YAML::Key << "certificate-authority-data" << YAML::Value << Base64Encode(o.ca_pem);
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << o.name;
  out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  if (!o.client_cert_pem.empty()) {
    out << YAML::Key << "client-certificate-data" << YAML::Value
        << Base64Encode(o.client_cert_pem);
    out << YAML::Key << "client-key-data" << YAML::Value << Base64Encode(o.client_key_pem);
  }
  if (!o.token.empty()) out << YAML::Key << "token" << YAML::Value << o.token;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << o.name;
  out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << o.name;
  out << YAML::Key << "user" << YAML::Value << o.name;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "current-context" << YAML::Value << o.name;
  out << YAML::Key << "preferences" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  out << YAML::EndMap;
  if (!out.good()) throw std::runtime_error("YAML emitter: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace

Result<std::string> RenderKubeconfig(const KubeconfigOptions& o) {
  if (Status s = Check(o); !s.ok()) return s;
  try {
    return Render(o);
  } catch (const std::exception& e) {
    return InternalError(std::string("kubeconfig: ") + e.what());
  }
}

Status WriteKubeconfig(const std::string& path, mode_t mode, const KubeconfigOptions& options) {
  Result<std::string> text = RenderKubeconfig(options);
  if (!text.ok()) return text.status();
  if (Status s = MakeDirs(DirOf(path), 0755); !s.ok()) return s;
  return WriteFileAtomic(path, *text, mode);
}

}  // namespace skiff::auth
