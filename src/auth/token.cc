#include "skiff/auth/token.h"

#include <openssl/err.h>

#include "openssl_util.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::auth {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::string> CreateTokenFile(const std::string& path);

}  // namespace

Result<std::string> EnsureTokenFile(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("the token file path is empty");
  Result<std::string> existing = ReadFile(path);
  if (existing.ok()) {
    std::string_view token = *existing;
    while (!token.empty() && IsSpace(token.front())) token.remove_prefix(1);
    while (!token.empty() && IsSpace(token.back())) token.remove_suffix(1);
    if (token.empty()) {
      // Only a write cut short leaves it empty (skiff writes it whole, synced): there is no
      // token to keep, so a new one replaces it rather than fail every start.
      log::Warning("auth", "the token file is empty (a write cut short?); creating a new token",
                   {{"file", path}});
      return CreateTokenFile(path);
    }
    for (char c : token) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
        return CorruptError("the token file " + path +
                            " holds whitespace or control characters inside the token");
      }
    }
    return std::string(token);
  }
  if (existing.status().code() != Code::kNotFound) return existing.status();
  return CreateTokenFile(path);
}

namespace {

Result<std::string> CreateTokenFile(const std::string& path) {
  unsigned char bytes[32];
  if (Status s = ossl::RandomBytes(bytes, sizeof bytes); !s.ok()) {
    ERR_clear_error();
    return s;
  }
  std::string token = ossl::HexEncode(bytes, sizeof bytes);
  if (Status s = MakeDirs(DirOf(path), 0700); !s.ok()) return s;
  if (Status s = WriteFileAtomic(path, token + "\n", 0600); !s.ok()) return s;
  log::Info("auth", "created the admin token", {{"file", path}});
  return token;
}

}  // namespace

}  // namespace skiff::auth
