#include "skiff/auth/authenticator.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <mutex>

#include "openssl_util.h"

namespace skiff::auth {
namespace {

std::array<std::uint8_t, 32> Digest(std::string_view token) {
  std::array<std::uint8_t, 32> out{};
  unsigned int n = 0;
  if (EVP_Digest(token.data(), token.size(), out.data(), &n, EVP_sha256(), nullptr) != 1) {
    // Cannot happen with the default provider; leave a digest no token produces.
    ERR_clear_error();
    out.fill(0);
  }
  return out;
}

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

AuthnResult WithAuthenticatedGroup(AuthnResult r) {
  if (r.outcome == AuthnOutcome::kAuthenticated &&
      std::find(r.user.groups.begin(), r.user.groups.end(), kAuthenticatedGroup) ==
          r.user.groups.end()) {
    r.user.groups.push_back(kAuthenticatedGroup);
  }
  return r;
}

}  // namespace

std::optional<std::string_view> ParseBearerToken(std::string_view authorization) {
  while (!authorization.empty() && IsWhitespace(authorization.front())) {
    authorization.remove_prefix(1);
  }
  while (!authorization.empty() && IsWhitespace(authorization.back())) {
    authorization.remove_suffix(1);
  }
  size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view scheme = authorization.substr(0, space);
  constexpr std::string_view kBearer = "bearer";
  if (scheme.size() != kBearer.size() ||
      !std::equal(scheme.begin(), scheme.end(), kBearer.begin(),
                  [](char a, char b) { return (a | 0x20) == b; })) {
    return std::nullopt;
  }
  std::string_view rest = authorization.substr(space + 1);
  std::string_view token = rest.substr(0, rest.find(' '));
  if (token.empty()) return std::nullopt;
  return token;
}

AuthnResult UserFromCertificate(const X509* cert) {
  AuthnResult r;
  if (cert == nullptr) return r;
  bool has_eku = false;
  std::vector<int> eku = ossl::ExtendedKeyUsages(cert, &has_eku);
  if (has_eku && std::find(eku.begin(), eku.end(), NID_client_auth) == eku.end() &&
      std::find(eku.begin(), eku.end(), NID_anyExtendedKeyUsage) == eku.end()) {
    r.outcome = AuthnOutcome::kRejected;
    r.reason = "x509: certificate specifies an incompatible key usage";
    return r;
  }
  std::vector<std::string> cn = ossl::SubjectValues(cert, NID_commonName);
  // Like Go's crypto/x509, the last CN attribute is the common name.
  if (cn.empty() || cn.back().empty()) return r;
  r.outcome = AuthnOutcome::kAuthenticated;
  r.user.name = cn.back();
  r.user.groups = ossl::SubjectValues(cert, NID_organizationName);
  return r;
}

Status Authenticator::AddToken(std::string_view token, UserInfo user) {
  if (token.empty()) return InvalidArgumentError("a bearer token must not be empty");
  if (user.name.empty()) return InvalidArgumentError("a bearer token's user must have a name");
  Entry entry{Digest(token), std::move(user)};
  std::unique_lock lock(mu_);
  for (Entry& e : entries_) {
    if (e.digest == entry.digest) {
      e.user = std::move(entry.user);
      return Status::Ok();
    }
  }
  entries_.push_back(std::move(entry));
  return Status::Ok();
}

bool Authenticator::RemoveToken(std::string_view token) {
  std::array<std::uint8_t, 32> digest = Digest(token);
  std::unique_lock lock(mu_);
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.digest == digest; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

AuthnResult Authenticator::AuthenticateBearer(std::string_view authorization) const {
  AuthnResult r;
  std::optional<std::string_view> token = ParseBearerToken(authorization);
  if (!token) return r;
  std::array<std::uint8_t, 32> digest = Digest(*token);
  std::shared_lock lock(mu_);
  const Entry* match = nullptr;
  // Every entry is compared, in constant time each, so timing says nothing about the token.
  for (const Entry& e : entries_) {
    if (CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0) match = &e;
  }
  if (match == nullptr) {
    r.outcome = AuthnOutcome::kRejected;
    r.reason = "invalid bearer token";
    return r;
  }
  r.outcome = AuthnOutcome::kAuthenticated;
  r.user = match->user;
  return WithAuthenticatedGroup(std::move(r));
}

AuthnResult Authenticator::AuthenticateCertificate(const X509* peer) const {
  return WithAuthenticatedGroup(UserFromCertificate(peer));
}

AuthnResult Authenticator::Authenticate(const X509* peer, std::string_view authorization) const {
  AuthnResult cert = AuthenticateCertificate(peer);
  if (cert.outcome == AuthnOutcome::kAuthenticated) return cert;
  AuthnResult bearer = AuthenticateBearer(authorization);
  if (bearer.outcome == AuthnOutcome::kAuthenticated) return bearer;
  if (cert.outcome == AuthnOutcome::kRejected) return cert;
  return bearer;
}

}  // namespace skiff::auth
