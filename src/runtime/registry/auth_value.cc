#include "runtime/registry/auth_value.h"

#include "skiff/common/base64.h"

namespace skiff::runtime::registry {

Status DecodeAuthValue(std::string_view encoded, std::string* username, std::string* password) {
  std::optional<std::string> decoded = Base64Decode(encoded);
  if (!decoded) return InvalidArgumentError("auth is not valid base64");
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("auth must encode \"username:password\"");
  }
  *username = decoded->substr(0, colon);
  *password = decoded->substr(colon + 1);
  return Status::Ok();
}

}  // namespace skiff::runtime::registry
