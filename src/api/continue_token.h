// The continue token of paginated lists: base64 of {"v":"meta.k8s.io/v1","rv":R,"start":K},
// the revision the first page was read at and the key (relative to the list's prefix) the
// next page starts after. Clients treat it as opaque.
#pragma once

#include <string>

#include "api_error.h"
#include "skiff/store/store.h"

namespace skiff::api {

struct ContinueToken {
  store::Revision revision = 0;
  std::string start_after;
};

std::string EncodeContinue(const ContinueToken& token);
// BadRequest for a token this server did not make.
ApiResult<ContinueToken> DecodeContinue(const std::string& text);

}  // namespace skiff::api
