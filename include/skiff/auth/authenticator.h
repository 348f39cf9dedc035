// Request authentication for the API server: client certificates and bearer tokens, with
// kube-apiserver's semantics.
//
// The TLS layer verifies a client certificate against the cluster CA (ServingMaterial's
// ca_cert_pem as its trust store); these functions only read the identity from a certificate
// that was verified. A certificate's user is its subject: name = the common name (CN), groups =
// the organization (O) values in order. A bearer token is compared in constant time (through
// its SHA-256 digest) with every known token; raw tokens are not kept in memory.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/auth/user.h"
#include "skiff/common/status.h"

namespace skiff::auth {

enum class AuthnOutcome {
  kNoCredentials,  // nothing of this kind was presented: try others, else anonymous/401
  kAuthenticated,  // `user` is set
  kRejected,       // credentials were presented and are invalid: answer 401, `reason` says why
};

struct AuthnResult {
  AuthnOutcome outcome = AuthnOutcome::kNoCredentials;
  UserInfo user;       // when kAuthenticated
  std::string reason;  // when kRejected, e.g. "invalid bearer token"
};

// The token of an Authorization header value, as kube-apiserver reads it: surrounding
// whitespace removed, split on ' ', the first word "Bearer" in any case, the token the second
// word. nullopt when the value is not bearer credentials or the token is empty.
std::optional<std::string_view> ParseBearerToken(std::string_view authorization);

// The user a (verified) client certificate names. kNoCredentials when `cert` is null or its CN is
// empty; kRejected when it has an extendedKeyUsage without clientAuth (e.g. a serving
// certificate). Adds no group. Safe from any thread (reads the certificate only).
AuthnResult UserFromCertificate(const X509* cert);

// Holds the bearer tokens the API server accepts and authenticates requests. Every
// kAuthenticated result of its methods carries kAuthenticatedGroup ("system:authenticated")
// after the credential's own groups, as kube-apiserver adds it. Thread-safe: every method may
// be called concurrently (a reader/writer lock guards the token table), so tokens can be added
// or rotated while requests are served.
class Authenticator {
 public:
  Authenticator() = default;
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Accepts `token` as `user` from now on (replacing the user of an equal token).
  // kInvalidArgument for an empty token or an empty user name.
  Status AddToken(std::string_view token, UserInfo user);
  // Stops accepting `token`. Returns whether it was known.
  bool RemoveToken(std::string_view token);

  // Bearer credentials from an Authorization header value ("" when the header is absent).
  // A known token gives its user; a bearer header with another token is kRejected with reason
  // "invalid bearer token"; anything else is kNoCredentials.
  AuthnResult AuthenticateBearer(std::string_view authorization) const;

  // The peer certificate (nullptr when none), as UserFromCertificate.
  AuthnResult AuthenticateCertificate(const X509* peer) const;

  // Both, in kube-apiserver's order: a certificate user wins, then a token user; otherwise
  // kRejected if either was rejected, else kNoCredentials.
  AuthnResult Authenticate(const X509* peer, std::string_view authorization) const;

 private:
  struct Entry {
    std::array<std::uint8_t, 32> digest;  // SHA-256 of the token
    UserInfo user;
  };
  mutable std::shared_mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
};

}  // namespace skiff::auth
