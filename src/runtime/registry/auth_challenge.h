// WWW-Authenticate challenges (RFC 7235) as registries send them:
//   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"
//   Basic realm="Registry Realm"
// Internal to skiff_registry.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace skiff::runtime::registry {

struct AuthChallenge {
  std::string scheme;                         // lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  // lower-case names, unquoted values
};

// Every challenge in the given header values, in order. Malformed parts are skipped.
std::vector<AuthChallenge> ParseAuthChallenges(const std::vector<std::string>& header_values);

}  // namespace skiff::runtime::registry
