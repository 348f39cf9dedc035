#include "continue_token.h"

#include "skiff/common/base64.h"

namespace skiff::api {

std::string EncodeContinue(const ContinueToken& token) {
  nlohmann::json j = {{"v", "meta.k8s.io/v1"}, {"rv", token.revision}, {"start", token.start_after}};
  return Base64Encode(j.dump());
}

ApiResult<ContinueToken> DecodeContinue(const std::string& text) {
  auto bad = BadRequest("continue key is not valid: " + text);
  auto raw = Base64Decode(text);
  if (!raw) return bad;
  nlohmann::json j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object() || j.value("v", "") != "meta.k8s.io/v1" || !j.contains("rv") ||
      !j["rv"].is_number_integer() || !j.contains("start") || !j["start"].is_string() ||
      j["rv"].get<int64_t>() <= 0) {
    return bad;
  }
  return ContinueToken{j["rv"].get<int64_t>(), j["start"].get<std::string>()};
}

}  // namespace skiff::api
