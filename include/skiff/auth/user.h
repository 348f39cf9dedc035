// Who a request comes from, as authentication establishes it and authorization consumes it.
// Plain values: copyable, no shared state.
#pragma once

#include <string>
#include <vector>

namespace skiff::auth {

// The identity Kubernetes' user.Info carries (extra fields are not modelled).
struct UserInfo {
  std::string name;                 // e.g. "system:admin"
  std::string uid;                  // empty when the credential names none
  std::vector<std::string> groups;  // e.g. {"system:masters", "system:authenticated"}

  friend bool operator==(const UserInfo&, const UserInfo&) = default;
};

// The user and group Kubernetes grants everything to (the cluster-admin binding's subject).
inline constexpr char kAdminUserName[] = "system:admin";
inline constexpr char kMastersGroup[] = "system:masters";
// The group kube-apiserver adds to every authenticated user.
inline constexpr char kAuthenticatedGroup[] = "system:authenticated";

// {name "system:admin", groups {"system:masters"}}: the user of the admin token and of the
// admin client certificate.
inline UserInfo AdminUser() { return UserInfo{kAdminUserName, "", {kMastersGroup}}; }

}  // namespace skiff::auth
